"""The checkpoint and chain-verification jobs run twice at once (two cron workers,
the job run by hand beside the scheduler): two real transactions (own registry
cursors, committed), never the test cursor, which cannot show a race. Each case
cleans up what it committed."""

import os
import shutil
import tempfile
import uuid

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import TransactionCase, new_test_user, tagged

from ..models.med_audit_checkpoint import CHECKPOINT_JOB, CHECKPOINT_RUN_KEY
from ..models.med_audit_verification import VERIFICATION_JOB, VERIFICATION_RUN_KEY
from .common import run_cron_twice

CHECKPOINT_DIR = "med_audit_export.checkpoint_dir"
TSA_URL = "med_audit_export.tsa_url"


@tagged("post_install", "-at_install")
class TestLedgerJobsConcurrency(TransactionCase):
    def _committed(self, function):
        with self.registry.cursor() as cr:
            return function(api.Environment(cr, SUPERUSER_ID, {}))

    def _params(self, env, values):
        """Set system parameters (False: removed); returns what they were."""
        Param = env["ir.config_parameter"]
        previous = {key: Param.get_param(key) or False for key in values}
        for key, value in values.items():
            Param.set_param(key, value)
        return previous

    def _rerun_asked(self, env, job_xmlid):
        return env["ir.cron.trigger"].search_count(
            [
                ("cron_id", "=", env.ref(job_xmlid).id),
                ("create_date", ">=", self._started),
            ]
        )

    def _forget_rerun(self, env, job_xmlid):
        env["ir.cron.trigger"].search(
            [
                ("cron_id", "=", env.ref(job_xmlid).id),
                ("create_date", ">=", self._started),
            ]
        ).unlink()

    def _run_twice(self, model, method, job_xmlid, stale_snapshot, uid=SUPERUSER_ID):
        outcomes = run_cron_twice(self, model, method, stale_snapshot, uid=uid)
        self.assertEqual(outcomes, ["committed", "committed"])
        if stale_snapshot:
            # the second run cannot see the first one's record: it met the first
            # one's run marker and left its work to a rerun
            self.assertTrue(
                self._committed(lambda env: self._rerun_asked(env, job_xmlid))
            )
        # the rerun asked for (or the scheduler's next run) finds the work done
        self._committed(lambda env: getattr(env[model].with_user(uid), method)())

    # -- the checkpoint job --
    def _new_checkpoints(self, env):
        return env["med.audit.checkpoint"].search(
            [("id", ">", self._last_checkpoint_id)]
        )

    def _forget_checkpoints(self, env):
        checkpoints = self._new_checkpoints(env)
        env["mail.mail"].search(
            [
                (
                    "subject",
                    "in",
                    [f"Audit trail checkpoint {n}" for n in checkpoints.mapped("name")],
                )
            ]
        ).unlink()
        env["ir.attachment"].search(
            [("res_model", "=", checkpoints._name), ("res_id", "in", checkpoints.ids)]
        ).unlink()
        # checkpoints are append-only for every user: the test removes its own
        env.cr.execute(
            "DELETE FROM med_audit_checkpoint WHERE id = ANY(%s)", [checkpoints.ids]
        )
        self._forget_rerun(env, CHECKPOINT_JOB)

    def _assert_one_checkpoint(self, stale_snapshot):
        self._started = fields.Datetime.now()
        folder = tempfile.mkdtemp(prefix="med_checkpoints_")
        self.addCleanup(shutil.rmtree, folder, ignore_errors=True)

        def setup(env):
            self._last_checkpoint_id = (
                env["med.audit.checkpoint"].search([], limit=1).id or 0
            )
            had_marker = env["ir.config_parameter"].get_param(CHECKPOINT_RUN_KEY)
            return had_marker, self._params(
                env, {CHECKPOINT_DIR: folder, TSA_URL: False}
            )

        had_marker, previous = self._committed(setup)
        try:
            self._run_twice(
                "med.audit.checkpoint", "_cron_create", CHECKPOINT_JOB, stale_snapshot
            )

            def outcome(env):
                checkpoints = self._new_checkpoints(env)
                mails = (
                    env["mail.mail"]
                    .search([("subject", "like", "Audit trail checkpoint checkpoint-")])
                    .filtered(lambda mail: mail.create_date >= self._started)
                )
                return checkpoints.mapped("origin"), len(mails)

            origins, mails = self._committed(outcome)
            self.assertEqual(origins, ["cron"])
            self.assertEqual(len(os.listdir(folder)), 1, "one checkpoint file")
            admins = self._committed(
                lambda env: env.ref(
                    "med_audit_export.group_med_compliance_admin"
                ).users.filtered(lambda u: u.active and not u.share and u.email)
            )
            self.assertEqual(mails, 1 if admins else 0, "one mail to the admins")
        finally:
            self._committed(self._forget_checkpoints)
            self._committed(
                lambda env: self._params(
                    env,
                    dict(
                        previous, **({} if had_marker else {CHECKPOINT_RUN_KEY: False})
                    ),
                )
            )

    def test_checkpoint_job_twice_at_once(self):
        self._assert_one_checkpoint(stale_snapshot=False)

    def test_checkpoint_job_second_run_from_a_snapshot_before_the_first_commit(self):
        """The second run does not see the first one's checkpoint; its run marker,
        written before the file, conflicts with the first one's (serialization): it
        writes no file and leaves the checkpoint to a rerun, which finds it taken."""
        self._assert_one_checkpoint(stale_snapshot=True)

    def test_checkpoint_on_demand_returns_the_latest_when_nothing_changed(self):
        Checkpoint = self.env["med.audit.checkpoint"]
        folder = tempfile.mkdtemp(prefix="med_checkpoints_")
        self.addCleanup(shutil.rmtree, folder, ignore_errors=True)
        self.env["ir.config_parameter"].set_param(CHECKPOINT_DIR, folder)
        first = Checkpoint._med_create("manual")
        self.assertEqual(Checkpoint._med_create("manual"), first)
        self.assertEqual(len(os.listdir(folder)), 1)
        # a checkpoint whose file is gone is not one to rely on: a new one
        os.remove(first.file_path)
        second = Checkpoint._med_create("manual")
        self.assertNotEqual(second, first)
        self.assertEqual(os.listdir(folder), [second.name])

    # -- the verification job --
    def _new_verifications(self, env):
        return env["med.audit.verification"].search(
            [("id", ">", self._last_verification_id)]
        )

    def _forget_verifications(self, env):
        verifications = self._new_verifications(env)
        domain = [
            ("res_model", "=", verifications._name),
            ("res_id", "in", verifications.ids),
        ]
        env["mail.activity"].search(domain).unlink()
        env["mail.message"].search(
            [("model", "=", verifications._name), ("res_id", "in", verifications.ids)]
        ).unlink()
        # verifications are append-only for every user: the test removes its own
        env.cr.execute(
            "DELETE FROM med_audit_verification WHERE id = ANY(%s)",
            [verifications.ids],
        )
        self._forget_rerun(env, VERIFICATION_JOB)

    def _job_user(self, env):
        """A user of its own for the verification job (the job's runs are those of
        its user): verifications other tests commit as the superuser do not count."""
        return new_test_user(
            env,
            login=f"med_verification_job_{uuid.uuid4().hex[:8]}",
            groups="med_audit_export.group_med_auditor",
        )

    def _assert_one_verification(self, stale_snapshot):
        self._started = fields.Datetime.now()

        def setup(env):
            self._last_verification_id = (
                env["med.audit.verification"].search([], limit=1).id or 0
            )
            job = env.ref(VERIFICATION_JOB)
            previous_user_id, job.user_id = job.user_id.id, self._job_user(env)
            had_marker = env["ir.config_parameter"].get_param(VERIFICATION_RUN_KEY)
            return job.user_id.id, previous_user_id, had_marker

        job_user_id, previous_user_id, had_marker = self._committed(setup)

        def restore(env):
            env.ref(VERIFICATION_JOB).user_id = previous_user_id
            if not had_marker:
                self._params(env, {VERIFICATION_RUN_KEY: False})

        try:
            self._run_twice(
                "med.audit.verification",
                "_cron_verify",
                VERIFICATION_JOB,
                stale_snapshot,
                uid=job_user_id,
            )
            count = self._committed(lambda env: len(self._new_verifications(env)))
            self.assertEqual(count, 1)
        finally:
            self._committed(self._forget_verifications)
            self._committed(restore)

    def test_verification_job_twice_at_once(self):
        self._assert_one_verification(stale_snapshot=False)

    def test_verification_job_second_run_from_a_snapshot_before_the_first_commit(
        self,
    ):
        """The second run does not see the first one's verification; its run marker
        conflicts with the first one's (serialization): it leaves the verification
        to a rerun, which finds it done."""
        self._assert_one_verification(stale_snapshot=True)

    def test_verification_by_an_auditor_does_not_stand_for_the_job(self):
        job_user = self._job_user(self.env)
        self.env.ref(VERIFICATION_JOB).user_id = job_user
        Verification = self.env["med.audit.verification"]
        Verification.with_user(self.env.ref("base.user_admin")).sudo().action_verify()
        before = Verification.search_count([])
        Verification.with_user(job_user)._cron_verify()
        self.assertEqual(Verification.search_count([]), before + 1)
        Verification.with_user(job_user)._cron_verify()
        self.assertEqual(Verification.search_count([]), before + 1)
