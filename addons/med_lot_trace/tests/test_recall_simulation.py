import base64
import io

import openpyxl

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import MedGenealogyCommon


@tagged("post_install", "-at_install")
class TestRecallSimulation(MedGenealogyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.body_lot = cls._lot(cls.body, "BODY-RC", 30)
        cls.needle_lot = cls._lot(cls.needle, "NDL-RC", 30)
        cls.syringe_lot = cls._produce(
            cls.bom_syringe, 30, "SYR-RC", {cls.body_lot: 30, cls.needle_lot: 30}
        )
        cls._deliver(cls.hospital, [(cls.syringe_lot, 8)])
        cls._deliver(cls.hospital, [(cls.syringe_lot, 2)])
        cls._deliver(cls.distributor, [(cls.syringe_lot, 5)])

    def _simulate(self, user, lots):
        form = Form(
            self.env["med.lot.recall.simulate"]
            .with_user(user)
            .with_context(default_lot_ids=lots.ids)
        )
        wizard = form.save()
        wizard.action_simulate()
        return wizard

    def test_scope_per_customer_and_location(self):
        wizard = self._simulate(self.warehouse, self.needle_lot)
        shipped = {
            (line.partner_id, line.lot_id): line.quantity
            for line in wizard.delivered_line_ids
        }
        self.assertEqual(
            shipped,
            {
                (self.hospital, self.syringe_lot): 10,
                (self.distributor, self.syringe_lot): 5,
            },
        )
        on_hand = {
            (line.location_id, line.lot_id): line.quantity
            for line in wizard.on_hand_line_ids
        }
        self.assertEqual(on_hand[(self.stock, self.syringe_lot)], 15)
        self.assertEqual(wizard.customer_count, 2)
        self.assertEqual(wizard.scope_lot_ids, self.needle_lot | self.syringe_lot)

    def test_simulation_recorded_in_audit_trail(self):
        self._simulate(self.warehouse, self.needle_lot)
        entry = self.env["med.audit.entry"].search(
            [
                ("res_model", "=", "stock.lot"),
                ("res_id", "=", self.needle_lot.id),
                ("operation", "=", "recall_simulation"),
            ]
        )
        self.assertEqual(entry.user_id, self.warehouse)
        self.assertIn("2 customers", entry.new_value)

    def test_export_xlsx_and_csv(self):
        wizard = self._simulate(self.auditor, self.needle_lot)
        wizard.action_export_xlsx()
        export = self.env["med.audit.export"].search([], limit=1)
        self.assertEqual(export.user_id, self.auditor)
        sheet = openpyxl.load_workbook(
            io.BytesIO(base64.b64decode(export.attachment_id.datas))
        ).active
        values = [cell.value for row in sheet.iter_rows() for cell in row]
        self.assertIn("Ruijin Hospital", values)
        self.assertIn("SYR-RC", values)
        self.assertIn("Lots: NDL-RC", values)
        wizard.action_export_csv()
        export = self.env["med.audit.export"].search([], limit=1)
        text = base64.b64decode(export.attachment_id.datas).decode("utf-8-sig")
        self.assertIn("Sinopharm East", text)
        self.assertTrue(
            self.env["med.audit.entry"].search(
                [("res_model", "=", "med.audit.export"), ("res_id", "=", export.id)]
            )
        )

    def test_no_lot_refused(self):
        wizard = self.env["med.lot.recall.simulate"].with_user(self.warehouse).new({})
        with self.assertRaisesRegex(UserError, "Choose the lots"):
            wizard.action_simulate()

    def test_lot_form_counts(self):
        self.assertEqual(self.needle_lot.med_downstream_count, 1)
        self.assertEqual(self.syringe_lot.med_upstream_count, 2)
        action = self.syringe_lot.action_med_upstream()
        self.assertEqual(
            self.env["stock.lot"].search(action["domain"]),
            self.body_lot | self.needle_lot,
        )
