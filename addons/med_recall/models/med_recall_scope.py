from collections import defaultdict

from odoo import Command, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_is_zero


class MedRecall(models.Model):
    """The recall's scope: frozen when the lots are chosen (customers, quantities
    shipped, stock at opening), compared with the genealogy and deliveries of
    today on request."""

    _name = "med.recall"
    _inherit = "med.recall"

    def _med_scope_snapshot(self):
        """The scope of the recalled lots now, in one recall-scope query:
        ``lots`` {lot id: selected}, ``shipped`` {(customer id, lot id): quantity},
        ``stock`` {(location id, lot id): quantity}; quantities in product units."""
        self.ensure_one()
        # As the QA manager reads them: the lot trace applies record rules, so a
        # recall never lists another company's deliveries.
        scope = self.lot_ids.med_recall_scope()
        lots = {lot.id: lot in self.lot_ids for lot in scope["lots"]}
        shipped = defaultdict(float)
        delivered = scope["delivered_move_lines"]
        delivered.fetch(["lot_id", "quantity_product_uom", "med_partner_id"])
        for line in delivered:
            # the consignee as the lot trace names it: the move's address, else the
            # transfer's; counted per company (its commercial partner)
            key = (line.med_partner_id.commercial_partner_id.id, line.lot_id.id)
            shipped[key] += line.quantity_product_uom
        stock = defaultdict(float)
        for quant in scope["on_hand"]:
            stock[(quant.location_id.id, quant.lot_id.id)] += quant.quantity
        return {"lots": lots, "shipped": dict(shipped), "stock": dict(stock)}

    def _med_frozen_snapshot(self):
        self.ensure_one()
        return {
            "lots": {line.lot_id.id: line.selected for line in self.scope_lot_ids},
            "shipped": {
                (line.partner_id.id, line.lot_id.id): line.shipped_qty
                for line in self.line_ids
            },
            "stock": {
                (line.location_id.id, line.lot_id.id): line.quantity
                for line in self.stock_ids
            },
        }

    def _med_freeze_scope(self, snapshot=None):
        """Write the scope into the recall's lines. Customer lines keep what was
        declared on them (destroyed on site)."""
        for recall in self:
            scope = snapshot or recall._med_scope_snapshot()
            existing = {
                (line.partner_id.id, line.lot_id.id): line for line in recall.line_ids
            }
            line_commands = []
            for key, quantity in scope["shipped"].items():
                if key in existing:
                    line_commands.append(
                        Command.update(existing.pop(key).id, {"shipped_qty": quantity})
                    )
                else:
                    line_commands.append(
                        Command.create(
                            {
                                "partner_id": key[0],
                                "lot_id": key[1],
                                "shipped_qty": quantity,
                            }
                        )
                    )
            line_commands += [Command.unlink(line.id) for line in existing.values()]
            # sudo: the scope lines are replaced only here (nobody deletes them by
            # hand); the user stays the author of the change in the audit trail.
            recall.sudo()._med_protected_write().write(
                {
                    "date_scope": fields.Datetime.now(),
                    "scope_lot_ids": [Command.clear()]
                    + [
                        Command.create({"lot_id": lot_id, "selected": selected})
                        for lot_id, selected in scope["lots"].items()
                    ],
                    "line_ids": line_commands,
                    "stock_ids": [Command.clear()]
                    + [
                        Command.create(
                            {"location_id": key[0], "lot_id": key[1], "quantity": qty}
                        )
                        for key, qty in scope["stock"].items()
                    ],
                }
            )
            if recall.state == "launched":
                recall._med_apply_launch()

    def _med_scope_changes(self):
        """[(kind, change, key, old, new)] between the frozen scope and the scope now:
        kind is lots, shipped or stock; change is added, removed or changed."""
        self.ensure_one()
        frozen, now = self._med_frozen_snapshot(), self._med_scope_snapshot()
        changes = []
        for kind in ("lots", "shipped", "stock"):
            before, after = frozen[kind], now[kind]
            for key in sorted(before.keys() | after.keys()):
                if key not in before:
                    changes.append((kind, "added", key, None, after[key]))
                elif key not in after:
                    changes.append((kind, "removed", key, before[key], None))
                elif kind != "lots" and not float_is_zero(
                    before[key] - after[key], precision_digits=4
                ):
                    changes.append((kind, "changed", key, before[key], after[key]))
        return changes, now

    def action_recompute_scope(self):
        """Compare the frozen scope with the genealogy and deliveries of today; the
        user decides whether the frozen scope takes the changes."""
        self.ensure_one()
        self._med_ensure_qa_manager()
        if self.state == "closed":
            raise UserError(self.env._("%(recall)s is closed.", recall=self.name))
        wizard = self.env["med.recall.recompute"]._med_build(self)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Scope Changes"),
            "res_model": wizard._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }
