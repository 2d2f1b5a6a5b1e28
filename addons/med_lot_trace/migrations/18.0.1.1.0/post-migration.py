"""Lots released before 18.0.1.1.0 get their release date from their first release
signature (the evidence of that release), so the FDA retention rule counts from it;
the lot audit rule (noupdate data) audits and protects the new field as shipped."""

from openupgradelib import openupgrade

from odoo import Command


@openupgrade.migrate()
def migrate(env, version):
    openupgrade.logged_query(
        env.cr,
        """
        UPDATE stock_lot lot
           SET med_release_date = released.date
          FROM (SELECT res_id, min(timestamp) AS date
                  FROM med_signature
                 WHERE res_model = 'stock.lot' AND meaning = 'release'
                 GROUP BY res_id) released
         WHERE released.res_id = lot.id AND lot.med_release_date IS NULL
        """,
    )
    rule = env.ref("med_lot_trace.audit_rule_stock_lot", raise_if_not_found=False)
    field = env.ref("med_lot_trace.field_stock_lot__med_release_date")
    if rule:
        rule.write(
            {
                "field_ids": [Command.link(field.id)],
                "protected_field_ids": [Command.link(field.id)],
            }
        )
