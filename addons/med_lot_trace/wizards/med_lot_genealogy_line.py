from odoo import api, fields, models


class MedLotGenealogyLine(models.TransientModel):
    _name = "med.lot.genealogy.line"
    _description = "Lot Genealogy Line"
    _order = "sequence"

    genealogy_id = fields.Many2one(
        "med.lot.genealogy", required=True, ondelete="cascade"
    )
    sequence = fields.Integer()
    level = fields.Integer()
    kind = fields.Selection(
        [
            ("lot", "Traced Lot"),
            ("link", "Manufacturing"),
            ("edge", "Receipt / Delivery"),
        ],
        required=True,
    )
    parent_id = fields.Many2one(
        "med.lot.genealogy.line", string="Parent Line", ondelete="cascade", index=True
    )
    child_ids = fields.One2many(
        "med.lot.genealogy.line", "parent_id", string="Child Lines"
    )
    tree_label = fields.Char(string="Lot", compute="_compute_tree_label")
    move_line_id = fields.Many2one("stock.move.line")
    lot_id = fields.Many2one("stock.lot", string="Lot/Serial")
    lot_state = fields.Selection(related="lot_id.med_state", string="Lot Status")
    product_id = fields.Many2one("product.product")
    quantity = fields.Float(digits="Product Unit of Measure")
    uom_id = fields.Many2one("uom.uom", string="Unit")
    date = fields.Datetime()
    reference = fields.Char(string="Document")
    partner_id = fields.Many2one("res.partner")

    @api.depends("level", "lot_id", "kind", "partner_id")
    def _compute_tree_label(self):
        for line in self:
            indent = "\u2003" * (line.level - 1)
            if line.kind == "lot":
                line.tree_label = line.lot_id.name
            elif line.kind == "edge":
                line.tree_label = f"{indent}\u21b3 {line.partner_id.display_name or ''}"
            else:
                line.tree_label = f"{indent}\u25b8 {line.lot_id.name}"

    def action_open_lot(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "stock.lot",
            "res_id": self.lot_id.id,
            "view_mode": "form",
        }
