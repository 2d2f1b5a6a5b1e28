import time
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.med_audit_export.tests.common import MedAuditCommon


@tagged("post_install", "-at_install")
class TestAuditTrailReviewNonconformance(MedAuditCommon):
    """A finding of an audit trail review opens a nonconformance (an audit finding),
    once, by a QA manager."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lot.with_user(cls.qa_manager)._med_sign("release")
        time.sleep(1)  # times are to the second: the change comes a second later
        cls.lot.with_user(cls.qa_manager).with_context(
            med_reason="Changed after release"
        ).write({"ref": "R2"})
        today = fields.Date.today()
        cls.review = (
            cls.env["med.audit.trail.review"]
            .with_user(cls.qa_manager)
            .create(
                {
                    "model_id": cls.env["ir.model"]._get("stock.lot").id,
                    "date_from": today - timedelta(days=1),
                    "date_to": today,
                }
            )
        )
        cls.review.action_med_compute()
        cls.finding = cls.review.finding_ids.filtered(
            lambda f: f.kind == "after_release" and f.res_id == cls.lot.id
        )

    def test_finding_opens_one_nonconformance(self):
        action = self.finding.with_user(
            self.qa_manager
        ).action_med_open_nonconformance()
        nonconformance = self.finding.nonconformance_id
        self.assertEqual(action["res_id"], nonconformance.id)
        self.assertEqual(nonconformance.source, "audit")
        self.assertEqual(nonconformance.state, "open")
        self.assertIn(self.review.name, nonconformance.description)
        self.assertIn(self.lot.name, nonconformance.description)
        self.finding.with_user(self.qa_manager).action_med_open_nonconformance()
        self.assertEqual(
            self.env["med.nonconformance"].search_count(
                [("description", "ilike", self.review.name)]
            ),
            1,
        )

    def test_other_roles_refused(self):
        for user in (self.auditor, self.inspector):
            with self.subTest(user=user.login), self.assertRaises(UserError):
                self.finding.with_user(user).action_med_open_nonconformance()
        self.assertFalse(self.finding.nonconformance_id)
