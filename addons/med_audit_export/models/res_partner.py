from odoo import models


class ResPartner(models.Model):
    # The supplier dossier is a partner's evidence report.
    _name = "res.partner"
    _inherit = ("res.partner", "med.dossier.mixin")

    def write(self, vals):
        if "name" in vals:
            # A user's name lives on their partner: renaming the partner renames the
            # user. sudo: the rule holds whoever may read the partner's users.
            users = self.sudo().with_context(active_test=False).user_ids
            users.with_env(self.env)._med_ensure_rename({"name": vals["name"]})
        return super().write(vals)
