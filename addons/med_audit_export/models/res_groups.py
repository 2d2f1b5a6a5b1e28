from odoo import api, models
from odoo.exceptions import UserError


class ResGroups(models.Model):
    """A role granted or withdrawn from the group's side (its users, the groups it
    implies, the group deleted) is logged like one written on the user: an entry on
    the user's ``groups_id`` with the roles before and after (21 CFR 11.10(d),
    (g); Annex 11 §12)."""

    _inherit = "res.groups"

    def write(self, vals):
        if not {"users", "implied_ids"}.intersection(vals):
            return super().write(vals)
        return self._med_log_role_changes(
            lambda: super(ResGroups, self).write(vals),
            self._med_user_ids_in(vals.get("users")),
        )

    def unlink(self):
        return self._med_log_role_changes(lambda: super(ResGroups, self).unlink())

    @api.model
    def _med_user_ids_in(self, commands):
        """The ids of the existing users that x2many ``commands`` name."""
        ids = set()
        for command in commands or ():
            if isinstance(command, int):
                ids.add(command)
            elif command[0] in (1, 3, 4):
                ids.add(command[1])
            elif command[0] == 6:
                ids.update(command[2])
        return ids

    def _med_role_holders(self):
        """The users who hold these groups (Odoo lists the users of the groups
        implying them too): a change of the groups changes their roles."""
        # sudo: every holder's roles are logged, whatever the user may read.
        return self.sudo().with_context(active_test=False).users

    def _med_log_role_changes(self, change, more_user_ids=()):
        Users = self.env["res.users"]
        config = Users._med_audit_config()
        if not config or not config.log_write or "groups_id" not in config.fields:
            return change()
        reason = Users._med_reason()
        if config.reason_required and not reason:
            self.check_access("write")  # a refusal of access comes first
            raise UserError(
                self.env._(
                    "Give a reason for changing %(fields)s of %(model)s: this change "
                    "is audited.",
                    fields=Users._med_field_labels(["groups_id"]),
                    model=Users._med_model_label(),
                )
            )
        holders = self._med_role_holders() | Users.sudo().browse(more_user_ids)
        holders = holders.exists()
        # named now: a deleted group has no name afterwards
        before = {
            user.id: (
                set(user.groups_id.ids),
                Users._med_format("groups_id", user.groups_id.ids),
            )
            for user in holders
        }
        result = change()
        holders |= self.exists()._med_role_holders()
        holders.invalidate_recordset(["groups_id"])
        rows = []
        for user in holders:
            old, old_text = before.get(user.id, (set(), ""))
            if old == set(user.groups_id.ids):
                continue
            rows.append(
                Users._med_entry_row(
                    "write",
                    user.id,
                    "groups_id",
                    old_text,
                    Users._med_format("groups_id", user.groups_id.ids),
                    self.env.uid,
                    reason,
                )
            )
        Users._med_insert_entries(rows)
        return result
