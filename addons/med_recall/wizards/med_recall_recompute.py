from odoo import Command, api, fields, models
from odoo.exceptions import UserError


class MedRecallRecompute(models.TransientModel):
    """What changed in a recall's scope since it was frozen (new deliveries, lots
    made since, stock moved). The frozen scope changes only if the user accepts."""

    _name = "med.recall.recompute"
    _description = "Recompute a Recall's Scope"

    recall_id = fields.Many2one("med.recall", required=True, readonly=True)
    line_ids = fields.One2many(
        "med.recall.recompute.line", "wizard_id", string="Changes", readonly=True
    )
    has_changes = fields.Boolean(compute="_compute_has_changes")

    @api.depends("line_ids")
    def _compute_has_changes(self):
        for wizard in self:
            wizard.has_changes = bool(wizard.line_ids)

    @api.model
    def _med_build(self, recall):
        changes, _now = recall._med_scope_changes()
        labels = {
            "lots": self.env._("Lot in scope"),
            "shipped": self.env._("Shipped to customer"),
            "stock": self.env._("In stock"),
        }
        Lot, Partner = self.env["stock.lot"], self.env["res.partner"]
        Location = self.env["stock.location"]
        lines = []
        for kind, change, key, old, new in changes:
            if kind == "lots":
                lot, where = Lot.browse(key), ""
            elif kind == "shipped":
                where, lot = Partner.browse(key[0]).display_name, Lot.browse(key[1])
            else:
                where, lot = Location.browse(key[0]).display_name, Lot.browse(key[1])
            lines.append(
                Command.create(
                    {
                        "kind": labels[kind],
                        "change": change,
                        "where": where,
                        "lot_id": lot.id,
                        "old_qty": old if kind != "lots" else 0.0,
                        "new_qty": new if kind != "lots" else 0.0,
                    }
                )
            )
        return self.create({"recall_id": recall.id, "line_ids": lines})

    def action_accept(self):
        """Freeze the scope of today into the recall, and say what changed."""
        self.ensure_one()
        recall = self.recall_id
        recall._med_ensure_qa_manager()
        if recall.state == "closed":
            raise UserError(self.env._("%(recall)s is closed.", recall=recall.name))
        if not self.line_ids:
            raise UserError(self.env._("The scope has not changed."))
        summary = "; ".join(line._med_summary() for line in self.line_ids)
        recall._med_freeze_scope()
        recall.message_post(
            body=self.env._(
                "Scope recomputed and accepted: %(changes)s", changes=summary
            )
        )
        return {"type": "ir.actions.act_window_close"}
