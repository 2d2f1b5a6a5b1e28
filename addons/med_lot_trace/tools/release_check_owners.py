"""The release checks moved from med_release_review down to the addons that own
their data (18.0.1.5.0): med_lot_trace holds the registry, the results and the
reconciliation; each check record and code value belongs to the addon whose data
it reads. Their tables stay; their external ids change module, so that the upgrade
neither drops them (models, fields, constraints, access rows, record rule, cron)
nor creates them a second time (the shipped checks, noupdate). Run by the
18.0.1.5.0 pre-migrations of med_lot_trace and med_release_review (whichever the
upgrade loads first); idempotent."""

from openupgradelib import openupgrade

from odoo.tools import SQL

OLD = "med_release_review"
# Fields of med.release.result that med_release_review keeps (the justification and
# what med.signable.mixin adds to it) are not in this list.
RESULT_FIELDS = (
    "id",
    "display_name",
    "create_uid",
    "create_date",
    "write_uid",
    "write_date",
    "lot_id",
    "check_id",
    "sequence",
    "severity",
    "product_id",
    "company_id",
    "lot_state",
    "state",
    "details",
    "message",
    "res_model",
    "res_id",
    "date_checked",
)
CHECK_OWNERS = {
    "bom_yield": "med_lot_trace",
    "expiry_components": "med_lot_trace",
    "inspected_quantity": "med_capa",
    "inspection_required": "med_capa",
    "nc_disposition": "med_capa",
    "open_quality_records": "med_capa",
    "supplier_certificate": "med_supplier_qual",
}


def _moves():
    """(module, ir_model_data.model, SQL condition on ir_model_data.name)"""
    like = "name LIKE %s"
    lot_trace = "med_lot_trace"
    moves = [
        (lot_trace, "ir.model", SQL("name IN %s", ("model_med_release_check",))),
        (lot_trace, "ir.model", SQL("name IN %s", ("model_med_release_result",))),
        ("med_capa", "ir.model", SQL("name = 'model_med_release_reconciled_mixin'")),
        (lot_trace, "ir.model.fields", SQL(like, "field_med_release_check\\_\\_%")),
        (
            lot_trace,
            "ir.model.fields",
            SQL(
                "name IN %s",
                tuple(f"field_med_release_result__{name}" for name in RESULT_FIELDS),
            ),
        ),
        (
            lot_trace,
            "ir.model.fields",
            SQL("name = 'field_product_template__med_expiry_within_components'"),
        ),
        (
            "med_capa",
            "ir.model.fields",
            SQL(like, "field_med_release_reconciled_mixin\\_\\_%"),
        ),
        (
            lot_trace,
            "ir.model.fields.selection",
            SQL(like, "selection\\_\\_med_release_check\\_\\_severity\\_\\_%"),
        ),
        (
            lot_trace,
            "ir.model.fields.selection",
            SQL(like, "selection\\_\\_med_release_result\\_\\_%"),
        ),
        (
            lot_trace,
            "ir.model.constraint",
            SQL(
                "(name LIKE 'constraint\\_med\\_release\\_check%%'"
                " OR name LIKE 'constraint\\_med\\_release\\_result%%')"
                " AND name NOT LIKE '%%justified%%'"
            ),
        ),
        (lot_trace, "ir.model.access", SQL(like, "access_med_release_check\\_%")),
        (lot_trace, "ir.model.access", SQL(like, "access_med_release_result\\_%")),
        (lot_trace, "ir.rule", SQL("name = 'med_release_result_rule_company'")),
        (lot_trace, "ir.cron", SQL("name = 'ir_cron_med_reconcile'")),
        (
            lot_trace,
            "ir.actions.server",
            SQL("name = 'ir_cron_med_reconcile_ir_actions_server'"),
        ),
    ]
    for code, module in CHECK_OWNERS.items():
        moves.append(
            (
                module,
                "ir.model.fields.selection",
                SQL("name = %s", f"selection__med_release_check__code__{code}"),
            )
        )
        moves.append(
            (module, "med.release.check", SQL("name = %s", f"release_check_{code}"))
        )
    return moves


def _logged_query(cr, query):
    # openupgrade's logger passes parameters beside the query: an SQL object's own
    return openupgrade.logged_query(cr, query.code, query.params)


def move_release_check_xmlids(env):
    cr = env.cr
    for module, model, condition in _moves():
        # An id the new module has already (an interrupted upgrade) wins: the old
        # one is left to the end of the upgrade, which then drops only the id.
        _logged_query(
            cr,
            SQL(
                """
            UPDATE ir_model_data data SET module = %(module)s
             WHERE data.module = %(old)s AND data.model = %(model)s AND %(condition)s
               AND NOT EXISTS (SELECT 1 FROM ir_model_data other
                                WHERE other.module = %(module)s
                                  AND other.name = data.name)
            """,
                module=module,
                old=OLD,
                model=model,
                condition=condition,
            ),
        )
    # The constraints' own owner, which decides whether an uninstall drops them.
    _logged_query(
        cr,
        SQL(
            """
        UPDATE ir_model_constraint constraint_
           SET module = (SELECT id FROM ir_module_module WHERE name = 'med_lot_trace')
          FROM ir_model model
         WHERE model.id = constraint_.model
           AND model.model IN ('med.release.check', 'med.release.result')
           AND constraint_.name NOT LIKE %(justified)s
           AND constraint_.module = (
               SELECT id FROM ir_module_module WHERE name = %(old)s)
           AND NOT EXISTS (
               SELECT 1 FROM ir_model_constraint other
                JOIN ir_module_module module ON module.id = other.module
                WHERE other.name = constraint_.name AND module.name = 'med_lot_trace')
        """,
            justified="%justified%",
            old=OLD,
        ),
    )
