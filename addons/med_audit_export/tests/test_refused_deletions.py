import uuid
from contextlib import contextmanager
from unittest.mock import patch

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models import base_refused_deletion
from .common import MedAuditCommon


@tagged("post_install", "-at_install")
class TestRefusedDeletions(MedAuditCommon):
    """A refused deletion of an audited record rolls back the transaction that asked;
    the attempt (who, what, when, why refused) is appended to the trail by a
    committed transaction of its own, through the ledger, and the audit-trail
    review lists it. These tests commit entries (append-only): their lots have
    unique names and their entries are found by them."""

    @contextmanager
    def _committed_env(self):
        """An environment on a cursor of its own (sees what other transactions
        committed); rolled back at the end."""
        with self.registry.cursor() as cr:
            yield api.Environment(cr, SUPERUSER_ID, {})
            cr.rollback()

    def _lot(self, prefix="REFUSED"):
        return self.env["stock.lot"].create(
            {
                "name": f"{prefix}-{uuid.uuid4().hex[:12]}",
                "product_id": self.product_lot.id,
            }
        )

    def _refused_entries(self, env, records):
        return env["med.audit.entry"].search(
            [
                ("res_model", "=", records._name),
                ("res_id", "in", records.ids),
                ("operation", "=", "unlink_refused"),
            ]
        )

    def test_refused_deletion_committed_and_chained(self):
        lot = self._lot()
        with self.assertRaisesRegex(UserError, "kept until"):
            lot.with_context(med_reason="Duplicate lot").unlink()
        self.assertTrue(lot.exists())  # the refusal changed nothing
        with self._committed_env() as env:
            entry = self._refused_entries(env, lot)
            self.assertEqual(len(entry), 1)
            self.assertEqual(entry.res_name, lot.display_name)
            self.assertEqual(entry.user_id.id, self.env.uid)
            self.assertEqual(entry.reason, "Duplicate lot")
            self.assertIn("kept until", entry.new_value)
            self.assertTrue(entry.timestamp)
            # through the ledger: hashed and sealed after its commit, chain intact
            self.assertTrue(entry.content_hash)
            self.assertTrue(entry.chain_seq)
            result = env["med.audit.entry"]._med_verify(incremental=True)
            self.assertEqual(result["broken"], [])
            # append-only like every entry
            with self.assertRaises(UserError):
                entry.unlink()

    def test_repeated_refusals_logged_once_per_window(self):
        lot = self._lot()
        for _attempt in range(3):
            with self.assertRaises(UserError):
                lot.unlink()
        with self._committed_env() as env:
            self.assertEqual(len(self._refused_entries(env, lot)), 1)

    def test_refusals_beyond_the_user_quota_not_logged(self):
        lots = self._lot() | self._lot()
        with self._committed_env() as env:
            since = fields.Datetime.now()
            recent = env["med.audit.entry"].search_count(
                [
                    ("user_id", "=", self.env.uid),
                    ("operation", "=", "unlink_refused"),
                    (
                        "timestamp",
                        ">=",
                        since - base_refused_deletion.REFUSED_DELETION_WINDOW,
                    ),
                ]
            )
        # room for one more entry: the second lot of the same call is not logged
        with patch.object(
            base_refused_deletion, "REFUSED_DELETIONS_PER_USER", recent + 1
        ):
            with self.assertRaisesRegex(UserError, "kept until"):
                lots.unlink()
        with self._committed_env() as env:
            self.assertEqual(len(self._refused_entries(env, lots)), 1)
        self.assertEqual(len(lots.exists()), 2)

    def test_allowed_deletion_not_logged_as_refused(self):
        lot = self._lot("ALLOWED")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE stock_lot SET create_date = now() - interval '6 years' "
            "WHERE id = %s",
            [lot.id],
        )
        lot.invalidate_recordset(["create_date"])
        lot.with_context(med_reason="Past its retention").unlink()
        self.assertFalse(lot.exists())
        self.assertTrue(
            self.Entry.search(
                [
                    ("res_model", "=", "stock.lot"),
                    ("res_id", "=", lot.id),
                    ("operation", "=", "unlink"),
                ]
            )
        )
        with self._committed_env() as env:
            self.assertFalse(self._refused_entries(env, lot))

    def test_review_lists_refused_deletions(self):
        lot = self._lot()
        with self.assertRaises(UserError):
            lot.unlink()
        with self._committed_env() as env:
            today = fields.Date.today()
            review = env["med.audit.trail.review"].create(
                {
                    "model_id": env["ir.model"]._get_id("stock.lot"),
                    "date_from": today,
                    "date_to": today,
                }
            )
            review.action_med_compute()
            finding = review.finding_ids.filtered(
                lambda f: f.kind == "refused_deletion" and f.res_id == lot.id
            )
            self.assertEqual(len(finding), 1)
            self.assertEqual(finding.entry_id, self._refused_entries(env, lot))
            self.assertIn("kept until", finding.description)

    def _custom_rule(self):
        return self.env["med.audit.rule"].create(
            {"name": "Partner tags", "model": "res.partner.category"}
        )

    def test_refusals_of_a_models_own_unlink_recorded(self):
        """Models that refuse in their own unlink(), before the audit engine's, go
        through the same recorder: an audit rule deleted without a reason, an
        audit entry."""
        lot = self._lot()
        self.env.flush_all()
        entry = self.Entry.search(
            [("res_model", "=", "stock.lot"), ("res_id", "=", lot.id)], limit=1
        )
        for records, refusal in (
            (self._custom_rule(), "Give a reason"),
            (entry, "can never be deleted"),
        ):
            with self.subTest(model=records._name):
                with self.assertRaisesRegex(UserError, refusal):
                    records.unlink()
                self.assertTrue(records.exists())
                with self._committed_env() as env:
                    refused = self._refused_entries(env, records)
                    self.assertEqual(len(refused), 1)
                    self.assertIn(refusal, refused.new_value)
                    self.assertEqual(refused.res_name, records.display_name)
                    self.assertEqual(refused.user_id.id, self.env.uid)
        with self._committed_env() as env:
            result = env["med.audit.entry"]._med_verify(incremental=True)
            self.assertEqual(result["broken"], [])

    def test_nested_recorders_record_the_refused_records_once(self):
        """A deletion that deletes others (here: a lot's recorder around a rule's
        deletion) records the refusal for the records refused, not again for the
        records that asked."""
        lot = self._lot("OUTER")
        rule = self._custom_rule()
        with self.assertRaisesRegex(UserError, "Give a reason"):
            with lot._med_refused_deletion_recorder():
                rule.unlink()
        with self._committed_env() as env:
            self.assertEqual(len(self._refused_entries(env, rule)), 1)
            self.assertFalse(self._refused_entries(env, lot))

    def test_allowed_deletion_of_a_rule_not_logged_as_refused(self):
        rule = self._custom_rule()
        rule.with_context(med_reason="Tags are not GxP data").unlink()
        self.assertFalse(rule.exists())
        with self._committed_env() as env:
            self.assertFalse(self._refused_entries(env, rule))
