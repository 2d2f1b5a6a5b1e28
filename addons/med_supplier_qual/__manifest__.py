{
    "name": "Medical Device Compliance: Supplier Qualification",
    "summary": "Supplier certificates, approved supplier list, purchase gates",
    "version": "18.0.1.0.0",
    "category": "Manufacturing/Quality",
    "website": "https://github.com/med-compliance/odoo-med-compliance",
    "author": "Medical Device Compliance Suite contributors",
    "license": "AGPL-3",
    "depends": ["med_audit_export", "purchase_stock"],
    "data": ["security/ir.model.access.csv"],
}
