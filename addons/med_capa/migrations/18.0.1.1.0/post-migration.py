"""The nonconformance's audit rule (noupdate data) covers from 18.0.1.1.0 the scraps
and returns the signed disposition makes (ISO 13485 8.3): add them, audited and
protected, to the rule of existing databases, as the data file does on a new one."""

from openupgradelib import openupgrade

AUDITED = ("scrap_ids", "return_picking_ids")


@openupgrade.migrate()
def migrate(env, version):
    rule = env.ref("med_capa.audit_rule_med_nonconformance", raise_if_not_found=False)
    if not rule:
        return
    fields = env["ir.model.fields"].search(
        [("model", "=", "med.nonconformance"), ("name", "in", AUDITED)]
    )
    rule.with_context(med_reason="med_capa 18.0.1.1.0").write(
        {
            "field_ids": [(4, field.id) for field in fields],
            "protected_field_ids": [(4, field.id) for field in fields],
        }
    )
