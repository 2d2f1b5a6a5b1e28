from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..models.med_signable_mixin import COMMENT_REQUIRED
from ..models.med_signature import MEANINGS


class MedSignatureWizard(models.TransientModel):
    """Signs records after checking the signer's password again (21 CFR 11.200).

    The dialog of ``med.signable.mixin._med_sign_with_credentials``, which checks
    the credentials, counts the failures, runs the signed action and records the
    signatures.
    """

    _name = "med.signature.wizard"
    _description = "Sign Records"

    res_model = fields.Char(required=True)
    res_ids = fields.Char(required=True, help="Comma-separated ids of the records.")
    meaning = fields.Selection(MEANINGS, required=True)
    comment = fields.Text()
    password = fields.Char()
    login = fields.Char(string="Your Login")
    login_required = fields.Boolean(
        default=lambda self: self.env["med.signable.mixin"]._med_first_signing(),
        readonly=True,
    )
    action_name = fields.Char()
    signer_name = fields.Char(default=lambda self: self.env.user.name, readonly=True)
    signer_login = fields.Char(default=lambda self: self.env.user.login, readonly=True)
    record_names = fields.Text(compute="_compute_record_names")
    comment_required = fields.Boolean(compute="_compute_comment_required")
    failed_attempts = fields.Integer(
        default=lambda self: self.env.user.sudo().med_sign_failures,
        readonly=True,
        help="Your wrong signatures in a row, on any record and screen.",
    )

    @api.depends("meaning")
    def _compute_comment_required(self):
        for wizard in self:
            wizard.comment_required = wizard.meaning in COMMENT_REQUIRED

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        wizards._med_ensure_request()
        return wizards

    def write(self, vals):
        result = super().write(vals)
        if {"res_model", "res_ids", "meaning", "action_name"}.intersection(vals):
            self._med_ensure_request()
        return result

    def _med_ensure_request(self):
        """Only a declared signed action, with its meaning, by its group: refused
        when the wizard is made, whatever the values and context sent."""
        for wizard in self:
            wizard._med_records()._med_ensure_signing(
                wizard.meaning, wizard.action_name
            )

    @api.depends("res_model", "res_ids")
    def _compute_record_names(self):
        for wizard in self:
            try:
                records = wizard._med_records()
                wizard.record_names = "\n".join(records.mapped("display_name"))
            except (UserError, AccessError):
                wizard.record_names = False

    def _med_records(self):
        self.ensure_one()
        if self.res_model not in self.env or not hasattr(
            self.env[self.res_model], "_med_signature_actions"
        ):
            raise UserError(
                self.env._("%(model)s records cannot be signed.", model=self.res_model)
            )
        try:
            ids = [int(i) for i in (self.res_ids or "").split(",") if i.strip()]
        except ValueError as error:
            raise UserError(
                self.env._("Invalid record ids: %(ids)s", ids=self.res_ids)
            ) from error
        records = self.env[self.res_model].browse(ids).exists()
        if not records or len(records) != len(ids):
            raise UserError(self.env._("The records to sign no longer exist."))
        return records

    def action_sign(self):
        self.ensure_one()
        records = self._med_records()
        password, self.password = self.password, False
        result = records._med_sign_with_credentials(
            self.meaning,
            self.action_name,
            password=password,
            login=self.login,
            comment=self.comment,
        )
        return (
            result
            if isinstance(result, dict)
            else {"type": "ir.actions.act_window_close"}
        )
