import logging
import os
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL, config, human_size

from ..models.med_audit_chain_head import CHAINED_MODELS

_logger = logging.getLogger(__name__)
ALERT_LOCK = "med_audit_export.job_alert"
# How long a job may be overdue (beyond its own interval) before it counts as late.
GRACE = timedelta(days=1)


class MedSystemHealth(models.TransientModel):
    """What a compliance administrator checks each morning: did the suite's jobs run
    (expiry check, certificate reminders, reconciliation, trail verification...),
    are exports stuck, when was the trail last verified and a backup last restored,
    and how big the database and its files are. Opened from the Auditor menu; the
    same figures over JSON-RPC from ``med_health()``."""

    _name = "med.system.health"
    _description = "System Health"

    date = fields.Datetime(string="Checked On", default=fields.Datetime.now)
    job_ids = fields.One2many("med.system.health.job", "health_id", string="Jobs")
    problem_count = fields.Integer(string="Jobs Late or Failing")
    exports_queued = fields.Integer()
    exports_failed = fields.Integer()
    last_verification = fields.Datetime(string="Trail Last Verified")
    last_verification_state = fields.Char(string="Verification Result")
    last_checkpoint = fields.Datetime()
    last_sealed = fields.Datetime(string="Trail Last Sealed")
    unsealed_count = fields.Integer(string="Entries Not Sealed Yet")
    last_restore = fields.Datetime(string="Backup Last Restored")
    last_restore_passed = fields.Boolean(string="Restore Verified")
    database_size = fields.Char()
    filestore_size = fields.Char()

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        health = self._med_health()
        values.update(
            {key: value for key, value in health.items() if key in self._fields}
        )
        values["job_ids"] = [(0, 0, job) for job in health["jobs"]]
        return values

    @api.model
    def med_health(self):
        """The health figures as a dict (JSON-RPC)."""
        health = self._med_health()
        for key in (
            "last_verification",
            "last_checkpoint",
            "last_sealed",
            "last_restore",
        ):
            health[key] = health[key] and fields.Datetime.to_string(health[key])
        for job in health["jobs"]:
            for key in ("lastcall", "nextcall", "first_failure_date"):
                job[key] = job[key] and fields.Datetime.to_string(job[key])
        return health

    @api.model
    def _med_health(self):
        self.env["med.system.health.job"].check_access("read")
        # sudo: the figures are the system's (jobs, exports of every user, sizes);
        # reading them is what the Auditor menu's access grants.
        env = self.sudo().env
        jobs = self._med_jobs(env)
        exports = env["med.audit.export"]
        verification = env["med.audit.verification"].search([], limit=1)
        restore = env["med.restore.check"].search([], limit=1)
        checkpoint = env["med.audit.checkpoint"].search([], order="date desc", limit=1)
        heads = env["med.audit.chain.head"].search([], limit=len(CHAINED_MODELS))
        env.cr.execute(
            "SELECT (SELECT count(*) FROM med_audit_entry WHERE chain_seq IS NULL"
            " AND content_hash IS NOT NULL)"
            " + (SELECT count(*) FROM med_signature WHERE chain_seq IS NULL"
            " AND content_hash IS NOT NULL)"
        )
        unsealed = env.cr.fetchone()[0]
        env.cr.execute("SELECT pg_database_size(current_database())")
        database_bytes = env.cr.fetchone()[0]
        return {
            "jobs": jobs,
            "problem_count": sum(job["state"] in ("late", "failing") for job in jobs),
            "exports_queued": exports.search_count([("state", "=", "queued")]),
            "exports_failed": exports.search_count([("state", "=", "failed")]),
            "last_verification": verification.date or False,
            "last_verification_state": verification.state or False,
            "last_checkpoint": checkpoint.date or False,
            "last_sealed": max(
                filter(None, heads.mapped("date_sealed")), default=False
            ),
            "unsealed_count": unsealed,
            "last_restore": restore.date or False,
            "last_restore_passed": bool(restore.passed),
            "database_size": human_size(database_bytes),
            "filestore_size": human_size(self._med_filestore_bytes()),
        }

    @api.model
    def _med_jobs(self, env):
        """The suite's scheduled jobs, each with its state: ok, late (not run for a
        day past its interval), failing (its last runs raised) or inactive."""
        now = fields.Datetime.now()
        data = env["ir.model.data"].search(
            [("model", "=", "ir.cron"), ("module", "=like", "med\\_%")]
        )
        crons = (
            env["ir.cron"]
            .with_context(active_test=False)
            .browse(data.mapped("res_id"))
            .exists()
        )
        jobs = []
        for cron in crons.sorted("name"):
            interval = relativedelta(**{cron.interval_type: cron.interval_number})
            if not cron.active:
                state = "inactive"
            elif cron.failure_count:
                state = "failing"
            elif (cron.lastcall or cron.create_date) + interval + GRACE < now:
                state = "late"
            else:
                state = "ok"
            jobs.append(
                {
                    "cron_id": cron.id,
                    "name": cron.cron_name,
                    "state": state,
                    "lastcall": cron.lastcall or False,
                    "nextcall": cron.nextcall,
                    "failure_count": cron.failure_count,
                    "first_failure_date": cron.first_failure_date or False,
                }
            )
        return jobs

    @api.model
    def _med_filestore_bytes(self):
        total = 0
        for folder, _dirs, files in os.walk(config.filestore(self.env.cr.dbname)):
            for name in files:
                try:
                    total += os.path.getsize(os.path.join(folder, name))
                except OSError:
                    continue  # a file removed by the garbage collector meanwhile
        return total

    @api.model
    def _cron_alert_unhealthy_jobs(self):
        """Daily: an activity to each compliance administrator for each of the
        suite's jobs that is late or failing (Annex 11 §7, §11: the system's own
        checks must be seen to run), once a day however often the job runs."""
        cr = self.env.cr
        cr.execute(SQL("SELECT pg_try_advisory_xact_lock(hashtext(%s))", ALERT_LOCK))
        if not cr.fetchone()[0]:
            _logger.info("job alert already running: skipped")
            return
        jobs = [
            job
            for job in self._med_jobs(self.sudo().env)
            if job["state"] in ("late", "failing")
        ]
        if not jobs:
            return
        try:
            with cr.savepoint():
                self._med_alert_jobs(jobs)
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            _logger.info("job alert met a concurrent run: rerun")
            # sudo: the job is the alert's own; whoever runs it may trigger it.
            self.env.ref(
                "med_audit_export.ir_cron_alert_unhealthy_jobs"
            ).sudo()._trigger()

    @api.model
    def _med_alert_jobs(self, jobs):
        company = self.env.company
        # Before deciding: a run whose snapshot predates another run's alerts does
        # not see those activities, but its write of the same row conflicts with the
        # other's (a serialization error; a lock alone would not, once the other
        # has committed).
        self.env.cr.execute(
            SQL(
                "UPDATE res_company SET med_date_job_alert_check = %s WHERE id = %s",
                fields.Datetime.now(),
                company.id,
            )
        )
        company.invalidate_recordset(["med_date_job_alert_check"])
        admins = self.env.ref("med_audit_export.group_med_compliance_admin").users
        admins = admins.filtered(lambda admin: admin.active and not admin.share)
        # sudo: the alert is the system's; activities sit on the company's partner,
        # which every administrator can open.
        partner = company.partner_id.sudo()
        today = fields.Date.context_today(self)
        sent_today = {
            (activity.user_id.id, activity.summary)
            for activity in self.env["mail.activity"].search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "=", partner.id),
                    ("user_id", "in", admins.ids),
                    ("date_deadline", "=", today),
                ]
            )
        }
        for job in jobs:
            summary = self.env._(
                "Scheduled job %(job)s is %(state)s",
                job=job["name"],
                state=job["state"],
            )
            for admin in admins:
                if (admin.id, summary) in sent_today:
                    continue
                partner.activity_schedule(
                    "mail.mail_activity_data_todo",
                    date_deadline=today,
                    user_id=admin.id,
                    summary=summary,
                    note=self.env._(
                        "Last run: %(last)s (UTC); failures in a row: %(failures)s. "
                        "Check the server log and the job in Settings ‣ Technical ‣ "
                        "Scheduled Actions.",
                        last=job["lastcall"] or "-",
                        failures=job["failure_count"],
                    ),
                )
