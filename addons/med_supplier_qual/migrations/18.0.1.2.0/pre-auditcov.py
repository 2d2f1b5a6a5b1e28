"""From 18.0.1.2.0 certificate types are audited by a shipped rule (Annex 11 §10):
an existing rule on them becomes it."""

from openupgradelib import openupgrade


@openupgrade.migrate()
def migrate(env, version):
    env["med.audit.rule"]._med_adopt_rule(
        "med_supplier_qual.audit_rule_certificate_type", "med.certificate.type"
    )
