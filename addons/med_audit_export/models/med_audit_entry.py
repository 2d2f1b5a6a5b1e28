from odoo import api, fields, models
from odoo.tools.sql import create_index

from .med_audit_rule import OPERATIONS


def keep_entries(entries):
    """``ondelete`` of an operation an upper addon adds (``selection_add``): the
    trail is evidence, its entries keep what they recorded when that addon is
    uninstalled."""


class MedAuditEntry(models.Model):
    """One change of one field of one record (21 CFR 11.10(e), EU GMP Annex 11 §9).

    Written only by the audit engine (``base`` hooks, signatures, exports); hash-chained
    and append-only: see ``med.hash.chain.mixin``.
    """

    _name = "med.audit.entry"
    _description = "Audit Trail Entry"
    _inherit = ("med.hash.chain.mixin",)
    # Newest first by time, as the user_id/timestamp indexes are ordered: by "id desc"
    # the planner walks the whole trail back from its newest entry to reach a filtered
    # period. The chain, the seals and the verification keep their own id order in SQL.
    _order = "timestamp desc, id desc"
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
    # Not indexed alone: (user_id, timestamp) below serves every lookup by user, and
    # each entry written would pay for a second index on it.
    user_id = fields.Many2one("res.users", readonly=True)
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
    # The stored label and values are English and hashed: these show them in the
    # reader's language, computed when read.
    field_label_shown = fields.Char(
        string="Field (Your Language)", compute="_compute_shown"
    )
    # Char, not Text: one line in the list, cut with an ellipsis, whole in the form.
    old_value_shown = fields.Char(
        string="Old Value (Your Language)", compute="_compute_shown"
    )
    new_value_shown = fields.Char(
        string="New Value (Your Language)", compute="_compute_shown"
    )
    reason_shown = fields.Char(string="Reason (One Line)", compute="_compute_shown")

    def init(self):
        # Entries are looked up by record, newest first (_order): a record's latest
        # page is read off the index's end, not sorted out of its whole trail. The
        # other filters narrow a record's trail.
        create_index(
            self.env.cr,
            "med_audit_entry_record_timestamp_index",
            self._table,
            ["res_model", "res_id", "timestamp"],
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

    @api.depends_context("lang")
    @api.depends(
        "res_model", "field_name", "field_label", "old_value", "new_value", "reason"
    )
    def _compute_shown(self):
        translate = self._med_display_translator()
        for entry in self:
            entry.reason_shown = " ".join((entry.reason or "").split())
            (
                entry.field_label_shown,
                entry.old_value_shown,
                entry.new_value_shown,
            ) = translate(
                entry.res_model,
                entry.field_name,
                entry.field_label,
                entry.old_value,
                entry.new_value,
            )

    @api.model
    def _med_display_translator(self):
        """A function ``(res_model, field_name, label, old, new) -> (label, old, new)``
        giving a field's label and selection values in the reader's language.

        The trail stores them as English text (``base._med_format``); a value the
        field no longer offers, and any other value, is shown as stored."""
        english = self.with_context(lang="en_US").env
        fields_cache = {}

        def field_texts(res_model, field_name):
            key = (res_model, field_name)
            if key not in fields_cache:
                Model = self.env.get(res_model) if res_model else None
                field = Model._fields.get(field_name) if Model is not None else None
                if field is None:
                    fields_cache[key] = None
                else:
                    labels = {}
                    if field.type == "selection":
                        shown = dict(field._description_selection(self.env))
                        labels = {
                            label: shown.get(value, label)
                            for value, label in field._description_selection(english)
                        }
                    fields_cache[key] = (field._description_string(self.env), labels)
            return fields_cache[key]

        def translate(res_model, field_name, label, old, new):
            texts = field_texts(res_model, field_name) if field_name else None
            if texts is None:
                return label or field_name or "", old or "", new or ""
            shown_label, labels = texts
            return (
                shown_label,
                labels.get(old, old) if old else "",
                labels.get(new, new) if new else "",
            )

        return translate

    @api.depends_context("lang")
    @api.depends("operation", "res_name", "field_label", "old_value", "new_value")
    def _compute_summary(self):
        for entry in self:
            change = ""
            if entry.field_label_shown:
                change = (
                    f" · {entry.field_label_shown}: {entry.old_value_shown or '∅'} → "
                )
                change += entry.new_value_shown or "∅"
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
