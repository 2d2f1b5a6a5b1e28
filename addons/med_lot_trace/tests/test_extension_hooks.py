from unittest.mock import patch

from odoo.tests import tagged

from .common import MedGenealogyCommon


def extend_hook(model, name, extra):
    """What an addon's override of hook ``name`` does: super's values plus
    ``extra``. Patched on the registry's class of ``model``, as long as the
    context lasts."""
    cls = type(model)
    original = getattr(cls, name)

    def override(records, *args, **kwargs):
        return dict(original(records, *args, **kwargs), **extra)

    return patch.object(cls, name, override)


@tagged("post_install", "-at_install")
class TestExtensionHooks(MedGenealogyCommon):
    """The release and the hold write what their ``_prepare_*_vals`` hooks return:
    an integrator extends the hook, not a copy of the flow."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the signing counts failures from a cursor of its own
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)

    def test_release_writes_what_its_hook_prepares(self):
        lot = self._lot(self.barrel, "HOOK-REL-1", 10, released=False)
        Lot = self.env["stock.lot"]
        with extend_hook(Lot, "_prepare_med_release_vals", {"ref": "released-ext"}):
            action = lot.with_user(self.qa_manager).action_med_release()
            self._sign(action, self.qa_manager)
        self.assertEqual(lot.med_state, "released")
        self.assertEqual(lot.ref, "released-ext")
        other = self._lot(self.barrel, "HOOK-REL-2", 10, released=False)
        self._sign(
            other.with_user(self.qa_manager).action_med_release(), self.qa_manager
        )
        self.assertEqual(other.med_state, "released")
        self.assertFalse(other.ref)  # without the override: the suite's values only

    def test_hold_writes_what_its_hook_prepares(self):
        lot = self._lot(self.barrel, "HOOK-HOLD-1")
        Lot = self.env["stock.lot"]
        with extend_hook(Lot, "_prepare_med_hold_vals", {"ref": "held-ext"}):
            lot.with_context(med_reason="test")._med_put_on_hold("manual", "Damaged")
        self.assertEqual(
            (lot.med_state, lot.med_hold_source, lot.med_hold_reason, lot.ref),
            ("hold", "manual", "Damaged", "held-ext"),
        )
