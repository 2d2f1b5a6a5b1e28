from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class MedNonconformanceLot(models.Model):
    """How much of each lot of a nonconformance is nonconforming: with several lots,
    the signed scrap, return or rework moves these quantities, lot by lot."""

    _name = "med.nonconformance.lot"
    _description = "Nonconforming Quantity per Lot"
    _order = "nonconformance_id, id"
    _check_company_auto = True

    nonconformance_id = fields.Many2one(
        "med.nonconformance", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="nonconformance_id.company_id", store=True)
    lot_id = fields.Many2one("stock.lot", required=True, check_company=True, index=True)
    product_id = fields.Many2one(related="lot_id.product_id", string="Product")
    quantity = fields.Float(
        string="Nonconforming Quantity", digits="Product Unit of Measure"
    )
    product_uom_id = fields.Many2one(related="lot_id.product_id.uom_id", string="Unit")

    _sql_constraints = (
        (
            "lot_once",
            "unique(nonconformance_id, lot_id)",
            "A lot is given once per nonconformance.",
        ),
    )

    @api.constrains("lot_id", "quantity")
    def _check_lot_of_the_nonconformance(self):
        for line in self:
            if line.quantity <= 0:
                raise ValidationError(
                    self.env._(
                        "%(record)s: give a positive quantity for lot %(lot)s.",
                        record=line.nonconformance_id.name,
                        lot=line.lot_id.name,
                    )
                )
            if line.lot_id not in line.nonconformance_id.lot_ids:
                raise ValidationError(
                    self.env._(
                        "%(record)s: lot %(lot)s is not one of its lots.",
                        record=line.nonconformance_id.name,
                        lot=line.lot_id.name,
                    )
                )

    def _med_ensure_open(self, nonconformances):
        decided = nonconformances.filtered(lambda r: r.state != "open")
        if decided:
            raise UserError(
                self.env._(
                    "%(records)s are dispositioned: their findings and disposition "
                    "can no longer change.",
                    records=", ".join(decided.mapped("name")),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._med_ensure_open(
            self.env["med.nonconformance"].browse(
                [vals.get("nonconformance_id") for vals in vals_list]
            )
        )
        return super().create(vals_list)

    def write(self, vals):
        self._med_ensure_open(self.nonconformance_id)
        if "nonconformance_id" in vals:
            self._med_ensure_open(
                self.env["med.nonconformance"].browse(vals["nonconformance_id"])
            )
        return super().write(vals)

    def unlink(self):
        with self._med_refused_deletion_recorder():
            self._med_ensure_open(self.nonconformance_id)
        return super().unlink()
