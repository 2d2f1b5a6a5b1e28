"""The daily certificate check run by two Odoo nodes at once: two real transactions
(own registry cursors, committed), never the test cursor, which cannot show a race."""

import threading
import uuid
from datetime import timedelta

import psycopg2.errors

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged

RUNS = 2


@tagged("post_install", "-at_install")
class TestCertificateCronConcurrency(TransactionCase):
    def _committed(self, function):
        with self.registry.cursor() as cr:
            return function(api.Environment(cr, SUPERUSER_ID, {}))

    def _setup(self, env, stale_state):
        """A supplier's business licence entering its reminder window. With
        ``stale_state`` its stored state is still 'valid' (the date moved since the
        last run), else it is already 'expiring' but has no reminder yet."""
        Certificate = env["med.supplier.certificate"]
        supplier = env["res.partner"].create(
            {"name": f"Cron race supplier {uuid.uuid4().hex[:8]}", "is_company": True}
        )
        kind = env["med.certificate.type"].search([("code", "=", "business_licence")])
        today = Certificate._med_company_today(env.company)
        certificate = Certificate.create(
            {
                "partner_id": supplier.id,
                "type_id": kind.id,
                "number": f"RACE-{supplier.id}",
                "issue_date": today - timedelta(days=400),
                "expiry_date": today + timedelta(days=300 if stale_state else 30),
            }
        )
        if stale_state:
            # as if the days had passed: the date is in the window, the state not yet
            env.cr.execute(
                "UPDATE med_supplier_certificate SET expiry_date = %s WHERE id = %s",
                [today + timedelta(days=30), certificate.id],
            )
        self.assertEqual(certificate.state, "valid" if stale_state else "expiring")
        return certificate.id

    def _cleanup(self, env, certificate_id):
        certificate = env["med.supplier.certificate"].browse(certificate_id)
        env["mail.activity"].search(
            [
                ("res_model", "=", "med.supplier.certificate"),
                ("res_id", "=", certificate_id),
            ]
        ).unlink()
        # The certificate stays with its audit trail; its supplier is archived.
        certificate.partner_id.with_context(med_reason="cron race test").write(
            {"active": False}
        )

    def _run_concurrently(self, stale_snapshot):
        barrier = threading.Barrier(RUNS)
        first_committed = threading.Event()
        outcomes = [None] * RUNS

        def run(index):
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    if stale_snapshot:
                        cr.execute("SELECT count(*) FROM med_supplier_certificate")
                    barrier.wait(timeout=60)
                    if stale_snapshot and index:
                        first_committed.wait(timeout=120)
                    env["med.supplier.certificate"]._cron_med_certificates()
                    cr.commit()
                    outcomes[index] = "committed"
            except psycopg2.errors.SerializationFailure:
                # what Odoo's cron runner and RPC retry; the retry finds it done
                outcomes[index] = "serialization failure"
            finally:
                if not index:
                    first_committed.set()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(RUNS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        self.assertFalse(any(thread.is_alive() for thread in threads))
        return outcomes

    def _reminders(self, env, certificate_id):
        certificate = env["med.supplier.certificate"].browse(certificate_id)
        activities = env["mail.activity"].search_count(
            [
                ("res_model", "=", "med.supplier.certificate"),
                ("res_id", "=", certificate_id),
            ]
        )
        return certificate.state, activities

    def _assert_one_reminder(self, stale_state, stale_snapshot):
        certificate_id = self._committed(lambda env: self._setup(env, stale_state))
        try:
            outcomes = self._run_concurrently(stale_snapshot)
            self.assertIn("committed", outcomes)
            state, reminders = self._committed(
                lambda env: self._reminders(env, certificate_id)
            )
            self.assertEqual(state, "expiring")
            self.assertEqual(reminders, 1, f"runs: {outcomes}")
        finally:
            self._committed(lambda env: self._cleanup(env, certificate_id))

    def test_two_nodes_start_together(self):
        self._assert_one_reminder(stale_state=False, stale_snapshot=False)

    def test_two_nodes_refresh_the_same_state(self):
        """Both runs move the state: the later writer conflicts and is undone."""
        self._assert_one_reminder(stale_state=True, stale_snapshot=True)
