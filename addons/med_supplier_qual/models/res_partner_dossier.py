from odoo import fields, models


class ResPartner(models.Model):
    """The supplier dossier's sections (ISO 13485 7.4.1: records of the evaluation,
    selection and monitoring of suppliers)."""

    _inherit = "res.partner"

    def _med_dossier_records(self):
        records = super()._med_dossier_records()
        if self:
            # sudo: the dossier shows the evidence of suppliers the auditor can read.
            records.update(
                {
                    "med.supplier.certificate": self.sudo().med_certificate_ids,
                    "med.approved.supplier": self.sudo().med_approved_supplier_ids,
                    "med.supplier.evaluation": self.env["med.supplier.evaluation"]
                    .sudo()
                    .search([("partner_id", "in", self.ids)]),
                }
            )
        return records

    def _med_dossier_sections(self, report):
        sections = super()._med_dossier_sections(report)
        if report != "supplier_dossier":
            return sections
        return [
            {
                "code": "supplier",
                "label": self.env._("Supplier"),
                "sequence": 10,
                "columns": [
                    ("name", self.env._("Supplier")),
                    ("vat", self.env._("Tax ID")),
                    ("address", self.env._("Address")),
                    ("tags", self.env._("Tags")),
                    ("state", self.env._("Qualification")),
                ],
                "rows": self._med_dossier_supplier_rows(),
            },
            {
                "code": "approval_history",
                "label": self.env._("Qualification history"),
                "sequence": 20,
                "columns": [
                    ("timestamp", self.env._("When (UTC)")),
                    ("user", self.env._("By")),
                    ("old", self.env._("From")),
                    ("new", self.env._("To")),
                    ("reason", self.env._("Reason")),
                ],
                "rows": self._med_dossier_history_rows(),
            },
            {
                "code": "certificates",
                "label": self.env._("Certificates"),
                "sequence": 30,
                "columns": [
                    ("type", self.env._("Type")),
                    ("number", self.env._("Number")),
                    ("issuer", self.env._("Issuer")),
                    ("issue_date", self.env._("Issued")),
                    ("expiry_date", self.env._("Expires")),
                    ("state", self.env._("Status")),
                    ("verified", self.env._("Verified by")),
                    ("scope", self.env._("Products covered")),
                ],
                "rows": self._med_dossier_certificate_rows(),
            },
            {
                "code": "approved_products",
                "label": self.env._("Approved supplier list"),
                "sequence": 40,
                "columns": [
                    ("item", self.env._("Product or category")),
                    ("state", self.env._("Status")),
                    ("date_start", self.env._("Valid from")),
                    ("date_end", self.env._("Valid until")),
                ],
                "rows": self._med_dossier_approved_rows(),
            },
            {
                "code": "evaluations",
                "label": self.env._("Evaluations"),
                "sequence": 50,
                "columns": [
                    ("name", self.env._("Evaluation")),
                    ("period", self.env._("Period")),
                    ("score", self.env._("Score")),
                    ("rating", self.env._("Rating")),
                    ("decision", self.env._("Decision")),
                    ("signed", self.env._("Signed by")),
                ],
                "rows": self._med_dossier_evaluation_rows(),
            },
            {
                "code": "receipts",
                "label": self.env._("Receipts and returns"),
                "sequence": 60,
                "columns": [
                    ("date", self.env._("Date")),
                    ("reference", self.env._("Reference")),
                    ("kind", self.env._("Movement")),
                    ("product", self.env._("Product")),
                    ("lot", self.env._("Lot")),
                    ("quantity", self.env._("Quantity")),
                ],
                "rows": self._med_dossier_receipt_rows(),
            },
        ] + sections

    def _med_dossier_supplier_rows(self):
        states = dict(
            self._fields["med_supplier_state"]._description_selection(self.env)
        )
        for partner in self:
            yield [
                partner.display_name,
                partner.vat or "",
                partner._display_address(without_company=True).replace("\n", ", "),
                ", ".join(partner.category_id.mapped("name")),
                states.get(partner.med_supplier_state, ""),
            ]

    def _med_dossier_history_rows(self):
        entries = self.env["med.audit.entry"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "in", self.ids),
                ("field_name", "=", "med_supplier_state"),
            ],
            order="timestamp, id",
        )
        for entry in entries:
            yield [
                fields.Datetime.to_string(entry.timestamp),
                entry.user_id.name or "",
                entry.old_value or "",
                entry.new_value or "",
                entry.reason or "",
            ]

    def _med_dossier_certificate_rows(self):
        certificates = self.sudo().med_certificate_ids.sorted(
            lambda c: (c.type_id.sequence, c.issue_date or fields.Date.today())
        )
        states = dict(certificates._fields["state"]._description_selection(self.env))
        for certificate in certificates.with_env(self.env):
            verified = certificate.verified_by_id
            verified_on = fields.Datetime.to_string(certificate.verified_date)
            yield [
                certificate.type_id.name,
                certificate.number,
                certificate.issuer or "",
                fields.Date.to_string(certificate.issue_date) or "",
                fields.Date.to_string(certificate.expiry_date) or "",
                states.get(certificate.state, ""),
                f"{verified.name} {verified_on}" if verified else "",
                ", ".join(
                    certificate.product_ids.mapped("display_name")
                    + certificate.categ_ids.mapped("display_name")
                ),
            ]

    def _med_dossier_approved_rows(self):
        entries = self.sudo().med_approved_supplier_ids
        states = dict(entries._fields["state"]._description_selection(self.env))
        for entry in entries.with_env(self.env):
            yield [
                (entry.product_id or entry.categ_id).display_name,
                states.get(entry.state, ""),
                fields.Date.to_string(entry.date_start),
                fields.Date.to_string(entry.date_end) or "",
            ]

    def _med_dossier_evaluation_rows(self):
        Evaluation = self.env["med.supplier.evaluation"]
        decisions = dict(
            Evaluation._fields["decision"]._description_selection(self.env)
        )
        ratings = dict(Evaluation._fields["rating"]._description_selection(self.env))
        for evaluation in Evaluation.search(
            [("partner_id", "in", self.ids)], order="date_to, id"
        ):
            yield [
                evaluation.name,
                f"{evaluation.date_from} – {evaluation.date_to}",
                f"{evaluation.score:.1f}",
                ratings.get(evaluation.rating, ""),
                decisions.get(evaluation.decision, ""),
                evaluation.signed_by_id.name or "",
            ]

    def _med_dossier_receipt_rows(self):
        lines = self.env["stock.move.line"].search(
            [
                ("state", "=", "done"),
                ("picking_partner_id", "child_of", self.ids),
                "|",
                ("location_id.usage", "=", "supplier"),
                ("location_dest_id.usage", "=", "supplier"),
            ],
            order="date, id",
        )
        received, returned = self.env._("Received"), self.env._("Returned")
        for line in lines:
            yield [
                fields.Datetime.to_string(line.date),
                line.reference or "",
                received if line.location_id.usage == "supplier" else returned,
                line.product_id.display_name,
                line.lot_id.name or line.lot_name or "",
                f"{line.quantity:g} {line.product_uom_id.name}",
            ]
