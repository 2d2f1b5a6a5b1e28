from odoo import fields, models


class StockLot(models.Model):
    _inherit = "stock.lot"

    # A recalled lot stays blocked (rejected, held by hand) if med_recall goes.
    med_state = fields.Selection(
        selection_add=[("recalled", "Recalled")], ondelete={"recalled": "set rejected"}
    )
    med_hold_source = fields.Selection(
        selection_add=[("recall", "Recall")], ondelete={"recall": "set manual"}
    )
    # For the roles that read recalls (the warehouse needs to know why a lot is held).
    med_recall_count = fields.Integer(
        string="Recall Count",
        compute="_compute_med_recall_count",
        groups="med_audit_export.group_med_warehouse,"
        "med_audit_export.group_med_auditor",
    )

    def _compute_med_recall_count(self):
        counts = dict(
            self.env["med.recall.lot"]._read_group(
                [("lot_id", "in", self.ids)], ["lot_id"], ["__count"]
            )
        )
        for lot in self:
            lot.med_recall_count = counts.get(lot, 0)

    def action_med_view_recalls(self):
        """The recalls whose scope holds this lot (recalled, or made from one)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Recalls of %(lot)s", lot=self.display_name),
            "res_model": "med.recall",
            "view_mode": "list,form",
            "domain": [("scope_lot_ids.lot_id", "=", self.id)],
            "context": {"create": False},
        }

    def _med_dossier_sections(self, report):
        sections = super()._med_dossier_sections(report)
        if report != "lot_dossier":
            return sections
        return sections + [
            {
                "code": "recalls",
                "label": self.env._("Recalls"),
                "sequence": 85,
                "columns": [
                    ("recall", self.env._("Recall")),
                    ("lot", self.env._("Lot/Serial")),
                    ("state", self.env._("Status")),
                    ("launched", self.env._("Launched on (UTC)")),
                    ("closed", self.env._("Closed on (UTC)")),
                    ("reason", self.env._("Reason")),
                ],
                "rows": self._med_dossier_recall_rows(),
            }
        ]

    def _med_dossier_recall_rows(self):
        """The recalls whose scope holds these lots."""
        if not self:
            return
        # sudo: the dossier shows every recall of the lots the auditor can read.
        scope = (
            self.env["med.recall.lot"]
            .sudo()
            .search([("lot_id", "in", self.ids)], order="recall_id, lot_id")
        )
        states = dict(
            self.env["med.recall"]._fields["state"]._description_selection(self.env)
        )
        for line in scope:
            recall = line.recall_id
            yield [
                recall.name,
                line.lot_id.name,
                states.get(recall.state, ""),
                fields.Datetime.to_string(recall.date_launched) or "",
                fields.Datetime.to_string(recall.date_closed) or "",
                recall.reason or "",
            ]
