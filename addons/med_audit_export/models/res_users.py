from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL


class ResUsers(models.Model):
    _inherit = "res.users"

    # Written only by the signing, from its own cursor (med.signable.mixin)
    med_sign_failures = fields.Integer(
        string="Failed Signature Attempts", readonly=True, copy=False
    )
    med_sign_locked_until = fields.Datetime(
        string="Signing Locked Until", readonly=True, copy=False
    )

    def write(self, vals):
        self._med_ensure_rename(vals)
        if "name" not in vals:
            return super().write(vals)
        # The name lives on the user's partner (_inherits), out of reach of the
        # stored-field audit of res.users; a renamed account may be one handed to
        # another person (21 CFR 11.100(a)), so it goes to the trail with the user.
        config = self._med_audit_config()
        old = {user.id: user.name for user in self}
        result = super().write(vals)
        if config and config.log_write:
            reason = self._med_reason()
            self._med_insert_entries(
                [
                    self._med_entry_row(
                        "write",
                        user.id,
                        "name",
                        old[user.id],
                        user.name,
                        self.env.uid,
                        reason,
                    )
                    for user in self
                    if user.name != old[user.id]
                ]
            )
        return result

    def _med_ensure_rename(self, vals):
        """A signature prints the signer's name and login (21 CFR 11.50): the account
        of a user who signed or recorded GxP data keeps them, whoever asks; the new
        name is a new account. A user with a compliance role does not rename
        themselves."""
        renamed = self.filtered(
            lambda user: ("name" in vals and vals["name"] != user.name)
            or ("login" in vals and vals["login"] != user.login)
        )
        if not renamed:
            return
        recorded = renamed._med_with_gxp_records()
        if recorded:
            raise UserError(
                self.env._(
                    "%(users)s signed or recorded GxP data: the name and login of "
                    "that account cannot change. Deactivate it and create a new user "
                    "with the new name.",
                    users=", ".join(recorded.mapped("name")),
                )
            )
        if self.env.user in renamed and self.env.user._med_has_compliance_role():
            raise UserError(
                self.env._(
                    "You hold a compliance role: an administrator changes your name "
                    "or login, not you."
                )
            )

    def _med_with_gxp_records(self):
        """These users, those who signed or are in the audit trail."""
        self.env.cr.execute(
            SQL(
                "SELECT candidate.uid FROM unnest(%s::int[]) AS candidate(uid) "
                "WHERE EXISTS (SELECT 1 FROM med_signature s "
                "WHERE s.signer_id = candidate.uid) "
                "OR EXISTS (SELECT 1 FROM med_audit_entry e "
                "WHERE e.user_id = candidate.uid)",
                list(self.ids),
            )
        )
        return self.browse(row[0] for row in self.env.cr.fetchall())

    def _med_has_compliance_role(self):
        self.ensure_one()
        category = self.env.ref("med_audit_export.module_category_med_compliance")
        # sudo: the user's groups decide, whether or not they may read groups.
        return bool(
            self.sudo().groups_id.filtered(lambda group: group.category_id == category)
        )

    def _med_alert_lockout(self, locked_until):
        """Tell the compliance administrators that this user's signing is locked:
        repeated wrong passwords may be someone trying to sign as the user
        (21 CFR 11.300(d))."""
        self.ensure_one()
        admins = self.env.ref("med_audit_export.group_med_compliance_admin").users
        admins = admins.filtered(lambda admin: admin.active and not admin.share)
        # sudo: the alert is the system's, whatever the locked user may write on
        # partners or see of the administrators.
        partner = self.partner_id.sudo()
        for admin in admins.sudo():
            partner.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=admin.id,
                summary=self.env._(
                    "Signature lockout of %(user)s", user=self.display_name
                ),
                note=self.env._(
                    "%(user)s gave a wrong password too many times when signing; "
                    "signing is locked until %(until)s (UTC). Check with the user "
                    "that nobody else tried to sign in their name.",
                    user=self.display_name,
                    until=fields.Datetime.to_string(locked_until),
                ),
            )
