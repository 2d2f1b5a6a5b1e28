{
    "name": "Medical Device Compliance: Audit Trail and Evidence Exports",
    "summary": "GxP roles, tamper-evident audit trail, electronic signatures and "
    "evidence exports for medical-device makers and distributors",
    "version": "18.0.1.0.0",
    "category": "Manufacturing/Quality",
    "website": "https://github.com/med-compliance/odoo-med-compliance",
    "author": "Medical Device Compliance Suite contributors",
    "license": "AGPL-3",
    "depends": ["mail", "stock", "purchase", "report_xlsx"],
    "data": [
        "security/med_audit_export_groups.xml",
        "security/ir.model.access.csv",
    ],
    "demo": ["demo/res_users_demo.xml"],
    "application": True,
}
