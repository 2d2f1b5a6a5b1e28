from odoo import api, models

from ..tools import gs1_barcode


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    @api.model
    def barcode(self, barcode_type, value, **kwargs):
        # GS1 DataMatrix for /report/barcode, the barcode widget and the reports.
        if barcode_type == gs1_barcode.DATAMATRIX:
            gs1_barcode.register()
        return super().barcode(barcode_type, value, **kwargs)
