from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    # Written by each run of the daily job alert before it decides which alerts to
    # send: two runs deciding for the same company then write the same row and
    # cannot both commit, whatever their snapshots.
    med_date_job_alert_check = fields.Datetime(
        string="Job Alert Check", readonly=True, copy=False
    )
