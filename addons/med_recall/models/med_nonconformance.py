from odoo import fields, models


class MedNonconformance(models.Model):
    _inherit = "med.nonconformance"

    # Stock returned under a recall is nonconforming product: its disposition
    # (scrap, rework) is decided and signed here, as for any other.
    source = fields.Selection(
        selection_add=[("recall", "Recall Return")],
        ondelete={"recall": "set default"},
    )
    recall_id = fields.Many2one(
        "med.recall", check_company=True, index=True, readonly=True
    )
    med_recall_count = fields.Integer(
        string="Recall Count", compute="_compute_med_recall_count"
    )

    def _compute_med_recall_count(self):
        counts = dict(
            self.env["med.recall"]._read_group(
                [("nonconformance_id", "in", self.ids)],
                ["nonconformance_id"],
                ["__count"],
            )
        )
        for record in self:
            record.med_recall_count = counts.get(record, 0)

    def action_open_recall(self):
        """Open a recall of this nonconformance's lots."""
        self.ensure_one()
        self.env["med.recall"]._med_ensure_qa_manager()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New Recall"),
            "res_model": "med.recall",
            "view_mode": "form",
            "context": {
                "default_title": (self.description or "").splitlines()[0][:120]
                if self.description
                else self.name,
                "default_nonconformance_id": self.id,
                "default_capa_id": self.capa_id.id,
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
            "domain": [("nonconformance_id", "=", self.id)],
        }
