from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import MedAuditCommon


@tagged("post_install", "-at_install")
class TestRetention(MedAuditCommon):
    def _age(self, record, years):
        self.env.flush_all()
        self.env.cr.execute(
            f"UPDATE {record._table} SET create_date = now() - interval '{years} years'"
            " WHERE id = %s",
            [record.id],
        )
        record.invalidate_recordset(["create_date"])

    def test_lot_inside_nmpa_period_cannot_be_deleted(self):
        lot = self.env["stock.lot"].create(
            {"name": "KEEP-1", "product_id": self.product_lot.id}
        )
        with self.assertRaisesRegex(UserError, "KEEP-1: kept until"):
            lot.unlink()
        self.assertTrue(lot.exists())

    def test_lot_past_its_period_can_be_deleted(self):
        lot = self.env["stock.lot"].create(
            {"name": "OLD-1", "product_id": self.product_lot.id}
        )
        self._age(lot, 6)
        lot.unlink()
        self.assertFalse(lot.exists())

    def test_permanent_rule_and_date_field_rule(self):
        tags = self.env["res.partner.category"]
        rule = self.env["med.retention.rule"].create(
            {
                "name": "Implant customers forever",
                "model_id": self.env["ir.model"]._get_id("res.partner.category"),
                "domain": "[('name', 'ilike', 'implant')]",
                "permanent": True,
            }
        )
        implant, other = tags.create([{"name": "Implant"}, {"name": "Gloves"}])
        with self.assertRaisesRegex(UserError, "permanently"):
            implant.unlink()
        other.unlink()
        rule.write({"permanent": False, "min_years": 1})
        self._age(implant, 2)
        implant.unlink()
        self.assertFalse(implant.exists())

    def test_negative_period_refused(self):
        with self.assertRaises(ValidationError):
            self.env["med.retention.rule"].create(
                {
                    "name": "bad",
                    "model_id": self.env["ir.model"]._get_id("stock.lot"),
                    "min_years": -1,
                }
            )

    def test_uninstall_refused_while_entries_are_kept(self):
        self.lot.with_context(med_reason="entry").write({"ref": "E"})
        module = self.env.ref("base.module_med_audit_export")
        with self.assertRaisesRegex(UserError, "Audit Trail Entry"):
            module.button_uninstall()
        self.assertEqual(module.state, "installed")

    def test_uninstall_of_unrelated_module_allowed(self):
        # A leaf module that Odoo installs with mail and that holds no GxP record:
        # only its removal is planned.
        module = self.env.ref("base.module_mail_bot")
        self.assertEqual(module.state, "installed")
        module.button_uninstall()
        self.assertEqual(module.state, "to remove")
