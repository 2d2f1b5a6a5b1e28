from odoo import fields, models


class StockWarehouse(models.Model):
    # The daily expiry check tells QA per warehouse, with an activity on it.
    _inherit = ("stock.warehouse", "mail.thread", "mail.activity.mixin")
    _name = "stock.warehouse"

    med_quarantine_location_id = fields.Many2one(
        "stock.location",
        string="Quarantine Location",
        domain="[('usage', '=', 'internal'), ('warehouse_id', '=', id)]",
        check_company=True,
        tracking=True,
        help="Physical segregation: lots received into stock wait here until "
        "released, a release creates their transfer to stock, a hold their transfer "
        "back here, and lots not released cannot leave it for another internal "
        "location. With a three-step reception, choose the quality control "
        "location. Empty: no segregation.",
    )

    # Written by each run of the daily check before it decides whether to send the
    # warehouse's near-expiry list: two runs deciding about the same warehouse then
    # write the same row and cannot both commit, whatever their snapshots.
    med_date_near_expiry_check = fields.Datetime(
        string="Near-Expiry Check", readonly=True, copy=False
    )
