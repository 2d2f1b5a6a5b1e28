"""From 18.0.1.7.0 the lots' audit rule (noupdate data) no longer audits the hold
reason as a field of its own: the status entry of each hold or recall carries it as
its reason. The shipped rule of an existing database follows, through an audited
change of the rule."""

from openupgradelib import openupgrade

from odoo import Command


@openupgrade.migrate()
def migrate(env, version):
    rule = env.ref("med_lot_trace.audit_rule_stock_lot", raise_if_not_found=False)
    field = env.ref(
        "med_lot_trace.field_stock_lot__med_hold_reason", raise_if_not_found=False
    )
    # A rule left with no field would audit every field: never empty it here.
    if rule and field and field in rule.field_ids and rule.field_ids - field:
        rule.with_context(
            med_reason="med_lot_trace 18.0.1.7.0: the hold reason is the status "
            "entry's reason"
        ).write({"field_ids": [Command.unlink(field.id)]})
