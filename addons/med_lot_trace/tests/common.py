from odoo import Command
from odoo.tests import Form

from odoo.addons.med_audit_export.tests.common import MedComplianceCommon


class MedGenealogyCommon(MedComplianceCommon):
    """A sterile-syringe line: barrel + plunger -> body; body + needle -> syringe;
    10 syringes -> carton. Helpers stock, produce, deliver, return and unbuild lots
    through Odoo's own flows."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stock_warehouse = cls.env.ref("stock.warehouse0")
        cls.stock = cls.stock_warehouse.lot_stock_id
        # The demo warehouse segregates; the rules are tested from Odoo's default,
        # without a quarantine location (test_segregation sets one).
        cls.stock_warehouse.med_quarantine_location_id = False
        cls.customers_location = cls.env.ref("stock.stock_location_customers")
        product = cls.env["product.product"]

        def lot_product(name, tracking="lot"):
            return product.create(
                {"name": name, "is_storable": True, "tracking": tracking}
            )

        cls.barrel, cls.plunger, cls.needle = (
            lot_product(name) for name in ("Barrel 5 ml", "Plunger 5 ml", "Needle 23G")
        )
        cls.body = lot_product("Syringe body 5 ml")
        cls.syringe = lot_product("Sterile syringe 5 ml")
        cls.carton = lot_product("Carton of 10 syringes")
        cls.bom_body = cls._bom(cls.body, [(cls.barrel, 1), (cls.plunger, 1)])
        cls.bom_syringe = cls._bom(cls.syringe, [(cls.body, 1), (cls.needle, 1)])
        cls.bom_carton = cls._bom(cls.carton, [(cls.syringe, 10)])
        cls.hospital = cls.env["res.partner"].create({"name": "Ruijin Hospital"})
        cls.distributor = cls.env["res.partner"].create({"name": "Sinopharm East"})

    @classmethod
    def _bom(cls, product, components):
        return cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": product.product_tmpl_id.id,
                "product_qty": 1,
                "bom_line_ids": [
                    Command.create({"product_id": comp.id, "product_qty": qty})
                    for comp, qty in components
                ],
            }
        )

    @classmethod
    def _release(cls, lots):
        """Release lots without the signature flow (what QA's signed release does)."""
        lots.with_context(med_reason="released for the test")._med_set_state("released")
        return lots

    @classmethod
    def _lot(cls, product, name, qty=0, released=True):
        lot = cls.env["stock.lot"].create({"name": name, "product_id": product.id})
        if released:
            cls._release(lot)
        if qty:
            cls.env["stock.quant"]._update_available_quantity(
                product, cls.stock, qty, lot_id=lot
            )
        return lot

    @classmethod
    def _produce(cls, bom, qty, lot_name, consumed, released=True):
        """Manufacture ``qty`` of a new lot from the ``consumed`` {lot: quantity}."""
        product = bom.product_tmpl_id.product_variant_id
        production = cls.env["mrp.production"].create(
            {"product_id": product.id, "product_qty": qty, "bom_id": bom.id}
        )
        production.action_confirm()
        lot = cls._lot(product, lot_name, released=False)
        production.lot_producing_id = lot
        production.qty_producing = qty
        for move in production.move_raw_ids:
            cls._set_lot_lines(
                move,
                [
                    (lot, qty)
                    for lot, qty in consumed.items()
                    if lot.product_id == move.product_id
                ],
            )
        production.button_mark_done()
        assert production.state == "done", production.state
        return cls._release(lot) if released else lot

    @classmethod
    def _transfer(cls, product, qty, incoming=False, partner=None, user=None):
        """A confirmed receipt from the supplier or delivery to the customer of one
        move of ``qty`` ``product``, with the move lines Odoo proposes."""
        suppliers = cls.env.ref("stock.stock_location_suppliers")
        source, destination = (
            (suppliers, cls.stock) if incoming else (cls.stock, cls.customers_location)
        )
        picking_type = (
            cls.stock_warehouse.in_type_id
            if incoming
            else cls.stock_warehouse.out_type_id
        )
        picking = (
            cls.env["stock.picking"]
            .with_user(user or cls.env.user)
            .create(
                {
                    "partner_id": (partner or cls.distributor).id,
                    "picking_type_id": picking_type.id,
                    "location_id": source.id,
                    "location_dest_id": destination.id,
                    "move_ids": [
                        Command.create(
                            {
                                "name": product.name,
                                "product_id": product.id,
                                "product_uom_qty": qty,
                                "location_id": source.id,
                                "location_dest_id": destination.id,
                            }
                        )
                    ],
                }
            )
        )
        picking.action_confirm()
        return picking

    @classmethod
    def _set_lot_lines(cls, move, lines):
        """Replace the move's lines by one line per (lot, quantity), picked."""
        move.move_line_ids.unlink()
        for lot, qty in lines:
            cls.env["stock.move.line"].create(
                {
                    "move_id": move.id,
                    "picking_id": move.picking_id.id,
                    "product_id": move.product_id.id,
                    "lot_id": lot.id,
                    "quantity": qty,
                    "location_id": move.location_id.id,
                    "location_dest_id": move.location_dest_id.id,
                }
            )
        move.picked = True

    @classmethod
    def _deliver(cls, partner, lines):
        """Ship [(lot, quantity)] to ``partner``; returns the done picking."""
        picking = cls.env["stock.picking"].create(
            {
                "partner_id": partner.id,
                "picking_type_id": cls.stock_warehouse.out_type_id.id,
                "location_id": cls.stock.id,
                "location_dest_id": cls.customers_location.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": lot.product_id.name,
                            "product_id": lot.product_id.id,
                            "product_uom_qty": qty,
                            "location_id": cls.stock.id,
                            "location_dest_id": cls.customers_location.id,
                        }
                    )
                    for lot, qty in lines
                ],
            }
        )
        picking.action_confirm()
        for move, (lot, qty) in zip(picking.move_ids, lines, strict=True):
            cls._set_lot_lines(move, [(lot, qty)])
        picking._action_done()
        assert picking.state == "done", picking.state
        return picking

    @classmethod
    def _return(cls, picking, quantity):
        wizard = Form(
            cls.env["stock.return.picking"].with_context(
                active_id=picking.id, active_model="stock.picking"
            )
        ).save()
        wizard.product_return_moves.quantity = quantity
        returned = wizard._create_return()
        for move in returned.move_ids:
            original = picking.move_line_ids.filtered(
                lambda line, move=move: line.product_id == move.product_id
            )
            cls._set_lot_lines(move, [(original.lot_id, quantity)])
        returned._action_done()
        return returned

    def _odoo_report_lots(self, lot, direction):
        """The lots Odoo's own Traceability report reaches from ``lot``, with every
        line unfolded: upstream through consumed lines, downstream through 'is used'."""
        report = self.env["stock.traceability.report"]
        seen_lines = self.env["stock.move.line"]
        todo = self.env["stock.move.line"].search(
            [("lot_id", "=", lot.id), ("state", "=", "done")]
        )
        while todo:
            line, todo = todo[0], todo[1:]
            if line in seen_lines:
                continue
            seen_lines |= line
            consumed, used = report._get_linked_move_lines(line)
            linked = consumed if direction == "upstream" else used
            for linked_line in linked or []:
                # the linked lot's own history, as the report unfolds it
                todo |= linked_line
                todo |= self.env["stock.move.line"].search(
                    [("lot_id", "=", linked_line.lot_id.id), ("state", "=", "done")]
                )
        return seen_lines.lot_id - lot


def confirm_gate_warnings(env, action, reason="QA agreed: documented deviation"):
    """Confirm, as ``env``'s user, the gate warnings of ``action``: the window a
    button returned, or the one a refusal (``GateConfirmationRequired``) offers."""
    Confirm = env["med.gate.confirm"]
    if action.get("res_id"):
        wizard = Confirm.browse(action["res_id"])
    else:
        wizard = Confirm.with_context(**action["context"]).create({})
    wizard.reason = reason
    return wizard.action_confirm()
