from odoo import api, models


class MedGateDryRunLine(models.TransientModel):
    _inherit = "med.gate.dry.run.line"

    @api.model
    def _selection_document(self):
        # the customer and first-operation gates look at quotations too
        return [*super()._selection_document(), ("sale.order", self.env._("Quotation"))]
