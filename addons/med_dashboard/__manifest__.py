{
    "name": "Medical Device Compliance: Dashboards",
    "summary": "Spreadsheet dashboards for the QA manager, the warehouse and the "
    "auditor: lots awaiting release, holds, NC and CAPA, certificates, recalls, "
    "complaints and the audit trail's verification",
    "version": "18.0.1.4.0",
    "category": "Manufacturing/Quality",
    "website": "https://github.com/med-compliance/odoo-med-compliance",
    "author": "Medical Device Compliance Suite contributors",
    "license": "AGPL-3",
    "depends": [
        "spreadsheet_dashboard",
        "med_capa",
        "med_recall",
        "med_equipment",
        "med_release_review",
    ],
    "data": [
        "data/spreadsheet_dashboard_data.xml",
        "views/med_dashboard_menus.xml",
    ],
}
