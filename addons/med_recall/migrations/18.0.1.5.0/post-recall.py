"""From 18.0.1.5.0 (the noupdate rule of existing databases, as the data file on a
new one): the NMPA progress report period of a recall is audited, since from the
launch it changes only with a reason."""

from openupgradelib import openupgrade


@openupgrade.migrate()
def migrate(env, version):
    env["med.audit.rule"]._med_extend_rule(
        "med_recall.audit_rule_med_recall",
        ("progress_report_days",),
        reason="med_recall 18.0.1.5.0",
    )
