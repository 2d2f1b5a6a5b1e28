from odoo import fields, models


class MedEventType(models.Model):
    """A kind of event other systems subscribe to (lot released, CAPA closed...).
    The suite ships one per automation rule that records it; a compliance
    administrator may add types for rules of their own."""

    _name = "med.event.type"
    _description = "Event Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help='The event\'s type in the payload ("type"), e.g. lot_released.',
    )
    sequence = fields.Integer(default=10)
    description = fields.Text(translate=True)

    _sql_constraints = (
        ("code_unique", "UNIQUE(code)", "Each event type has its own code."),
    )
