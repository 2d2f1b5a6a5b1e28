from odoo import api, fields, models
from odoo.exceptions import UserError


class StockLot(models.Model):
    """The public API of lots (docs/api.md): JSON- and XML-RPC-friendly wrappers
    around the rules the UI and the gates use, so an external system (QMS, LIMS,
    ERP of a distributor) gets the same answer as a user, never a second
    calculation."""

    _name = "stock.lot"
    _inherit = "stock.lot"

    med_remaining_shelf_life_days = fields.Integer(
        string="Remaining Shelf Life (Days)",
        compute="_compute_med_remaining_shelf_life_days",
        help="Whole days from now to the expiry date (negative once expired); the "
        "delivery gate compares this same number with the customer's minimum.",
    )

    def _compute_med_remaining_shelf_life_days(self):
        now = fields.Datetime.now()
        for lot in self:
            lot.med_remaining_shelf_life_days = lot._med_remaining_shelf_life(now) or 0

    def _med_remaining_shelf_life(self, now):
        """Whole days of shelf life left at ``now`` (a datetime), None without an
        expiry date. The one calculation of remaining shelf life (UI, delivery
        gate, API)."""
        self.ensure_one()
        if not self.expiration_date:
            return None
        return (self.expiration_date - now).days

    def _med_api_lot(self):
        """A lot as the API shows it."""
        self.ensure_one()
        return {
            "id": self.id,
            "name": self.name,
            "product_id": self.product_id.id,
            "product": self.product_id.display_name,
            "status": self.med_state,
            "expiration_date": fields.Datetime.to_string(self.expiration_date) or False,
        }

    @api.readonly  # read-only work: served by a replica where one is set
    def med_api_trace(self, direction="downstream"):
        """Every lot reachable from these lots, transitively (``upstream``: what
        they are made of; ``downstream``: what was made from them), as the caller
        may read them."""
        if direction not in ("upstream", "downstream"):
            raise UserError(
                self.env._(
                    "Direction must be upstream or downstream, not %(direction)s.",
                    direction=direction,
                )
            )
        traced = self._med_traced(direction)
        return [lot._med_api_lot() for lot in traced]

    def med_api_recall_scope(self):
        """What a recall of these lots reaches (``med_recall_scope``): the lots,
        the customers, the deliveries and the stock on hand. Logged in the audit
        trail of these lots as a recall simulation, like the simulation wizard."""
        scope = self.med_recall_scope()
        self._med_log_event(
            "recall_simulation",
            details=self.env._(
                "API: %(lots)s lots in scope, %(customers)s customers, "
                "%(stock)s quants on hand",
                lots=len(scope["lots"]),
                customers=len(scope["customers"]),
                stock=len(scope["on_hand"]),
            ),
        )
        return {
            "lots": [lot._med_api_lot() for lot in scope["lots"]],
            "customers": [
                {"id": partner.id, "name": partner.display_name}
                for partner in scope["customers"]
            ],
            "deliveries": [
                {
                    "id": line.id,
                    "reference": line.reference or "",
                    "lot": line.lot_id.name,
                    "product": line.product_id.display_name,
                    "quantity": line.quantity,
                    "uom": line.product_uom_id.name,
                    "partner_id": line.med_partner_id.id,
                    "date": fields.Datetime.to_string(line.date),
                }
                for line in scope["delivered_move_lines"]
            ],
            "on_hand": [
                {
                    "id": quant.id,
                    "lot": quant.lot_id.name,
                    "product": quant.product_id.display_name,
                    "location": quant.location_id.display_name,
                    "quantity": quant.quantity,
                }
                for quant in scope["on_hand"]
            ],
        }

    def med_release_blockers(self):
        """For each of these lots: may it be released, and if not, why (the
        reasons of ``_med_release_checks``, the very ones the release refuses
        with)."""
        self.check_access("read")
        blocking = self._med_release_checks()
        return [
            {
                "id": lot.id,
                "name": lot.name,
                "product": lot.product_id.display_name,
                "releasable": lot not in blocking,
                "reasons": [str(reason) for reason in blocking.get(lot, [])],
            }
            for lot in self
        ]

    @api.readonly  # read-only work: served by a replica where one is set
    def med_api_shelf_life(self):
        """Remaining shelf life of these lots now, in days and as a share of the
        product's total shelf life."""
        self.check_access("read")
        now = fields.Datetime.now()
        result = []
        for lot in self:
            remaining = lot._med_remaining_shelf_life(now)
            total = lot.product_id.expiration_time
            result.append(
                {
                    "id": lot.id,
                    "name": lot.name,
                    "remaining_days": remaining if remaining is not None else False,
                    "remaining_percent": (
                        round(remaining * 100.0 / total, 1)
                        if remaining is not None and total
                        else False
                    ),
                }
            )
        return result

    @api.model
    @api.readonly  # read-only work: served by a replica where one is set
    def med_api_find_lot(self, lot_name, product_ref):
        """The ids of the lot ``lot_name`` of the product whose internal reference
        (default code) or name is ``product_ref``, as the caller may read it."""
        return self.search(
            [
                ("name", "=", lot_name),
                "|",
                ("product_id.default_code", "=", product_ref),
                ("product_id.name", "=", product_ref),
            ]
        ).ids
