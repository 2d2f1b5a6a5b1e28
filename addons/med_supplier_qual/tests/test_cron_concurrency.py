"""The daily certificate check run by two Odoo nodes at once: two real transactions
(own registry cursors, committed), never the test cursor, which cannot show a race."""

import uuid
from datetime import timedelta

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.tests import TransactionCase, tagged

from odoo.addons.med_audit_export.tests.common import run_cron_twice

from .common import SCAN


@tagged("post_install", "-at_install")
class TestCertificateCronConcurrency(TransactionCase):
    def _committed(self, function):
        with self.registry.cursor() as cr:
            return function(api.Environment(cr, SUPERUSER_ID, {}))

    def _setup(self, env):
        """A supplier's business licence in its reminder window ('expiring'),
        without a reminder yet."""
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
                "expiry_date": today + timedelta(days=30),
                "attachment_ids": [
                    Command.create(
                        {
                            "name": "licence.pdf",
                            "datas": SCAN,
                            "mimetype": "application/pdf",
                        }
                    )
                ],
            }
        )
        self.assertEqual(certificate.state, "expiring")
        # The reminder's user already follows the certificate (as after an earlier
        # reminder): no follower row is added, which would make the runs collide on
        # mail_followers' unique key by chance and hide what the check itself does.
        responsible = env.company._med_certificate_responsible()
        certificate.message_subscribe(partner_ids=responsible.partner_id.ids)
        return certificate.id

    def _cleanup(self, env, certificate_id, since):
        """Removes the reminders the runs scheduled (on other certificates of the
        database too); the certificate stays with its audit trail."""
        certificate = env["med.supplier.certificate"].browse(certificate_id)
        env["mail.activity"].search(
            [
                ("res_model", "=", "med.supplier.certificate"),
                ("create_date", ">=", since),
            ]
        ).unlink()
        certificate.partner_id.with_context(med_reason="cron race test").write(
            {"active": False}
        )

    def _reminders(self, env, certificate_id):
        certificate = env["med.supplier.certificate"].browse(certificate_id)
        activities = env["mail.activity"].search_count(
            [
                ("res_model", "=", "med.supplier.certificate"),
                ("res_id", "=", certificate_id),
            ]
        )
        return certificate.state, activities

    def _rerun_asked(self, env):
        cron = env.ref("med_supplier_qual.ir_cron_med_certificates")
        return env["ir.cron.trigger"].search_count(
            [("cron_id", "=", cron.id), ("create_date", ">=", self._started)]
        )

    def _assert_one_reminder(self, stale_snapshot):
        since = self._started = fields.Datetime.now()
        # Today's run first, so that the runs below find the other certificates
        # of the database (demo data) up to date and only ours to remind.
        self._committed(
            lambda env: env["med.supplier.certificate"]._cron_med_certificates()
        )
        certificate_id = self._committed(self._setup)
        try:
            outcomes = run_cron_twice(
                self,
                "med.supplier.certificate",
                "_cron_med_certificates",
                stale_snapshot,
            )
            self.assertIn("committed", outcomes)
            if stale_snapshot:
                self.assertTrue(self._committed(self._rerun_asked), outcomes)
            # the rerun asked for (or tomorrow's run) finds it all done
            self._committed(
                lambda env: env["med.supplier.certificate"]._cron_med_certificates()
            )
            state, reminders = self._committed(
                lambda env: self._reminders(env, certificate_id)
            )
            self.assertEqual(state, "expiring")
            self.assertEqual(reminders, 1, f"runs: {outcomes}")
        finally:
            self._committed(lambda env: self._cleanup(env, certificate_id, since))

    def test_two_nodes_start_together(self):
        """The advisory lock: one run does the work, the other skips it."""
        self._assert_one_reminder(stale_snapshot=False)

    def test_second_run_from_a_snapshot_before_the_first_commit(self):
        """The second run does not see the first one's reminder, but its write of
        the certificate's row, made before deciding, conflicts with the first's
        (serialization): it leaves the reminders to a rerun, which sees it.
        (Odoo's cron runner never lets two nodes run the job this way: the method
        must not rely on it.)"""
        self._assert_one_reminder(stale_snapshot=True)
