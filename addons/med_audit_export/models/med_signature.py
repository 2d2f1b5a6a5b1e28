from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

MEANINGS = [
    ("approval", "Approval"),
    ("review", "Review"),
    ("responsibility", "Responsibility"),
    ("authorship", "Authorship"),
    ("verification", "Verification"),
    ("release", "Release"),
    ("rejection", "Rejection"),
    ("hold", "Hold"),
    ("disposition", "Disposition"),
    ("closure", "Closure"),
    ("evaluation", "Evaluation"),
]


class MedSignature(models.Model):
    """An electronic signature (21 CFR 11.50, 11.70): who, when, meaning, bound to the
    record by a digest of its content. Hash-chained and append-only."""

    _name = "med.signature"
    _description = "Electronic Signature"
    _inherit = ("med.hash.chain.mixin",)
    _order = "id desc"
    _log_access = False  # timestamp and signer_id say who and when, hashed
    _rec_name = "signer_name"
    _med_hash_fields = (
        "timestamp",
        "signer_id",
        "signer_name",
        "signer_login",
        "meaning",
        "comment",
        "res_model",
        "res_id",
        "res_name",
        "content_digest",
        "company_id",
    )

    timestamp = fields.Datetime(string="Signed On", readonly=True, index=True)
    signer_id = fields.Many2one("res.users", readonly=True, index=True)
    signer_name = fields.Char(string="Printed Name", readonly=True)
    signer_login = fields.Char(string="Login", readonly=True)
    meaning = fields.Selection(MEANINGS, readonly=True, index=True)
    comment = fields.Text(readonly=True)
    res_model = fields.Char(string="Model", readonly=True, index=True)
    res_id = fields.Integer(string="Record ID", readonly=True, index=True)
    res_name = fields.Char(string="Signed Record", readonly=True)
    content_digest = fields.Char(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    content_changed = fields.Boolean(
        string="Changed Since Signature",
        compute="_compute_content_changed",
        help="The signed record's content no longer matches what was signed.",
    )

    @api.depends("content_digest")
    def _compute_content_changed(self):
        for signature in self:
            record = self.env[signature.res_model].browse(signature.res_id).exists()
            signature.content_changed = bool(
                record
                and hasattr(record, "_med_content_digest")
                # sudo: the digest covers the whole record, readable or not.
                and record.sudo()._med_content_digest() != signature.content_digest
            )

    # -- access: a signature is read by whoever may read the signed record --
    def _med_readable_ids(self, rows):
        """The ids among ``rows`` ((id, res_model, res_id)) whose signed record the
        current user may read: the comment and meaning say what the record is."""
        targets = defaultdict(lambda: defaultdict(list))
        for signature_id, model, record_id in rows:
            targets[model][record_id].append(signature_id)
        readable = set()
        for model, by_record in targets.items():
            if model not in self.env or not self.env[model].has_access("read"):
                continue
            records = (
                self.env[model]
                .with_context(active_test=False)
                .search([("id", "in", list(by_record))])
            )
            for record_id in records.ids:
                readable.update(by_record[record_id])
        return readable

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        if self.env.su:
            return super()._search(domain, offset, limit, order)
        query = super()._search(domain, 0, None, order)
        rows = self.env.execute_query(
            query.select(
                SQL.identifier(self._table, "id"),
                SQL.identifier(self._table, "res_model"),
                SQL.identifier(self._table, "res_id"),
            )
        )
        readable = self._med_readable_ids(rows)
        ids = [row[0] for row in rows if row[0] in readable]
        ids = ids[offset : offset + limit if limit else None]
        return self.browse(ids)._as_query(order)

    def _check_access(self, operation):
        result = super()._check_access(operation)
        if result or self.env.su or operation != "read" or not self._ids:
            return result
        rows = self.env.execute_query(
            SQL(
                "SELECT id, res_model, res_id FROM med_signature WHERE id = ANY(%s)",
                list(self._ids),
            )
        )
        readable = self._med_readable_ids(rows)
        forbidden = self.browse([i for i in self._ids if i not in readable])
        if not forbidden:
            return None
        return forbidden, lambda: AccessError(
            self.env._(
                "You may not read the signatures of records you are not allowed to "
                "read."
            )
        )

    def action_open_record(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }
