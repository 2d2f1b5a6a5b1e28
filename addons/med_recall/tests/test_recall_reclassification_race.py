import uuid

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, new_test_user, tagged

from odoo.addons.med_audit_export.tests.common import RacingTransaction, read_back

REASON = "Reassessed: serious injury possible"


@tagged("post_install", "-at_install")
class TestReclassificationVersusLetters(BaseCase):
    """A launched recall reclassified to level I while its one letter is being
    sent, each in its own committed transaction (own registry cursors, as two
    server workers): the reclassification locks the letters it decides on, so it
    never re-dates a notification that the other transaction has just completed.
    Each test has a recall, lot and customer of its own; they stay in the database
    (GxP records), without stock."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.tag = uuid.uuid4().hex[:8].upper()
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cls.qa_manager_id = new_test_user(
                env,
                login=f"race_reclass_qa_{cls.tag}",
                groups="med_audit_export.group_med_qa_manager",
            ).id
            cls.product_id = (
                env["product.product"]
                .create(
                    {
                        "name": f"Race reclassified syringe {cls.tag}",
                        "is_storable": True,
                        "tracking": "lot",
                    }
                )
                .id
            )

    @classmethod
    def tearDownClass(cls):
        # The records stay (GxP records are not deleted); archived, the user and the
        # product are out of the way of the tests that run after.
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["res.users"].browse(cls.qa_manager_id).active = False
            env["product.product"].browse(cls.product_id).active = False
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.assertFalse(self.registry.in_test_mode(), "needs real transactions")
        self.recall_id, self.letter_id, self.deadline = self._launched_recall()

    def _launched_recall(self):
        """A level II recall, launched, with one letter to send: committed."""
        tag = f"{self.tag}-{uuid.uuid4().hex[:4].upper()}"
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            lot = env["stock.lot"].create(
                {"name": f"RACE-RCL-{tag}", "product_id": self.product_id}
            )
            recall = (
                env["med.recall"]
                .with_user(self.qa_manager_id)
                .create(
                    {
                        "title": f"Race reclassification {tag}",
                        "lot_ids": [Command.set(lot.ids)],
                        "user_id": self.qa_manager_id,
                        "nmpa_level": "2",
                        "fda_class": "II",
                        "depth": "retail",
                        "reason": "Barrels crack at the luer tip.",
                        "health_hazard": "Leak during injection.",
                        "date_discovered": "2026-11-18",
                        "date_decision": "2026-11-20",
                        "date_target": "2026-12-31",
                    }
                )
            )
            recall._med_do_launch()
            hospital = env["res.partner"].create({"name": f"Race hospital {tag}"})
            # the letter the launch prepares for a customer the lot was shipped to
            letter = env["med.recall.notification"].create(
                {"recall_id": recall.id, "partner_id": hospital.id}
            )
            return recall.id, letter.id, recall.notification_deadline

    def _reclassify(self):
        """The QA manager's reclassification to level I, in its own transaction;
        first reads the recall's form (its letters, all to send)."""

        def recall(env):
            return env["med.recall"].browse(self.recall_id)

        return RacingTransaction(
            self.registry,
            self.qa_manager_id,
            lambda env: recall(env)
            .with_context(med_reason=REASON)
            .write({"nmpa_level": "1"}),
            look=lambda env: recall(env).notification_ids.mapped("state"),
        )

    def _send_letter(self):
        """The letter marked sent, as its sending does, in its own transaction."""
        return RacingTransaction(
            self.registry,
            self.qa_manager_id,
            lambda env: env["med.recall.notification"]
            .browse(self.letter_id)
            ._med_protected_write()
            .write(
                {
                    "state": "sent",
                    "date_sent": fields.Datetime.now(),
                    "sent_by_id": self.qa_manager_id,
                }
            ),
        )

    def _recall_as_committed(self):
        def read(env):
            recall = env["med.recall"].browse(self.recall_id)
            return (
                recall.nmpa_level,
                recall.notification_deadline,
                recall.notification_ids.mapped("state"),
                bool(
                    recall.message_ids.filtered(
                        lambda m: "already notified" in (m.body or "")
                    )
                ),
            )

        return read_back(self.registry, read)

    def test_letter_sent_after_the_reclassification_read_it_keeps_the_deadline(self):
        """The reclassification read the letter as still to send, then the letter
        is sent and committed: the lock makes the reclassification retry and see
        it sent, so the deadline the recall was held to stays."""
        reclassification = self._reclassify().hold_after_snapshot()
        sending = self._send_letter().finish()
        self.assertIsNone(sending.error)
        reclassification.finish()
        self.assertIsNone(reclassification.error)
        self.assertEqual(reclassification.tries, 2)
        self.assertEqual(
            self._recall_as_committed(), ("1", self.deadline, ["sent"], True)
        )

    def test_reclassification_waits_for_the_letter_being_sent(self):
        """The letter is being sent (its transaction not committed yet): the
        reclassification waits for it, then retries and sees it sent."""
        sending = self._send_letter().hold_before_commit()
        reclassification = self._reclassify()
        self.assertTrue(reclassification.waits_for_a_lock())
        sending.finish()
        self.assertIsNone(sending.error)
        reclassification.finish()
        self.assertIsNone(reclassification.error)
        self.assertEqual(reclassification.tries, 2)
        self.assertEqual(
            self._recall_as_committed(), ("1", self.deadline, ["sent"], True)
        )
