import time
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import MedAuditCommon, MedComplianceCommon


@tagged("post_install", "-at_install")
class TestAccessReview(MedComplianceCommon):
    """EU GMP Annex 11 §12: every N months a review lists users × roles with the
    account changes since the previous review, is due as an activity and is signed
    by a QA manager."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["res.company"].create(
            {"name": "Review Co.", "med_access_review_months": 6}
        )
        for user in (cls.qa_manager, cls.auditor):
            user.company_ids = [Command.link(cls.company.id)]
        cls.Review = cls.env["med.access.review"]

    def _reviews(self):
        return self.Review.search([("company_id", "=", self.company.id)])

    def test_cron_takes_the_due_review_with_users_roles_and_activity(self):
        self.Review._cron_schedule_reviews()
        review = self._reviews()
        self.assertEqual(len(review), 1)
        qa_role = self.env.ref("med_audit_export.group_med_qa_manager")
        lines = review.line_ids.filtered(lambda line: line.user_id == self.qa_manager)
        self.assertIn(qa_role, lines.group_id)
        self.assertEqual(set(lines.mapped("user_login")), {"med_qa_manager"})
        self.assertIn(self.auditor, review.line_ids.user_id)
        self.assertNotIn(self.warehouse, review.line_ids.user_id)  # other company
        self.assertEqual(review.activity_ids.user_id, self.qa_manager)
        self.Review._cron_schedule_reviews()  # the open review is still to sign
        self.assertEqual(self._reviews(), review)

    def test_not_due_before_the_period_nor_when_disabled(self):
        self.Review._cron_schedule_reviews()
        review = self._reviews()
        review._med_protected_write().write({"state": "signed"})
        today = fields.Date.today()
        self.assertFalse(self.Review._med_review_due(self.company, today))
        self.assertTrue(
            self.Review._med_review_due(self.company, today + timedelta(days=190))
        )
        self.company.med_access_review_months = 0
        self.assertFalse(
            self.Review._med_review_due(self.company, today + timedelta(days=190))
        )

    def test_changes_since_the_last_review_listed(self):
        first = self.Review.with_user(self.qa_manager).create(
            {"company_id": self.company.id}
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE med_access_review SET date_review = %s WHERE id = %s",
            (fields.Datetime.now() - timedelta(seconds=5), first.id),
        )
        first.invalidate_recordset()
        self.auditor.write(
            {
                "groups_id": [
                    Command.link(
                        self.env.ref("med_audit_export.group_med_warehouse").id
                    )
                ]
            }
        )
        second = self.Review.with_user(self.qa_manager).create(
            {"company_id": self.company.id}
        )
        self.assertEqual(second.date_from, first.date_review)
        changed = second.change_entry_ids.filtered(
            lambda entry: entry.res_id == self.auditor.id
        )
        self.assertTrue(changed)
        self.assertTrue(
            all(e.timestamp > first.date_review for e in second.change_entry_ids)
        )

    def test_signed_by_qa_manager_then_frozen(self):
        review = self.Review.with_user(self.qa_manager).create(
            {"company_id": self.company.id, "conclusion": "All roles needed"}
        )
        with self.assertRaisesRegex(UserError, "Only members of"):
            review.with_user(self.auditor).action_med_sign()
        self._sign(review.with_user(self.qa_manager).action_med_sign(), self.qa_manager)
        self.assertEqual(review.state, "signed")
        self.assertEqual(review.signed_by_id, self.qa_manager)
        self.assertEqual(review.med_signature_ids.meaning, "review")
        with self.assertRaisesRegex(UserError, "is signed"):
            review.with_user(self.qa_manager).write({"conclusion": "Changed"})
        self.assertEqual(review.conclusion, "All roles needed")

    def test_snapshot_and_state_not_written_by_hand(self):
        review = self.Review.with_user(self.qa_manager).create(
            {"company_id": self.company.id}
        )
        for vals in ({"state": "signed"}, {"line_ids": [Command.clear()]}):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                review.with_user(self.qa_manager).write(vals)
        self.assertEqual(review.state, "draft")
        self.assertTrue(review.line_ids)
        with self.assertRaises(UserError):
            self.Review.with_user(self.qa_manager).create(
                {"company_id": self.company.id, "state": "signed"}
            )
        with self.assertRaises(AccessError):
            self.Review.with_user(self.auditor).create({"company_id": self.company.id})


@tagged("post_install", "-at_install")
class TestAuditTrailReview(MedAuditCommon):
    """EU GMP Annex 11 §9: a review by exception of one record type's trail over a
    period lists the entries that matter, and is signed. The database holds the demo
    history too: each test looks at the findings on its own records."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tag_rule = cls._audit_rule("res.partner.category", ["name"])
        cls.tag = cls.env["res.partner.category"].create({"name": "Hospital"})
        cls.tag_editor = new_test_user(
            cls.env,
            login="med_tag_editor",
            groups="base.group_user,base.group_partner_manager",
        )

    def _review(self, model="stock.lot", **values):
        today = fields.Date.today()
        return (
            self.env["med.audit.trail.review"]
            .with_user(self.qa_manager)
            .create(
                dict(
                    {
                        "model_id": self.env["ir.model"]._get(model).id,
                        "date_from": today - timedelta(days=1),
                        "date_to": today,
                        "repeat_threshold": 3,
                    },
                    **values,
                )
            )
        )

    def _findings(self, review, records):
        review.with_user(self.qa_manager).action_med_compute()
        return review.finding_ids.filtered(
            lambda f: f.res_id in records.ids
            or f.user_id in (self.qa_manager, self.tag_editor)
        )

    def test_change_after_release_and_changed_signature_found(self):
        self.lot.with_user(self.qa_manager)._med_sign("release")
        time.sleep(1)  # times are to the second: the change comes a second later
        self.lot.with_user(self.qa_manager).with_context(
            med_reason="Typo in the reference"
        ).write({"ref": "REF-2"})
        findings = self._findings(self._review(), self.lot)
        after = findings.filtered(lambda f: f.kind == "after_release")
        self.assertEqual(after.res_id, self.lot.id)
        self.assertIn("REF-2", after.description)
        changed = findings.filtered(lambda f: f.kind == "signature_changed")
        self.assertEqual(changed.signature_id.res_id, self.lot.id)
        self.assertEqual(changed.signature_id.meaning, "release")

    def test_clean_trail_has_no_findings(self):
        self.lot.with_user(self.qa_manager).with_context(
            med_reason="Label reprinted"
        ).write({"ref": "REF-1"})
        review = self._review()
        self.assertFalse(self._findings(review, self.lot))
        self.assertGreater(review.entry_count, 0)

    def test_repeated_reason_and_deletion_found(self):
        tag = self.tag.with_user(self.tag_editor)
        for number in range(3):
            tag.with_context(med_reason="Correction").write({"name": f"Tag {number}"})
        other = self.env["res.partner.category"].create({"name": "Mistake"})
        other.with_context(med_reason="Created by mistake").unlink()
        findings = self._findings(self._review("res.partner.category"), other)
        repeated = findings.filtered(lambda f: f.kind == "repeated_reason")
        self.assertEqual(repeated.count, 3)
        self.assertIn("Correction", repeated.description)
        deletion = findings.filtered(lambda f: f.kind == "deletion")
        self.assertEqual(deletion.res_name, "Mistake")
        review = self._review("res.partner.category", repeat_threshold=4)
        self.assertFalse(
            self._findings(review, other).filtered(
                lambda f: f.kind == "repeated_reason"
            )
        )

    def test_signed_review_frozen(self):
        review = self._review()
        review.with_user(self.qa_manager).action_med_compute()
        self._sign(review.with_user(self.qa_manager).action_med_sign(), self.qa_manager)
        self.assertEqual(review.state, "signed")
        with self.assertRaisesRegex(UserError, "is signed"):
            review.with_user(self.qa_manager).write({"date_to": fields.Date.today()})
        with self.assertRaisesRegex(UserError, "is signed"):
            review.with_user(self.qa_manager).action_med_compute()
        with self.assertRaises(UserError):
            review.with_user(self.qa_manager).write({"finding_ids": [Command.clear()]})
