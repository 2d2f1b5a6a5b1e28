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

    # -- supplier dossier (med_audit_export's evidence reports) --
    def _med_dossier_capas(self):
        # sudo: the dossier shows every CAPA against a supplier the auditor can read.
        return (
            self.env["med.capa"]
            .sudo()
            .search(
                [("partner_id", "in", self.commercial_partner_id.ids)],
                order="create_date, id",
            )
        )

    def _med_dossier_records(self):
        records = super()._med_dossier_records()
        if self:
            records["med.capa"] = self._med_dossier_capas()
        return records

    def _med_dossier_sections(self, report):
        sections = super()._med_dossier_sections(report)
        if report != "supplier_dossier":
            return sections
        return sections + [
            {
                "code": "capa",
                "label": self.env._("CAPA and SCAR"),
                "sequence": 70,
                "columns": [
                    ("name", self.env._("CAPA")),
                    ("title", self.env._("Title")),
                    ("opened", self.env._("Opened (UTC)")),
                    ("severity", self.env._("Severity")),
                    ("risk", self.env._("Risk level")),
                    ("state", self.env._("Status")),
                    ("scar", self.env._("SCAR requested / due")),
                    ("closed", self.env._("Closed (UTC) by")),
                ],
                "rows": self._med_dossier_capa_rows(),
            }
        ]

    def _med_dossier_capa_rows(self):
        capas = self._med_dossier_capas()
        labels = {
            name: dict(capas._fields[name]._description_selection(self.env))
            for name in ("severity", "risk_level", "state")
        }
        for capa in capas:
            scar = ""
            if capa.scar_date_requested:
                scar = " / ".join(
                    fields.Date.to_string(date)
                    for date in (capa.scar_date_requested, capa.scar_date_deadline)
                )
            yield [
                capa.name,
                capa.title,
                fields.Datetime.to_string(capa.create_date),
                labels["severity"].get(capa.severity, ""),
                labels["risk_level"].get(capa.risk_level, ""),
                labels["state"].get(capa.state, ""),
                scar,
                capa._med_closed_text(),
            ]
