from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import ReleaseReviewCommon


@tagged("post_install", "-at_install")
class TestReleaseReviewAccess(ReleaseReviewCommon):
    """QA managers configure the checks; inspectors, warehouse users and auditors
    read the checks and the results and change nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        picking = cls._receive_lot("BRL-ACCESS")
        cls.lot = picking.move_line_ids.lot_id

    @classmethod
    def _receive_lot(cls, name):
        picking = cls._transfer(cls.barrel, 10, incoming=True, partner=cls.supplier)
        picking.move_ids.move_line_ids.write({"lot_name": name, "quantity": 10})
        picking.move_ids.picked = True
        picking.with_user(cls.warehouse).button_validate()
        return picking

    def test_readers_read_and_change_nothing(self):
        check = self.checks["bom_yield"]
        for user in (self.auditor, self.warehouse, self.inspector):
            results = self.Result.with_user(user).search([("lot_id", "=", self.lot.id)])
            self.assertEqual(len(results), len(self.checks), user.login)
            self.assertTrue(all(state == "pass" for state in results.mapped("state")))
            self.assertEqual(check.with_user(user).severity, "warn")
            with self.assertRaises(AccessError):
                check.with_user(user).write({"severity": "block"})
            with self.assertRaisesRegex(UserError, "written by the checks only"):
                results.with_user(user).write({"state": "fail"})
            with self.assertRaises(AccessError):
                results.with_user(user).unlink()
        self.assertEqual(check.severity, "warn")

    def test_qa_manager_configures_the_checks(self):
        check = self.checks["bom_yield"].with_user(self.qa_manager)
        check.write({"severity": "block", "tolerance_percent": 5})
        self.assertEqual(check.severity, "block")
        with self.assertRaisesRegex(UserError, "between 0 and 100"):
            check.write({"tolerance_percent": 150})
        with self.assertRaises(AccessError):
            check.copy()
        with self.assertRaises(AccessError):
            check.unlink()

    def test_archived_check_no_longer_blocks(self):
        self._pass(self._inspect_lot(self.lot, qty=3))
        self.assertIn("Received vs inspected quantity", self._reasons(self.lot))
        self.checks["inspected_quantity"].with_user(self.qa_manager).active = False
        self.assertNotIn("Received vs inspected quantity", self._reasons(self.lot))

    def _nightly_queries(self):
        self.env.invalidate_all()
        self.env.flush_all()
        before = self.cr.sql_log_count
        self.Result._cron_med_reconcile()
        return self.cr.sql_log_count - before

    def test_nightly_job_is_set_based(self):
        """The nightly job runs the same statements for 1 lot or 6: one per check,
        one for the review states and a few to start, never one per lot."""
        self._nightly_queries()
        one_lot = self._nightly_queries()
        for index in range(5):
            self._receive_lot(f"BRL-MORE-{index}")
        six_lots = self._nightly_queries()
        self.assertEqual(one_lot, six_lots)
        self.assertLessEqual(six_lots, len(self.checks) + 4)
        self.assertEqual(
            self.Result.search_count([("lot_id.name", "like", "BRL-MORE-")]),
            5 * len(self.checks),
        )
