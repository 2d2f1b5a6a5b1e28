"""Every user-facing term of every addon has a Chinese translation in its zh_CN.po.

The terms are read live from the installed code and data (as Odoo's export does), so
a new string without a translation fails here, not in front of a user.
"""

from pathlib import Path

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

ADDONS = Path(__file__).resolve().parent.parent / "addons"
SUITE = sorted(path.parent.name for path in ADDONS.glob("med_*/__manifest__.py"))


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def _live_terms(self, addon):
        reader = TranslationModuleReader(self.env.cr, modules=[addon])
        return {source for module, *_, source, _value, _comments in reader if source}

    def test_every_term_translated_to_chinese(self):
        self.assertIn("QA Manager", self._live_terms("med_audit_export"))
        for addon in SUITE:
            po = polib.pofile(str(ADDONS / addon / "i18n" / "zh_CN.po"))
            translated = {entry.msgid for entry in po if entry.msgstr.strip()}
            missing = sorted(self._live_terms(addon) - translated)
            self.assertFalse(
                missing, f"{addon}: untranslated, run setup/i18n.sh {addon}: {missing}"
            )

    def test_chinese_loaded_in_database(self):
        group = self.env.ref("med_audit_export.group_med_qa_manager")
        self.assertEqual(group.with_context(lang="zh_CN").name, "质量负责人")
        self.assertEqual(group.with_context(lang="en_US").name, "QA Manager")
