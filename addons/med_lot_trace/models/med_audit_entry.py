from odoo import fields, models

from odoo.addons.med_audit_export.models.med_audit_entry import keep_entries


class MedAuditEntry(models.Model):
    _inherit = "med.audit.entry"

    operation = fields.Selection(
        selection_add=[
            ("recall_simulation", "Recall Simulation"),
            ("gate_override", "Lot Gate Override"),
        ],
        ondelete={"recall_simulation": keep_entries, "gate_override": keep_entries},
    )
