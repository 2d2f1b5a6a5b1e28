from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import MedCapaCommon


@tagged("post_install", "-at_install")
class TestCapaRule(MedCapaCommon):
    def test_rule_without_action_refused(self):
        form = Form(self.Rule.with_user(self.qa_manager))
        form.name = "Does nothing"
        form.trigger = "inspection_failed"
        with (
            self.assertRaisesRegex(ValidationError, "does nothing"),
            self.env.cr.savepoint(),
        ):
            form.save()
        self.assertFalse(self.Rule.search([("name", "=", "Does nothing")]))
        with (
            self.assertRaisesRegex(ValidationError, "does nothing"),
            self.env.cr.savepoint(),
        ):
            self.rule_inspection.write(
                {
                    "open_nonconformance": False,
                    "open_capa": False,
                    "hold_lots": False,
                    "compute_recall_scope": False,
                    "notify_group_ids": [(5, 0, 0)],
                }
            )
        self.assertTrue(self.rule_inspection.open_capa)

    def test_rule_with_one_action_allowed(self):
        form = Form(self.Rule.with_user(self.qa_manager))
        form.name = "Tell the plant manager"
        form.trigger = "inspection_failed"
        form.notify_user_ids.add(self.qa_manager_2)
        rule = form.save()
        lot = self._lot(self.barrel, "BRL-NOTIFY", 10)
        inspection = self._fail(self._inspect_lot(lot))
        # the default rule opened the CAPA; this one tells on the inspection
        self.assertTrue(self._records("med.capa", lot))
        activity = inspection.activity_ids.filtered(
            lambda a: a.user_id == self.qa_manager_2
        )
        self.assertIn(rule.name, activity.summary)

    def test_supplier_filter(self):
        other = self.env["res.partner"].create({"name": "Other Supplier"})
        self.rule_inspection.partner_ids = other
        self._trigger_on(self.stock_warehouse.in_type_id, self.barrel, "after")
        refused = self._receive(self.barrel, "BRL-SUP-1", 10)
        self._fail(refused.qc_inspections_ids)
        self.assertFalse(self._records("med.capa", refused.move_line_ids.lot_id))
        allowed = self._receive(self.barrel, "BRL-SUP-2", 10, partner=other)
        self._fail(allowed.qc_inspections_ids)
        capa = self._records("med.capa", allowed.move_line_ids.lot_id)
        self.assertEqual(capa.partner_id, other)

    def test_category_filter_includes_subcategories(self):
        sterile = self.env["product.category"].create({"name": "Sterile components"})
        barrels = self.env["product.category"].create(
            {"name": "Barrels", "parent_id": sterile.id}
        )
        self.rule_inspection.categ_ids = sterile
        refused = self._lot(self.plunger, "PLG-CAT", 10)
        self._fail(self._inspect_lot(refused))
        self.assertFalse(self._records("med.capa", refused))
        self.barrel.categ_id = barrels
        allowed = self._lot(self.barrel, "BRL-CAT", 10)
        self._fail(self._inspect_lot(allowed))
        self.assertTrue(self._records("med.capa", allowed))

    def test_severity_filter(self):
        self.rule_inspection.min_severity = "critical"
        refused = self._lot(self.barrel, "BRL-SEV-1", 10)
        self._fail(self._inspect_lot(refused))
        self.assertFalse(self._records("med.capa", refused))
        self.rule_inspection.severity = "critical"
        allowed = self._lot(self.barrel, "BRL-SEV-2", 10)
        self._fail(self._inspect_lot(allowed))
        self.assertEqual(self._records("med.capa", allowed).severity, "critical")

    def test_rule_of_another_company_does_not_apply(self):
        other = self.env["res.company"].create({"name": "Syringe Plant 2"})
        self.rule_inspection.company_id = other
        lot = self._lot(self.barrel, "BRL-CO", 10)
        self._fail(self._inspect_lot(lot))
        self.assertFalse(self._records("med.capa", lot))
        self.rule_inspection.company_id = self.env.company
        lot_2 = self._lot(self.barrel, "BRL-CO-2", 10)
        self._fail(self._inspect_lot(lot_2))
        self.assertTrue(self._records("med.capa", lot_2))

    def test_rule_changes_are_audited(self):
        self.rule_inspection.with_user(self.qa_manager).hold_lots = False
        entry = self.env["med.audit.entry"].search(
            [
                ("res_model", "=", "med.capa.rule"),
                ("res_id", "=", self.rule_inspection.id),
                ("field_name", "=", "hold_lots"),
            ]
        )
        self.assertEqual((entry.old_value, entry.new_value), ("True", "False"))
        self.assertEqual(entry.user_id, self.qa_manager)
