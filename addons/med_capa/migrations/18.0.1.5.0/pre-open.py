"""From 18.0.1.5.0 med_capa ships the CAPA report template that med_audit_export
shipped: the existing template (with its adaptations) becomes med_capa's."""

from openupgradelib import openupgrade


@openupgrade.migrate()
def migrate(env, version):
    openupgrade.rename_xmlids(
        env.cr,
        [
            (
                "med_audit_export.export_template_capa_report",
                "med_capa.export_template_capa_report",
            )
        ],
    )
