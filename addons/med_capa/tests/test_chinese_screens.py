"""A Chinese user meets no English on the quality screens the suite depends on, and
the texts the suite writes into records are in the company's language."""

from odoo.tests import tagged

from .common import MedCapaCommon


@tagged("post_install", "-at_install")
class TestChineseScreens(MedCapaCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")

    def test_oca_quality_control_terms_in_chinese(self):
        """quality_control_oca ships no zh_CN: med_capa's i18n_extra does."""
        zh = self.env(context={"lang": "zh_CN"})
        menu = zh.ref("quality_control_oca.qc_inspection_menu")
        self.assertEqual(menu.name, "检验")
        Inspection = zh["qc.inspection"]
        states = dict(Inspection._fields["state"]._description_selection(zh))
        self.assertEqual(states["waiting"], "等待主管批准")
        self.assertEqual(states["failed"], "检验不合格")
        labels = Inspection.fields_get(["inspection_lines", "success"], ["string"])
        self.assertEqual(labels["inspection_lines"]["string"], "检验明细")
        form = Inspection.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("批准", form)
        self.assertNotIn('string="Approve"', form)
        # the lot's smart buttons of quality_control_stock_oca (their field labels)
        buttons = zh["stock.lot"].fields_get(
            ["done_inspections", "passed_inspections", "failed_inspections"], ["string"]
        )
        self.assertEqual(
            [label["string"] for label in buttons.values()],
            ["已完成的检验", "检验合格", "检验不合格"],
        )
        # English stays English
        self.assertEqual(menu.with_context(lang="en_US").name, "Inspections")

    def _failed_inspection_texts(self):
        self._trigger_on(self.stock_warehouse.in_type_id, self.barrel, "after")
        picking = self._receive(self.barrel, "BRL-LANG-1", 100)
        inspection = picking.qc_inspections_ids
        self._fail(inspection)
        nonconformance = self.Nonconformance.search(
            [("inspection_id", "=", inspection.id)]
        )
        self.assertTrue(nonconformance.capa_id)
        return nonconformance.description, nonconformance.capa_id.title

    def test_texts_written_in_the_company_language(self):
        """A Chinese company: the NC and CAPA read in Chinese, though the inspector
        and the QA manager who failed the inspection work in English."""
        self.env.company.partner_id.lang = "zh_CN"
        (self.inspector | self.qa_manager).write({"lang": "en_US"})
        description, title = self._failed_inspection_texts()
        self.assertIn("不合格", description)
        self.assertNotIn("failed for", description)
        rule_name = self.rule_inspection.with_context(lang="zh_CN").name
        self.assertTrue(title.startswith(rule_name), title)

    def test_texts_not_in_the_acting_users_language(self):
        self.env.company.partner_id.lang = "en_US"
        (self.inspector | self.qa_manager).write({"lang": "zh_CN"})
        description, title = self._failed_inspection_texts()
        self.assertIn("failed for", description)
        rule_name = self.rule_inspection.with_context(lang="en_US").name
        self.assertTrue(title.startswith(rule_name), title)
