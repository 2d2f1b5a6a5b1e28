from collections import defaultdict

from odoo import Command, api, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_compare


class MedRecall(models.Model):
    """Returns and effectiveness: what came back from each customer, the
    reconciliation against what was shipped, the nonconformances of the
    returned stock and the effectiveness checks."""

    _name = "med.recall"
    _inherit = "med.recall"

    @api.depends("notification_ids.state")
    def _compute_reached(self):
        for recall in self:
            notifications = recall.notification_ids
            acknowledged = notifications.filtered(lambda n: n.state == "acknowledged")
            recall.customer_count = len(notifications)
            recall.notified_count = len(notifications.filtered("date_sent"))
            recall.acknowledged_count = len(acknowledged)
            recall.reached_percent = (
                100.0 * len(acknowledged) / len(notifications) if notifications else 0.0
            )

    @api.depends("line_ids.shipped_qty", "line_ids.destroyed_qty")
    def _compute_reconciliation(self):
        returns = self._med_returns()
        for recall in self:
            returned, pickings = returns.get(recall.id, ({}, []))
            shipped = sum(recall.line_ids.mapped("shipped_qty"))
            destroyed = sum(recall.line_ids.mapped("destroyed_qty"))
            back = sum(returned.values())
            recall.return_picking_ids = [Command.set(pickings)]
            recall.return_picking_count = len(pickings)
            recall.shipped_qty = shipped
            recall.returned_qty = back
            recall.destroyed_qty = destroyed
            recall.outstanding_qty = sum(
                max(line.shipped_qty - line.destroyed_qty - returned.get(key, 0.0), 0)
                for line in recall.line_ids
                for key in [(line.partner_id.id, line.lot_id.id)]
            )
            recall.recovered_percent = (
                100.0 * (shipped - recall.outstanding_qty) / shipped if shipped else 0.0
            )
            recall.target_met = bool(
                shipped
                and float_compare(
                    recall.recovered_percent,
                    recall.target_recovery_percent,
                    precision_digits=2,
                )
                >= 0
            )

    def _med_returns(self):
        """{recall id: ({(customer id, lot id): quantity returned}, [picking ids])}:
        the done receipts from customer locations of the lots in each recall's
        scope, per commercial customer, in one query for all recalls."""
        recalls = self.filtered("id")
        if not recalls:
            return {}
        for model in ("stock.move.line", "med.recall.lot"):
            self.env[model].flush_model()
        # Set-based and without record rules: a recall's reconciliation counts every
        # return of its lots, whoever reads it (warehouse, auditor).
        rows = self.env.execute_query(
            SQL(
                """
            SELECT scope.recall_id,
                   COALESCE(partner.commercial_partner_id, partner.id),
                   line.lot_id,
                   sum(line.quantity_product_uom),
                   array_agg(DISTINCT line.picking_id)
                     FILTER (WHERE line.picking_id IS NOT NULL)
              FROM med_recall_lot scope
              JOIN stock_move_line line
                ON line.lot_id = scope.lot_id AND line.state = 'done'
              JOIN stock_location source
                ON source.id = line.location_id AND source.usage = 'customer'
              JOIN stock_location destination
                ON destination.id = line.location_dest_id
               AND destination.usage <> 'customer'
              JOIN res_partner partner ON partner.id = line.med_partner_id
             WHERE scope.recall_id = ANY(%s)
             GROUP BY 1, 2, 3
            """,
                recalls.ids,
            )
        )
        result = {}
        for recall_id, partner_id, lot_id, quantity, picking_ids in rows:
            returned, pickings = result.setdefault(recall_id, ({}, []))
            returned[(partner_id, lot_id)] = quantity
            pickings.extend(p for p in picking_ids or () if p not in pickings)
        return result

    # -- returns --
    def action_open_returns(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Returns of %(recall)s", recall=self.name),
            "res_model": "stock.picking",
            "view_mode": "list,form",
            "domain": [("id", "in", self.return_picking_ids.ids)],
            "context": {"create": False},
        }

    def action_open_return_nonconformance(self):
        """A nonconformance per product for the returned quantity not yet covered by
        one: its disposition (scrap, rework) is decided and signed there."""
        self.ensure_one()
        self._med_ensure_qa_manager()
        if self.state != "launched":
            raise UserError(
                self.env._(
                    "Returned stock is dispositioned while the recall is launched."
                )
            )
        returned, _pickings = self._med_returns().get(self.id, ({}, []))
        per_product = defaultdict(lambda: [self.env["stock.lot"], 0.0])
        per_lot = defaultdict(float)
        for (_partner_id, lot_id), quantity in returned.items():
            lot = self.env["stock.lot"].browse(lot_id)
            entry = per_product[lot.product_id]
            entry[0] |= lot
            entry[1] += quantity
            per_lot[lot] += quantity
        values = []
        for product, (lots, quantity) in per_product.items():
            covered = sum(
                self.nonconformance_ids.filtered(
                    lambda n, p=product: n.product_id == p
                ).mapped("quantity")
            )
            remaining = quantity - covered
            if (
                float_compare(remaining, 0, precision_rounding=product.uom_id.rounding)
                > 0
            ):
                values.append(
                    {
                        "description": self.env._(
                            "Returned under recall %(recall)s: %(reason)s",
                            recall=self.name,
                            reason=self.reason,
                        ),
                        "source": "recall",
                        "severity": "major",
                        "company_id": self.company_id.id,
                        "product_id": product.id,
                        "lot_ids": [Command.set(lots.ids)],
                        "quantity": remaining,
                        "capa_id": self.capa_id.id,
                        "recall_id": self.id,
                        # Several lots: what came back of each, when nothing of
                        # them is dispositioned yet (the disposition moves it).
                        "lot_quantity_ids": [
                            Command.create({"lot_id": lot.id, "quantity": per_lot[lot]})
                            for lot in lots
                        ]
                        if len(lots) > 1 and not covered
                        else [],
                    }
                )
        if not values:
            raise UserError(
                self.env._(
                    "Every returned quantity of %(recall)s already has a "
                    "nonconformance.",
                    recall=self.name,
                )
            )
        nonconformances = self.env["med.nonconformance"].create(values)
        self.message_post(
            body=self.env._(
                "Nonconformances opened for the returned stock: %(records)s",
                records=", ".join(nonconformances.mapped("name")),
            )
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Nonconformances"),
            "res_model": "med.nonconformance",
            "view_mode": "list,form",
            "domain": [("recall_id", "=", self.id)],
            "context": {"create": False},
        }

    def _med_post_return(self, move_lines):
        """Tell the recall's chatter which return brought back which lots."""
        self.ensure_one()
        lines = [
            f"{line.picking_id.name or line.reference}: {line.lot_id.name} "
            f"{line.quantity_product_uom:g} {line.product_id.uom_id.name}"
            for line in move_lines
        ]
        self.message_post(
            body=self.env._(
                "Return received of recalled lots: %(lines)s", lines="; ".join(lines)
            )
        )

    # -- effectiveness and closure --
    def action_record_check(self):
        """Record an effectiveness check: customers reached and quantity recovered
        against the target, as of now."""
        self._med_ensure_qa_manager()
        for recall in self:
            if recall.state != "launched":
                raise UserError(
                    self.env._("Effectiveness is checked on a launched recall.")
                )
            self.env["med.recall.check"].create(
                {
                    "recall_id": recall.id,
                    "reached_percent": recall.reached_percent,
                    "recovered_percent": recall.recovered_percent,
                    "target_recovery_percent": recall.target_recovery_percent,
                    "outstanding_qty": recall.outstanding_qty,
                    "target_met": recall.target_met,
                }
            )
