from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged
from odoo.tools import SQL

from .common import MedCapaCommon


@tagged("post_install", "-at_install")
class TestQualityReports(MedCapaCommon):
    """The dashboards' views of nonconformances and CAPAs: counts per supplier,
    product, month and severity, ages from today, overdue actions."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_supplier = cls.env["res.partner"].create(
            {"name": "Kindly Rubber Co.", "is_company": True}
        )

    def _backdate(self, table, record, days, column):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET %s = %s WHERE id = %s",
                SQL.identifier(table),
                SQL.identifier(column),
                fields.Datetime.now() - timedelta(days=days),
                record.id,
            )
        )
        self.env.invalidate_all()

    def _nc(self, partner, product, severity, days_ago):
        nc = self.Nonconformance.with_user(self.inspector).create(
            {
                "description": "Burrs on the barrel tip",
                "source": "supplier",
                "severity": severity,
                "partner_id": partner.id,
                "product_id": product.id,
            }
        )
        self._backdate("med_nonconformance", nc, days_ago, "date")
        return nc

    def test_nc_trend_per_supplier_product_and_month(self):
        ncs = (
            self._nc(self.supplier, self.barrel, "major", 3)
            | self._nc(self.supplier, self.barrel, "minor", 40)
            | self._nc(self.supplier, self.plunger, "critical", 40)
            | self._nc(self.other_supplier, self.plunger, "major", 100)
        )
        Report = self.env["med.nc.trend.report"].with_user(self.auditor)
        domain = [("nonconformance_id", "in", ncs.ids)]
        per_supplier = Report.read_group(domain, ["age_days:avg"], ["partner_id"])
        self.assertEqual(
            {
                group["partner_id"][0]: group["partner_id_count"]
                for group in per_supplier
            },
            {self.supplier.id: 3, self.other_supplier.id: 1},
        )
        per_product = Report.read_group(domain, ["age_days:avg"], ["product_id"])
        self.assertEqual(
            {
                group["product_id"][0]: group["product_id_count"]
                for group in per_product
            },
            {self.barrel.id: 2, self.plunger.id: 2},
        )
        per_month = Report.read_group(
            domain, ["age_days:avg"], ["date:month"], lazy=False
        )
        self.assertEqual(sum(group["__count"] for group in per_month), 4)
        self.assertGreaterEqual(len(per_month), 2)  # 3, 40 and 100 days ago
        by_nc = {row.nonconformance_id: row for row in Report.search(domain)}
        self.assertEqual(
            [by_nc[nc].age_bucket for nc in ncs], ["0_7", "31_90", "31_90", "over_90"]
        )
        self.assertEqual([by_nc[nc].age_days for nc in ncs], [3, 40, 40, 100])
        self.assertTrue(all(row.is_open for row in by_nc.values()))
        self.assertEqual(by_nc[ncs[2]].severity, "critical")

    def test_dispositioned_nc_ages_until_its_disposition(self):
        nc = self._nc(self.supplier, self.barrel, "major", 30)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE med_nonconformance SET state = 'dispositioned',"
            " disposition_date = %s WHERE id = %s",
            (fields.Datetime.now() - timedelta(days=20), nc.id),
        )
        self.env.invalidate_all()
        row = self.env["med.nc.trend.report"].search(
            [("nonconformance_id", "=", nc.id)]
        )
        self.assertFalse(row.is_open)
        self.assertEqual(row.age_days, 10)

    def test_capa_age_and_overdue_actions(self):
        capa = self.Capa.with_user(self.qa_manager).create(
            {
                "title": "Burrs on barrels",
                "partner_id": self.supplier.id,
                "product_id": self.barrel.id,
                "severity": "critical",
                "action_ids": [
                    Command.create(
                        {
                            "name": "Replace mould cavity 3",
                            "user_id": self.inspector.id,
                            "date_deadline": "2999-01-01",
                        }
                    ),
                    Command.create(
                        {
                            "name": "Check the next receipts",
                            "user_id": self.inspector.id,
                            "date_deadline": "2999-01-01",
                        }
                    ),
                ],
            }
        )
        self._backdate("med_capa", capa, 45, "create_date")
        self._backdate("med_capa_action", capa.action_ids[0], 2, "date_deadline")
        Report = self.env["med.capa.age.report"].with_user(self.auditor)
        row = Report.search([("capa_id", "=", capa.id)])
        self.assertEqual(
            (row.age_days, row.age_bucket, row.is_open, row.overdue_action_count),
            (45, "31_90", True, 1),
        )
        self.assertEqual(
            row.overdue_action_count,
            len(capa.action_ids.filtered("is_overdue")),
        )
        (group,) = Report.read_group(
            [("capa_id", "=", capa.id)], ["overdue_action_count:sum"], ["severity"]
        )
        self.assertEqual(group["severity"], "critical")
        self.assertEqual(group["overdue_action_count"], 1)

    def test_warehouse_user_cannot_read_quality_reports(self):
        for model in ("med.nc.trend.report", "med.capa.age.report"):
            self.assertFalse(
                self.env[model].with_user(self.warehouse).has_access("read"), model
            )
            self.assertTrue(
                self.env[model].with_user(self.inspector).has_access("read"), model
            )
