from odoo import Command, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def button_validate(self):
        if not self.env.context.get("med_gate_confirmed"):
            violations = self.move_ids._med_gate_violations()
            if violations and all(m._med_gate_mode() == "warn" for m in violations):
                messages = [msg for msgs in violations.values() for msg in msgs]
                wizard = self.env["med.gate.confirm"].create(
                    {
                        "picking_ids": [Command.set(self.ids)],
                        "message": "\n".join(f"- {message}" for message in messages),
                    }
                )
                return {
                    "type": "ir.actions.act_window",
                    "name": self.env._("Lot Gate Warning"),
                    "res_model": "med.gate.confirm",
                    "res_id": wizard.id,
                    "view_mode": "form",
                    "target": "new",
                    # confirmations of other gates given before this one hold on
                    "context": dict(self.env.context),
                }
        return super().button_validate()
