"""From 18.0.1.2.0 (noupdate rules of existing databases, as the data file on a new
one): the complaint's report deadlines are audited and change only by computation;
the installed base's delivery facts (customer, lot, quantity, date) are audited and
protected; the equipment gate setting of the company is audited."""

from openupgradelib import openupgrade

REASON = "med_equipment 18.0.1.2.0"
DEADLINES = ("date_nmpa_deadline", "date_fda_deadline", "date_report_deadline")
DELIVERY = (
    "lot_id",
    "partner_id",
    "move_line_id",
    "quantity",
    "date_delivered",
    "company_id",
)


@openupgrade.migrate()
def migrate(env, version):
    Rule = env["med.audit.rule"]
    Rule._med_extend_rule(
        "med_equipment.audit_rule_med_complaint",
        DEADLINES,
        protected=DEADLINES,
        reason=REASON,
    )
    Rule._med_extend_rule(
        "med_equipment.audit_rule_med_installed_base",
        DELIVERY,
        protected=DELIVERY,
        reason=REASON,
    )
    Rule._med_extend_rule(
        "med_lot_trace.audit_rule_res_company",
        ("med_equipment_gate",),
        reason=REASON,
    )
