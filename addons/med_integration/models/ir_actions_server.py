from odoo import api, fields, models
from odoo.exceptions import ValidationError


class IrActionsServer(models.Model):
    """A server action that records a trusted event (med.event.delivery) in the
    transaction of the change, instead of posting a webhook inside it."""

    _inherit = "ir.actions.server"

    state = fields.Selection(
        selection_add=[("med_event", "Record Trusted Event")],
        ondelete={"med_event": "cascade"},
    )
    med_event_type_id = fields.Many2one(
        "med.event.type",
        string="Event Type",
        ondelete="restrict",
        help="Sent to the event subscriptions of this type, after commit, signed "
        "and retried. The fields chosen under Fields are the payload's data.",
    )

    @api.constrains("state", "med_event_type_id")
    def _check_med_event_type(self):
        for action in self:
            if action.state == "med_event" and not action.med_event_type_id:
                raise ValidationError(
                    self.env._(
                        "The action %(action)s records a trusted event: choose its "
                        "event type.",
                        action=action.name,
                    )
                )

    def _run_action_med_event(self, eval_context=None):
        record = self.env[self.model_id.model].browse(self.env.context.get("active_id"))
        if record:
            self.env["med.event.delivery"]._med_record_event(
                self.med_event_type_id, record, self.webhook_field_ids.mapped("name")
            )
