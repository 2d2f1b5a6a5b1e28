from odoo.tests import Form, tagged

from odoo.addons.med_lot_trace.tests.test_extension_hooks import extend_hook

from .common import MedCapaCommon


@tagged("post_install", "-at_install")
class TestCapaExtensionHooks(MedCapaCommon):
    def test_capa_opened_from_nonconformances_is_what_its_hook_prepares(self):
        lot = self._lot(self.barrel, "BRL-NC-HOOK", 100)
        form = Form(self.Nonconformance.with_user(self.inspector))
        form.description = "Scratched barrels on line 2"
        form.source = "audit"
        form.product_id = lot.product_id
        form.lot_ids.add(lot)
        record = form.save()
        title = "Barrel scratches: supplier process"
        with extend_hook(self.Nonconformance, "_prepare_capa_vals", {"title": title}):
            action = record.with_user(self.qa_manager).action_open_capa()
        capa = self.Capa.browse(action["res_id"])
        self.assertEqual(capa.title, title)
        self.assertEqual(capa.nonconformance_ids, record)  # super's values kept
        self.assertEqual(capa.lot_ids, lot)
