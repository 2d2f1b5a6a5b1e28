from odoo import fields, models


class MedCapa(models.Model):
    """The CAPA report's sections (ISO 13485 8.5.2/8.5.3: records of the
    investigation, the actions and their effectiveness)."""

    _name = "med.capa"
    _inherit = ("med.capa", "med.dossier.mixin")

    def _med_dossier_records(self):
        records = super()._med_dossier_records()
        if self:
            records.update(
                {
                    "med.nonconformance": self.nonconformance_ids,
                    "med.capa.action": self.action_ids,
                }
            )
        return records

    def _med_dossier_sections(self, report):
        sections = super()._med_dossier_sections(report)
        if report != "capa_report":
            return sections
        return [
            {
                "code": "capa",
                "label": self.env._("CAPA"),
                "sequence": 10,
                "columns": [
                    ("name", self.env._("CAPA")),
                    ("title", self.env._("Title")),
                    ("state", self.env._("Status")),
                    ("source", self.env._("Source")),
                    ("severity", self.env._("Severity")),
                    ("owner", self.env._("Owner")),
                    ("product", self.env._("Product")),
                    ("lots", self.env._("Lots")),
                    ("supplier", self.env._("Supplier")),
                    ("opened", self.env._("Opened (UTC)")),
                    ("recall_risk", self.env._("Recall risk")),
                    ("description", self.env._("Problem")),
                ],
                "rows": self._med_dossier_capa_rows(),
            },
            {
                "code": "nonconformances",
                "label": self.env._("Nonconformances"),
                "sequence": 20,
                "columns": [
                    ("name", self.env._("Nonconformance")),
                    ("date", self.env._("Detected (UTC)")),
                    ("source", self.env._("Source")),
                    ("lots", self.env._("Lots")),
                    ("quantity", self.env._("Quantity")),
                    ("description", self.env._("Description")),
                    ("disposition", self.env._("Disposition")),
                    ("decided", self.env._("Dispositioned (UTC) by")),
                ],
                "rows": self._med_dossier_nonconformance_rows(),
            },
            {
                "code": "investigation",
                "label": self.env._("Investigation"),
                "sequence": 30,
                "columns": [
                    ("name", self.env._("CAPA")),
                    ("method", self.env._("Root cause method")),
                    ("category", self.env._("Cause category")),
                    ("root_cause", self.env._("Root cause")),
                    ("risk", self.env._("Risk (severity × occurrence)")),
                    ("risk_level", self.env._("Risk level")),
                ],
                "rows": self._med_dossier_investigation_rows(),
            },
            {
                "code": "actions",
                "label": self.env._("Actions"),
                "sequence": 40,
                "columns": [
                    ("capa", self.env._("CAPA")),
                    ("name", self.env._("Action")),
                    ("type", self.env._("Type")),
                    ("owner", self.env._("Owner")),
                    ("due", self.env._("Due")),
                    ("done", self.env._("Done")),
                    ("result", self.env._("Result")),
                ],
                "rows": self._med_dossier_action_rows(),
            },
            {
                "code": "effectiveness",
                "label": self.env._("Effectiveness and closure"),
                "sequence": 50,
                "columns": [
                    ("name", self.env._("CAPA")),
                    ("criteria", self.env._("Criteria")),
                    ("due", self.env._("Due")),
                    ("result", self.env._("Result")),
                    ("evidence", self.env._("Evidence")),
                    ("closed", self.env._("Closed (UTC) by")),
                    ("cancel_reason", self.env._("Cancelled because")),
                ],
                "rows": self._med_dossier_effectiveness_rows(),
            },
        ] + sections

    def _med_labels(self, records, name):
        return dict(records._fields[name]._description_selection(self.env))

    def _med_dossier_capa_rows(self):
        states = self._med_labels(self, "state")
        sources = self._med_labels(self, "source")
        severities = self._med_labels(self, "severity")
        for capa in self:
            yield [
                capa.name,
                capa.title,
                states.get(capa.state, ""),
                sources.get(capa.source, ""),
                severities.get(capa.severity, ""),
                capa.user_id.name or "",
                capa.product_id.display_name or "",
                ", ".join(capa.lot_ids.mapped("name")),
                capa.partner_id.display_name or "",
                fields.Datetime.to_string(capa.create_date),
                self.env._("Yes") if capa.recall_risk else self.env._("No"),
                capa.description or "",
            ]

    def _med_dossier_nonconformance_rows(self):
        records = self.nonconformance_ids.sorted("date")
        sources = self._med_labels(records, "source")
        dispositions = self._med_labels(records, "disposition")
        for record in records:
            decided = ""
            if record.disposition_date:
                decided = (
                    f"{fields.Datetime.to_string(record.disposition_date)} "
                    f"{record.disposition_user_id.name}"
                )
            yield [
                record.name,
                fields.Datetime.to_string(record.date),
                sources.get(record.source, ""),
                ", ".join(record.lot_ids.mapped("name")),
                f"{record.quantity:g} {record.product_uom_id.name or ''}".strip(),
                record.description,
                dispositions.get(record.disposition, ""),
                decided,
            ]

    def _med_dossier_investigation_rows(self):
        methods = self._med_labels(self, "root_cause_method")
        categories = self._med_labels(self, "root_cause_category")
        levels = self._med_labels(self, "risk_level")
        for capa in self:
            risk = ""
            if capa.risk_score:
                risk = (
                    f"{capa.risk_severity} × {capa.risk_occurrence} = {capa.risk_score}"
                )
            yield [
                capa.name,
                methods.get(capa.root_cause_method, ""),
                categories.get(capa.root_cause_category, ""),
                capa.root_cause or "",
                risk,
                levels.get(capa.risk_level, ""),
            ]

    def _med_dossier_action_rows(self):
        actions = self.action_ids
        types = self._med_labels(actions, "action_type")
        for action in actions:
            yield [
                action.capa_id.name,
                action.name,
                types.get(action.action_type, ""),
                action.user_id.name,
                fields.Date.to_string(action.date_deadline),
                fields.Date.to_string(action.date_done) or "",
                action.result or "",
            ]

    def _med_closed_text(self):
        """When and by whom the CAPA was closed, as the reports show it."""
        self.ensure_one()
        if not self.date_closed:
            return ""
        closed_on = fields.Datetime.to_string(self.date_closed)
        return f"{closed_on} {self.closed_by_id.name}"

    def _med_dossier_effectiveness_rows(self):
        results = self._med_labels(self, "effectiveness_result")
        for capa in self:
            yield [
                capa.name,
                capa.effectiveness_criteria or "",
                fields.Date.to_string(capa.effectiveness_date_deadline) or "",
                results.get(capa.effectiveness_result, ""),
                capa.effectiveness_note or "",
                capa._med_closed_text(),
                capa.cancel_reason or "",
            ]
