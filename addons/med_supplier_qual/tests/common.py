import base64
from datetime import timedelta

from odoo import fields
from odoo.tests import Form

from odoo.addons.med_audit_export.tests.common import MedComplianceCommon

SCAN = base64.b64encode(b"%PDF-1.4 certificate scan")


class SupplierQualCommon(MedComplianceCommon):
    """A qualified device maker (approved, licences verified, on the approved supplier
    list), a medical device it supplies and a component that needs no registration."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the signature wizard counts failures from a cursor of its own
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)
        # Dates as the users and the company see them: Asia/Shanghai.
        cls.env.company.partner_id.tz = "Asia/Shanghai"
        # The demo warehouse segregates; the gates are tested without a quarantine
        # location, Odoo's default.
        cls.env.ref("stock.warehouse0").med_quarantine_location_id = False
        cls.today = fields.Date.context_today(
            cls.env["res.partner"].with_user(cls.purchase)
        )
        cls.device_category = cls.env.ref(
            "med_supplier_qual.product_category_medical_device"
        )
        cls.device = cls.env["product.product"].create(
            {
                "name": "Sterile syringe 5 ml",
                "is_storable": True,
                "tracking": "lot",
                "categ_id": cls.device_category.id,
            }
        )
        cls.manufacturer_tag = cls.env.ref(
            "med_supplier_qual.partner_category_device_manufacturer"
        )
        cls.vendor.write(
            {"is_company": True, "category_id": [(6, 0, cls.manufacturer_tag.ids)]}
        )
        cls.licence = cls._certificate(cls.vendor, "business_licence", "91320500-BL")
        cls.production_licence = cls._certificate(
            cls.vendor, "production_licence", "苏食药监械生产许20150012号"
        )
        cls.registration = cls._certificate(
            cls.vendor, "registration", "国械注准20153150001", products=cls.device
        )
        cls._qualify(cls.vendor, cls.product_lot | cls.device)

    @classmethod
    def _type(cls, code):
        return cls.env["med.certificate.type"].search([("code", "=", code)])

    @classmethod
    def _certificate(cls, partner, code, number, expiry=None, verified=True, **extra):
        products = extra.pop("products", None)
        vals = {
            "partner_id": partner.id,
            "type_id": cls._type(code).id,
            "number": number,
            "issuer": extra.pop("issuer", "江苏省药品监督管理局"),
            "issue_date": extra.pop("issue_date", cls.today - timedelta(days=400)),
            "expiry_date": expiry or cls.today + timedelta(days=700),
            "attachment_ids": [
                (
                    0,
                    0,
                    {
                        "name": f"{number}.pdf",
                        "datas": SCAN,
                        "mimetype": "application/pdf",
                    },
                )
            ],
        }
        if products:
            vals["product_ids"] = [(6, 0, products.ids)]
        vals.update(extra)
        certificate = cls.env["med.supplier.certificate"].create(vals)
        if verified:
            certificate.with_user(cls.qa_manager)._med_do_verify()
        return certificate

    @classmethod
    def _qualify(cls, partner, products, company=None):
        """Approve the supplier and list it for the products."""
        partner._med_set_supplier_state("approved", "test setup")
        return cls.env["med.approved.supplier"].create(
            [
                {
                    "partner_id": partner.id,
                    "product_id": product.id,
                    "date_start": cls.today - timedelta(days=365),
                    "company_id": (company or cls.env.company).id,
                }
                for product in products
            ]
        )

    def _order(self, products, partner=None, user=None, date_order=None):
        form = Form(self.env["purchase.order"].with_user(user or self.purchase))
        form.partner_id = partner or self.vendor
        if date_order:
            form.date_order = date_order
        for product in products:
            with form.order_line.new() as line:
                line.product_id = product
                line.product_qty = 10
        return form.save()
