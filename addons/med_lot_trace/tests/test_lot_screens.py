"""What the lot screens show: device wording for the use-before date, a recall
simulation that says what it is and adds up only like with like, genealogy cards
with the lot's status."""

from lxml import etree

from odoo.tests import tagged

from .common import MedGenealogyCommon


@tagged("post_install", "-at_install")
class TestLotScreens(MedGenealogyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.body_lot = cls._lot(cls.body, "BODY-SCR", 20)
        cls.needle_lot = cls._lot(cls.needle, "NDL-SCR", 20)
        cls.syringe_lot = cls._produce(
            cls.bom_syringe, 10, "SYR-SCR", {cls.body_lot: 10, cls.needle_lot: 10}
        )

    def _arch(self, model, view_type, lang):
        views = (
            self.env[model]
            .with_context(lang=lang)
            .get_views([(False, view_type)])["views"]
        )
        return etree.fromstring(views[view_type]["arch"])

    def test_use_before_date_in_device_wording(self):
        for model, view_type in (("stock.lot", "form"), ("stock.lot", "list")):
            arch = self._arch(model, view_type, "zh_CN")
            field = arch.xpath("//field[@name='use_date']")[0]
            self.assertEqual(field.get("string"), "使用期限", (model, view_type))
            self.assertNotIn("食用", etree.tostring(arch, encoding="unicode"))
            english = self._arch(model, view_type, "en_US")
            self.assertEqual(
                english.xpath("//field[@name='use_date']")[0].get("string"),
                "Use Before Date",
            )
        product = self._arch("product.template", "form", "zh_CN")
        self.assertEqual(
            product.xpath("//label[@for='use_time']")[0].get("string"), "使用期限"
        )

    def test_recall_simulation_titled_and_not_summed_across_products(self):
        wizard = (
            self.env["med.lot.recall.simulate"]
            .with_user(self.warehouse)
            .create({"lot_ids": [(6, 0, self.body_lot.ids)]})
        )
        action = wizard.with_context(lang="zh_CN").action_simulate()
        self.assertEqual(action["name"], "召回模拟")
        lines = wizard.on_hand_line_ids
        self.assertGreater(len(lines.product_id), 1, "two products on hand")
        self.assertEqual(lines.mapped("uom_id"), lines.product_id.uom_id)
        arch = self._arch("med.lot.recall.simulate", "form", "en_US")
        for page in ("on_hand_line_ids", "delivered_line_ids"):
            quantity = arch.xpath(f"//field[@name='{page}']//field[@name='quantity']")
            self.assertFalse(quantity[0].get("sum"), f"{page}: no total of products")

    def test_genealogy_card_shows_the_lot_status(self):
        wizard = self.env["med.lot.genealogy"].create(
            {"lot_id": self.syringe_lot.id, "direction": "upstream"}
        )
        wizard.action_build()
        lines = wizard.line_ids.filtered("lot_id")
        self.assertTrue(lines)
        for line in lines:
            self.assertEqual(line.lot_state, line.lot_id.med_state)
        arch = self._arch("med.lot.genealogy.line", "hierarchy", "en_US")
        card = arch.xpath("//t[@t-name='hierarchy-box']")[0]
        self.assertTrue(card.xpath(".//field[@name='lot_state']"))
        self.assertFalse(card.xpath(".//*[contains(@class, 'o_hierarchy_node_body')]"))
