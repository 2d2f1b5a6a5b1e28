import uuid

from odoo import models

# Where the sections every evidence report ends with come.
DOSSIER_MEMO_KEY = "med_dossier_memo"
SIGNATURES_SEQUENCE = 900
AUDIT_TRAIL_SEQUENCE = 1000


class MedDossierMixin(models.AbstractModel):
    """The evidence report protocol of the models an auditor asks a dossier of
    (lots, suppliers, CAPAs, GSP self-inspections): each addon adds the sections it
    knows to the models that inherit this mixin.

    ``records._med_dossier_sections(report)`` returns the sections the installed
    addons provide for these records: dicts with ``code``, ``label``, ``sequence``,
    ``columns`` ([(code, label)]) and ``rows`` (an iterable of lists of text, one per
    column). Each addon extends it for the records it knows, so installing fewer
    addons gives a smaller report, never an error. On an empty recordset it tells
    which sections and columns exist. Every report ends with the records'
    signatures and audit trail; upper addons put theirs before (lower sequence).
    """

    _name = "med.dossier.mixin"
    _description = "Evidence Report Sections"

    def _med_dossier_sections(self, report):
        return [
            {
                "code": "signatures",
                "label": self.env._("Electronic signatures"),
                "sequence": SIGNATURES_SEQUENCE,
                "columns": [
                    ("record", self.env._("Record")),
                    (
                        "local_time",
                        self.env._(
                            "Signed on (%(time_zone)s)",
                            time_zone=self.env["med.audit.export"]._med_time_zone(),
                        ),
                    ),
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
        """Rows of the signatures: the time in the company's time zone, then in UTC
        (naive datetimes, typed as such in xlsx), as the audit trail's."""
        Signature = self.env["med.signature"]
        Export = self.env["med.audit.export"]
        meanings = dict(Signature._fields["meaning"]._description_selection(self.env))
        for model, records in self._med_dossier_records().items():
            signatures = Signature.search(
                [("res_model", "=", model), ("res_id", "in", records.ids)],
                order="timestamp, id",
            )
            for signature in signatures:
                yield [
                    signature.res_name or "",
                    Export._med_local_time(signature.timestamp),
                    signature.timestamp.replace(microsecond=0),
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
        """The sections of ``report`` for these records, as ``template`` shows them.

        The sections share what is costly to find (a lot's genealogy) through
        ``_med_dossier_memo``, for the time of this one report."""
        records = self.with_context(med_dossier_token=uuid.uuid4().hex)
        sections = sorted(
            records._med_dossier_sections(report), key=lambda s: s["sequence"]
        )
        return template._med_apply(sections) if template else sections

    def _med_dossier_memo(self, name, compute):
        """``compute(self)`` (a recordset), computed once for these records within
        one evidence report; computed every time outside one."""
        token = self.env.context.get("med_dossier_token")
        if not token:
            return compute(self)
        memo = self.env.cr.cache.setdefault(DOSSIER_MEMO_KEY, {})
        key = (token, name, self._name, tuple(sorted(self.ids)))
        if key not in memo:
            result = compute(self)
            memo[key] = (result._name, result.ids)
        model, ids = memo[key]
        return self.env[model].browse(ids)
