from odoo import fields, models
from odoo.exceptions import UserError


class MedReleaseBatch(models.TransientModel):
    """Release the selected lots in one go: one password entry, one signature per
    lot (meaning Release), signed by ``_med_sign_with_credentials`` of
    med_audit_export's signable mixin. Lots that may not be released (an open
    exception, segregation of duties) are left in quarantine and reported; a wrong
    password releases nothing."""

    _name = "med.release.batch"
    _description = "Release Lots in a Batch"

    lot_ids = fields.Many2many("stock.lot", string="Lots", required=True)
    login = fields.Char(string="Your Login")
    login_required = fields.Boolean(
        default=lambda self: self.env["med.signable.mixin"]._med_first_signing(),
        readonly=True,
        help="The first signature of a session asks for the login too.",
    )
    password = fields.Char()
    comment = fields.Text()
    # Shown as in the signature dialog of a lot: who signs, and the failures so far.
    signer_name = fields.Char(default=lambda self: self.env.user.name, readonly=True)
    signer_login = fields.Char(default=lambda self: self.env.user.login, readonly=True)
    failed_attempts = fields.Integer(
        default=lambda self: self.env.user.sudo().med_sign_failures,
        readonly=True,
        help="Your wrong signatures in a row, on any record and screen.",
    )
    state = fields.Selection(
        [("draft", "To Sign"), ("done", "Done")], default="draft", required=True
    )
    released_lot_ids = fields.Many2many(
        "stock.lot",
        "med_release_batch_released_rel",
        string="Released",
        readonly=True,
    )
    report = fields.Text(readonly=True)

    def action_release(self):
        self.ensure_one()
        lots = self.lot_ids
        lots._med_ensure_qa_manager()
        refused = self._med_refused(lots)
        releasable = lots.filtered(lambda lot: lot not in refused)
        if not releasable:
            raise UserError(
                self.env._(
                    "No selected lot can be released:\n%(lines)s",
                    lines=self._med_report_lines(refused),
                )
            )
        # One credential check (failures counted once), the release of all these
        # lots, one signature per lot.
        password, self.password = self.password, False
        releasable._med_sign_with_credentials(
            "release",
            "_med_do_release",
            password=password,
            login=self.login,
            comment=self.comment,
        )
        report = [
            self.env._(
                "Released with your signature: %(lots)s",
                lots=", ".join(releasable.mapped("display_name")),
            )
        ]
        if refused:
            report.append(
                self.env._(
                    "Not released:\n%(lines)s",
                    lines=self._med_report_lines(refused),
                )
            )
        self.write(
            {
                "state": "done",
                "released_lot_ids": [fields.Command.set(releasable.ids)],
                "report": "\n".join(report),
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Release Lots"),
        }

    def _med_refused(self, lots):
        """{lot: [reasons]} for the lots that cannot be released by this user now:
        the release checks, and segregation of duties, lot by lot."""
        refused = dict(lots._med_release_checks())
        for lot in lots:
            try:
                lot._med_ensure_segregation()
            except UserError:
                refused.setdefault(lot, []).append(
                    self.env._(
                        "you received or produced it: another QA manager must "
                        "release it (segregation of duties)"
                    )
                )
        return refused

    def _med_report_lines(self, refused):
        return "\n".join(
            f"- {lot.display_name}: " + "; ".join(reasons)
            for lot, reasons in refused.items()
        )
