from odoo import api, fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    med_availability_note = fields.Text(
        string="Why Not Reserved",
        compute="_compute_med_availability_note",
        help="For a delivery waiting for stock: the lots in stock that may not be "
        "shipped (not released, on hold, expired), which reservation skips.",
    )

    @api.depends("state", "move_ids.quantity", "move_ids.product_uom_qty")
    def _compute_med_availability_note(self):
        now = fields.Datetime.now()
        labels = dict(
            self.env["stock.lot"]._fields["med_state"]._description_selection(self.env)
        )
        for picking in self:
            lines = []
            short = picking.move_ids.filtered(
                lambda m: m.state in ("confirmed", "waiting", "partially_available")
                and m._med_for_customer()
                and m.product_id.tracking != "none"
                and m.quantity < m.product_uom_qty
            )
            for move in short:
                quants = self.env["stock.quant"].search(
                    [
                        ("product_id", "=", move.product_id.id),
                        ("location_id", "child_of", move.location_id.id),
                        ("lot_id", "!=", False),
                        ("quantity", ">", 0),
                    ]
                )
                blocked = quants.filtered(
                    lambda q: q.lot_id.med_state != "released"
                    or (q.lot_id.expiration_date and q.lot_id.expiration_date < now)
                )
                lots = [
                    self.env._(
                        "%(lot)s (%(status)s, %(quantity)s %(unit)s)",
                        lot=quant.lot_id.name,
                        status=labels[quant.lot_id.med_state]
                        if quant.lot_id.med_state != "released"
                        else self.env._("expired"),
                        quantity=f"{quant.quantity:g}",
                        unit=quant.product_uom_id.name,
                    )
                    for quant in blocked
                ]
                if lots:
                    lines.append(
                        self.env._(
                            "%(product)s: only released, unexpired lots are reserved "
                            "for customers. In stock but not shippable: %(lots)s.",
                            product=move.product_id.display_name,
                            lots=", ".join(lots),
                        )
                    )
            picking.med_availability_note = "\n".join(lines)

    def button_validate(self):
        # In warn mode the user sees every gate's warnings first, in one window;
        # every mode is enforced when the moves are done.
        Gate = self.env["med.gate"]
        warnings = Gate._med_warnings_to_confirm(self._med_gate_findings())
        if warnings:
            return Gate._med_confirm_action(
                warnings, resume="button_validate", records=self
            )
        return super().button_validate()

    def _med_gate_findings(self, dry_run=False):
        return self.move_ids._med_gate_findings(dry_run=dry_run)
