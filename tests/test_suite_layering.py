"""Cross-addon checks: the four addons are installed and layered as PRODUCT.md says."""

import re

from odoo.tests import TransactionCase, tagged

LAYERS = ["med_audit_export", "med_lot_trace", "med_supplier_qual", "med_capa"]


@tagged("post_install", "-at_install")
class TestSuiteLayering(TransactionCase):
    def _module(self, name):
        return self.env["ir.module.module"].search([("name", "=", name)])

    def test_all_addons_installed(self):
        for name in LAYERS:
            self.assertEqual(self._module(name).state, "installed", name)

    def test_each_addon_depends_only_on_lower_layers(self):
        for position, name in enumerate(LAYERS):
            depends = set(self._module(name).dependencies_id.mapped("name"))
            ours = {dep for dep in depends if dep.startswith("med_")}
            self.assertLessEqual(ours, set(LAYERS[:position]), name)
            if position:
                self.assertTrue(ours, f"{name} must build on a lower addon")

    def test_manifest_versions_and_license(self):
        for name in LAYERS:
            module = self._module(name)
            self.assertRegex(
                module.installed_version, re.compile(r"^18\.0\.\d+\.\d+\.\d+$")
            )
            self.assertEqual(module.license, "AGPL-3")
