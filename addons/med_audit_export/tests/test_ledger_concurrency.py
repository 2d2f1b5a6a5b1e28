import threading
import time
import uuid

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged

# How long the writer that keeps its transaction open holds it.
HOLD_SECONDS = 3.0


@tagged("post_install", "-at_install")
class TestLedgerConcurrency(TransactionCase):
    """Writers in real concurrent transactions (a cursor of their own each, committed:
    the test cursor would serialise them). Every entry is written with its content
    hash and no lock, and sealed after its commit, in commit order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cls.partner_id = (
                env["res.partner"]
                .create({"name": f"Ledger concurrency probe {uuid.uuid4().hex[:8]}"})
                .id
            )

    def _env_call(self, function):
        with self.registry.cursor() as cr:
            return function(api.Environment(cr, SUPERUSER_ID, {}))

    def _write(self, tag, count=3, hold=0.0, rollback=False, seal=True, started=None):
        """One writer's transaction: ``count`` entries, then commit (and its sealer
        after commit, unless ``seal`` is False: a crash right after the commit).
        Returns the seconds the transaction took."""
        start = time.perf_counter()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partner = env["res.partner"].browse(self.partner_id)
            # entry ids drawn as an audited flush draws them: without any lock
            env["med.audit.entry"]._med_chain_reserve(1)
            for number in range(count):
                partner._med_log_event("write", details=f"{tag}-{number}")
            if started:
                started.set()
            time.sleep(hold)
            if rollback:
                cr.rollback()
                return time.perf_counter() - start
            if not seal:
                cr.postcommit.clear()
        return time.perf_counter() - start

    def _run(self, writers):
        """Run the writers (callables) at once; returns their results in order."""
        results, errors = [None] * len(writers), []
        barrier = threading.Barrier(len(writers))

        def run(position, writer):
            try:
                barrier.wait()
                results[position] = writer()
            except Exception as error:  # reported to the test below
                errors.append(error)

        threads = [
            threading.Thread(target=run, args=(position, writer))
            for position, writer in enumerate(writers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertFalse(errors)
        return results

    def _entries(self, env, tag):
        return env["med.audit.entry"].search(
            [("res_model", "=", "res.partner"), ("new_value", "=like", f"{tag}-%")],
            order="id",
        )

    def _assert_chain_intact(self, env):
        result = env["med.audit.entry"]._med_verify()
        self.assertEqual(result["broken"], [])
        self.assertEqual(result["problems"], [])
        env.cr.execute(
            "SELECT count(*), COALESCE(max(chain_seq), 0) FROM med_audit_entry "
            "WHERE chain_seq IS NOT NULL"
        )
        count, last_seq = env.cr.fetchone()
        self.assertEqual(count, last_seq)  # positions 1..n, no gap, no fork

    def _check_writers(self, writers):
        tags = [uuid.uuid4().hex for _writer in range(writers)]
        self._run(
            [lambda tag=tag: [self._write(tag) for _i in range(4)] for tag in tags]
        )

        def check(env):
            for tag in tags:
                entries = self._entries(env, tag)
                self.assertEqual(len(entries), 12)
                self.assertTrue(all(entries.mapped("chain_seq")), "sealed at commit")
            self._assert_chain_intact(env)

        self._env_call(check)

    def test_two_concurrent_writers(self):
        self._check_writers(2)

    def test_eight_concurrent_writers(self):
        self._check_writers(8)

    def test_open_transaction_does_not_make_others_wait(self):
        holder_tag, tags = uuid.uuid4().hex, [uuid.uuid4().hex for _i in range(4)]
        started = threading.Event()
        durations = {}

        def holder():
            durations["holder"] = self._write(
                holder_tag, hold=HOLD_SECONDS, started=started
            )

        def other(tag):
            started.wait()
            durations[tag] = self._write(tag)

        self._run([holder] + [lambda tag=tag: other(tag) for tag in tags])
        others = [durations[tag] for tag in tags]
        self.assertGreaterEqual(durations["holder"], HOLD_SECONDS)
        self.assertLess(max(others), HOLD_SECONDS / 3, "a writer waited for another")

        def check(env):
            held = self._entries(env, holder_tag)
            quick = [self._entries(env, tag) for tag in tags]
            # linked in commit order: the held transaction committed last
            self.assertGreater(
                min(held.mapped("chain_seq")),
                max(max(entries.mapped("chain_seq")) for entries in quick),
            )
            self._assert_chain_intact(env)

        self._env_call(check)

    def test_rollback_in_the_middle(self):
        kept, undone = uuid.uuid4().hex, uuid.uuid4().hex
        self._run(
            [
                lambda: self._write(kept, hold=0.2),
                lambda: self._write(undone, hold=0.1, rollback=True),
                lambda: self._write(kept + "b"),
            ]
        )

        def check(env):
            self.assertFalse(self._entries(env, undone))
            self.assertEqual(len(self._entries(env, kept)), 3)
            self._assert_chain_intact(env)

        self._env_call(check)

    def test_crash_between_commit_and_sealing(self):
        tag = uuid.uuid4().hex
        self._write(tag, seal=False)
        entries = self._env_call(
            lambda env: self._entries(env, tag).mapped("chain_seq")
        )
        self.assertEqual(entries, [0, 0, 0])  # committed, not sealed
        self._env_call(lambda env: env["med.audit.chain.head"]._cron_seal())

        def check(env):
            seqs = self._entries(env, tag).mapped("chain_seq")
            self.assertTrue(all(seqs))
            self.assertEqual(seqs, sorted(seqs))
            self._assert_chain_intact(env)

        self._env_call(check)
