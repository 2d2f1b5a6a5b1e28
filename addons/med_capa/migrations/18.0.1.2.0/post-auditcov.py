"""From 18.0.1.2.0 (noupdate rules of existing databases, as the data files on a new
one): the nonconformance's detection date and reporter are audited; inspections and
their results are audited; the CAPA settings of the company are audited."""

from openupgradelib import openupgrade

REASON = "med_capa 18.0.1.2.0"
INSPECTION = (
    "name",
    "date",
    "date_done",
    "object_id",
    "product_id",
    "qty",
    "test",
    "state",
    "success",
    "user",
    "company_id",
    "internal_notes",
    "external_notes",
    "lot_id",
    "picking_id",
)
INSPECTION_LINE = (
    "inspection_id",
    "name",
    "quantitative_value",
    "qualitative_value",
    "uom_id",
    "min_value",
    "max_value",
    "notes",
    "success",
)
COMPANY = ("med_capa_segregation", "med_eval_weight_inspection", "med_eval_weight_capa")


@openupgrade.migrate()
def migrate(env, version):
    Rule = env["med.audit.rule"]
    Rule._med_extend_rule(
        "med_capa.audit_rule_med_nonconformance", ("date", "user_id"), reason=REASON
    )
    Rule._med_extend_rule(
        "med_capa.audit_rule_qc_inspection", INSPECTION, reason=REASON
    )
    Rule._med_extend_rule(
        "med_capa.audit_rule_qc_inspection_line", INSPECTION_LINE, reason=REASON
    )
    Rule._med_extend_rule(
        "med_lot_trace.audit_rule_res_company", COMPANY, reason=REASON
    )
