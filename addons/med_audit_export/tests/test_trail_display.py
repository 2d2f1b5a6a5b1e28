"""The audit trail as its reader reads it: labels and values in the reader's language
(the stored, hashed values stay as written), exported as the list shows it, and
reached from the record's own form."""

import base64
import io

import openpyxl
from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import MedAuditCommon


@tagged("post_install", "-at_install")
class TestTrailDisplay(MedAuditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.other_lot = cls.env["stock.lot"].create(
            {"name": "BRL-2611-OTHER", "product_id": cls.product_lot.id}
        )
        # a selection field: the trail stores its English label
        cls._audit_rule("res.partner", ["type"], reason_required=False)
        cls.vendor.write({"type": "invoice"})
        cls.lot.with_context(med_reason="label reprinted").write({"ref": "R-1"})
        cls.env.flush_all()

    def _zh(self, records):
        return records.with_context(lang="zh_CN")

    def _type_entry(self):
        return self._entries(self.vendor, field_name="type")

    def test_selection_and_label_in_the_readers_language(self):
        entry = self._type_entry()
        self.assertEqual(entry.new_value, "Invoice Address", "stored as written")
        type_field = self.env["res.partner"]._fields["type"]
        zh_env = self._zh(self.env["res.partner"]).env
        zh_label = type_field._description_string(zh_env)
        zh_invoice = dict(type_field._description_selection(zh_env))["invoice"]
        self.assertNotEqual(zh_invoice, "Invoice Address", "zh_CN is loaded")
        shown = self._zh(entry)
        self.assertEqual(shown.field_label_shown, zh_label)
        self.assertEqual(shown.new_value_shown, zh_invoice)
        self.assertIn(zh_invoice, shown.summary)
        # in English, as stored; the hashed values are untouched by reading
        self.assertEqual(
            entry.with_context(lang="en_US").new_value_shown, "Invoice Address"
        )
        self.assertEqual(shown.new_value, "Invoice Address")

    def test_value_the_field_no_longer_offers_shown_as_stored(self):
        translate = self.Entry._med_display_translator()
        self.assertEqual(
            translate("res.partner", "type", "Address Type", "Gone", "Invoice Address"),
            ("Address Type", "Gone", "Invoice Address"),
        )
        self.assertEqual(
            translate("no.such.model", "x", "Old Label", "a", ""),
            ("Old Label", "a", ""),
        )

    def test_export_rows_in_the_readers_language(self):
        Export = self._zh(self.env["med.audit.export"])
        rows = list(Export._med_iter_entry_rows([("id", "=", self._type_entry().id)]))
        zh_entry = self._zh(self._type_entry())
        shown = (
            zh_entry.field_label_shown,
            zh_entry.old_value_shown,
            zh_entry.new_value_shown,
        )
        # after the times (local, UTC), user, operation, model, record id and name
        self.assertEqual(rows[0][7:10], shown)
        self.assertNotEqual(shown[2], zh_entry.new_value, "translated, not as stored")

    def test_list_export_takes_the_lists_search(self):
        """Opened from the Audit Trail list (its Export button), the wizard exports
        the entries the list shows, and says so in the reader's words."""
        domain = [("res_model", "=", "stock.lot"), ("operation", "=", "write")]
        wizard = Form(
            self.env["med.audit.export.wizard"]
            .with_user(self.auditor)
            .with_context(active_model="med.audit.entry", active_domain=domain)
        ).save()
        # as the auditor's list shows them (record rules applied)
        expected = self.Entry.with_user(self.auditor).search(domain)
        self.assertEqual(wizard.entry_count, len(expected))
        self.assertGreaterEqual(len(expected), 1)
        action = wizard.action_export()
        export = self.env["med.audit.export"].search([], limit=1)
        self.assertIn(str(export.attachment_id.id), action["url"])
        self.assertEqual(export.record_count, len(expected))
        self.assertIn("Operation = Write", export.filter_description)
        sheet = openpyxl.load_workbook(
            io.BytesIO(base64.b64decode(export.attachment_id.datas))
        ).active
        values = {cell for row in sheet.iter_rows(values_only=True) for cell in row}
        self.assertIn("label reprinted", values)
        self.assertNotIn("BRL-2611-OTHER", values, "created only: not in the search")

    def test_list_export_refuses_a_domain_that_is_none(self):
        Export = self.env["med.audit.export"]
        before = Export.search([])
        wizard = self.env["med.audit.export.wizard"].create(
            {"entry_domain": "[('no_such_field', '=', 1)]"}
        )
        with self.assertRaisesRegex(UserError, "filter cannot be exported"):
            wizard.action_export()
        self.assertEqual(Export.search([]), before, "nothing exported")

    def test_record_picked_by_name_not_by_technical_id(self):
        wizard = Form(self.env["med.audit.export.wizard"].with_user(self.auditor))
        wizard.record_ref = f"stock.lot,{self.lot.id}"
        wizard = wizard.save()
        self.assertEqual(
            self.Entry.search(wizard._med_domain()),
            self._entries(self.lot).sorted("id", reverse=True),
        )
        self.assertIn(self.lot.display_name, wizard._med_filter_description())

    def test_audit_trail_button_on_audited_forms_only(self):
        def form_buttons(model):
            arch = self.env[model].with_user(self.auditor).get_views([(False, "form")])
            tree = etree.fromstring(arch["views"]["form"]["arch"])
            return tree.xpath("//button[@name='action_med_open_audit_trail']")

        self.assertTrue(form_buttons("stock.lot"))
        self.assertTrue(form_buttons("res.partner"))
        self.assertFalse(form_buttons("res.country"), "not audited: no button")
        # a role outside the auditor's group is not offered the trail
        arch = (
            self.env["stock.lot"].with_user(self.warehouse).get_views([(False, "form")])
        )
        self.assertNotIn("action_med_open_audit_trail", arch["views"]["form"]["arch"])

        action = self.lot.with_user(self.auditor).action_med_open_audit_trail()
        entries = self.Entry.with_user(self.auditor).search(action["domain"])
        self.assertEqual(entries, self._entries(self.lot).with_user(self.auditor))
        self.assertIn(self.lot.name, action["display_name"])

    def test_reason_prompt_in_the_users_language(self):
        user = self.warehouse
        user.lang = "zh_CN"
        lot = self.lot.with_user(user).with_context(lang="zh_CN")
        zh_label = self.env["stock.lot"]._fields["ref"]._description_string(lot.env)
        zh_model = (
            self.env["ir.model"].with_context(lang="zh_CN")._get("stock.lot").name
        )
        self.assertNotEqual(zh_model, "Lot/Serial", "zh_CN is loaded")
        with self.assertRaises(UserError) as caught:
            lot.write({"ref": "R-2"})
        message = str(caught.exception)
        self.assertIn(zh_label, message)
        self.assertIn(zh_model, message)
        self.assertNotIn("Lot/Serial", message)
        self.assertEqual(self.lot.ref, "R-1", "nothing changed")
