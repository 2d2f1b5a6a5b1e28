from odoo import fields, models


class MrpProduction(models.Model):
    _inherit = "mrp.production"
    # Set by the signed rework disposition only: it lets the order take the
    # nonconforming lots into production.
    _med_protected_fields = ("med_rework_nonconformance_id",)

    med_rework_nonconformance_id = fields.Many2one(
        "med.nonconformance",
        string="Rework of Nonconformance",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The nonconformance whose signed rework disposition made this order.",
    )
