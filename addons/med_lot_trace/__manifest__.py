{
    "name": "Medical Device Compliance: Lot Traceability and Release",
    "summary": "Lot genealogy, recall scope, expiry control, batch release, UDI",
    "version": "18.0.1.0.0",
    "category": "Manufacturing/Quality",
    "website": "https://github.com/med-compliance/odoo-med-compliance",
    "author": "Medical Device Compliance Suite contributors",
    "license": "AGPL-3",
    "depends": ["med_audit_export", "product_expiry", "mrp"],
    "data": [
        "security/ir.model.access.csv",
        "data/med_audit_rule_data.xml",
        "views/med_lot_recall_simulate_views.xml",
        "views/med_lot_genealogy_views.xml",
        "views/stock_lot_views.xml",
        "views/lot_status_views.xml",
        "views/med_gate_confirm_views.xml",
    ],
}
