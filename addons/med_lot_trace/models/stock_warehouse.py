from odoo import fields, models


class StockWarehouse(models.Model):
    # The daily expiry check tells QA per warehouse, with an activity on it.
    _inherit = ("stock.warehouse", "mail.thread", "mail.activity.mixin")
    _name = "stock.warehouse"

    # Written by each run of the daily check before it decides whether to send the
    # warehouse's near-expiry list: two runs deciding about the same warehouse then
    # write the same row and cannot both commit, whatever their snapshots.
    med_date_near_expiry_check = fields.Datetime(
        string="Near-Expiry Check", readonly=True, copy=False
    )
