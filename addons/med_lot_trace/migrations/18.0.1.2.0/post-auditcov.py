"""The company settings rule (noupdate data) audits the lot gate mode and the
release segregation: add them to a rule adopted from the administrator."""

from openupgradelib import openupgrade


@openupgrade.migrate()
def migrate(env, version):
    env["med.audit.rule"]._med_extend_rule(
        "med_lot_trace.audit_rule_res_company",
        ("med_gate_mode", "med_release_segregation"),
        reason="med_lot_trace 18.0.1.2.0",
    )
