from odoo.tests import new_test_user

from odoo.addons.base.tests.common import BaseCommon

ROLE_GROUPS = {
    "warehouse": "med_audit_export.group_med_warehouse",
    "purchase": "med_audit_export.group_med_purchase",
    "inspector": "med_audit_export.group_med_qa_inspector",
    "qa_manager": "med_audit_export.group_med_qa_manager",
    "auditor": "med_audit_export.group_med_auditor",
    "compliance_admin": "med_audit_export.group_med_compliance_admin",
}


class MedComplianceCommon(BaseCommon):
    """One test user per compliance role, named after the role."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for role, group in ROLE_GROUPS.items():
            user = new_test_user(
                cls.env, login=f"med_{role}", groups=group, tz="Asia/Shanghai"
            )
            setattr(cls, role, user)
        cls.product_lot = cls.env["product.product"].create(
            {"name": "Syringe barrel 5 ml", "is_storable": True, "tracking": "lot"}
        )
        cls.vendor = cls.env["res.partner"].create({"name": "Barrel Supplier Co."})
