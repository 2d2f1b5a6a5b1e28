from odoo import fields, models


class MedCapa(models.Model):
    _inherit = "med.capa"

    # A CAPA opened from a recall's nonconformance takes its source.
    source = fields.Selection(
        selection_add=[("recall", "Recall Return")],
        ondelete={"recall": "set default"},
    )
    med_recall_count = fields.Integer(
        string="Recall Count", compute="_compute_med_recall_count"
    )

    def _compute_med_recall_count(self):
        counts = dict(
            self.env["med.recall"]._read_group(
                [("capa_id", "in", self.ids)], ["capa_id"], ["__count"]
            )
        )
        for capa in self:
            capa.med_recall_count = counts.get(capa, 0)

    def action_open_recall(self):
        """Open a recall of this CAPA's lots."""
        self.ensure_one()
        self.env["med.recall"]._med_ensure_qa_manager()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New Recall"),
            "res_model": "med.recall",
            "view_mode": "form",
            "context": {
                "default_title": self.title,
                "default_capa_id": self.id,
                "default_company_id": self.company_id.id,
                "default_lot_ids": self.lot_ids.ids,
            },
        }

    def action_view_recalls(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Recalls"),
            "res_model": "med.recall",
            "view_mode": "list,form",
            "domain": [("capa_id", "=", self.id)],
        }
