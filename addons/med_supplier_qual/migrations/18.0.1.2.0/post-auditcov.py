"""The supplier gate settings of the company are audited from 18.0.1.2.0 (Annex 11
§10): add them to the company settings rule (noupdate data of med_lot_trace)."""

from openupgradelib import openupgrade

AUDITED = (
    "med_supplier_gate_mode",
    "med_customer_gate_mode",
    "med_allow_conditional_suppliers",
    "med_require_verified_certificates",
    "med_suspend_on_expiry",
    "med_certificate_responsible_id",
    "med_eval_weight_on_time",
    "med_eval_weight_returns",
)


@openupgrade.migrate()
def migrate(env, version):
    env["med.audit.rule"]._med_extend_rule(
        "med_lot_trace.audit_rule_res_company",
        AUDITED,
        reason="med_supplier_qual 18.0.1.2.0",
    )
