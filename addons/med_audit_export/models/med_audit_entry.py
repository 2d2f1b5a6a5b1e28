from odoo import api, fields, models
from odoo.tools.sql import create_index

from .med_audit_rule import OPERATIONS


class MedAuditEntry(models.Model):
    """One change of one field of one record (21 CFR 11.10(e), EU GMP Annex 11 §9).

    Written only by the audit engine (``base`` hooks, signatures, exports); hash-chained
    and append-only: see ``med.hash.chain.mixin``.
    """

    _name = "med.audit.entry"
    _description = "Audit Trail Entry"
    _inherit = ("med.hash.chain.mixin",)
    _order = "id desc"
    _log_access = False  # timestamp and user_id say who and when, hashed
    _rec_name = "summary"
    _med_hash_fields = (
        "timestamp",
        "user_id",
        "operation",
        "res_model",
        "res_id",
        "res_name",
        "field_name",
        "field_label",
        "old_value",
        "new_value",
        "reason",
        "company_id",
    )

    timestamp = fields.Datetime(
        string="When",
        readonly=True,
        index=True,
        help="Stored in UTC, shown in your timezone.",
    )
    user_id = fields.Many2one("res.users", readonly=True, index=True)
    operation = fields.Selection(OPERATIONS, readonly=True)
    res_model = fields.Char(string="Model", readonly=True)
    res_id = fields.Integer(string="Record ID", readonly=True)
    res_name = fields.Char(string="Record", readonly=True)
    field_name = fields.Char(string="Field", readonly=True)
    field_label = fields.Char(readonly=True)
    old_value = fields.Text(readonly=True)
    new_value = fields.Text(readonly=True)
    reason = fields.Text(string="Reason for Change", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    model_label = fields.Char(compute="_compute_model_label")
    summary = fields.Char(compute="_compute_summary")

    def init(self):
        # Entries are looked up by record; the other filters narrow a record's trail.
        create_index(
            self.env.cr,
            "med_audit_entry_record_index",
            self._table,
            ["res_model", "res_id"],
        )
        # The Auditor list filters one user's changes over a period: at 50 million
        # entries the timestamp index alone reads every user's rows of the period.
        create_index(
            self.env.cr,
            "med_audit_entry_user_timestamp_index",
            self._table,
            ["user_id", "timestamp"],
        )
        return super().init()

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        # Changes reach the trail when they are flushed to the database: flush them
        # all first, so a search sees every change made so far in the transaction.
        self.env.flush_all()
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.depends("res_model")
    def _compute_model_label(self):
        names = dict(
            self.env["ir.model"]
            .sudo()
            .search_fetch(
                [("model", "in", list(set(self.mapped("res_model"))))],
                ["model", "name"],
            )
            .mapped(lambda m: (m.model, m.name))
        )
        for entry in self:
            entry.model_label = names.get(entry.res_model, entry.res_model)

    @api.depends("operation", "res_name", "field_label", "old_value", "new_value")
    def _compute_summary(self):
        for entry in self:
            change = ""
            if entry.field_label:
                change = f" · {entry.field_label}: {entry.old_value or '∅'} → "
                change += entry.new_value or "∅"
            entry.summary = f"{entry.res_name or entry.res_model}{change}"

    def action_open_record(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
            "target": "current",
        }
