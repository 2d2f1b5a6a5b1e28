{
    "name": "Medical Device Compliance: Open Integration",
    "summary": "Documented API, event automations (webhooks) and LIMS results import "
    "for the compliance suite",
    "version": "18.0.1.0.0",
    "category": "Manufacturing/Quality",
    "website": "https://github.com/med-compliance/odoo-med-compliance",
    "author": "Medical Device Compliance Suite contributors",
    "license": "AGPL-3",
    "depends": ["med_capa", "base_automation"],
    "external_dependencies": {"python": ["openpyxl"]},
    "data": [
        "security/ir.model.access.csv",
        "security/med_integration_security.xml",
        "data/base_automation_data.xml",
        "views/med_integration_event_views.xml",
        "views/qc_inspection_views.xml",
        "views/stock_lot_views.xml",
        "wizards/med_lims_import_wizard_views.xml",
        "views/med_integration_menus.xml",
    ],
}
