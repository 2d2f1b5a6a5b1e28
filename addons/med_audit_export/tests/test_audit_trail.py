from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import MedAuditCommon


@tagged("post_install", "-at_install")
class TestAuditTrail(MedAuditCommon):
    def test_create_logged_with_values(self):
        entries = self._entries(self.lot, operation="create")
        self.assertEqual(
            entries.mapped("field_name"),
            ["product_id"],
            "only non-empty audited fields",
        )
        self.assertEqual(
            entries.new_value,
            f"{self.product_lot.display_name} (#{self.product_lot.id})",
        )
        self.assertTrue(entries.content_hash)  # the chain links it after commit

    def test_write_with_reason_logged(self):
        lot = self.lot.with_user(self.warehouse).with_context(med_reason="Supplier CoA")
        before = fields.Datetime.now() - timedelta(seconds=2)
        lot.write({"ref": "CoA-2026-118"})
        entry = self._entries(self.lot, operation="write")
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.field_name, "ref")
        self.assertEqual(entry.field_label, "Internal Reference")
        self.assertEqual((entry.old_value, entry.new_value), ("", "CoA-2026-118"))
        self.assertEqual(entry.user_id, self.warehouse)
        self.assertEqual(entry.reason, "Supplier CoA")
        self.assertGreaterEqual(entry.timestamp, before)
        self.assertEqual(entry.res_name, "BRL-2611-001")
        self.assertEqual(entry.company_id, self.lot.company_id or self.env.company)

    def test_pending_changes_visible_to_a_search_of_the_trail(self):
        self.lot.with_context(med_reason="no flush").write({"ref": "PENDING"})
        entries = self.Entry.search(
            [("res_id", "=", self.lot.id), ("new_value", "=", "PENDING")]
        )
        self.assertEqual(len(entries), 1)

    def test_write_without_reason_refused_and_nothing_changed(self):
        with self.assertRaisesRegex(UserError, "Internal Reference"):
            self.lot.with_user(self.warehouse).write({"ref": "NO-REASON"})
        self.assertFalse(self.lot.ref)
        self.assertFalse(self._entries(self.lot, operation="write"))

    def test_blank_reason_refused(self):
        with self.assertRaisesRegex(UserError, "reason"):
            self.lot.with_context(med_reason="   ").write({"ref": "X"})
        self.assertFalse(self.lot.ref)

    def test_unaudited_field_needs_no_reason(self):
        self.lot.with_user(self.warehouse).write({"name": "BRL-2611-001A"})
        self.assertEqual(self.lot.name, "BRL-2611-001A")
        self.assertFalse(self._entries(self.lot, operation="write"))

    def test_two_writes_in_one_transaction_logged_apart(self):
        self.lot.with_context(med_reason="first").write({"ref": "A"})
        self.lot.with_user(self.warehouse).with_context(med_reason="second").write(
            {"ref": "B"}
        )
        entries = self._entries(self.lot, operation="write")
        self.assertEqual(
            [(e.old_value, e.new_value, e.reason) for e in entries],
            [("", "A", "first"), ("A", "B", "second")],
        )
        self.assertEqual(entries[1].user_id, self.warehouse)

    def test_unchanged_value_not_logged(self):
        self.lot.with_context(med_reason="same").write({"ref": "A"})
        self.lot.with_context(med_reason="same again").write({"ref": "A"})
        self.assertEqual(len(self._entries(self.lot, operation="write")), 1)

    def test_relational_value_by_name_and_id(self):
        other = self.env["product.product"].create(
            {"name": "Plunger 5 ml", "is_storable": True, "tracking": "lot"}
        )
        self.lot.with_context(med_reason="wrong product").write(
            {"product_id": other.id}
        )
        entry = self._entries(self.lot, operation="write")
        self.assertEqual(
            entry.old_value, f"Syringe barrel 5 ml (#{self.product_lot.id})"
        )
        self.assertEqual(entry.new_value, f"Plunger 5 ml (#{other.id})")

    def test_batch_write_is_one_insert_whatever_the_size(self):
        def queries_for(count):
            lots = self.env["stock.lot"].create(
                [
                    {"name": f"Q{count}-{i}", "product_id": self.product_lot.id}
                    for i in range(count)
                ]
            )
            self.env.flush_all()
            start = self.env.cr.sql_log_count
            lots.with_context(med_reason="batch").write({"ref": f"batch-{count}"})
            self.env.flush_all()
            return self.env.cr.sql_log_count - start

        # below the COPY threshold, where every statement goes through the cursor
        self.assertEqual(queries_for(2), queries_for(40))

    def test_large_batch_appended_by_copy_intact(self):
        lots = self.env["stock.lot"].create(
            [
                {"name": f"COPY-{i}", "product_id": self.product_lot.id}
                for i in range(120)
            ]
        )
        awkward = "tab\there\nnew line \\ back\\slash \\N 中文"
        lots.with_context(med_reason="bulk\tfix").write({"ref": awkward})
        entries = self._entries(lots, operation="write")
        self.assertEqual(len(entries), 120)
        self.assertEqual(set(entries.mapped("new_value")), {awkward})
        self.assertEqual(set(entries.mapped("reason")), {"bulk\tfix"})
        self.assertFalse(self.Entry.verify_chain())
        # control characters the fast path joins rows with: each value escaped alone
        separators = "unit\x1fseparator record\x1eseparator"
        lots.with_context(med_reason="bulk fix").write({"ref": separators})
        entries = self._entries(lots, operation="write") - entries
        self.assertEqual(set(entries.mapped("new_value")), {separators})
        self.assertEqual(set(entries.mapped("old_value")), {awkward})
        self.assertFalse(self.Entry.verify_chain())

    def test_stored_compute_recomputed_at_flush_is_logged(self):
        """Stored computed fields change at flush, without write(): still audited."""
        # An upper addon may ship a partner rule already: set it to these fields.
        self._audit_rule(
            "res.partner",
            ["parent_id", "commercial_partner_id"],
            protected_field_names=[],
        )
        company = self.env["res.partner"].create(
            {"name": "Hospital Group", "is_company": True}
        )
        contact = self.env["res.partner"].create({"name": "Dr. Li"})
        contact.with_context(med_reason="joined hospital").write(
            {"parent_id": company.id}
        )
        entries = self._entries(contact, operation="write")
        by_field = {e.field_name: e for e in entries}
        self.assertIn("commercial_partner_id", by_field)
        recomputed = by_field["commercial_partner_id"]
        # relational values are named as they are now, with their id
        self.assertTrue(recomputed.old_value.endswith(f"(#{contact.id})"))
        self.assertEqual(recomputed.new_value, f"Hospital Group (#{company.id})")
        self.assertEqual(recomputed.reason, "joined hospital")

    def test_many2many_logged(self):
        user = self.warehouse
        group = self.env.ref("med_audit_export.group_med_qa_inspector")
        user.with_context(med_reason="trained").write({"groups_id": [(4, group.id)]})
        entries = self._entries(user, operation="write", field_name="groups_id")
        granted = entries.filtered(
            lambda e: "QA Inspector" in e.new_value
            and "QA Inspector" not in e.old_value
        )
        self.assertEqual(len(granted), 1)
        self.assertEqual(granted.reason, "trained")

    def test_unlink_logged(self):
        self.env["med.audit.rule"].create(
            {"name": "Tags", "model": "res.partner.category"}
        )
        tag = self.env["res.partner.category"].create({"name": "Implant buyer"})
        tag.with_context(med_reason="duplicate tag").unlink()
        entries = self.Entry.search(
            [("res_model", "=", "res.partner.category"), ("res_id", "=", tag.id)]
        )
        deletion = entries.filtered(lambda e: e.operation == "unlink")
        self.assertIn("name", deletion.mapped("field_name"))
        self.assertEqual(deletion[0].reason, "duplicate tag")
        self.assertEqual(deletion[0].res_name, "Implant buyer")

    def test_protected_field_refused_directly_allowed_to_code(self):
        self.lot_rule.with_context(med_reason="test").write(
            {"protected_field_names": ["note"]}
        )
        with self.assertRaisesRegex(UserError, "Description"):
            self.lot.with_context(med_reason="x", med_protected_write=True).write(
                {"note": "<p>released</p>"}
            )
        self.assertFalse(self.lot.note)
        self.lot.with_context(med_reason="released by QA")._med_protected_write().write(
            {"note": "<p>released</p>"}
        )
        self.assertEqual(self.lot.note, "<p>released</p>")

    def test_timestamp_utc_shown_in_user_timezone(self):
        self.lot.with_context(med_reason="tz").write({"ref": "TZ"})
        entry = self._entries(self.lot, operation="write").with_user(self.auditor)
        stored = entry.read(["timestamp"])[0]["timestamp"]
        self.assertLess(abs(stored - fields.Datetime.now()), timedelta(minutes=1))
        local = fields.Datetime.context_timestamp(entry, stored)
        self.assertEqual(local.utcoffset(), timedelta(hours=8))  # Asia/Shanghai


@tagged("post_install", "-at_install")
class TestAuditRules(MedAuditCommon):
    def test_unknown_model_refused(self):
        with self.assertRaisesRegex(ValidationError, "no.such.model"):
            self.env["med.audit.rule"].create({"name": "X", "model": "no.such.model"})

    def test_unknown_field_refused(self):
        with self.assertRaisesRegex(ValidationError, "no_such_field"):
            self.env["med.audit.rule"].create(
                {"name": "X", "model": "res.country", "field_names": ["no_such_field"]}
            )
        self.assertFalse(
            self.env["med.audit.rule"].search([("model_name", "=", "res.country")])
        )

    def test_audit_models_cannot_be_audited(self):
        with self.assertRaisesRegex(ValidationError, "med.audit.entry"):
            self.env["med.audit.rule"].create({"name": "X", "model": "med.audit.entry"})

    def test_rule_changes_are_audited(self):
        self.lot_rule.with_context(med_reason="tighten").write({"log_unlink": False})
        entry = self._entries(self.lot_rule, operation="write", field_name="log_unlink")
        self.assertEqual((entry.old_value, entry.new_value), ("True", "False"))

    def test_archived_rule_stops_auditing(self):
        self.lot_rule.with_context(med_reason="pilot over").action_archive()
        self.lot.write({"ref": "after archive"})
        self.assertFalse(self._entries(self.lot, operation="write", field_name="ref"))
