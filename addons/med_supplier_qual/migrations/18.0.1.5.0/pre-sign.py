"""From 18.0.1.5.0 the self-inspection report is a signed record
(med.signed.record.mixin): its signing date is ``signed_date``, like the reviews'."""

from openupgradelib import openupgrade


@openupgrade.migrate()
def migrate(env, version):
    if openupgrade.column_exists(env.cr, "med_gsp_self_inspection", "date_signed"):
        openupgrade.rename_fields(
            env,
            [
                (
                    "med.gsp.self.inspection",
                    "med_gsp_self_inspection",
                    "date_signed",
                    "signed_date",
                )
            ],
        )
