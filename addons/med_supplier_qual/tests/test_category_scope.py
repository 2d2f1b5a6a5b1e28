from .common import SupplierQualCommon


class TestCategoryScope(SupplierQualCommon):
    """A category QA marks without GxP relevance holds no devices: its tracked
    products need no batch release, as they need no supplier qualification."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Category = cls.env["product.category"]
        cls.office = Category.create({"name": "Office supplies"})
        cls.office_paper = Category.create(
            {"name": "Paper", "parent_id": cls.office.id}
        )

    def _tracked(self, category, name):
        return self.env["product.product"].create(
            {
                "name": name,
                "is_storable": True,
                "tracking": "lot",
                "categ_id": category.id,
            }
        )

    def test_exempt_category_and_its_subcategories_need_no_release(self):
        binder = self._tracked(self.office_paper, "Lot-numbered binder")
        self.assertTrue(binder.med_release_required, "relevant until QA decides")
        self.office.with_user(self.qa_manager).action_med_gate_exempt()
        self.assertFalse(binder.med_release_required)
        later = self._tracked(self.office_paper, "Lot-numbered folder")
        self.assertFalse(later.med_release_required)
        lot = self.env["stock.lot"].create({"name": "BND-1", "product_id": later.id})
        self.assertEqual(lot.med_state, "released")
        self.office.with_user(self.qa_manager).action_med_gate_relevant()
        self.assertTrue(binder.med_release_required)
        self.assertTrue(later.med_release_required)

    def test_device_category_keeps_release(self):
        self.office.with_user(self.qa_manager).action_med_gate_exempt()
        syringe = self._tracked(self.device_category, "Syringe 10 ml")
        self.assertTrue(syringe.med_release_required)
        lot = self.env["stock.lot"].create({"name": "SYR-X1", "product_id": syringe.id})
        self.assertEqual(lot.med_state, "quarantine")
