import json
import os
import socket
import tempfile
from datetime import UTC, datetime, timedelta

import psycopg2
from markupsafe import Markup

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.med_hash_chain_mixin import (
    COPY_THRESHOLD,
    GENESIS_HASH,
    canonical_value,
    chain_hash,
    content_hash,
)
from .common import MedAuditCommon


def closed_port():
    """A local TCP port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@tagged("post_install", "-at_install")
class TestLedger(MedAuditCommon):
    """Entries carry their content hash from the start; the sealer links them; the
    verification checks both and compares the chain with the checkpoint files."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param("med_audit_export.tsa_url", "")
        cls.compliance_admin.email = "compliance.admin@example.com"
        cls.Entry._med_seal()
        cls.env["med.signature"]._med_seal()

    def setUp(self):
        super().setUp()
        # checkpoint files outlive the test's rollback: a folder of this test's own
        self.folder = tempfile.mkdtemp(prefix="med_checkpoints_")
        self.env["ir.config_parameter"].set_param(
            "med_audit_export.checkpoint_dir", self.folder
        )

    def _row(self, **values):
        row = dict.fromkeys(self.Entry._med_hash_fields)
        row.update(
            timestamp=fields.Datetime.now(),
            user_id=self.env.uid,
            operation="write",
            res_model="stock.lot",
            res_id=self.lot.id,
            company_id=self.env.company.id,
        )
        row.update(values)
        return row

    def _tamper(self, table, statement, params=()):
        """What a database owner could do: switch the trigger off, edit rows."""
        cr = self.env.cr
        cr.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        cr.execute(statement, params)
        cr.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
        self.env.invalidate_all()

    # -- one canonical encoding --
    def _encoding_rows(self):
        """Rows holding every kind of value (empty, NUL, escapes, non-BMP...)."""
        microseconds = datetime(2026, 3, 1, 8, 30, 15, 123456)
        aware = datetime(2026, 3, 1, 16, 30, 15, 5, tzinfo=UTC)
        return [
            self._row(reason=None, new_value=""),
            self._row(reason="", new_value=None),
            self._row(reason=False, old_value=False, res_name=False),
            self._row(timestamp=microseconds, new_value="3.0"),
            self._row(timestamp=aware, new_value="0.1"),
            self._row(new_value="line one\nline two\r\n\ttabbed \\N \\ back"),
            self._row(new_value="non-BMP 𝔘𝔫𝔦 😀 中文 \U0010fffd"),
            self._row(new_value="NUL\x00inside", old_value="\x1f\x1e"),
            self._row(user_id=self.auditor, company_id=self.env.company),
            self._row(res_id="7", new_value=Markup("<p>HTML &amp; text</p>")),
        ]

    def _assert_encoded_as_canonical_value(self, rows, entries):
        """The insert's own canonical encoding is canonical_value()'s, byte for
        byte, and what the database holds verifies."""
        self.env.invalidate_all()
        for row, entry in zip(rows, entries, strict=True):
            self.assertEqual(entry.content_hash, self.Entry._med_content_hash(row))
        self.assertFalse(self.Entry.verify_chain())  # content hashes, unsealed
        self.Entry._med_seal()
        self.assertFalse(self.Entry.verify_chain())
        self.assertTrue(all(entries.mapped("chain_seq")))

    def test_canonical_encoding_round_trip(self):
        """Every kind of value written, read back from the database, verifies."""
        rows = self._encoding_rows()
        entries = self.Entry.sudo()._med_chain_insert(rows)
        self.env.cr.execute(
            "SELECT reason IS NULL, new_value IS NULL, old_value IS NULL "
            "FROM med_audit_entry WHERE id = ANY(%s) ORDER BY id",
            [entries.ids],
        )
        nulls = self.env.cr.fetchall()
        self.assertEqual(nulls[0][:2], (True, False))  # None is NULL, "" is ""
        self.assertEqual(nulls[1][:2], (False, True))
        self.assertEqual(nulls[2], (True, True, True))  # False in a text is NULL
        self.env.invalidate_all()
        self.assertEqual(entries[3].timestamp, datetime(2026, 3, 1, 8, 30, 15, 123456))
        self.assertEqual(entries[4].timestamp, datetime(2026, 3, 1, 16, 30, 15, 5))
        self.assertEqual(entries[6].new_value, "non-BMP 𝔘𝔫𝔦 😀 中文 \U0010fffd")
        self.assertEqual(entries[8].user_id, self.auditor)
        self._assert_encoded_as_canonical_value(rows, entries)

    def test_canonical_encoding_round_trip_in_bulk(self):
        """The same values in a batch large enough to be appended with COPY."""
        rows = self._encoding_rows() * (COPY_THRESHOLD // 10 + 1)
        rows = [dict(row) for row in rows]
        entries = self.Entry.sudo()._med_chain_insert(rows)
        self.env.invalidate_all()
        self.assertEqual(
            entries[5].new_value, "line one\nline two\r\n\ttabbed \\N \\ back"
        )
        self.assertEqual(entries[7].new_value, "NUL\ufffdinside")
        self.assertFalse(entries[1].new_value)
        self._assert_encoded_as_canonical_value(rows, entries)

    def test_canonical_value_per_field_type(self):
        cases = [
            ("char", False, None),
            ("char", "", ""),
            ("text", None, None),
            ("boolean", False, False),
            ("integer", 0, 0),
            ("many2one", self.auditor, self.auditor.id),
            ("float", 3, 3.0),
            ("monetary", "12.50", 12.5),
            (
                "datetime",
                "2026-03-01 08:30:15.000001",
                datetime(2026, 3, 1, 8, 30, 15, 1),
            ),
            ("date", "2026-03-01", datetime(2026, 3, 1).date()),
        ]
        for field_type, value, expected in cases:
            with self.subTest(field_type=field_type, value=value):
                self.assertEqual(canonical_value(field_type, value), expected)
        self.assertNotEqual(content_hash([1, None]), content_hash([1, ""]))
        self.assertNotEqual(content_hash([1, "1"]), content_hash([1, 1]))

    def test_audited_values_of_every_field_type_verify(self):
        """Audited writes of char, selection, many2one, many2many, float, monetary,
        datetime and multi-line text values, sealed, read back: intact."""
        self._audit_rule(
            "res.partner",
            ["name", "type", "parent_id", "category_id", "partner_latitude"],
            reason_required=False,
            protected_field_names=[],
        )
        self._audit_rule(
            "purchase.order",
            ["partner_ref", "date_order", "amount_total", "notes", "state"],
            reason_required=False,
            protected_field_names=[],
        )
        category = self.env["res.partner.category"].create({"name": "Hospital 医院"})
        partner = self.env["res.partner"].create(
            {"name": "Clinic 😀", "type": "invoice", "partner_latitude": 0.1}
        )
        partner.write(
            {
                "category_id": [fields.Command.set(category.ids)],
                "parent_id": self.vendor.id,
                "partner_latitude": 1e-7,
                "name": "Clinic\nsecond line",
            }
        )
        order = self.env["purchase.order"].create(
            {
                "partner_id": self.vendor.id,
                "partner_ref": "",
                "order_line": [
                    fields.Command.create(
                        {
                            "product_id": self.product_lot.id,
                            "name": "Barrel",
                            "product_qty": 3,
                            "price_unit": 0.1,
                        }
                    )
                ],
            }
        )
        order.write(
            {
                "date_order": datetime(2026, 3, 1, 8, 30, 15, 999999),
                "notes": "<p>multi\nline 中文</p>",
            }
        )
        values = self._entries(partner).mapped("new_value")
        values += self._entries(order).mapped("new_value")
        self.assertIn(f"Hospital 医院 (#{category.id})", values)
        self.assertIn("Invoice Address", values)
        self.assertIn("1e-07", values)
        self.assertIn("Clinic\nsecond line", values)
        self.assertTrue(self._entries(order, field_name="amount_total"))
        self.Entry._med_seal()
        self.env.invalidate_all()
        self.assertFalse(self.Entry.verify_chain())

    def test_signature_without_comment_verifies(self):
        """A signature without comment hashed what the row stores (the entry of the
        signing once hashed "False" and stored "false")."""
        verification = self.env["med.audit.verification"].action_verify()
        signatures = verification.with_user(self.qa_manager)._med_sign("review", False)
        self.assertFalse(signatures.comment)
        signed = self._entries(verification, operation="sign")
        self.assertFalse(signed.reason)
        self.env["med.signature"]._med_seal()
        self.Entry._med_seal()
        self.env.invalidate_all()
        self.assertFalse(self.env["med.signature"].verify_chain())
        self.assertFalse(self.Entry.verify_chain())

    # -- sealing --
    def test_sealer_links_in_order_and_trigger_allows_only_that(self):
        entries = self.Entry.sudo()._med_chain_insert([self._row() for _i in range(3)])
        self.assertFalse(any(entries.mapped("chain_seq")))
        self.assertTrue(all(entries.mapped("content_hash")))
        head = self.env["med.audit.chain.head"].search(
            [("model", "=", "med.audit.entry")]
        )
        before = head.last_seq
        self.assertEqual(self.Entry._med_seal(), 3)
        self.env.invalidate_all()
        self.assertEqual(
            entries.mapped("chain_seq"), [before + 1, before + 2, before + 3]
        )
        self.assertEqual(entries[1].prev_hash, entries[0].entry_hash)
        self.assertEqual(
            entries[2].entry_hash,
            chain_hash(
                entries[2].chain_seq, entries[1].entry_hash, entries[2].content_hash
            ),
        )
        self.assertEqual(
            (head.last_seq, head.last_hash), (before + 3, entries[2].entry_hash)
        )
        unsealed = self.Entry.sudo()._med_chain_insert([self._row()])
        first = entries[0].id
        refused = [
            (
                "UPDATE med_audit_entry SET chain_seq = chain_seq + 1000 WHERE id = %s",
                [first],
            ),
            (
                "UPDATE med_audit_entry SET entry_hash = %s WHERE id = %s",
                [GENESIS_HASH, first],
            ),
            ("UPDATE med_audit_entry SET content_hash = 'x' WHERE id = %s", [first]),
            ("DELETE FROM med_audit_entry WHERE id = %s", [first]),
            ("TRUNCATE med_audit_entry CASCADE", []),
            # sealing and editing at once
            (
                "UPDATE med_audit_entry SET chain_seq = 999999999, prev_hash = 'a',"
                " entry_hash = 'b', new_value = 'forged' WHERE id = %s",
                [unsealed.id],
            ),
        ]
        for statement, params in refused:
            with self.subTest(statement=statement), mute_logger("odoo.sql_db"):
                with self.assertRaises(psycopg2.Error), self.env.cr.savepoint():
                    self.env.cr.execute(statement, params)

    # -- tampering --
    def test_forged_entries_detected(self):
        entries = self.Entry.sudo()._med_chain_insert([self._row() for _i in range(3)])
        self.Entry._med_seal()
        self._tamper(
            "med_audit_entry",
            "UPDATE med_audit_entry SET new_value = 'forged' WHERE id = %s",
            [entries[1].id],
        )
        self.assertEqual(self.Entry.verify_chain(), entries[1])
        self.env.cr.execute(
            "INSERT INTO med_audit_entry (timestamp, operation, res_model, new_value)"
            " VALUES (now(), 'write', 'stock.lot', 'slipped in') RETURNING id"
        )
        slipped = self.Entry.browse(self.env.cr.fetchone()[0])
        self.assertEqual(self.Entry.verify_chain(), entries[1] | slipped)
        self._tamper(
            "med_audit_entry",
            "DELETE FROM med_audit_entry WHERE id = %s",
            [entries[2].id],
        )
        verification = self.env["med.audit.verification"].action_verify()
        self.assertEqual(verification.state, "broken")
        self.assertIn("removed", verification.problem_note)

    def _rewrite_whole_chain(self):
        """A consistent rewrite by a database owner: the first sealed entry edited,
        every content and chain hash after it recomputed, the head updated."""
        cr = self.env.cr
        head = self.env["med.audit.chain.head"]._med_head(self.Entry)
        columns = ", ".join(self.Entry._med_hash_columns())
        cr.execute(
            f"SELECT {columns}, chain_seq FROM med_audit_entry "
            "WHERE chain_seq IS NOT NULL ORDER BY chain_seq"
        )
        rows = cr.dictfetchall()
        rows[0]["new_value"] = "rewritten"
        prev, updates = head["genesis"], []
        for row in rows:
            row_hash = self.Entry._med_content_hash(row)
            link = chain_hash(row["chain_seq"], prev, row_hash)
            updates.append((row["id"], row["new_value"], row_hash, prev, link))
            prev = link
        self._tamper(
            "med_audit_entry",
            "UPDATE med_audit_entry entry SET new_value = v.new_value,"
            " content_hash = v.content_hash, prev_hash = v.prev, entry_hash = v.link"
            " FROM unnest(%s::int[], %s::text[], %s::varchar[], %s::varchar[],"
            " %s::varchar[]) AS v(id, new_value, content_hash, prev, link)"
            " WHERE entry.id = v.id",
            [list(column) for column in zip(*updates, strict=True)],
        )
        cr.execute(
            "UPDATE med_audit_chain_head SET last_hash = %s WHERE model = %s",
            [prev, "med.audit.entry"],
        )
        return self.Entry.browse(rows[0]["id"])

    def test_consistent_rewrite_caught_by_checkpoint(self):
        self.Entry.sudo()._med_chain_insert([self._row() for _i in range(2)])
        self.Entry._med_seal()
        checkpoint = self.env["med.audit.checkpoint"]._med_create("manual")
        self.assertTrue(checkpoint.chain_intact)
        self.assertFalse(self.Entry.verify_chain())
        self._rewrite_whole_chain()
        checkpointed = self.Entry.search([("chain_seq", "=", checkpoint.entry_seq)])
        self.assertEqual(self.Entry.verify_chain(), checkpointed)
        verification = self.env["med.audit.verification"].action_verify()
        self.assertEqual(verification.state, "broken")
        self.assertIn("rewritten", verification.problem_note)
        # without the file outside the database, the rewrite would pass
        os.remove(checkpoint.file_path)
        self.assertFalse(self.Entry.verify_chain())
        verification = self.env["med.audit.verification"].action_verify()
        self.assertIn("missing or changed", verification.problem_note)

    def test_incremental_verification_from_last_good_checkpoint(self):
        entries = self.Entry.sudo()._med_chain_insert([self._row() for _i in range(2)])
        self.Entry._med_seal()
        self.env["med.audit.checkpoint"]._med_create("manual")
        later = self.Entry.sudo()._med_chain_insert([self._row()])
        self.Entry._med_seal()
        result = self.Entry._med_verify(incremental=True)
        self.assertEqual(result["count"], 1)  # only what came after the checkpoint
        self._tamper(
            "med_audit_entry",
            "UPDATE med_audit_entry SET reason = 'edited' WHERE id = ANY(%s)",
            [[entries[0].id, later.id]],
        )
        self.assertEqual(self.Entry.verify_chain(incremental=True), later)
        self.assertEqual(self.Entry.verify_chain(), entries[0] | later)

    def test_entries_left_unsealed_reported(self):
        self.env["ir.config_parameter"].set_param(
            "med_audit_export.seal_delay_minutes", 30
        )
        late = self.Entry.sudo()._med_chain_insert(
            [self._row(timestamp=fields.Datetime.now() - timedelta(hours=1))]
        )
        self.Entry.sudo()._med_chain_insert([self._row()])
        verification = self.env["med.audit.verification"].action_verify()
        self.assertEqual(verification.state, "unsealed")
        self.assertEqual(verification.late_entry_count, 1)
        self.assertIn("30 minutes", verification.problem_note)
        self.assertEqual(self.Entry._med_verify()["late"], late.ids)
        self.Entry._med_seal()
        self.assertEqual(
            self.env["med.audit.verification"].action_verify().state, "intact"
        )

    # -- checkpoints --
    def test_checkpoint_file_mail_and_offline_timestamp(self):
        url = f"http://127.0.0.1:{closed_port()}/tsa"
        self.env["ir.config_parameter"].set_param("med_audit_export.tsa_url", url)
        action = (
            self.env["med.audit.checkpoint"]
            .with_user(self.compliance_admin)
            .action_create_now()
        )
        checkpoint = self.env["med.audit.checkpoint"].browse(action["res_id"])
        self.assertEqual(checkpoint.origin, "manual")
        self.assertTrue(checkpoint.file_path.startswith(self.folder))
        with open(checkpoint.file_path, encoding="utf-8") as file:
            content = json.load(file)
        head = self.env["med.audit.chain.head"]._med_head(self.Entry)
        stream = content["streams"]["med.audit.entry"]
        self.assertEqual(
            (stream["seq"], stream["hash"]), (head["last_seq"], head["last_hash"])
        )
        self.assertEqual(
            content["database_uuid"],
            self.env["ir.config_parameter"].get_param("database.uuid"),
        )
        self.assertIn("unreachable", checkpoint.timestamp_message)
        self.assertFalse(checkpoint.timestamp_token)
        mail = self.env["mail.mail"].search([("subject", "like", checkpoint.name)])
        self.assertIn(self.compliance_admin.partner_id, mail.recipient_ids)
        self.assertEqual(mail.attachment_ids.mapped("name"), [checkpoint.name])
        with open(checkpoint.file_path, "rb") as file:
            self.assertEqual(mail.attachment_ids.raw, file.read())

    def test_checkpoint_on_demand_only_for_compliance_admins(self):
        Checkpoint = self.env["med.audit.checkpoint"]
        count = Checkpoint.search_count([])
        with self.assertRaises(AccessError):
            Checkpoint.with_user(self.auditor).action_create_now()
        with self.assertRaises(AccessError):
            Checkpoint.with_user(self.qa_manager).action_create_now()
        self.assertEqual(Checkpoint.search_count([]), count)
        self.assertFalse(os.listdir(self.folder))
        Checkpoint.with_user(self.compliance_admin).action_create_now()
        self.assertEqual(Checkpoint.search_count([]), count + 1)
        with self.assertRaises(UserError):
            Checkpoint.search([], limit=1).write({"chain_intact": False})

    def test_verification_refused_to_roles_that_do_not_audit(self):
        Verification = self.env["med.audit.verification"]
        count = Verification.search_count([])
        for user in (self.warehouse, self.purchase, self.inspector):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    Verification.with_user(user).action_verify()
                with self.assertRaises(AccessError):
                    self.Entry.with_user(user).verify_chain()
                with self.assertRaises(AccessError):
                    self.env["med.signature"].with_user(user).verify_chain()
        self.assertEqual(Verification.search_count([]), count)
        self.assertEqual(
            Verification.with_user(self.auditor).action_verify().state, "intact"
        )
