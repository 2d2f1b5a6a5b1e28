from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        result = super()._action_done()
        for picking in self.filtered(lambda p: p.picking_type_code == "incoming"):
            picking._med_tell_receipt_outcome()
        return result

    def _med_tell_receipt_outcome(self):
        """Tell the warehouse user, on the receipt and on screen, which received lots
        wait in quarantine and which inspections were created for them."""
        self.ensure_one()
        lots = self.move_line_ids.lot_id
        quarantined = lots.filtered(lambda lot: lot.med_state == "quarantine")
        # sudo: the inspections the receipt triggered, whatever the warehouse user
        # may read of quality control; only their references are told.
        inspections = self.sudo().qc_inspections_ids.filtered(
            lambda inspection: inspection.state not in ("canceled", "plan")
        )
        if not quarantined and not inspections:
            return
        none = self.env._("none")
        # Each lot with where it was put: with segregation, the quarantine location.
        placed = [
            "{} ({})".format(
                lot.name,
                ", ".join(
                    self.move_line_ids.filtered(
                        lambda line, lot=lot: line.lot_id == lot
                    ).location_dest_id.mapped("display_name")
                ),
            )
            for lot in quarantined
        ]
        message = self.env._(
            "Lots in quarantine until QA releases them: %(lots)s. Inspections "
            "created: %(inspections)s.",
            lots=", ".join(placed) or none,
            inspections=", ".join(inspections.mapped("name")) or none,
        )
        self.message_post(body=message)
        self.env.user._bus_send(
            "simple_notification",
            {
                "type": "warning" if quarantined else "info",
                "title": self.env._("%(receipt)s received", receipt=self.name),
                "message": message,
                "sticky": bool(quarantined),
            },
        )
