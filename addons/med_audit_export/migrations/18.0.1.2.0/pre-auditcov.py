"""From 18.0.1.2.0 the export templates are audited (Annex 11 §10) by shipped rules:
a rule the administrator already made for them becomes the shipped one (a model
has one rule), so that loading the data does not collide with it."""

from openupgradelib import openupgrade

NEW_RULES = (
    ("audit_rule_export_template", "med.export.template"),
    ("audit_rule_export_template_section", "med.export.template.section"),
)


@openupgrade.migrate()
def migrate(env, version):
    # SQL: this addon's models are not loaded yet before its own update.
    for name, model in NEW_RULES:
        openupgrade.logged_query(
            env.cr,
            """INSERT INTO ir_model_data (module, name, model, res_id, noupdate)
            SELECT 'med_audit_export', %(name)s, 'med.audit.rule', rule.id, TRUE
              FROM med_audit_rule rule
              JOIN ir_model model ON model.id = rule.model_id
             WHERE model.model = %(model)s
               AND NOT EXISTS (
                   SELECT 1 FROM ir_model_data
                    WHERE module = 'med_audit_export' AND name = %(name)s)""",
            {"name": name, "model": model},
        )
