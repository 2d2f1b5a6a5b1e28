from odoo import models


class StockWarehouse(models.Model):
    # The daily expiry check tells QA per warehouse, with an activity on it.
    _inherit = ("stock.warehouse", "mail.thread", "mail.activity.mixin")
    _name = "stock.warehouse"
