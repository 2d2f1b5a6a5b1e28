from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MedGenealogyCommon


@tagged("post_install", "-at_install")
class TestGenealogy(MedGenealogyCommon):
    """Three levels of manufacturing, split and merged lots, deliveries."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.barrel_a = cls._lot(cls.barrel, "BRL-A", 100)
        cls.barrel_b = cls._lot(cls.barrel, "BRL-B", 100)
        cls.plunger_a = cls._lot(cls.plunger, "PLG-A", 100)
        cls.needle_a = cls._lot(cls.needle, "NDL-A", 100)
        # barrel lot A is split over two body lots; body 2 merges barrel lots A and B
        cls.body_1 = cls._produce(
            cls.bom_body, 20, "BODY-1", {cls.barrel_a: 20, cls.plunger_a: 20}
        )
        cls.body_2 = cls._produce(
            cls.bom_body,
            20,
            "BODY-2",
            {cls.barrel_a: 10, cls.barrel_b: 10, cls.plunger_a: 20},
        )
        cls.body_3 = cls._produce(
            cls.bom_body, 20, "BODY-3", {cls.barrel_b: 20, cls.plunger_a: 20}
        )
        cls.syringe_1 = cls._produce(
            cls.bom_syringe, 20, "SYR-1", {cls.body_1: 20, cls.needle_a: 20}
        )
        cls.syringe_2 = cls._produce(
            cls.bom_syringe, 20, "SYR-2", {cls.body_3: 20, cls.needle_a: 20}
        )
        cls.carton_1 = cls._produce(cls.bom_carton, 2, "CTN-1", {cls.syringe_1: 20})
        cls.to_hospital = cls._deliver(cls.hospital, [(cls.carton_1, 1)])
        cls.to_distributor = cls._deliver(
            cls.distributor, [(cls.carton_1, 1), (cls.syringe_2, 5)]
        )

    def test_downstream_of_a_raw_lot_through_three_levels(self):
        self.assertEqual(
            self.barrel_a.med_trace_downstream(),
            self.body_1 | self.body_2 | self.syringe_1 | self.carton_1,
        )
        self.assertEqual(
            self.barrel_b.med_trace_downstream(),
            self.body_2 | self.body_3 | self.syringe_2,
        )

    def test_upstream_of_a_finished_lot(self):
        self.assertEqual(
            self.carton_1.med_trace_upstream(),
            self.syringe_1
            | self.body_1
            | self.barrel_a
            | self.plunger_a
            | self.needle_a,
        )

    def test_several_lots_at_once_exclude_themselves(self):
        lots = self.barrel_a | self.body_1
        self.assertEqual(
            lots.med_trace_downstream(),
            self.body_2 | self.syringe_1 | self.carton_1,
        )

    def test_recall_scope(self):
        scope = self.barrel_b.med_recall_scope()
        self.assertEqual(
            scope["lots"], self.barrel_b | self.body_2 | self.body_3 | self.syringe_2
        )
        self.assertEqual(scope["customers"], self.distributor)
        self.assertEqual(scope["delivered_move_lines"].lot_id, self.syringe_2)
        self.assertEqual(sum(scope["delivered_move_lines"].mapped("quantity")), 5)
        on_hand = {q.lot_id: q.quantity for q in scope["on_hand"]}
        self.assertEqual(on_hand[self.syringe_2], 15)
        self.assertEqual(on_hand[self.barrel_b], 70)
        self.assertNotIn(self.body_3, on_hand)  # all consumed

        both = self.barrel_a.med_recall_scope()
        self.assertEqual(both["customers"], self.hospital | self.distributor)

    def test_archived_customer_stays_in_the_recall_scope(self):
        # A hospital archived after the delivery still holds the syringes.
        self.distributor.action_archive()
        scope = self.barrel_b.med_recall_scope()
        self.assertEqual(scope["customers"], self.distributor)
        self.assertFalse(scope["customers"].active)
        self.distributor.action_unarchive()
        self.assertEqual(
            self.barrel_a.med_recall_scope()["customers"].ids,
            sorted(
                (self.hospital | self.distributor).ids,
                key=lambda pid: self.env["res.partner"].browse(pid).complete_name,
            ),
        )

    def test_consignee_is_the_moves_address_else_the_transfers_partner(self):
        line = self.to_hospital.move_line_ids
        self.assertEqual(line.med_partner_id, self.hospital)
        # a move shipped to another address of the customer: that address received it
        ward = self.env["res.partner"].create(
            {"name": "Ward 3", "parent_id": self.hospital.id, "type": "delivery"}
        )
        line.move_id.partner_id = ward
        self.assertEqual(line.med_partner_id, ward)
        self.assertEqual(
            self.barrel_a.med_recall_scope()["customers"], ward | self.distributor
        )
        line.move_id.partner_id = False
        self.assertEqual(line.med_partner_id, self.hospital)

    def test_consignee_filled_by_sql_at_installation(self):
        # The installation on a database with history: one UPDATE, same answer as
        # the ORM's computation.
        lines = (self.to_hospital | self.to_distributor).move_line_ids
        expected = {line.id: line.med_partner_id.id for line in lines}
        self.env.flush_all()
        self.env.cr.execute("UPDATE stock_move_line SET med_partner_id = NULL")
        self.env.invalidate_all()
        self.assertFalse(lines.med_partner_id)
        self.env["stock.move.line"]._med_fill_partner()
        self.env.invalidate_all()
        self.assertEqual({line.id: line.med_partner_id.id for line in lines}, expected)
        self.assertTrue(all(expected.values()))

    def test_same_lots_as_odoo_traceability_report(self):
        for lot in (self.barrel_a, self.barrel_b, self.needle_a):
            self.assertEqual(
                lot.med_trace_downstream(), self._odoo_report_lots(lot, "downstream")
            )
        for lot in (self.carton_1, self.syringe_2, self.body_2):
            self.assertEqual(
                lot.med_trace_upstream(), self._odoo_report_lots(lot, "upstream")
            )

    def test_query_count_does_not_grow_with_depth(self):
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(__system__=2):
            self.plunger_a.med_trace_downstream()  # 3 levels deep
        self.env.invalidate_all()
        with self.assertQueryCount(__system__=2):
            self.body_3.med_trace_downstream()  # 1 level deep

    def test_thousands_of_lots_at_once(self):
        many = self.env["stock.lot"].create(
            [
                {"name": f"BULK-{i:05d}", "product_id": self.barrel.id}
                for i in range(3000)
            ]
        )
        lots = many | self.barrel_a

        def queries(records):
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            result = records.med_recall_scope()
            return self.env.cr.sql_log_count - start, result

        queries(self.barrel_a)  # warm the registry caches (rules, access rights)
        few, _scope = queries(self.barrel_a)
        count, scope = queries(lots)
        self.assertEqual(count, few)  # the same queries for 1 lot or 3,001
        self.assertEqual(len(scope["lots"]), 3000 + 5)  # barrel A and its 4 descendants
        self.assertEqual(scope["customers"], self.hospital | self.distributor)

    def test_lot_without_moves(self):
        lonely = self._lot(self.barrel, "BRL-NEW")
        self.assertFalse(lonely.med_trace_downstream())
        self.assertFalse(lonely.med_trace_upstream())
        scope = lonely.med_recall_scope()
        self.assertEqual(scope["lots"], lonely)
        self.assertFalse(scope["customers"] or scope["on_hand"])

    def test_lot_of_another_company_refused(self):
        other = self.env["res.company"].create({"name": "Other Devices Ltd"})
        foreign = (
            self.env["stock.lot"]
            .with_company(other)
            .create(
                {
                    "name": "OTHER-1",
                    "product_id": self.barrel.id,
                    "company_id": other.id,
                }
            )
        )
        with self.assertRaisesRegex(UserError, "OTHER-1"):
            foreign.with_env(
                self.env(user=self.warehouse, context={})
            ).med_trace_downstream()

    def test_warehouse_user_traces(self):
        scope = self.barrel_a.with_user(self.warehouse).med_recall_scope()
        self.assertEqual(scope["customers"], self.hospital | self.distributor)
        self.assertEqual(scope["lots"].env.user, self.warehouse)

    def test_genealogy_tree_downstream(self):
        action = self.barrel_a.with_user(self.warehouse).action_med_genealogy()
        lines = self.env["med.lot.genealogy.line"].search(action["domain"])
        tree = [(line.level, line.kind, line.lot_id.name) for line in lines]
        expected_start = [
            (0, "lot", "BRL-A"),
            (1, "link", "BODY-1"),
            (2, "link", "SYR-1"),
            (3, "link", "CTN-1"),
            (4, "edge", "CTN-1"),
            (4, "edge", "CTN-1"),
        ]
        self.assertEqual(tree[:6], expected_start)
        self.assertIn((1, "link", "BODY-2"), tree)
        deliveries = lines.filtered(lambda line: line.kind == "edge")
        self.assertEqual(deliveries.partner_id, self.hospital | self.distributor)
        labels = deliveries.mapped("tree_label")
        self.assertTrue(any(label.endswith("Ruijin Hospital") for label in labels))

    def test_genealogy_tree_parents(self):
        """Each line hangs under the line of the lot it comes from: the tree folds."""
        action = self.barrel_a.with_user(self.warehouse).action_med_genealogy()
        self.assertIn("hierarchy", action["view_mode"])
        lines = self.env["med.lot.genealogy.line"].search(action["domain"])
        root = lines.filtered(lambda line: not line.parent_id)
        self.assertEqual((root.kind, root.lot_id), ("lot", self.barrel_a))
        self.assertEqual(root.child_ids.mapped("lot_id.name"), ["BODY-1", "BODY-2"])
        for line in lines - root:
            self.assertEqual(line.level, line.parent_id.level + 1)
        carton = lines.filtered(lambda line: line.kind == "link" and line.level == 3)
        self.assertEqual(carton.lot_id, self.carton_1)
        self.assertEqual(carton.parent_id.lot_id, self.syringe_1)
        self.assertEqual(carton.parent_id.parent_id.lot_id, self.body_1)
        self.assertEqual(carton.child_ids.partner_id, self.hospital | self.distributor)

    def test_genealogy_tree_upstream(self):
        action = self.carton_1.with_context(
            med_direction="upstream"
        ).action_med_genealogy()
        lines = self.env["med.lot.genealogy.line"].search(action["domain"])
        self.assertEqual(
            [(line.level, line.lot_id.name) for line in lines if line.kind == "link"],
            [(1, "SYR-1"), (2, "BODY-1"), (3, "BRL-A"), (3, "PLG-A"), (2, "NDL-A")],
        )


@tagged("post_install", "-at_install")
class TestGenealogyFlows(MedGenealogyCommon):
    """Unbuild, repack, return and serial numbers."""

    def test_return_is_the_same_lot(self):
        body = self._lot(self.body, "BODY-R", 10)
        needle = self._lot(self.needle, "NDL-R", 10)
        syringe = self._produce(self.bom_syringe, 10, "SYR-R", {body: 10, needle: 10})
        delivery = self._deliver(self.hospital, [(syringe, 10)])
        self._return(delivery, 4)
        scope = body.med_recall_scope()
        self.assertEqual(scope["customers"], self.hospital)
        self.assertEqual(scope["on_hand"].lot_id, syringe)
        self.assertEqual(scope["on_hand"].quantity, 4)

    def test_unbuild_recovers_components(self):
        body = self._lot(self.body, "BODY-U", 10)
        needle = self._lot(self.needle, "NDL-U", 10)
        syringe = self._produce(self.bom_syringe, 10, "SYR-U", {body: 10, needle: 10})
        production = self.env["mrp.production"].search(
            [("lot_producing_id", "=", syringe.id)]
        )
        unbuild = self.env["mrp.unbuild"].create(
            {
                "mo_id": production.id,
                "product_id": self.syringe.id,
                "bom_id": self.bom_syringe.id,
                "lot_id": syringe.id,
                "product_qty": 2,
            }
        )
        unbuild.action_unbuild()
        self.assertEqual(unbuild.state, "done")
        # the recovered components come from the unbuilt lot: both ways agree with Odoo
        self.assertEqual(syringe.med_trace_upstream(), body | needle)
        self.assertEqual(body.med_trace_downstream(), syringe)
        self.assertEqual(
            syringe.med_trace_upstream(), self._odoo_report_lots(syringe, "upstream")
        )

    def test_repack_into_a_new_lot(self):
        """Relabelling or repacking is a manufacturing order from one lot to another."""
        bulk = self._lot(self.syringe, "SYR-BULK", 100)
        bom_repack = self._bom(self.carton, [(self.syringe, 10)])
        carton = self._produce(bom_repack, 10, "CTN-REPACK", {bulk: 100})
        self.assertEqual(bulk.med_trace_downstream(), carton)
        self.assertEqual(carton.med_trace_upstream(), bulk)

    def test_serial_numbers_are_lots(self):
        pump = self.env["product.product"].create(
            {"name": "Infusion pump", "is_storable": True, "tracking": "serial"}
        )
        bom = self.env["mrp.bom"].create(
            {
                "product_tmpl_id": pump.product_tmpl_id.id,
                "product_qty": 1,
                "bom_line_ids": [Command.create({"product_id": self.needle.id})],
            }
        )
        needle = self._lot(self.needle, "NDL-S", 5)
        serial = self._produce(bom, 1, "PUMP-0001", {needle: 1})
        self._deliver(self.hospital, [(serial, 1)])
        scope = needle.med_recall_scope()
        self.assertEqual(scope["lots"], needle | serial)
        self.assertEqual(scope["customers"], self.hospital)
