from odoo import fields, models

JOB_STATES = [
    ("ok", "OK"),
    ("late", "Late"),
    ("failing", "Failing"),
    ("inactive", "Inactive"),
]


class MedSystemHealthJob(models.TransientModel):
    """One of the suite's scheduled jobs, as the System Health page shows it."""

    _name = "med.system.health.job"
    _description = "System Health: Scheduled Job"

    health_id = fields.Many2one("med.system.health", required=True, ondelete="cascade")
    cron_id = fields.Many2one("ir.cron", string="Job")
    name = fields.Char()
    state = fields.Selection(JOB_STATES)
    lastcall = fields.Datetime(string="Last Run")
    nextcall = fields.Datetime(string="Next Run")
    failure_count = fields.Integer(string="Failures in a Row")
    first_failure_date = fields.Datetime(string="Failing Since")
