from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import MedComplianceCommon


@tagged("post_install", "-at_install")
class TestProtectedCreate(MedComplianceCommon):
    """Protected fields hold at create too: values, ``default_*`` context keys,
    copy and name_create; trusted code sets them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["med.audit.rule"].create(
            {
                "name": "Partner tags",
                "model": "res.partner.category",
                "field_names": ["name", "active", "parent_id"],
                "protected_field_names": ["active", "parent_id"],
            }
        )
        cls.Tag = cls.env["res.partner.category"]
        cls.parent = cls.Tag.create({"name": "Hospitals"})

    def test_create_with_initial_values_allowed(self):
        tag = self.Tag.create({"name": "Clinic", "active": True, "parent_id": False})
        self.assertTrue(tag.active)
        self.assertFalse(tag.parent_id)

    def test_create_with_protected_value_refused(self):
        count = self.Tag.search_count([])
        for vals in ({"active": False}, {"parent_id": self.parent.id}):
            with self.assertRaisesRegex(UserError, "not when the record is created"):
                self.Tag.create(dict(vals, name="Forged"))
        self.assertEqual(self.Tag.search_count([]), count)

    def test_context_default_of_protected_field_ignored(self):
        tag = self.Tag.with_context(
            default_active=False, default_parent_id=self.parent.id
        ).create({"name": "Clinic"})
        self.assertTrue(tag.active)
        self.assertFalse(tag.parent_id)
        quick_id, __ = self.Tag.with_context(
            default_parent_id=self.parent.id
        ).name_create("Pharmacy")
        self.assertFalse(self.Tag.browse(quick_id).parent_id)

    def test_forged_marker_in_context_refused(self):
        with self.assertRaisesRegex(UserError, "not when the record is created"):
            self.Tag.with_context(med_protected_write=True).create(
                {"name": "Forged", "parent_id": self.parent.id}
            )

    def test_copy_starts_from_initial_values(self):
        child = (
            self.Tag._med_protected_write()
            .create({"name": "Clinic", "parent_id": self.parent.id})
            .with_env(self.env)
        )
        self.assertEqual(child.parent_id, self.parent)  # trusted code sets it
        self.assertFalse(child.copy().parent_id)
        with self.assertRaisesRegex(UserError, "not when the record is created"):
            child.copy({"parent_id": self.parent.id})

    def test_write_of_protected_field_refused(self):
        tag = self.Tag.create({"name": "Clinic"})
        with self.assertRaisesRegex(UserError, "can only be changed"):
            tag.write({"parent_id": self.parent.id})
        self.assertFalse(tag.parent_id)
