"""Cross-addon checks: the four addons are installed and layered as PRODUCT.md says, and
every further addon of the suite builds on them."""

import re
from pathlib import Path

from odoo.tests import TransactionCase, tagged

LAYERS = ["med_audit_export", "med_lot_trace", "med_supplier_qual", "med_capa"]
ADDONS = Path(__file__).resolve().parent.parent / "addons"
SUITE = sorted(path.parent.name for path in ADDONS.glob("med_*/__manifest__.py"))
EXTENSIONS = [name for name in SUITE if name not in LAYERS]


@tagged("post_install", "-at_install")
class TestSuiteLayering(TransactionCase):
    def _module(self, name):
        return self.env["ir.module.module"].search([("name", "=", name)])

    def test_all_addons_installed(self):
        for name in SUITE:
            self.assertEqual(self._module(name).state, "installed", name)

    def test_each_addon_depends_only_on_lower_layers(self):
        for position, name in enumerate(LAYERS):
            depends = set(self._module(name).dependencies_id.mapped("name"))
            ours = {dep for dep in depends if dep.startswith("med_")}
            self.assertLessEqual(ours, set(LAYERS[:position]), name)
            if position:
                self.assertTrue(ours, f"{name} must build on a lower addon")

    def test_extensions_build_on_the_four_layers(self):
        # An addon beyond the four (recalls, equipment...) depends on the layers and on
        # Odoo, never the other way round: no layer depends on an extension.
        for name in EXTENSIONS:
            depends = set(self._module(name).dependencies_id.mapped("name"))
            self.assertTrue(depends & set(LAYERS), f"{name} must build on a layer")
        for name in LAYERS:
            depends = set(self._module(name).dependencies_id.mapped("name"))
            self.assertFalse(depends & set(EXTENSIONS), name)

    def test_manifest_versions_and_license(self):
        for name in SUITE:
            module = self._module(name)
            self.assertRegex(
                module.installed_version, re.compile(r"^18\.0\.\d+\.\d+\.\d+$")
            )
            self.assertEqual(module.license, "AGPL-3")
