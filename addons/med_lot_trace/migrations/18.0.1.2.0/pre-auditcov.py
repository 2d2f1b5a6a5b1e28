"""From 18.0.1.2.0 the company's gate and segregation settings are audited by a
shipped rule (Annex 11 §10): an existing rule on companies becomes it."""

from openupgradelib import openupgrade


@openupgrade.migrate()
def migrate(env, version):
    env["med.audit.rule"]._med_adopt_rule(
        "med_lot_trace.audit_rule_res_company", "res.company"
    )
