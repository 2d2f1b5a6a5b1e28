from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    med_event_max_attempts = fields.Integer(
        string="Delivery Attempts",
        config_parameter="med_integration.event_max_attempts",
        default=10,
        help="Attempts before a delivery is marked failed and the compliance "
        "administrators get an activity.",
    )
    med_event_retry_base_seconds = fields.Integer(
        string="First Retry After (seconds)",
        config_parameter="med_integration.event_retry_base_seconds",
        default=60,
        help="Each retry waits twice as long as the one before (at most a day).",
    )
    med_event_timeout_seconds = fields.Integer(
        string="Receiver Timeout (seconds)",
        config_parameter="med_integration.event_timeout_seconds",
        default=10,
    )
    med_event_retention_days = fields.Integer(
        string="Keep Delivery Log (days)",
        config_parameter="med_integration.event_retention_days",
        default=365,
        help="Sent and failed deliveries older than this are deleted every night; "
        "pending ones are kept.",
    )

    @api.constrains(
        "med_event_max_attempts",
        "med_event_timeout_seconds",
        "med_event_retention_days",
        "med_event_retry_base_seconds",
    )
    def _check_med_event_settings(self):
        for settings in self:
            if (
                min(
                    settings.med_event_max_attempts,
                    settings.med_event_timeout_seconds,
                    settings.med_event_retention_days,
                )
                < 1
                or settings.med_event_retry_base_seconds < 0
            ):
                raise ValidationError(
                    self.env._(
                        "Event delivery attempts, timeout and log retention must be "
                        "at least 1, and the first retry delay cannot be negative."
                    )
                )
