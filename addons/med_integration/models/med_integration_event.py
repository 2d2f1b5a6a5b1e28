from odoo import api, fields, models

EVENT_TYPES = [("recall_scope", "Recall scope computed")]


class MedIntegrationEvent(models.Model):
    """An event other systems care about that changes no stored state of its own
    (a recall scope computed): recorded here so that an automation rule (the
    recall_scope trusted event) can trigger on its creation. Written by the code
    only, never changed."""

    _name = "med.integration.event"
    _description = "Integration Event"
    _order = "id desc"

    name = fields.Char(string="Event", required=True, readonly=True)
    event_type = fields.Selection(EVENT_TYPES, required=True, readonly=True, index=True)
    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    user_id = fields.Many2one(
        "res.users", string="By", default=lambda self: self.env.user, readonly=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    lot_ids = fields.Many2many("stock.lot", string="Lots", readonly=True)
    lot_names = fields.Char(readonly=True, help="For event payloads.")
    details = fields.Text(readonly=True)

    @api.model
    def _med_record(self, event_type, lots, details):
        """Record an event (trusted code only)."""
        # sudo: events are system records; whoever computed the recall scope (an
        # auditor, the warehouse) may not create them, and must not need to.
        return self.sudo().create(
            {
                "name": dict(EVENT_TYPES)[event_type],
                "event_type": event_type,
                "lot_ids": [fields.Command.set(lots.ids)],
                "lot_names": ", ".join(lots.mapped("name")),
                "details": details,
                "company_id": (lots.company_id[:1] or self.env.company).id,
            }
        )
