from odoo import fields, models

CHANGES = [("added", "Added"), ("removed", "Removed"), ("changed", "Changed")]


class MedRecallRecomputeLine(models.TransientModel):
    _name = "med.recall.recompute.line"
    _description = "Recall Scope Change"

    wizard_id = fields.Many2one(
        "med.recall.recompute", required=True, ondelete="cascade"
    )
    kind = fields.Char(string="What")
    change = fields.Selection(CHANGES, required=True)
    where = fields.Char(string="Customer or Location")
    lot_id = fields.Many2one("stock.lot", string="Lot/Serial")
    old_qty = fields.Float(string="Frozen", digits="Product Unit of Measure")
    new_qty = fields.Float(string="Now", digits="Product Unit of Measure")

    def _med_summary(self):
        self.ensure_one()
        changes = dict(self._fields["change"]._description_selection(self.env))
        where = f" ({self.where})" if self.where else ""
        quantities = (
            f" {self.old_qty:g} → {self.new_qty:g}"
            if self.old_qty or self.new_qty
            else ""
        )
        return (
            f"{changes[self.change]}: {self.kind} {self.lot_id.name}{where}{quantities}"
        )
