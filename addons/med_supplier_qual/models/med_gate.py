from odoo import api, models

from odoo.addons.med_lot_trace.models.med_gate import Gate

NAMED_DOCUMENTS = 5


class MedGate(models.AbstractModel):
    _inherit = "med.gate"

    @api.model
    def _med_gates(self):
        gates = super()._med_gates()
        gates["supplier"] = Gate(
            self.env._("Supplier Gates"),
            "med_supplier_gate_mode",
            "_med_refusal_supplier",
        )
        gates["customer"] = Gate(
            self.env._("Customer Licence Check"),
            "med_customer_gate_mode",
            "_med_refusal_customer",
        )
        gates["first_operation"] = Gate(
            self.env._("First-Operation Approvals"),
            "med_first_operation_gate_mode",
            "_med_refusal_first_operation",
        )
        return gates

    @api.model
    def _med_refusal_first_operation(self, findings, subject):
        if not subject:
            subject = self.env._(
                "%(documents)s cannot be confirmed.",
                documents=self._med_document_names(findings),
            )
        refusal = self.env._(
            "First-operation approval missing:\n%(messages)s",
            messages=self._med_listed(findings),
        )
        return f"{subject}\n{refusal}"

    @api.model
    def _med_refusal_supplier(self, findings, subject):
        if not subject:
            subject = self.env._(
                "Receipt %(documents)s cannot be done.",
                documents=self._med_document_names(findings),
            )
        refusal = self.env._(
            "Supplier qualification check failed:\n%(messages)s",
            messages=self._med_listed(findings),
        )
        return f"{subject}\n{refusal}"

    @api.model
    def _med_refusal_customer(self, findings, subject):
        if not subject:
            subject = self.env._(
                "Delivery %(documents)s cannot be done.",
                documents=self._med_document_names(findings),
            )
        refusal = self.env._(
            "Customer qualification check failed:\n%(messages)s",
            messages=self._med_listed(findings),
        )
        return f"{subject}\n{refusal}"

    @api.model
    def _med_document_names(self, findings):
        names = []
        for finding in findings:
            if finding.document.display_name not in names:
                names.append(finding.document.display_name)
        if len(names) > NAMED_DOCUMENTS:
            names = names[:NAMED_DOCUMENTS] + ["…"]
        return ", ".join(names)

    @api.model
    def _med_open_documents(self, company):
        orders = self.env["purchase.order"].search(
            [
                ("company_id", "=", company.id),
                ("state", "in", ("draft", "sent", "to approve")),
            ]
        )
        quotations = self.env["sale.order"].search(
            [("company_id", "=", company.id), ("state", "in", ("draft", "sent"))]
        )
        return super()._med_open_documents(company) + [orders, quotations]
