import base64

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import MedIntegrationCommon


@tagged("post_install", "-at_install")
class TestDataDictionary(MedIntegrationCommon):
    """The data dictionary follows the code and the configuration: a new field, a
    new audit setting or retention rule shows at once, with nothing to maintain."""

    def _row(self, model, name):
        return self.env["med.data.dictionary"].search(
            [("model", "=", model), ("name", "=", name)]
        )

    def test_suite_fields_with_labels_audit_and_reports(self):
        row = self._row("stock.lot", "med_state")
        # defined by med_lot_trace; upper addons add states (med_recall: recalled)
        self.assertEqual(row.modules.split(", ")[0], "med_lot_trace")
        self.assertEqual((row.label_en, row.ttype), ("Lot Status", "selection"))
        self.assertTrue(row.audited)
        self.assertTrue(row.meaning_en.startswith("Quarantine: waiting for release"))
        sections = self.env["stock.lot"].browse()._med_dossier_sections("lot_dossier")
        lots_label = next(s["label"] for s in sections if s["code"] == "lots")
        self.assertIn(f"/ {lots_label}", row.reports)
        self.assertIn("Audit trail", row.reports)
        # a wizard (transient model) is no GxP record
        self.assertFalse(
            self.env["med.data.dictionary"].search_count(
                [("model", "=", "med.lims.import.wizard")]
            )
        )

    def test_new_field_and_audit_setting_show_at_once(self):
        field = self.env["ir.model.fields"].create(
            {
                "model_id": self.env["ir.model"]._get_id("stock.lot"),
                "name": "x_sterilisation_batch",
                "field_description": "Sterilisation Batch",
                "ttype": "char",
                "state": "manual",
            }
        )
        self.assertFalse(self._row("stock.lot", "x_sterilisation_batch"))
        rule = self.env["med.audit.rule"].search([("model_name", "=", "stock.lot")])
        rule.with_context(med_reason="test").write(
            {"field_ids": [(4, field.id)], "reason_required": True}
        )
        row = self._row("stock.lot", "x_sterilisation_batch")
        self.assertEqual(row.label_en, "Sterilisation Batch")
        self.assertTrue(row.audited)
        self.assertTrue(row.reason_required)
        # a shipped rule is only extended: here by protecting the field
        self.assertFalse(row.protected)
        rule.with_context(med_reason="test").write(
            {"protected_field_ids": [(4, field.id)]}
        )
        row.invalidate_recordset()
        self.assertTrue(row.protected)

    def test_retention_rule_shows_at_once(self):
        row = self._row("med.capa", "title")
        before = row.retention or ""
        self.env["med.retention.rule"].create(
            {
                "name": "CAPA kept 15 years",
                "model_id": self.env["ir.model"]._get_id("med.capa"),
                "min_years": 15,
            }
        )
        row.invalidate_recordset()
        self.assertNotIn("CAPA kept 15 years", before)
        self.assertIn("CAPA kept 15 years", row.retention)
        self.assertIn("15 years from creation", row.retention)

    def test_auditor_exports_warehouse_refused(self):
        Dictionary = self.env["med.data.dictionary"].with_user(self.auditor)
        action = Dictionary.browse().action_export_csv()
        export = self.env["med.audit.export"].search(
            [("report_name", "=", "Data Dictionary")], order="id desc", limit=1
        )
        self.assertIn(str(export.attachment_id.id), action["url"])
        content = base64.b64decode(export.attachment_id.datas).decode("utf-8-sig")
        self.assertIn("stock.lot,Lot/Serial,", content)
        self.assertIn(",med_state,selection,Lot Status,", content)
        self.assertEqual(
            export.record_count,
            self.env["med.data.dictionary"].search_count([]),
        )
        with self.assertRaises(AccessError):
            self.env["med.data.dictionary"].with_user(self.warehouse).search_read(
                [], ["name"], limit=1
            )

    def test_views_open_for_their_roles(self):
        for model, user in (
            ("med.data.dictionary", self.auditor),
            ("med.integration.event", self.auditor),
            ("med.lims.import.wizard", self.inspector),
        ):
            views = (
                self.env[model]
                .with_user(user)
                .get_views([(False, "list"), (False, "form"), (False, "search")])
            )
            self.assertIn("form", views["views"], model)
        menu = self.env.ref("med_audit_export.med_data_dictionary_menu")
        self.assertIn(
            menu.id, self.env["ir.ui.menu"].with_user(self.auditor)._visible_menu_ids()
        )
        self.assertNotIn(
            menu.id,
            self.env["ir.ui.menu"].with_user(self.warehouse)._visible_menu_ids(),
        )
