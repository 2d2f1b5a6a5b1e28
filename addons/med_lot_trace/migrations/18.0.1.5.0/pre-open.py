"""From 18.0.1.5.0 med_lot_trace ships the recall report template that
med_audit_export shipped: the existing template (with its adaptations) becomes
med_lot_trace's."""

from openupgradelib import openupgrade


@openupgrade.migrate()
def migrate(env, version):
    openupgrade.rename_xmlids(
        env.cr,
        [
            (
                "med_audit_export.export_template_recall_report",
                "med_lot_trace.export_template_recall_report",
            )
        ],
    )
