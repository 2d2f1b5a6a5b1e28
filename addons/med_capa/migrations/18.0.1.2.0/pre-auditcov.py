"""From 18.0.1.2.0 inspections and their results are audited by shipped rules:
existing rules on them become those."""

from openupgradelib import openupgrade


@openupgrade.migrate()
def migrate(env, version):
    Rule = env["med.audit.rule"]
    Rule._med_adopt_rule("med_capa.audit_rule_qc_inspection", "qc.inspection")
    Rule._med_adopt_rule("med_capa.audit_rule_qc_inspection_line", "qc.inspection.line")
