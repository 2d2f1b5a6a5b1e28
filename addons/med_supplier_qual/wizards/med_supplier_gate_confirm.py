from odoo import api, fields, models


class MedSupplierGateConfirm(models.TransientModel):
    """In warn mode, the user confirms a purchase order or a receipt that breaks a
    supplier gate, or a delivery to a customer without a valid licence; the
    confirmation is recorded in the audit trail."""

    _name = "med.supplier.gate.confirm"
    _description = "Confirm a Supplier Gate Warning"

    purchase_order_ids = fields.Many2many("purchase.order")
    picking_ids = fields.Many2many("stock.picking")
    message = fields.Text(readonly=True)

    @api.model
    def _med_open(self, documents, messages, title=None):
        field = (
            "purchase_order_ids"
            if documents._name == "purchase.order"
            else "picking_ids"
        )
        wizard = self.create(
            {
                field: [fields.Command.set(documents.ids)],
                "message": "\n".join(f"- {message}" for message in messages),
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": title or self.env._("Supplier Qualification Warning"),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
            # Keeps the confirmations of other gates already given on the way here.
            "context": dict(self.env.context),
        }

    def action_confirm(self):
        self.ensure_one()
        documents = self.purchase_order_ids or self.picking_ids
        documents = documents.with_context(med_supplier_gate_confirmed=True)
        if self.purchase_order_ids:
            return documents.button_confirm()
        return documents.button_validate()
