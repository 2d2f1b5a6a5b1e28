import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Sent in a header (X-Med-Event-Type) and read by programs: plain ASCII.
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_.]*$")


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

    @api.constrains("code")
    def _check_code(self):
        for event_type in self:
            if not CODE_PATTERN.match(event_type.code or ""):
                raise ValidationError(
                    self.env._(
                        "The code %(code)s of an event type is made of lower-case "
                        "letters, digits, dots and underscores, e.g. lot_released.",
                        code=event_type.code,
                    )
                )
