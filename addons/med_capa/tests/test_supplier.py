import base64
import io
from datetime import timedelta

import openpyxl

from odoo import fields
from odoo.tests import tagged

from .common import MedCapaCommon


@tagged("post_install", "-at_install")
class TestSupplierIntegration(MedCapaCommon):
    """CAPAs against suppliers: opened when a certificate expires, counted in the
    supplier evaluation with the inspection results of its receipts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        cls.rule_certificate = cls.env.ref("med_capa.capa_rule_certificate_expired")

    def _certificate(self, number, expiry):
        certificate_type = self.env["med.certificate.type"].search(
            [("code", "=", "business_licence")]
        )
        return self.env["med.supplier.certificate"].create(
            {
                "partner_id": self.supplier.id,
                "type_id": certificate_type.id,
                "number": number,
                "issuer": "江苏省市场监督管理局",
                "issue_date": self.today - timedelta(days=800),
                "expiry_date": expiry,
                "attachment_ids": [
                    fields.Command.create({"name": f"{number}.pdf", "raw": b"%PDF"})
                ],
            }
        )

    def _capas(self):
        return self.Capa.search([("partner_id", "=", self.supplier.id)])

    # -- certificate expired --
    def test_expired_certificate_opens_one_capa_against_the_supplier(self):
        first = self._certificate("91320500-A", self.today - timedelta(days=1))
        second = self._certificate("91320500-B", self.today - timedelta(days=2))
        first._med_certificates_expired()
        capa = self._capas()
        self.assertEqual(len(capa), 1)
        self.assertEqual(
            (capa.source, capa.rule_id), ("supplier", self.rule_certificate)
        )
        self.assertIn("91320500-A", capa.description)
        self.assertTrue(
            capa.activity_ids.filtered(lambda a: a.user_id == self.qa_manager)
        )
        # another certificate of the supplier lapses: added to the open CAPA
        second._med_certificates_expired()
        self.assertEqual(self._capas(), capa)
        self.assertIn("91320500-B", capa.message_ids[0].body)

    def test_expired_certificate_of_a_filtered_out_supplier_opens_nothing(self):
        self.rule_certificate.partner_ids = self.env["res.partner"].create(
            {"name": "Only this one"}
        )
        self._certificate(
            "91320500-C", self.today - timedelta(days=1)
        )._med_certificates_expired()
        self.assertFalse(self._capas())

    def test_daily_job_fires_the_rule(self):
        certificate = self._certificate("91320500-D", self.today + timedelta(days=5))
        # as if the date had passed since the last run (no timed test)
        self.env.cr.execute(
            "UPDATE med_supplier_certificate SET expiry_date = %s WHERE id = %s",
            (self.today - timedelta(days=1), certificate.id),
        )
        certificate.invalidate_recordset(["expiry_date"])
        Certificate = self.env["med.supplier.certificate"]
        Certificate._cron_med_certificates()
        self.assertEqual(certificate.state, "expired")
        self.assertEqual(len(self._capas()), 1)
        Certificate._cron_med_certificates()
        self.assertEqual(len(self._capas()), 1, "idempotent")

    # -- supplier evaluation --
    def _evaluation(self):
        return self.env["med.supplier.evaluation"].create(
            {
                "partner_id": self.supplier.id,
                "date_from": self.today - timedelta(days=30),
                "date_to": self.today + timedelta(days=1),
            }
        )

    def _lines(self, evaluation):
        evaluation.action_med_compute()
        return {line.code: line for line in evaluation.line_ids}

    def test_evaluation_counts_inspections_and_capas(self):
        self._trigger_on(self.stock_warehouse.in_type_id, self.barrel, "after")
        good = self._receive(self.barrel, "BRL-EVAL-1", 300)
        self._pass(good.qc_inspections_ids)
        bad = self._receive(self.barrel, "BRL-EVAL-2", 100)
        self._fail(bad.qc_inspections_ids)
        lines = self._lines(self._evaluation())
        inspection = lines["inspection"]
        self.assertTrue(inspection.has_data)
        self.assertAlmostEqual(inspection.score, 75.0)
        self.assertEqual(inspection.detail, "100.0 rejected of 400.0 inspected")
        capa = lines["capa"]
        self.assertAlmostEqual(capa.score, 75.0)  # one major CAPA open
        self.assertIn(self._capas().name, capa.detail)

    def test_evaluation_without_inspections_or_capas(self):
        lines = self._lines(self._evaluation())
        self.assertFalse(lines["inspection"].has_data)
        self.assertFalse(lines["capa"].has_data)

    def test_cancelled_capa_does_not_count(self):
        capa = self.Capa.create({"title": "Late CoA", "partner_id": self.supplier.id})
        capa._med_cancel("Opened against the wrong supplier")
        self.assertFalse(self._lines(self._evaluation())["capa"].has_data)

    # -- supplier dossier --
    def test_supplier_dossier_lists_capas_and_scars(self):
        capa = self.Capa.create(
            {
                "title": "Burrs on barrels",
                "partner_id": self.supplier.id,
                "scar_date_deadline": self.today + timedelta(days=30),
            }
        )
        capa.action_request_scar()
        wizard = (
            self.env["med.dossier.wizard"]
            .with_user(self.auditor)
            .with_context(
                default_report="supplier_dossier", active_ids=self.supplier.ids
            )
            .create({"file_format": "xlsx"})
        )
        wizard.action_export()
        export = self.env["med.audit.export"].search([], order="id desc", limit=1)
        workbook = openpyxl.load_workbook(
            io.BytesIO(base64.b64decode(export.attachment_id.datas))
        )
        cells = {
            str(cell)
            for row in workbook["CAPA and SCAR"].iter_rows(values_only=True)
            for cell in row
        }
        self.assertIn(capa.name, cells)
        self.assertIn(f"{self.today} / {self.today + timedelta(days=30)}", cells)
        trail = {
            str(cell)
            for row in workbook["Audit trail"].iter_rows(values_only=True)
            for cell in row
        }
        self.assertTrue(any(capa.name in cell for cell in trail))
