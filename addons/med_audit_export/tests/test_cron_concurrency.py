"""The daily alert on late or failing jobs run by two Odoo nodes at once: two real
transactions (own registry cursors, committed), never the test cursor, which cannot
show a race."""

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import TransactionCase, tagged

from .common import run_cron_twice

FAILING_JOB = "med_audit_export.ir_cron_audit_checkpoint"


@tagged("post_install", "-at_install")
class TestJobAlertCronConcurrency(TransactionCase):
    def _committed(self, function):
        with self.registry.cursor() as cr:
            return function(api.Environment(cr, SUPERUSER_ID, {}))

    def _fail_job(self, env, failures):
        """Sets the job's failures in a row; returns those it had."""
        job = env.ref(FAILING_JOB)
        previous = job.failure_count
        env.cr.execute(
            "UPDATE ir_cron SET failure_count = %s WHERE id = %s", (failures, job.id)
        )
        return previous

    def _alerts(self, env):
        """(alerts about the failing job scheduled since the test started, the
        administrators who should each get one)."""
        job = env.ref(FAILING_JOB)
        admins = env.ref("med_audit_export.group_med_compliance_admin").users
        admins = admins.filtered(lambda admin: admin.active and not admin.share)
        alerts = env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", env.company.partner_id.id),
                ("summary", "=", f"Scheduled job {job.cron_name} is failing"),
                ("create_date", ">=", self._started),
            ]
        )
        return alerts, admins

    def _alerted(self, env):
        """(ids of the users alerted, one id per alert; the administrators' ids)"""
        alerts, admins = self._alerts(env)
        return sorted(alerts.mapped(lambda alert: alert.user_id.id)), sorted(admins.ids)

    def _rerun_asked(self, env):
        cron = env.ref("med_audit_export.ir_cron_alert_unhealthy_jobs")
        return env["ir.cron.trigger"].search_count(
            [("cron_id", "=", cron.id), ("create_date", ">=", self._started)]
        )

    def _assert_one_alert_each(self, stale_snapshot):
        self._started = fields.Datetime.now()
        previous = self._committed(lambda env: self._fail_job(env, 1))
        try:
            outcomes = run_cron_twice(
                self, "med.system.health", "_cron_alert_unhealthy_jobs", stale_snapshot
            )
            self.assertIn("committed", outcomes)
            if stale_snapshot:
                self.assertTrue(self._committed(self._rerun_asked), outcomes)
            # the rerun asked for (or a later run the same day) finds it all done
            self._committed(
                lambda env: env["med.system.health"]._cron_alert_unhealthy_jobs()
            )
            alerted, admin_ids = self._committed(self._alerted)
            self.assertTrue(admin_ids, "an active compliance administrator")
            self.assertEqual(alerted, admin_ids, f"runs: {outcomes}")
        finally:
            self._committed(lambda env: self._alerts(env)[0].unlink())
            self._committed(lambda env: self._fail_job(env, previous))

    def test_two_nodes_start_together(self):
        """The advisory lock: one run alerts, the other skips."""
        self._assert_one_alert_each(stale_snapshot=False)

    def test_second_run_from_a_snapshot_before_the_first_commit(self):
        """The second run does not see the first one's alerts, but its write of the
        company's row, made before deciding, conflicts with the first's
        (serialization): it leaves the alerts to a rerun, which sees them."""
        self._assert_one_alert_each(stale_snapshot=True)
