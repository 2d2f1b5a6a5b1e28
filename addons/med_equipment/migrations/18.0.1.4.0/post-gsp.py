"""From 18.0.1.4.0: the EU MDR vigilance deadline joins the complaint's report
deadlines (audited, changed only by computation, as the data file says on a new
database), and the earliest deadline of the reportable complaints is computed again
with it."""

from openupgradelib import openupgrade

REASON = "med_equipment 18.0.1.4.0"


@openupgrade.migrate()
def migrate(env, version):
    env["med.audit.rule"]._med_extend_rule(
        "med_equipment.audit_rule_med_complaint",
        ("eu_public_health_threat", "date_eu_deadline"),
        protected=("date_eu_deadline",),
        reason=REASON,
    )
    Complaint = env["med.complaint"].with_context(active_test=False)
    complaints = Complaint.search([("date_report_deadline", "!=", False)])
    fields = [
        Complaint._fields[name] for name in ("date_eu_deadline", "date_report_deadline")
    ]
    for field in fields:
        env.add_to_compute(field, complaints)
    complaints.with_context(med_reason=REASON).flush_recordset()
