from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _med_consumption_violations(self, lines, now):
        """The rework order of a signed rework disposition takes its nonconforming
        lots into production although they are not released (that is what rework
        is for); an expired lot stays refused, and any other order still needs
        released lots."""
        nonconformance = self.raw_material_production_id.med_rework_nonconformance_id
        if not (
            nonconformance.state == "dispositioned"
            and nonconformance.disposition == "rework"
        ):
            return super()._med_consumption_violations(lines, now)
        reworked = lines.filtered(lambda line: line.lot_id in nonconformance.lot_ids)
        messages = super()._med_consumption_violations(lines - reworked, now)
        rule = self.env._("only unexpired lots are reworked")
        for lot in reworked.lot_id:
            if lot.expiration_date and lot.expiration_date < now:
                messages.append(
                    self.env._(
                        "%(lot)s has expired: %(rule)s",
                        lot=self._med_lot_label(lot),
                        rule=rule,
                    )
                )
        return messages
