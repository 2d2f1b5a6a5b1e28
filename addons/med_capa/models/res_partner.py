from odoo import fields, models

from .med_capa import CAPA_READERS


class ResPartner(models.Model):
    _inherit = "res.partner"

    med_capa_count = fields.Integer(
        string="CAPA Count", compute="_compute_med_capa_count", groups=CAPA_READERS
    )

    def _compute_med_capa_count(self):
        counts = dict(
            self.env["med.capa"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.med_capa_count = counts.get(partner.commercial_partner_id, 0)

    def action_med_open_capas(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("CAPAs of %(supplier)s", supplier=self.display_name),
            "res_model": "med.capa",
            "view_mode": "list,form",
            "domain": [("partner_id", "=", self.commercial_partner_id.id)],
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }
