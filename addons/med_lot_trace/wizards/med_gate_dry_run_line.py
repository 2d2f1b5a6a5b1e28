from odoo import api, fields, models

from ..models.med_gate import GATE_MODES


class MedGateDryRunLine(models.TransientModel):
    _name = "med.gate.dry.run.line"
    _description = "Gate Go-Live Dry Run Finding"
    _order = "id"

    wizard_id = fields.Many2one("med.gate.dry.run", required=True, ondelete="cascade")
    gate = fields.Selection(selection="_selection_gate", required=True)
    current_mode = fields.Selection(GATE_MODES, string="Mode Now")
    document_ref = fields.Reference(selection="_selection_document", string="Document")
    document_name = fields.Char()
    reason = fields.Text(string="Would Stop Because")
    product_ids = fields.Many2many("product.product", string="Products")

    @api.model
    def _selection_gate(self):
        return self.env["med.gate"]._med_gate_selection()

    @api.model
    def _selection_document(self):
        return [
            ("purchase.order", self.env._("Purchase Order")),
            ("stock.picking", self.env._("Transfer")),
            ("mrp.production", self.env._("Manufacturing Order")),
        ]
