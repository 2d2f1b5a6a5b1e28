from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

EXPORT_LABELS = [
    _lt("Type"),
    _lt("Customer"),
    _lt("Location"),
    _lt("Product"),
    _lt("Lot/Serial"),
    _lt("Quantity"),
    _lt("Unit"),
    _lt("Last Delivery (UTC)"),
    _lt("Documents"),
]


def default_selected_lots(model, values, fields_list):
    """``values`` (defaults of ``model``) with the lots selected where the action
    was opened, as ``lot_ids``. An action bound to stock.lot that is also on a menu
    cannot name active_* in its own context: the client cannot evaluate it there."""
    context = model.env.context
    if (
        "lot_ids" in fields_list
        and "lot_ids" not in values
        and context.get("active_model") == "stock.lot"
        and context.get("active_ids")
    ):
        values["lot_ids"] = [Command.set(context["active_ids"])]
    return values


class MedLotRecallSimulate(models.TransientModel):
    """Shows what a recall of lots would reach: the lots made from them, the quantities
    shipped per customer and lot, and what is still on hand, per location."""

    _name = "med.lot.recall.simulate"
    _description = "Recall Simulation"

    lot_ids = fields.Many2many("stock.lot", string="Lots to Recall", required=True)
    line_ids = fields.One2many("med.lot.recall.simulate.line", "wizard_id")
    delivered_line_ids = fields.One2many(
        "med.lot.recall.simulate.line",
        "wizard_id",
        domain=[("line_type", "=", "delivered")],
    )
    on_hand_line_ids = fields.One2many(
        "med.lot.recall.simulate.line",
        "wizard_id",
        domain=[("line_type", "=", "on_hand")],
    )
    scope_lot_ids = fields.Many2many(
        "stock.lot", "med_lot_recall_simulate_scope_rel", string="Lots in Scope"
    )
    customer_count = fields.Integer(compute="_compute_counts")
    lot_count = fields.Integer(compute="_compute_counts")
    simulated = fields.Boolean(readonly=True)

    @api.model
    def default_get(self, fields_list):
        return default_selected_lots(
            self, super().default_get(fields_list), fields_list
        )

    @api.depends("line_ids", "scope_lot_ids")
    def _compute_counts(self):
        for wizard in self:
            wizard.customer_count = len(wizard.delivered_line_ids.partner_id)
            wizard.lot_count = len(wizard.scope_lot_ids)

    def action_simulate(self):
        self.ensure_one()
        if not self.lot_ids:
            raise UserError(self.env._("Choose the lots to recall."))
        scope = self.lot_ids.med_recall_scope()
        self.write(
            {
                "scope_lot_ids": [Command.set(scope["lots"].ids)],
                "line_ids": [Command.clear()]
                + [Command.create(vals) for vals in self._med_line_vals(scope)],
                "simulated": True,
            }
        )
        self.lot_ids._med_log_event(
            "recall_simulation",
            details=self.env._(
                "%(lots)s lots in scope, %(customers)s customers, "
                "%(stock)s quants on hand",
                lots=len(scope["lots"]),
                customers=len(scope["customers"]),
                stock=len(scope["on_hand"]),
            ),
        )
        return self._med_reopen()

    @api.model
    def _med_line_vals(self, scope):
        delivered = defaultdict(
            lambda: {"quantity": 0.0, "dates": [], "documents": set()}
        )
        for line in scope["delivered_move_lines"]:
            partner = line.med_partner_id
            key = (
                partner.id,
                line.lot_id.id,
                line.product_id.id,
                line.product_uom_id.id,
            )
            delivered[key]["quantity"] += line.quantity
            delivered[key]["dates"].append(line.date)
            delivered[key]["documents"].add(line.reference or "")
        vals = [
            {
                "line_type": "delivered",
                "partner_id": partner_id,
                "lot_id": lot_id,
                "product_id": product_id,
                "uom_id": uom_id,
                "quantity": values["quantity"],
                "date_last": max(values["dates"]),
                "documents": ", ".join(sorted(values["documents"])),
            }
            for (partner_id, lot_id, product_id, uom_id), values in delivered.items()
        ]
        on_hand = defaultdict(float)
        for quant in scope["on_hand"]:
            key = (
                quant.location_id.id,
                quant.lot_id.id,
                quant.product_id.id,
                quant.product_uom_id.id,
            )
            on_hand[key] += quant.quantity
        vals += [
            {
                "line_type": "on_hand",
                "location_id": location_id,
                "lot_id": lot_id,
                "product_id": product_id,
                "uom_id": uom_id,
                "quantity": quantity,
            }
            for (location_id, lot_id, product_id, uom_id), quantity in on_hand.items()
        ]
        return vals

    def _med_reopen(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Recall Simulation"),  # the dialog's title
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _med_export(self, file_format):
        self.ensure_one()
        if not self.simulated:
            self.action_simulate()
        Export = self.env["med.audit.export"]
        types = dict(
            self.line_ids._fields["line_type"]._description_selection(self.env)
        )
        rows = (
            [
                types[line.line_type],
                line.partner_id.display_name or "",
                line.location_id.display_name or "",
                line.product_id.display_name,
                line.lot_id.name,
                line.quantity,
                line.uom_id.name or line.product_id.uom_id.name,
                fields.Datetime.to_string(line.date_last) or "",
                line.documents or "",
            ]
            for line in self.line_ids
        )
        lots = ", ".join(self.lot_ids.mapped("name"))
        data = {
            "title": self.env._("Recall Scope"),
            "filter_description": self.env._("Lots: %(lots)s", lots=lots),
        }
        labels = [str(label) for label in EXPORT_LABELS]
        content = Export._med_render_table(file_format, data, labels, rows)
        export = Export._med_record_export(
            data["title"],
            file_format,
            content,
            data["filter_description"],
            len(self.line_ids),
        )
        return export.action_download()

    def action_export_xlsx(self):
        return self._med_export("xlsx")

    def action_export_csv(self):
        return self._med_export("csv")
