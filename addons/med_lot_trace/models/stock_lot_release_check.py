from odoo import api, models

from .med_release_check import PENDING_STATES


class StockLot(models.Model):
    """The release checks' results block the release: the checks of every addon
    (``med.release.check``) run again on the lots first, so the answer is current."""

    _name = "stock.lot"
    _inherit = "stock.lot"

    def write(self, vals):
        result = super().write(vals)
        if "expiration_date" in vals:
            # A corrected expiry changes what the expiry check finds.
            self.env["med.release.result"]._med_reconcile(self._med_pending_lots(self))
        return result

    def _med_release_checks(self):
        """The failed checks that block (see ``med.release.result.
        _med_blocking_reason``) block the release of lots waiting for it."""
        blocking = super()._med_release_checks()
        pending = self._med_pending_lots(self)
        if not pending:
            return blocking
        self.env["med.release.result"]._med_reconcile(pending)
        # sudo: every failed check blocks, whoever releases.
        results = (
            self.env["med.release.result"]
            .sudo()
            .search(
                [
                    ("lot_id", "in", pending.ids),
                    ("state", "=", "fail"),
                    ("check_id.active", "=", True),
                ]
            )
        )
        for result in results:
            reason = result._med_blocking_reason()
            if reason:
                lot = result.lot_id.with_env(self.env)
                blocking.setdefault(lot, []).append(reason)
        return blocking

    @api.model
    def _med_pending_lots(self, lots):
        return lots.filtered(lambda lot: lot.med_state in PENDING_STATES)

    def _med_reconcile_with_descendants(self):
        """Run the checks again on these lots and the lots made from them that wait
        for release (a finding on a component counts for them)."""
        lots = self | self.browse(self.sudo()._med_trace_ids("downstream"))
        self.env["med.release.result"]._med_reconcile(self._med_pending_lots(lots))
