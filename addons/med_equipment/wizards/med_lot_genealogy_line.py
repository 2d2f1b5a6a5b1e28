from odoo import fields, models


class MedLotGenealogyLine(models.TransientModel):
    """Complaints show on the lot's genealogy, next to each lot of the tree."""

    _inherit = "med.lot.genealogy.line"

    med_complaint_count = fields.Integer(
        string="Complaints", compute="_compute_med_complaint_count"
    )

    def _compute_med_complaint_count(self):
        counts = dict(
            self.env["med.complaint"]._read_group(
                [("lot_id", "in", self.lot_id.ids)], ["lot_id"], ["__count"]
            )
        )
        for line in self:
            line.med_complaint_count = counts.get(line.lot_id, 0)
