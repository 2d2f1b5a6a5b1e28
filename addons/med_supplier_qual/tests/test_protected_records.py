from datetime import timedelta

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from odoo.addons.med_audit_export.tests.common import JsonRpcMixin

from .common import SCAN, SupplierQualCommon


class ProtectedRecordsCommon(SupplierQualCommon):
    def _certificate_vals(self, number, **extra):
        return dict(
            {
                "partner_id": self.vendor.id,
                "type_id": self._type("business_licence").id,
                "number": number,
                "issue_date": self.today - timedelta(days=10),
                "expiry_date": self.today + timedelta(days=700),
                "attachment_ids": [
                    (0, 0, {"name": f"{number}.pdf", "datas": SCAN.decode()})
                ],
            },
            **extra,
        )

    def _evaluation(self):
        return (
            self.env["med.supplier.evaluation"]
            .with_user(self.qa_manager)
            .create(
                {
                    "partner_id": self.vendor.id,
                    "date_from": self.today - timedelta(days=30),
                    "date_to": self.today,
                }
            )
        )

    def _signed_evaluation(self):
        evaluation = self._evaluation()
        evaluation.action_med_compute()
        evaluation.decision = "approved"
        self._sign(evaluation.action_med_sign(), self.qa_manager, comment="yearly")
        return evaluation


@tagged("post_install", "-at_install")
class TestProtectedSupplierRecords(ProtectedRecordsCommon):
    """A certificate is verified, an evaluation signed, by the signed actions only."""

    def test_certificate_created_verified_refused(self):
        Certificate = self.env["med.supplier.certificate"].with_user(self.purchase)
        count = Certificate.search_count([])
        with self.assertRaisesRegex(UserError, "not when the record is created"):
            Certificate.create(
                self._certificate_vals("FORGED-1", verified_by_id=self.qa_manager.id)
            )
        with self.assertRaisesRegex(UserError, "not when the record is created"):
            Certificate.create(
                self._certificate_vals("FORGED-2", verified_date="2026-01-01 08:00:00")
            )
        self.assertEqual(Certificate.search_count([]), count)

    def test_certificate_state_follows_its_dates_only(self):
        certificate = (
            self.env["med.supplier.certificate"]
            .with_user(self.purchase)
            .create(
                self._certificate_vals(
                    "OLD-1",
                    issue_date=self.today - timedelta(days=800),
                    expiry_date=self.today - timedelta(days=5),
                )
            )
        )
        self.assertEqual(certificate.state, "expired")
        with self.assertRaisesRegex(UserError, "can only be changed through"):
            certificate.write({"state": "valid"})
        self.assertEqual(certificate.state, "expired")
        certificate.write({"expiry_date": self.today + timedelta(days=700)})
        self.assertEqual(certificate.state, "valid")

    def test_certificate_context_default_and_copy_stay_unverified(self):
        certificate = (
            self.env["med.supplier.certificate"]
            .with_user(self.purchase)
            .with_context(
                default_verified_by_id=self.qa_manager.id,
                default_verified_date="2026-01-01 08:00:00",
            )
            .create(self._certificate_vals("CTX-1"))
        )
        self.assertFalse(certificate.verified_by_id)
        self.assertFalse(certificate.verified_date)
        self.assertTrue(self.licence.verified_by_id)
        copy = self.licence.with_user(self.purchase).copy({"number": "COPY-1"})
        self.assertFalse(copy.verified_by_id)

    def test_reminder_check_date_set_by_the_daily_job_only(self):
        Certificate = self.env["med.supplier.certificate"].with_user(self.purchase)
        count = Certificate.search_count([])
        forged = "2999-01-01 00:00:00"
        with self.assertRaisesRegex(UserError, "not when the record is created"):
            Certificate.create(
                self._certificate_vals("REMIND-1", reminder_check_date=forged)
            )
        self.assertEqual(Certificate.search_count([]), count)
        certificate = Certificate.with_context(
            default_reminder_check_date=forged
        ).create(
            self._certificate_vals("REMIND-2", expiry_date=self.today + timedelta(5))
        )
        self.assertFalse(certificate.reminder_check_date)
        with self.assertRaisesRegex(UserError, "can only be changed through"):
            certificate.write({"reminder_check_date": forged})
        with self.assertRaisesRegex(UserError, "not when the record is created"):
            certificate.copy({"number": "REMIND-3", "reminder_check_date": forged})
        self.assertFalse(certificate.reminder_check_date)
        self.assertEqual(certificate.state, "expiring")
        # the daily job's own check writes it
        certificate.with_user(self.env.user)._med_remind()
        self.assertTrue(certificate.reminder_check_date)
        self.assertNotEqual(str(certificate.reminder_check_date), forged)

    def test_certificate_verified_by_the_signed_action(self):
        certificate = (
            self.env["med.supplier.certificate"]
            .with_user(self.purchase)
            .create(self._certificate_vals("SIGNED-1"))
        )
        action = certificate.with_user(self.qa_manager).action_med_verify()
        self._sign(action, self.qa_manager)
        self.assertEqual(certificate.verified_by_id, self.qa_manager)

    def test_evaluation_signed_by_plain_write_refused(self):
        evaluation = self._evaluation()
        evaluation.action_med_compute()
        for vals in (
            {"state": "done"},
            {"signed_by_id": self.qa_manager.id},
            {"signed_date": "2026-01-01 08:00:00"},
        ):
            with self.assertRaisesRegex(UserError, "can only be changed"):
                evaluation.write(vals)
        self.assertEqual(evaluation.state, "draft")
        self.assertFalse(evaluation.signed_by_id)
        with self.assertRaisesRegex(UserError, "not when the record is created"):
            self.env["med.supplier.evaluation"].with_user(self.qa_manager).create(
                {
                    "partner_id": self.vendor.id,
                    "date_from": self.today - timedelta(days=30),
                    "date_to": self.today,
                    "state": "done",
                    "signed_by_id": self.qa_manager.id,
                }
            )

    def test_copy_of_signed_evaluation_carries_no_decision(self):
        evaluation = self._evaluation()
        evaluation.action_med_compute()
        evaluation.write({"decision": "approved", "conclusion": "Keep approved"})
        self._sign(evaluation.action_med_sign(), self.qa_manager, comment="yearly")
        copy = evaluation.copy()
        self.assertEqual(copy.state, "draft")
        for name in ("decision", "conclusion", "signed_by_id", "signed_date"):
            self.assertFalse(copy[name], name)
        self.assertFalse(copy.line_ids)
        self.assertEqual(evaluation.decision, "approved")

    def test_evaluation_score_computed_only(self):
        evaluation = self._evaluation()
        evaluation.action_med_compute()
        score, rating = evaluation.score, evaluation.rating
        for vals in ({"score": 99.0}, {"rating": "a"}):
            with self.assertRaisesRegex(UserError, "can only be changed through"):
                evaluation.write(vals)
        self.assertEqual((evaluation.score, evaluation.rating), (score, rating))

    def test_score_lines_of_signed_evaluation_refused(self):
        evaluation = self._signed_evaluation()
        self.assertEqual(evaluation.state, "done")
        line = evaluation.line_ids[0]
        score = line.score
        Line = self.env["med.supplier.evaluation.line"].with_user(self.qa_manager)
        with self.assertRaisesRegex(UserError, "signed"):
            line.with_user(self.qa_manager).write({"score": 100.0})
        with self.assertRaisesRegex(UserError, "signed"):
            line.with_user(self.qa_manager)._med_protected_write().write(
                {"score": 100.0}
            )
        with self.assertRaisesRegex(UserError, "signed"):
            Line._med_protected_write().create(
                {
                    "evaluation_id": evaluation.id,
                    "code": "forged",
                    "name": "Forged",
                    "score": 100.0,
                }
            )
        with self.assertRaisesRegex(UserError, "signed"):
            line.with_user(self.qa_manager).unlink()
        self.assertEqual(line.score, score)

    def test_refused_deletion_of_a_signed_score_line_in_the_trail(self):
        """The line refuses in its own unlink(); its audit rule puts the refusal in
        the trail, committed by a transaction of its own."""
        line = self._signed_evaluation().line_ids[0].with_user(self.qa_manager)
        with self.assertRaisesRegex(UserError, "signed"):
            line.with_context(med_reason="Criterion counted twice").unlink()
        self.assertTrue(line.exists())
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            refused = env["med.audit.entry"].search(
                [
                    ("res_model", "=", line._name),
                    ("res_id", "=", line.id),
                    ("operation", "=", "unlink_refused"),
                ]
            )
            self.assertEqual(len(refused), 1)
            self.assertEqual(refused.user_id.id, self.qa_manager.id)
            self.assertEqual(refused.reason, "Criterion counted twice")
            cr.rollback()

    def test_score_lines_computed_only(self):
        evaluation = self._evaluation()
        evaluation.action_med_compute()
        with self.assertRaisesRegex(UserError, "can only be changed"):
            evaluation.line_ids[0].with_user(self.qa_manager).write({"score": 100.0})
        with self.assertRaisesRegex(UserError, "not when the record is created"):
            self.env["med.supplier.evaluation.line"].with_user(self.qa_manager).create(
                {
                    "evaluation_id": evaluation.id,
                    "code": "forged",
                    "name": "Forged",
                    "score": 100.0,
                }
            )


@tagged("post_install", "-at_install")
class TestProtectedSupplierRecordsRpc(JsonRpcMixin, HttpCase, ProtectedRecordsCommon):
    """The same refusals over JSON-RPC, with a hostile context."""

    # SupplierQualCommon already puts the registry in test mode.
    registry_test_mode = False

    def test_purchase_user_creates_verified_certificate_over_rpc(self):
        count = self.env["med.supplier.certificate"].search_count([])
        vals = self._certificate_vals("RPC-1", verified_by_id=self.qa_manager.id)
        vals.update(
            issue_date=str(vals["issue_date"]), expiry_date=str(vals["expiry_date"])
        )
        answer = self._call_as(
            self.purchase,
            "med.supplier.certificate",
            "create",
            [vals],
            {"context": {"med_protected_write": True}},
        )
        self.assertIn("not when the record is created", self._refusal(answer))
        answer = self._call(
            "med.supplier.certificate",
            "create",
            [dict(vals, verified_by_id=False)],
            {"context": {"default_verified_by_id": self.qa_manager.id}},
        )
        certificate = self.env["med.supplier.certificate"].browse(answer["result"])
        self.assertFalse(certificate.verified_by_id)
        self.assertEqual(
            self.env["med.supplier.certificate"].search_count([]), count + 1
        )

    def test_evaluation_state_written_over_rpc(self):
        evaluation = self._evaluation()
        evaluation.action_med_compute()
        evaluation.decision = "approved"
        answer = self._call_as(
            self.qa_manager,
            "med.supplier.evaluation",
            "write",
            [evaluation.ids, {"state": "done", "signed_by_id": self.qa_manager.id}],
            {"context": {"med_protected_write": True}},
        )
        self.assertIn("can only be changed", self._refusal(answer))
        evaluation.invalidate_recordset()
        self.assertEqual(evaluation.state, "draft")
        self.assertFalse(evaluation.signed_by_id)

    def test_supplier_quick_created_qualified_over_rpc(self):
        buyer = self._rpc_user(
            "sq_rpc_buyer",
            "med_audit_export.group_med_purchase,base.group_partner_manager",
        )
        answer = self._call_as(
            buyer,
            "res.partner",
            "name_create",
            ["Forged Supplier Co."],
            {
                "context": {
                    "default_med_supplier_state": "approved",
                    "med_protected_write": True,
                }
            },
        )
        partner = self.env["res.partner"].browse(answer["result"][0])
        self.assertEqual(partner.name, "Forged Supplier Co.")
        self.assertEqual(partner.med_supplier_state, "candidate")

    def test_reminder_check_date_written_over_rpc(self):
        certificate = self.licence
        before = certificate.reminder_check_date
        answer = self._call_as(
            self.purchase,
            "med.supplier.certificate",
            "write",
            [certificate.ids, {"reminder_check_date": "2999-01-01 00:00:00"}],
            {"context": {"med_protected_write": True}},
        )
        self.assertIn("can only be changed", self._refusal(answer))
        certificate.invalidate_recordset()
        self.assertEqual(certificate.reminder_check_date, before)
