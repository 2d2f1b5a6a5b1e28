from odoo import fields, models

# Sections that every dossier ends with, whatever the record: its signatures and its
# audit trail. Upper addons insert theirs before (lower sequence).
SIGNATURES_SEQUENCE = 900
AUDIT_TRAIL_SEQUENCE = 1000


class Base(models.AbstractModel):
    """Evidence report sections. ``records._med_dossier_sections(report)`` returns the
    sections the installed addons provide for these records: a list of dicts with
    ``code``, ``label``, ``sequence``, ``columns`` ([(code, label)]) and ``rows`` (an
    iterable of lists of text, one per column). Each addon extends it for the records
    it knows, so installing fewer addons gives a smaller report, never an error.
    Called on an empty recordset, it tells which sections and columns exist."""

    _inherit = "base"

    def _med_dossier_sections(self, report):
        return [
            {
                "code": "signatures",
                "label": self.env._("Electronic signatures"),
                "sequence": SIGNATURES_SEQUENCE,
                "columns": [
                    ("record", self.env._("Record")),
                    ("timestamp", self.env._("Signed on (UTC)")),
                    ("signer", self.env._("Signer")),
                    ("meaning", self.env._("Meaning")),
                    ("comment", self.env._("Comment")),
                ],
                "rows": self._med_dossier_signature_rows(),
            },
            {
                "code": "audit_trail",
                "label": self.env._("Audit trail"),
                "sequence": AUDIT_TRAIL_SEQUENCE,
                "columns": [
                    (code, label)
                    for code, label in self.env["med.audit.export"]._med_entry_columns()
                ],
                "rows": self._med_dossier_audit_rows(),
            },
        ]

    def _med_dossier_records(self):
        """{model: records} whose signatures and audit trail the dossier includes:
        these records, and the related ones upper addons add (lots' components...)."""
        return {self._name: self} if self else {}

    def _med_dossier_signature_rows(self):
        Signature = self.env["med.signature"]
        meanings = dict(Signature._fields["meaning"]._description_selection(self.env))
        for model, records in self._med_dossier_records().items():
            signatures = Signature.search(
                [("res_model", "=", model), ("res_id", "in", records.ids)],
                order="timestamp, id",
            )
            for signature in signatures:
                yield [
                    signature.res_name or "",
                    fields.Datetime.to_string(signature.timestamp),
                    f"{signature.signer_name} ({signature.signer_login})",
                    meanings.get(signature.meaning, signature.meaning),
                    signature.comment or "",
                ]

    def _med_dossier_audit_rows(self):
        Export = self.env["med.audit.export"]
        for model, records in self._med_dossier_records().items():
            yield from Export._med_iter_entry_rows(
                [("res_model", "=", model), ("res_id", "in", records.ids)]
            )

    def _med_dossier(self, report, template=None):
        """The sections of ``report`` for these records, as ``template`` shows them."""
        sections = sorted(
            self._med_dossier_sections(report), key=lambda s: s["sequence"]
        )
        return template._med_apply(sections) if template else sections
