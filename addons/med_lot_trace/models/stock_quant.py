from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression

from odoo.addons.med_audit_export.models.base import PROTECTED_WRITE

# What a quant's stock is: changing one of these moves stock (or relabels it).
STOCK_FIELDS = {"quantity", "location_id", "lot_id", "product_id"}


class StockQuant(models.Model):
    _inherit = "stock.quant"

    med_lot_state = fields.Selection(related="lot_id.med_state", string="Lot Status")

    @api.depends("lot_id.med_state")
    def _compute_display_name(self):
        # The delivery's "Pick From" shows quants by this name: a lot that may not be
        # shipped says why.
        result = super()._compute_display_name()
        labels = dict(self._fields["med_lot_state"]._description_selection(self.env))
        for quant in self.filtered(
            lambda q: q.lot_id and q.lot_id.med_state != "released"
        ):
            quant.display_name = f"{quant.display_name} ({labels[quant.med_lot_state]})"
        return result

    # -- the stock of a lot changes only through moves --
    @api.model
    def _update_available_quantity(
        self,
        product_id,
        location_id,
        quantity=False,
        reserved_quantity=False,
        lot_id=None,
        package_id=None,
        owner_id=None,
        in_date=None,
    ):
        # The stock engine: every done move line (transfers, manufacturing, inventory
        # adjustments) changes the quants here, after the lot gates had their say.
        return super(
            StockQuant, self._med_protected_write()
        )._update_available_quantity(
            product_id,
            location_id,
            quantity=quantity,
            reserved_quantity=reserved_quantity,
            lot_id=lot_id,
            package_id=package_id,
            owner_id=owner_id,
            in_date=in_date,
        )

    @api.model_create_multi
    def create(self, vals_list):
        if not self._med_stock_engine():
            lot_ids = {
                vals["lot_id"]
                for vals in vals_list
                if vals.get("quantity") and vals.get("lot_id")
            }
            self._med_refuse_direct_change(self.env["stock.lot"].browse(lot_ids))
        return super().create(vals_list)

    def write(self, vals):
        if STOCK_FIELDS.intersection(vals) and not self._med_stock_engine():
            lots = self.lot_id
            if "lot_id" in vals:
                lots |= self.env["stock.lot"].browse(vals["lot_id"])
            self._med_refuse_direct_change(lots)
        return super().write(vals)

    def _med_stock_engine(self):
        return self.env.context.get("med_protected_write") is PROTECTED_WRITE

    def _med_refuse_direct_change(self, lots):
        """Stock of a lot written on its quant (quantity, location, lot or product)
        would skip the lot gates and leave no move line for the recall scope: only
        transfers and inventory adjustments (whose moves record it) change it.
        Lots without batch release (no device: a category QA left out of GxP scope)
        keep Odoo's behaviour."""
        lots = lots.exists()
        # QA may bring the lots' category into GxP scope meanwhile: see
        # stock.lot._med_lock_release_requirement
        self.env["stock.lot"]._med_lock_release_requirement(lots.sudo().product_id)
        # sudo: the release requirement decides, whatever the user may read of products
        lots = lots.filtered(lambda lot: lot.sudo().product_id.med_release_required)
        if lots:
            raise UserError(
                self.env._(
                    "The stock of lot %(lots)s cannot be edited on its quant "
                    "(quantity, location, lot or product): use a transfer, or an "
                    "inventory adjustment, which records the move and applies the lot "
                    "gates.",
                    # sudo: the refusal names the lot whatever its company rules.
                    lots=", ".join(lots.sudo().mapped("display_name")),
                )
            )

    def _get_removal_strategy(self, product_id, location_id):
        strategy = super()._get_removal_strategy(product_id, location_id)
        # First expiry, first out for products with expiry dates, unless a category or
        # location asks for another strategy explicitly.
        if strategy == "fifo" and product_id.sudo().use_expiration_date:
            explicit = product_id.sudo().categ_id.removal_strategy_id
            location = location_id.sudo()
            while location and not explicit:
                explicit = location.removal_strategy_id
                location = location.location_id
            if not explicit:
                return "fefo"
        return strategy

    def _get_gather_domain(
        self,
        product_id,
        location_id,
        lot_id=None,
        package_id=None,
        owner_id=None,
        strict=False,
    ):
        domain = super()._get_gather_domain(
            product_id, location_id, lot_id, package_id, owner_id, strict
        )
        if self.env.context.get("med_releasable_only"):
            # Reservation for customers never takes a lot that may not be shipped.
            domain = expression.AND(
                [
                    domain,
                    [
                        "|",
                        ("lot_id", "=", False),
                        "&",
                        ("lot_id.med_state", "=", "released"),
                        "|",
                        ("lot_id.expiration_date", "=", False),
                        ("lot_id.expiration_date", ">=", fields.Datetime.now()),
                    ],
                ]
            )
        return domain
