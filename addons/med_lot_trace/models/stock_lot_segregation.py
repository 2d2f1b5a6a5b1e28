from collections import defaultdict

from odoo import Command, models


class StockLot(models.Model):
    """Physical segregation (ISO 13485 8.3, GMP): in a warehouse with a quarantine
    location, lots that may not be used stay there, and moving them follows QA's
    decisions: a release puts the lot away to stock, a hold brings it back."""

    _name = "stock.lot"
    _inherit = "stock.lot"

    def _med_do_release(self):
        result = super()._med_do_release()
        self._med_put_away_released()
        return result

    def _med_put_on_hold(self, source, reason):
        result = super()._med_put_on_hold(source, reason)
        self.filtered(lambda lot: lot.med_state == "hold")._med_bring_to_quarantine()
        return result

    def _med_segregated_quants(self):
        # The warehouses first (archived ones too, as a search through the quant's
        # location would find them): where none segregates, a hold of thousands of
        # lots does not search their quants at all.
        warehouses = (
            self.env["stock.warehouse"]
            .with_context(active_test=False)
            .search([("med_quarantine_location_id", "!=", False)])
        )
        if not warehouses:
            return self.env["stock.quant"]
        return self.env["stock.quant"].search(
            [
                ("lot_id", "in", self.ids),
                ("quantity", ">", 0),
                ("location_id.usage", "=", "internal"),
                ("location_id.warehouse_id", "in", warehouses.ids),
            ]
        )

    def _med_put_away_released(self):
        """Transfers of released lots from the quarantine location to stock."""
        quants = self._med_segregated_quants().filtered(
            lambda quant: quant.location_id._child_of(
                quant.warehouse_id.med_quarantine_location_id
            )
        )
        return self._med_segregation_transfers(
            quants, lambda warehouse: warehouse.lot_stock_id
        )

    def _med_bring_to_quarantine(self):
        """Transfers of held lots from anywhere in the warehouse to its quarantine
        location."""
        quants = self._med_segregated_quants().filtered(
            lambda quant: not quant.location_id._child_of(
                quant.warehouse_id.med_quarantine_location_id
            )
        )
        return self._med_segregation_transfers(
            quants, lambda warehouse: warehouse.med_quarantine_location_id
        )

    def _med_segregation_transfers(self, quants, destination_of):
        """One internal transfer per warehouse and source location, reserved on the
        very lots: the warehouse user moves the goods and validates it."""
        # Grouped and summed in one pass: a hold of thousands of lots makes a transfer
        # of thousands of quants, and comparing each with every product (to sum
        # their quantities) or move (to attach its line) took quadratic time.
        by_source = defaultdict(list)
        for quant in quants:
            if quant.quantity > quant.reserved_quantity:
                by_source[quant.warehouse_id, quant.location_id].append(quant)
        pickings = self.env["stock.picking"]
        for (warehouse, source), source_quants in by_source.items():
            destination = destination_of(warehouse)
            free_by_product = defaultdict(float)
            for quant in source_quants:
                free_by_product[quant.product_id] += (
                    quant.quantity - quant.reserved_quantity
                )
            lots = dict.fromkeys(quant.lot_id for quant in source_quants)
            picking = pickings.create(
                {
                    "picking_type_id": warehouse.int_type_id.id,
                    "location_id": source.id,
                    "location_dest_id": destination.id,
                    "origin": ", ".join(lot.name for lot in lots),
                    "move_ids": [
                        Command.create(
                            {
                                "name": product.display_name,
                                "product_id": product.id,
                                "product_uom_qty": free,
                                "product_uom": product.uom_id.id,
                                "location_id": source.id,
                                "location_dest_id": destination.id,
                            }
                        )
                        for product, free in free_by_product.items()
                    ],
                }
            )
            move_of = {move.product_id: move.id for move in picking.move_ids}
            # Odoo reserves each line on the quant it searches for (flushing the
            # reservations before each search): a search per line made a hold of
            # thousands of lots outlast the cron's time limit. The quants are in
            # hand, so the reservation takes them from Odoo's quants cache, as
            # Odoo's own _action_done does, and still locks and writes each quant.
            quants_cache = defaultdict(self.env["stock.quant"].browse)
            for quant in source_quants:
                quants_cache[
                    quant.product_id.id,
                    source.id,
                    quant.lot_id.id,
                    quant.package_id.id,
                    quant.owner_id.id,
                ] |= quant
            # Reserved before the confirmation, the moves staying drafts meanwhile:
            # confirming first reserved them (the picking type reserves at
            # confirmation) on whichever lots came first, a line and a search each,
            # to be unreserved again.
            self.env["stock.move.line"].with_context(
                quants_cache=quants_cache, preserve_state=True
            ).create(
                [
                    {
                        "move_id": move_of[quant.product_id],
                        "picking_id": picking.id,
                        "product_id": quant.product_id.id,
                        "product_uom_id": quant.product_id.uom_id.id,
                        "lot_id": quant.lot_id.id,
                        "package_id": quant.package_id.id,
                        "owner_id": quant.owner_id.id,
                        "quantity": quant.quantity - quant.reserved_quantity,
                        "location_id": source.id,
                        "location_dest_id": destination.id,
                    }
                    for quant in source_quants
                ]
            )
            picking.action_confirm()
            # whatever the picking type's reservation method
            picking.move_ids._recompute_state()
            pickings |= picking
        return pickings
