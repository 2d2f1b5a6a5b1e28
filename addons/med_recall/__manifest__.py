{
    "name": "Medical Device Compliance: Recalls",
    "summary": "Recall cases: frozen scope, signed launch, letters, returns, "
    "reconciliation, signed closure and authority reports",
    "version": "18.0.1.0.0",
    "category": "Manufacturing/Quality",
    "website": "https://github.com/med-compliance/odoo-med-compliance",
    "author": "Medical Device Compliance Suite contributors",
    "license": "AGPL-3",
    "depends": ["med_capa", "mail"],
    "data": [
        "security/ir.model.access.csv",
        "security/med_recall_security.xml",
        "data/ir_sequence_data.xml",
        "data/mail_activity_type_data.xml",
        "data/med_audit_rule_data.xml",
        "data/med_retention_rule_data.xml",
        "report/med_recall_reports.xml",
        "wizards/med_recall_recompute_views.xml",
        "views/med_recall_views.xml",
        "views/med_capa_views.xml",
        "views/stock_lot_views.xml",
        "views/med_recall_menus.xml",
    ],
    "demo": ["demo/med_recall_demo.xml"],
    "assets": {
        "web.assets_tests": ["med_recall/static/tests/tours/*.js"],
    },
}
