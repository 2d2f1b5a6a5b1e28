import itertools
from collections import defaultdict

from lxml import etree

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.models import UPDATE_BATCH_SIZE
from odoo.tools import SQL, split_every

# Context value that lets the application's own actions write protected fields. It is an
# object, not a string: a JSON-RPC caller cannot forge it through the context it sends.
PROTECTED_WRITE = object()
# Per-transaction bookkeeping kept on the cursor (see _med_pending).
PENDING_KEY = "med_audit_pending"
CREATED_KEY = "med_audit_created"
SELECTION_LABELS_KEY = "med_audit_selection_labels"
# Texts of the statements of an audited flush, by what they are built from: built
# once, not at every flush.
STATEMENT_CODES = {}


class Base(models.AbstractModel):
    """The audit engine: every model passes here, audited ones are logged.

    Column fields are logged when they reach the database (``_write_multi``, at flush):
    that is the one place where both ``write()`` and recomputed stored fields land, so
    a date shifted by a compute (product_expiry) is in the trail like a typed one. The
    user and reason of the ``write()`` that caused it are remembered per record until
    then. Many2many fields never reach ``_write_multi`` and are logged by ``write()``.
    """

    _inherit = "base"

    # -- configuration --
    def _med_audit_config(self):
        if "med.audit.rule" not in self.env.registry or self._transient:
            return None
        return self.env["med.audit.rule"]._med_config(self._name)

    def _med_protected_write(self):
        """These records, allowed to write their protected fields (for trusted code)."""
        return self.with_context(med_protected_write=PROTECTED_WRITE)

    def _med_trusted(self):
        """Does trusted code (``_med_protected_write``) run this call?"""
        return self.env.context.get("med_protected_write") is PROTECTED_WRITE

    @api.model
    def _med_start_states(self, vals_list, name="state"):
        """The value of ``name`` each record of ``vals_list`` starts with: its
        values', else the default (a ``default_<name>`` context key included),
        looked up once. A create() that refuses some start states checks these:
        values, context keys, copies and imports alike."""
        defaults, states = None, []
        for vals in vals_list:
            if name in vals:
                states.append(vals[name])
                continue
            if defaults is None:
                defaults = self.default_get([name])
            states.append(defaults.get(name))
        return states

    # -- the Audit Trail smart button, on the form of every audited model --
    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        arch, view = super()._get_view(view_id, view_type, **options)
        if view_type == "form" and self._med_audit_config():
            self._med_add_audit_trail_button(arch)
        return arch, view

    @api.model
    def _med_add_audit_trail_button(self, arch):
        """Add the button to the form's button box (made if the form has none). The
        view cache is per language: the label is translated here. Audit rules clear
        that cache when they change."""
        sheet = arch.find(".//sheet")
        if sheet is None:
            return
        box = arch.find(".//div[@name='button_box']")
        if box is None:
            box = etree.Element("div", {"class": "oe_button_box", "name": "button_box"})
            sheet.insert(0, box)
        button = etree.SubElement(
            box,
            "button",
            {
                "name": "action_med_open_audit_trail",
                "type": "object",
                "class": "oe_stat_button",
                "icon": "fa-history",
                "invisible": "not id",
                "groups": "med_audit_export.group_med_auditor",
            },
        )
        info = etree.SubElement(button, "div", {"class": "o_stat_info"})
        label = etree.SubElement(info, "span", {"class": "o_stat_text"})
        label.text = self.env._("Audit Trail")

    def action_med_open_audit_trail(self):
        """The audit trail of this record (read under the reader's access rights)."""
        self.ensure_one()
        self.env["med.audit.entry"].check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "med_audit_export.med_audit_entry_action"
        )
        action["domain"] = [("res_model", "=", self._name), ("res_id", "=", self.id)]
        action["context"] = {}
        action["display_name"] = self.env._(
            "Audit Trail: %(record)s", record=self.display_name
        )
        return action

    # -- protected fields: declared once per model, enforced here --
    # Fields that only the application's own actions set (a signed release, a QA
    # verification, who recorded a lot): outside trusted code no caller sets them,
    # neither at create (values, ``default_*`` context keys, copy, name_create,
    # import) nor at write. A model declares them in ``_med_protected_fields``; a
    # compliance administrator may protect more through the audit rule.
    _med_protected_fields = ()
    # Protected fields whose initial value the model's own create() decides for
    # every caller, overwriting what it is given (a lot's status): not checked here.
    _med_create_decided_fields = ()

    def _med_protected_names(self, config=None):
        """The protected fields (``config``: the model's audit configuration, when
        the caller has looked it up already)."""
        config = config or self._med_audit_config()
        names = frozenset(self._med_protected_fields)
        return names | config.protected if config else names

    def _med_create_forced_values(self):
        """{field: value} that every record created outside trusted code starts
        with, whatever the caller sends (e.g. who recorded a lot: its creator)."""
        return {}

    def _med_guard_create(self, vals_list):
        """(model, vals_list) for a create outside trusted code: ``default_*``
        context keys of protected fields dropped (a context key is a UI convenience,
        never authority), forced initial values applied, and a refusal when a
        protected field is given another value than its initial one."""
        protected = self._med_protected_names()
        if not protected:
            return self, vals_list
        context_keys = {f"default_{name}" for name in protected}
        model = self
        if context_keys.intersection(self.env.context):
            # Keys are removed, not overridden: a context replaced as a whole.
            model = self.with_context(  # pylint: disable=context-overridden
                {k: v for k, v in self.env.context.items() if k not in context_keys}
            )
        forced = model._med_create_forced_values()
        guarded, initial = [], None
        for vals in vals_list:
            given = protected.intersection(vals).difference(
                forced, self._med_create_decided_fields
            )
            if given:
                if initial is None:
                    initial = model.default_get(sorted(protected))
                changed = sorted(
                    name
                    for name in given
                    if not model._med_same_value(name, vals[name], initial.get(name))
                )
                if changed:
                    raise UserError(
                        self.env._(
                            "%(fields)s of a new %(model)s are set by the application's"
                            " own actions (e.g. a signed verification), not when the "
                            "record is created.",
                            fields=", ".join(
                                self._fields[n]._description_string(self.env)
                                for n in changed
                            ),
                            model=self._description,
                        )
                    )
            guarded.append(dict(vals, **forced))
        return model, guarded

    def _med_same_value(self, name, value, initial):
        """Is ``value`` (as given to create) the field's initial value?"""
        field = self._fields[name]
        if field.type in ("one2many", "many2many"):
            # Only an empty value is the initial one of a relation.
            return not initial and all(
                isinstance(command, list | tuple)
                and (
                    command[0] == fields.Command.CLEAR
                    or (command[0] == fields.Command.SET and not command[2])
                )
                for command in value or ()
            )
        empty = self.browse()
        new = field.convert_to_cache(value, empty, validate=False)
        old = field.convert_to_cache(initial, empty, validate=False)
        return (new or False) == (old or False)

    def _med_company_lang(self, company=None):
        """These records in the language of ``company`` (its partner's; default: the
        current company): texts the application writes into records (titles, trail
        details) read the same whoever's action wrote them."""
        company = company or self.env.company
        # sudo: the company's language is no secret, its partner may be unreadable.
        lang = company.sudo().partner_id.lang
        return self.with_context(lang=lang) if lang else self

    def _med_field_labels(self, names):
        """The fields' labels in the user's language, for messages."""
        return ", ".join(
            sorted(self._fields[n]._description_string(self.env) for n in names)
        )

    def _med_model_label(self):
        """The model's name in the user's language, for messages."""
        # sudo: a model's name is no secret; the message may reach any user.
        return self.env["ir.model"].sudo()._get(self._name).name or self._description

    def _med_raise_protected(self, names):
        labels = self._med_field_labels(names)
        raise UserError(
            self.env._(
                "%(fields)s can only be changed through the actions made for it "
                "(e.g. a signed release), not edited directly.",
                fields=labels,
            )
        )

    def copy_data(self, default=None):
        vals_list = super().copy_data(default)
        if self._med_trusted():
            return vals_list
        # A copy starts with the initial values of the protected fields: a copied
        # verified certificate is not verified. What the caller asks for in
        # ``default`` goes to create, which refuses it.
        dropped = self._med_protected_names().difference(default or ())
        for vals in vals_list:
            for name in dropped.intersection(vals):
                del vals[name]
        return vals_list

    def _med_reason(self):
        reason = self.env.context.get("med_reason")
        if reason is None or reason is False:
            return None
        if not isinstance(reason, str) or not reason.strip():
            raise UserError(
                self.env._(
                    "The reason for change is empty: say why the record changes."
                )
            )
        return reason.strip()

    def _med_pending(self, key):
        return self.env.cr.cache.setdefault(key, {})

    # -- value formatting --
    def _med_prefetch_names(self, field_names, *row_lists):
        """Read, in one query per comodel, the names the rows refer to."""
        for name in field_names:
            field = self._fields[name]
            if field.type not in ("many2one", "many2many"):
                continue
            ids = set()
            for row in itertools.chain(*row_lists):
                value = row.get(name)
                if isinstance(value, int):
                    ids.add(value)
                elif isinstance(value, list | tuple):
                    ids.update(value)
            # sudo: the trail must name the value even if the user may not read it.
            self.env[field.comodel_name].sudo().browse(ids).mapped("display_name")

    def _med_selection_labels(self, name):
        """The English labels of a selection field, read once per transaction: the
        trail formats thousands of values in a batch (the expiry job)."""
        cache = self._med_pending(SELECTION_LABELS_KEY)
        key = (self._name, name)
        if key not in cache:
            field = self._fields[name]
            cache[key] = dict(
                field._description_selection(self.with_context(lang="en_US").env)
            )
        return cache[key]

    def _med_format(self, name, value):
        """A stored value as readable text: relational values by name and id."""
        field = self._fields[name]
        value = getattr(value, "adapted", value)  # psycopg2 Json wrapper
        if isinstance(value, dict):  # translated field
            value = value.get("en_US") or next(iter(value.values()), None)
        if value is None or (value is False and field.type != "boolean"):
            return ""
        if field.type in ("many2one", "many2many"):
            ids = [value] if isinstance(value, int) else list(value)
            records = self.env[field.comodel_name].sudo().browse(ids)
            return ", ".join(f"{rec.display_name} (#{rec.id})" for rec in records)
        if field.type == "selection":
            return f"{self._med_selection_labels(name).get(value, value)}"
        if field.type == "datetime":  # a datetime, or a string as flushed
            if isinstance(value, str):
                value = value[:19]  # to the second, as the ORM shows it
            return fields.Datetime.to_string(fields.Datetime.to_datetime(value))
        if field.type == "date":
            return fields.Date.to_string(
                fields.Date.to_date(value[:10] if isinstance(value, str) else value)
            )
        if field.type in ("float", "monetary"):
            return str(float(value))
        return str(value)

    def _med_entry_row(self, operation, record_id, name, old, new, user_id, reason):
        field = self._fields.get(name) if name else None
        return {
            "timestamp": fields.Datetime.now(),
            "user_id": user_id,
            "operation": operation,
            "res_model": self._name,
            "res_id": record_id,
            "res_name": None,
            "field_name": name,
            "field_label": field.string if field else None,
            "old_value": old,
            "new_value": new,
            "reason": reason,
            "company_id": None,
        }

    def _med_insert_entries(self, rows, reserved=None):
        """Add missing record names and companies, then append the rows to the
        trail (with the ids ``reserved`` already, if given)."""
        if not rows:
            return
        missing = {row["res_id"] for row in rows if not row["res_name"]}
        names, companies = {}, {}
        if missing:
            # sudo: entries name and place records the acting user may not read.
            records = self.sudo().browse(missing).exists()
            names = {rec.id: rec.display_name for rec in records}
            if "company_id" in self._fields and self._fields["company_id"].store:
                companies = {rec.id: rec.company_id.id for rec in records}
        company_id = None
        for row in rows:
            row["res_name"] = row["res_name"] or names.get(row["res_id"])
            if not row["company_id"]:
                if company_id is None:
                    company_id = self.env.company.id
                row["company_id"] = companies.get(row["res_id"]) or company_id
        # sudo: entries are system records, created by the engine only.
        self.env["med.audit.entry"].sudo()._med_chain_insert(rows, reserved)

    def _med_log_event(self, operation, reason=None, details=None):
        """Log a record-level event (signature, export, ...) for each record."""
        rows = [
            self._med_entry_row(
                operation, rec.id, None, None, details, self.env.uid, reason
            )
            for rec in self
        ]
        self._med_insert_entries(rows)

    # -- create --
    @api.model_create_multi
    def create(self, vals_list):
        model = self
        if not self._med_trusted():
            model, vals_list = self._med_guard_create(vals_list)
        records = super(Base, model).create(vals_list)
        config = records._med_audit_config()
        if config and config.log_create and records:
            records._med_log_create(config)
        return records

    def _med_log_create(self, config):
        names = sorted(config.fields)
        reason = self._med_reason()
        created = self._med_pending(CREATED_KEY)
        snapshot = [{name: rec[name] for name in names} for rec in self]
        rows = []
        for rec, values in zip(self, snapshot, strict=True):
            for name in names:
                value = values[name]
                text = self._med_format(
                    name, value.ids if isinstance(value, models.BaseModel) else value
                )
                if text == "":
                    continue
                created[(self._name, rec.id, name)] = text
                rows.append(
                    self._med_entry_row(
                        "create", rec.id, name, "", text, self.env.uid, reason
                    )
                )
        self._med_insert_entries(rows)

    # -- write --
    def write(self, vals):
        if not self:
            return super().write(vals)
        config = self._med_audit_config()
        protected = self._med_protected_names(config).intersection(vals)
        if protected and not self._med_trusted():
            self._med_raise_protected(protected)
        if not config:
            return super().write(vals)
        audited = config.fields.intersection(vals) if config.log_write else ()
        if not audited:
            return super().write(vals)
        reason = self._med_reason()
        if config.reason_required and not reason:
            self.check_access("write")  # a refusal of access comes first
            raise UserError(
                self.env._(
                    "Give a reason for changing %(fields)s of %(model)s: this change "
                    "is audited.",
                    fields=self._med_field_labels(audited),
                    model=self._med_model_label(),
                )
            )
        pending = self._med_pending(PENDING_KEY)
        if any((self._name, record_id) in pending for record_id in self._ids):
            # An earlier change of these records is not flushed yet: write it to the
            # database (and the trail, with its own user and reason) before this one.
            self.flush_recordset()
        many2many = sorted(n for n in audited if self._fields[n].type == "many2many")
        before = many2many and {
            rec.id: {n: rec[n].ids for n in many2many} for rec in self
        }
        # Remembered before writing, because write() itself may flush (a constraint
        # that searches), and again after, for the fields recomputed at the next flush.
        keys = [(self._name, record_id) for record_id in self.ids]
        for key in keys:
            pending[key] = (self.env.uid, reason)
        try:
            result = super().write(vals)
        except Exception:
            for key in keys:
                pending.pop(key, None)
            raise
        for key in keys:
            pending[key] = (self.env.uid, reason)
        if many2many:
            self._med_log_many2many(many2many, before, reason)
        return result

    def _med_log_many2many(self, names, before, reason):
        rows = []
        for rec in self:
            for name in names:
                old_ids, new_ids = before[rec.id][name], rec[name].ids
                if set(old_ids) == set(new_ids):
                    continue
                old, new = (
                    self._med_format(name, old_ids),
                    self._med_format(name, new_ids),
                )
                rows.append(
                    self._med_entry_row(
                        "write", rec.id, name, old, new, self.env.uid, reason
                    )
                )
        self._med_insert_entries(rows)

    def _write_multi(self, vals_list):
        config = self._med_audit_config()
        if not config or not config.log_write or not self:
            return super()._write_multi(vals_list)
        names = sorted(config.fields.intersection(set().union(*vals_list)))
        names = [n for n in names if self._fields[n].column_type]
        if not names:
            return super()._write_multi(vals_list)
        if self._med_plain_update(vals_list):
            reserved = self._med_update_reading_old(vals_list, names)
        else:
            # One round trip, without any lock: reserve entry ids, read the old
            # values with the record's name and company; then the ORM's update.
            # sudo: entries are system records, created by the engine only.
            reserved = (
                self.env["med.audit.entry"]
                .sudo()
                ._med_chain_reserve(
                    len(self._ids) * len(names), self._med_old_rows_sql(names)
                )
            )
            super()._write_multi(vals_list)
        old_rows = {row["id"]: row for row in reserved[1] or ()}
        self._med_log_flushed(names, old_rows, vals_list, reserved)

    def _med_plain_update(self, vals_list):
        """Does the ORM update these values with plain UPDATE statements (no parent
        path to maintain, no translated or company-dependent column)?"""
        if self._parent_store and any(self._parent_name in vals for vals in vals_list):
            return False
        return not any(
            field.translate is True or field.company_dependent
            for field in map(self._fields.get, set().union(*vals_list))
        )

    def _med_update_reading_old(self, vals_list, names):
        """The ORM's update of ``vals_list`` (``BaseModel._write_multi``, plain
        columns), each statement also returning the old values of ``names`` of the
        rows it updates (read from the snapshot the update replaces) and an entry id
        per audited field: an audited flush costs no round trip more than an
        unaudited one. Returns (entry ids, old rows), as ``_med_chain_reserve``."""
        if self._log_access:
            log_vals = {"write_uid": self.env.uid, "write_date": self.env.cr.now()}
            vals_list = [log_vals | vals for vals in vals_list]
        updates = defaultdict(list)
        for record_id, vals in zip(self._ids, vals_list, strict=True):
            fnames, row = zip(*sorted(vals.items()), strict=True)
            updates[fnames].append((record_id, *row))
        returning, keys = self._med_old_returning(names)
        cr = self.env.cr
        ids, old_rows = [], []
        for fnames, rows in updates.items():
            for sub_rows in split_every(UPDATE_BATCH_SIZE, rows):
                cr.execute(self._med_update_sql(fnames, sub_rows, returning))
                for row in cr.fetchall():
                    old_rows.append(dict(zip(keys, row[: len(keys)], strict=True)))
                    ids.extend(row[len(keys) :])
        # ids in the order the sequence gave them, as one reservation would
        ids.sort()
        return ids, old_rows

    def _med_update_sql(self, fnames, rows, returning):
        """``BaseModel._write_multi``'s UPDATE of plain columns ``fnames``, ``rows``
        being (id, value...) tuples, returning ``returning`` (``_med_old_returning``)
        of the rows as they were."""
        types = tuple(self._fields[fname].column_type[1] for fname in fnames)
        key = ("update", self._table, fnames, types, len(rows), returning)
        code = STATEMENT_CODES.get(key)
        if code is None:
            table = SQL.identifier(self._table).code
            columns = [SQL.identifier(fname).code for fname in fnames]
            # "__old": the table once more, as the statement's snapshot shows it
            code = STATEMENT_CODES[key] = (
                f"UPDATE {table} SET "
                + ", ".join(
                    f'{column} = "__tmp".{column}::{column_type}'
                    for column, column_type in zip(columns, types, strict=True)
                )
                + f" FROM (VALUES {', '.join(['%s'] * len(rows))})"
                + f' AS "__tmp"("id", {", ".join(columns)}), {table} AS "__old"'
                + f' WHERE {table}."id" = "__tmp"."id" AND "__old"."id" = "__tmp"."id"'
                + f" RETURNING {returning}"
            )
        return SQL(code, *rows)

    def _med_old_returning(self, names):
        """(SQL expressions, keys): the id, the stored values of ``names``, the
        record's name and company of a row ``"__old"``, then one new entry id per
        name."""
        rec_name, has_company, dated = self._med_old_row_shape(names)
        key = ("returning", self._table, tuple(names), dated, rec_name, has_company)
        shape = STATEMENT_CODES.get(key)
        if shape is None:
            expressions, keys = ['"__old"."id"'], ["id"]
            for name, is_dated in zip(names, dated, strict=True):
                column = SQL.identifier("__old", name).code
                expressions.append(f"{column}{'::text' if is_dated else ''}")
                keys.append(name)
            if rec_name:
                expressions.append(SQL.identifier("__old", rec_name).code)
                keys.append("_med_name")
            if has_company:
                expressions.append(SQL.identifier("__old", "company_id").code)
                keys.append("_med_company")
            sequence = f"{self.env['med.audit.entry']._table}_id_seq"
            expressions += [f"nextval('{sequence}')"] * len(names)
            shape = STATEMENT_CODES[key] = (", ".join(expressions), tuple(keys))
        return shape

    def _med_old_row_shape(self, names):
        """(stored name field or None, stored company?, per name: is it read as
        text: dates as the ORM flushes them, binary values as JSON shows them)"""
        rec_name = self._fields.get(self._rec_name or "")
        if not (
            rec_name
            and rec_name.store
            and rec_name.column_type
            and not rec_name.translate
        ):
            rec_name = None
        company = self._fields.get("company_id")
        has_company = bool(company and company.store and company.type == "many2one")
        dated = tuple(
            self._fields[name].type in ("date", "datetime", "binary") for name in names
        )
        return rec_name and rec_name.name, has_company, dated

    def _med_old_rows_sql(self, names):
        """SQL giving the stored values of ``names`` of these records, as JSON."""
        rec_name, has_company, dated = self._med_old_row_shape(names)
        key = ("old", self._table, tuple(names), dated, rec_name, has_company)
        code = STATEMENT_CODES.get(key)
        if code is None:
            table = SQL.identifier(self._table).code
            pairs = [f"'id', {table}.id"]
            for name, is_dated in zip(names, dated, strict=True):
                column = SQL.identifier(self._table, name).code
                pairs.append(f"'{name}', {column}{'::text' if is_dated else ''}")
            if rec_name:
                column = SQL.identifier(self._table, rec_name).code
                pairs.append(f"'_med_name', {column}")
            if has_company:
                column = SQL.identifier(self._table, "company_id").code
                pairs.append(f"'_med_company', {column}")
            code = STATEMENT_CODES[key] = (
                f"(SELECT json_agg(json_build_object({', '.join(pairs)})) FROM {table}"
                f" WHERE {table}.id = ANY(%s))"
            )
        return SQL(code, list(self._ids))

    def _med_log_flushed(self, names, old_rows, vals_list, reserved):
        pending = self._med_pending(PENDING_KEY)
        created = self._med_pending(CREATED_KEY)
        default = (self.env.uid, self._med_reason())
        self._med_prefetch_names(names, old_rows.values(), vals_list)
        # what every entry of this flush shares, looked up once
        model, now, labels = self._name, fields.Datetime.now(), {}
        for name in names:
            labels[name] = self._fields[name].string
        format_value = self._med_format
        rows = []
        for record_id, vals in zip(self._ids, vals_list, strict=True):
            uid, reason = pending.pop((model, record_id), default)
            old_row = old_rows.get(record_id, {})
            for name in names:
                if name not in vals:
                    continue
                new = format_value(name, vals[name])
                if created and created.pop((model, record_id, name), None) == new:
                    continue  # the value computed right after creation, logged there
                old = format_value(name, old_row.get(name))
                if old != new:
                    rows.append(
                        {
                            "timestamp": now,
                            "user_id": uid,
                            "operation": "write",
                            "res_model": model,
                            "res_id": record_id,
                            "res_name": old_row.get("_med_name"),
                            "field_name": name,
                            "field_label": labels[name],
                            "old_value": old,
                            "new_value": new,
                            "reason": reason,
                            "company_id": old_row.get("_med_company"),
                        }
                    )
        self._med_insert_entries(rows, reserved)

    # -- unlink --
    def unlink(self):
        if not self or "med.retention.rule" not in self.env.registry:
            return super().unlink()
        Retention = self.env["med.retention.rule"]
        if Retention._med_rule_ids(self._name):  # a cached lookup for other models
            self.check_access("unlink")  # a refusal of access comes before retention
            Retention._med_ensure_unlink(self)
        config = self._med_audit_config()
        if not config or not config.log_unlink:
            return super().unlink()
        names = sorted(config.fields)
        reason = self._med_reason()
        rows = []
        for rec in self:
            for name in names:
                value = rec[name]
                text = self._med_format(
                    name, value.ids if isinstance(value, models.BaseModel) else value
                )
                if text:
                    row = self._med_entry_row(
                        "unlink", rec.id, name, text, "", self.env.uid, reason
                    )
                    row["res_name"] = rec.display_name
                    if "company_id" in self._fields:
                        row["company_id"] = rec.company_id.id
                    rows.append(row)
        result = super().unlink()
        self._med_insert_entries(rows)
        return result
