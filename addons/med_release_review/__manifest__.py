{
    "name": "Medical Device Compliance: Release Review by Exception",
    "summary": "Production and quality data reconciled per lot; a cockpit to release "
    "the green lots with one signature each",
    "version": "18.0.1.5.0",
    "category": "Manufacturing/Quality",
    "website": "https://github.com/med-compliance/odoo-med-compliance",
    "author": "Medical Device Compliance Suite contributors",
    "license": "AGPL-3",
    "depends": ["med_capa", "mrp"],
    "external_dependencies": {"python": ["openupgradelib"]},
    "data": [
        "security/ir.model.access.csv",
        "data/med_audit_rule_data.xml",
        "wizards/med_release_batch_views.xml",
        "views/med_release_check_views.xml",
        "views/med_release_result_views.xml",
        "views/stock_lot_views.xml",
        "views/med_release_review_menus.xml",
    ],
    "demo": ["demo/med_release_review_demo.xml"],
    "post_init_hook": "post_init_hook",
    "assets": {
        "web.assets_tests": ["med_release_review/static/tests/tours/*.js"],
    },
}
