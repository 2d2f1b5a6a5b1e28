from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from .common import JsonRpcMixin, MedComplianceCommon


@tagged("post_install", "-at_install")
class TestSystemHealth(MedComplianceCommon):
    """Auditor ‣ Verification ‣ System Health: the suite's jobs, exports, last
    verification and restore, sizes; and the daily alert on late or failing jobs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.verify_job = cls.env.ref("med_audit_export.ir_cron_verify_audit_chain")

    def _job(self, health, cron):
        return next(job for job in health["jobs"] if job["cron_id"] == cron.id)

    def test_auditor_sees_the_suite_jobs(self):
        self.verify_job.write({"lastcall": fields.Datetime.now(), "failure_count": 0})
        form = Form(self.env["med.system.health"].with_user(self.auditor))
        names = [job["name"] for job in form.job_ids._records]
        self.assertIn(self.verify_job.cron_name, names)
        self.assertNotIn(
            self.env.ref("base.autovacuum_job").cron_name, names, "the suite's only"
        )
        self.assertTrue(form.database_size)
        health = self.env["med.system.health"].with_user(self.auditor).med_health()
        self.assertEqual(self._job(health, self.verify_job)["state"], "ok")

    def test_late_and_failing_jobs_alert_the_administrators(self):
        self.verify_job.write(
            {"lastcall": fields.Datetime.now() - timedelta(days=3), "failure_count": 0}
        )
        Health = self.env["med.system.health"]
        self.assertEqual(
            self._job(Health.med_health(), self.verify_job)["state"], "late"
        )
        Activity = self.env["mail.activity"]
        before = Activity.search_count([("user_id", "=", self.compliance_admin.id)])
        Health._cron_alert_unhealthy_jobs()
        alerts = Activity.search(
            [("user_id", "=", self.compliance_admin.id)], order="id desc"
        )
        self.assertGreater(len(alerts), before)
        self.assertIn(self.verify_job.cron_name, alerts[0].summary)
        self.verify_job.write({"lastcall": fields.Datetime.now(), "failure_count": 3})
        self.assertEqual(
            self._job(Health.med_health(), self.verify_job)["state"], "failing"
        )

    def test_healthy_jobs_alert_nobody(self):
        jobs = self.env["ir.cron"].browse(
            job["cron_id"] for job in self.env["med.system.health"].med_health()["jobs"]
        )
        jobs.write({"lastcall": fields.Datetime.now(), "failure_count": 0})
        Activity = self.env["mail.activity"]
        before = Activity.search_count([])
        self.env["med.system.health"]._cron_alert_unhealthy_jobs()
        self.assertEqual(Activity.search_count([]), before)

    def test_user_without_compliance_role_refused(self):
        clerk = new_test_user(self.env, login="med_health_clerk")
        with self.assertRaises(AccessError):
            self.env["med.system.health"].with_user(clerk).med_health()


@tagged("post_install", "-at_install")
class TestSystemHealthRpc(JsonRpcMixin, HttpCase):
    def test_health_over_json_rpc(self):
        new_test_user(
            self.env,
            login="med_health_auditor",
            groups="med_audit_export.group_med_auditor",
        )
        new_test_user(self.env, login="med_health_user")
        self.authenticate("med_health_auditor", "med_health_auditor")
        result = self._call("med.system.health", "med_health", [])["result"]
        self.assertIn("jobs", result)
        self.assertIn("database_size", result)
        self.authenticate("med_health_user", "med_health_user")
        self.assertIn("error", self._call("med.system.health", "med_health", []))
