"""The complaint's audit rule (noupdate data) covers from 18.0.1.1.0 the reason for
not investigating and the reportability decision and report (ISO 13485 8.2.2, 8.2.3,
21 CFR 803): add them to the rule of existing databases, as the data file does on a
new one."""

from openupgradelib import openupgrade

AUDITED = (
    "no_investigation_reason",
    "event_category",
    "date_aware",
    "remedial_action",
    "reportable",
    "reportability_justification",
    "reportability_decided_by_id",
    "date_reportability_decided",
    "report_reference",
    "date_report_submitted",
)
PROTECTED = ("reportability_decided_by_id", "date_reportability_decided")


@openupgrade.migrate()
def migrate(env, version):
    rule = env.ref("med_equipment.audit_rule_med_complaint", raise_if_not_found=False)
    if not rule:
        return
    fields = env["ir.model.fields"].search(
        [("model", "=", "med.complaint"), ("name", "in", AUDITED)]
    )
    rule.with_context(med_reason="med_equipment 18.0.1.1.0").write(
        {
            "field_ids": [(4, field.id) for field in fields],
            "protected_field_ids": [
                (4, field.id) for field in fields if field.name in PROTECTED
            ],
        }
    )
