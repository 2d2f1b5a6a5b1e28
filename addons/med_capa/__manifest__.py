{
    "name": "Medical Device Compliance: Nonconformance and CAPA",
    "summary": "Nonconformance and CAPA opened by rules, closed with a signature",
    "version": "18.0.1.0.0",
    "category": "Manufacturing/Quality",
    "website": "https://github.com/med-compliance/odoo-med-compliance",
    "author": "Medical Device Compliance Suite contributors",
    "license": "AGPL-3",
    "depends": ["med_lot_trace", "med_supplier_qual", "quality_control_stock_oca"],
    "data": ["security/med_capa_groups.xml", "security/ir.model.access.csv"],
}
