from odoo.tests import Form, tagged

from .common import MedRecallCommon


@tagged("post_install", "-at_install")
class TestRecallScope(MedRecallCommon):
    def test_scope_frozen_at_opening_from_the_genealogy(self):
        recall = self._open_recall()
        self.assertTrue(recall.name.startswith("RCL/"))
        self.assertEqual(recall.state, "draft")
        self.assertEqual(
            set(recall.scope_lot_ids.lot_id.mapped("name")),
            {"BRL-R1", "BODY-R1", "SYR-R1"},
        )
        self.assertEqual(
            recall.scope_lot_ids.filtered("selected").lot_id, self.barrel_lot
        )
        shipped = {
            (line.partner_id, line.lot_id): line.shipped_qty for line in recall.line_ids
        }
        self.assertEqual(
            shipped,
            {
                (self.hospital, self.syringe_lot): 20.0,
                (self.distributor, self.syringe_lot): 15.0,
            },
        )
        stock = {
            (line.location_id, line.lot_id): line.quantity for line in recall.stock_ids
        }
        self.assertEqual(
            stock,
            {(self.stock, self.barrel_lot): 40.0, (self.stock, self.syringe_lot): 25.0},
        )
        self.assertEqual(recall.shipped_qty, 35.0)
        self.assertEqual(recall.outstanding_qty, 35.0)

    def test_scope_stays_frozen_after_a_new_delivery_until_accepted(self):
        recall = self._open_recall()
        self._deliver(self.hospital, [(self.syringe_lot, 5)])
        recall.invalidate_recordset()
        # the frozen scope is unchanged by the new delivery
        self.assertEqual(self._line(recall, self.hospital).shipped_qty, 20.0)
        action = recall.with_user(self.qa_manager).action_recompute_scope()
        wizard = self.env["med.recall.recompute"].browse(action["res_id"])
        changes = {
            (line.change, line.kind, line.lot_id.name, line.old_qty, line.new_qty)
            for line in wizard.line_ids
        }
        self.assertEqual(
            changes,
            {
                ("changed", "Shipped to customer", "SYR-R1", 20.0, 25.0),
                ("changed", "In stock", "SYR-R1", 25.0, 20.0),
            },
        )
        # shown, not applied
        self.assertEqual(self._line(recall, self.hospital).shipped_qty, 20.0)
        wizard.with_user(self.qa_manager).action_accept()
        self.assertEqual(self._line(recall, self.hospital).shipped_qty, 25.0)
        self.assertIn("Scope recomputed and accepted", recall.message_ids[0].body)

    def test_recompute_shows_a_new_customer_and_lot(self):
        recall = self._open_recall()
        other = self._lot(self.syringe, "SYR-R2", 10)
        pharmacy = self.env["res.partner"].create({"name": "Huashan Pharmacy"})
        self._deliver(pharmacy, [(self.syringe_lot, 3)])
        changes, _now = recall._med_scope_changes()
        self.assertIn(
            ("shipped", "added", (pharmacy.id, self.syringe_lot.id), None, 3.0), changes
        )
        # a lot not made from the recalled barrels is not in scope
        self.assertNotIn(other.id, [key for _k, _c, key, _o, _n in changes])

    def test_recompute_without_change_says_so(self):
        recall = self._open_recall()
        action = recall.with_user(self.qa_manager).action_recompute_scope()
        wizard = self.env["med.recall.recompute"].browse(action["res_id"])
        self.assertFalse(wizard.has_changes)
        with self.assertRaisesRegex(Exception, "has not changed"):
            wizard.with_user(self.qa_manager).action_accept()

    def test_opened_from_a_capa_with_its_lots(self):
        capa = self.Capa.with_user(self.qa_manager).create(
            {"title": "Cracked barrels", "lot_ids": [(6, 0, self.barrel_lot.ids)]}
        )
        action = capa.with_user(self.qa_manager).action_open_recall()
        form = Form(
            self.Recall.with_user(self.qa_manager).with_context(**action["context"])
        )
        recall = form.save()
        self.assertEqual(recall.capa_id, capa)
        self.assertEqual(recall.lot_ids, self.barrel_lot)
        self.assertEqual(len(recall.line_ids), 2)
        self.assertEqual(capa.med_recall_count, 1)

    def test_opened_from_a_nonconformance(self):
        nonconformance = self.Nonconformance.with_user(self.qa_manager).create(
            {
                "description": "Cracked barrel tips",
                "lot_ids": [(6, 0, self.barrel_lot.ids)],
                "source": "audit",
            }
        )
        action = nonconformance.with_user(self.qa_manager).action_open_recall()
        recall = Form(
            self.Recall.with_user(self.qa_manager).with_context(**action["context"])
        ).save()
        self.assertEqual(recall.nonconformance_id, nonconformance)
        self.assertEqual(recall.title, "Cracked barrel tips")

    def test_only_qa_managers_open_from_capa(self):
        capa = self.Capa.with_user(self.qa_manager).create(
            {"title": "Cracked barrels", "lot_ids": [(6, 0, self.barrel_lot.ids)]}
        )
        with self.assertRaisesRegex(Exception, "Only a QA manager"):
            capa.with_user(self.inspector).action_open_recall()

    def test_many_lots_by_hand(self):
        recall = self._open_recall(lots=self.plunger_lot | self.needle_lot)
        self.assertEqual(
            set(recall.scope_lot_ids.lot_id.mapped("name")),
            {"PLG-R1", "NDL-R1", "BODY-R1", "SYR-R1"},
        )
        self.assertEqual(len(recall.scope_lot_ids.filtered("selected")), 2)

    def _freeze_queries(self, recall):
        self.env.invalidate_all()
        self.env.flush_all()
        before = self.cr.sql_log_count
        recall.with_user(self.qa_manager)._med_freeze_scope()
        self.env.flush_all()
        return self.cr.sql_log_count - before

    def test_freezing_costs_the_same_for_more_deliveries_and_customers(self):
        """Set-based: one recall-scope query and batched writes, whatever the number
        of deliveries, customers and lots in scope."""
        recall = self._open_recall()
        self._freeze_queries(recall)  # warm-up (caches of the ORM and audit rules)
        few = self._freeze_queries(recall)
        for number in range(6):
            customer = self.env["res.partner"].create({"name": f"Clinic {number}"})
            self._deliver(customer, [(self.syringe_lot, 1)])
        new_body = self._produce(
            self.bom_body, 5, "BODY-R2", {self.barrel_lot: 5, self.plunger_lot: 5}
        )
        self._freeze_queries(recall)
        many = self._freeze_queries(recall)
        self.assertEqual(len(recall.line_ids), 8)
        self.assertIn(new_body, recall.scope_lot_ids.lot_id)
        self.assertLessEqual(many, few + 2)
