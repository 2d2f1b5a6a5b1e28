"""From 18.0.1.4.0 (noupdate rules of existing databases, as the data file on a new
one): a certificate's business scope, the device classification code and the
first-operation gate setting are audited."""

from openupgradelib import openupgrade

REASON = "med_supplier_qual 18.0.1.4.0"


@openupgrade.migrate()
def migrate(env, version):
    Rule = env["med.audit.rule"]
    Rule._med_extend_rule(
        "med_supplier_qual.audit_rule_supplier_certificate",
        ("business_scope",),
        reason=REASON,
    )
    Rule._med_extend_rule(
        "med_lot_trace.audit_rule_product_template",
        ("med_classification_code",),
        reason=REASON,
    )
    Rule._med_extend_rule(
        "med_lot_trace.audit_rule_res_company",
        ("med_first_operation_gate_mode",),
        reason=REASON,
    )
