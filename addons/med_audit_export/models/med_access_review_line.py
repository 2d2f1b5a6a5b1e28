from odoo import api, fields, models

# Odoo's own roles an access review lists beside the suite's.
ADMIN_GROUPS = ("base.group_system", "base.group_erp_manager")


class MedAccessReviewLine(models.Model):
    """One role of one user when the access review was taken."""

    _name = "med.access.review.line"
    _description = "Access Review Line"
    _order = "review_id, user_name, group_name"

    review_id = fields.Many2one(
        "med.access.review", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="review_id.company_id", store=True)
    user_id = fields.Many2one("res.users", readonly=True)
    user_name = fields.Char(string="Name", readonly=True)
    user_login = fields.Char(string="Login", readonly=True)
    user_active = fields.Boolean(string="Active", readonly=True)
    date_last_login = fields.Datetime(string="Last Login", readonly=True)
    group_id = fields.Many2one("res.groups", string="Role", readonly=True)
    group_name = fields.Char(string="Role Name", readonly=True)

    @api.model
    def _med_roles(self):
        """The roles a review lists: the suite's groups and Odoo's administrators."""
        category = self.env.ref("med_audit_export.module_category_med_compliance")
        groups = self.env["res.groups"].search([("category_id", "=", category.id)])
        for xml_id in ADMIN_GROUPS:
            groups |= self.env.ref(xml_id)
        return groups

    @api.model
    def _med_snapshot_vals(self, company):
        """Line values of the users of ``company`` (internal accounts, archived
        ones included) with each of their roles; a user without any listed role
        gets one line without a role."""
        roles = self._med_roles()
        # sudo: the snapshot lists every account and role, whoever takes it.
        users = (
            self.env["res.users"]
            .sudo()
            .with_context(active_test=False)
            .search([("share", "=", False), ("company_ids", "in", company.ids)])
        )
        vals_list = []
        for user in users.filtered(lambda u: u.id != self.env.ref("base.user_root").id):
            common = {
                "user_id": user.id,
                "user_name": user.name,
                "user_login": user.login,
                "user_active": user.active,
                "date_last_login": user.login_date,
            }
            held = user.groups_id & roles
            vals_list += [
                dict(common, group_id=group.id, group_name=group.full_name)
                for group in held
            ] or [dict(common, group_id=False, group_name=False)]
        return vals_list
