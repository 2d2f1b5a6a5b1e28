import contextlib
import logging
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import MissingError, UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# A user looping on refused deletions must not flood the trail: one entry per user
# and record per window, and at most so many entries per user per window.
REFUSED_DELETION_WINDOW = timedelta(hours=1)
REFUSED_DELETIONS_PER_USER = 100
REFUSAL_TEXT_LIMIT = 1000
# Marks an exception whose refusal is in the trail (or was tried): an outer recorder
# lets it pass.
REFUSAL_RECORDED = "_med_refusal_recorded"


# A second extension of base, loaded after base.py's: its unlink() wraps the audit
# engine's (retention rules, access checks and ondelete hooks run inside it), so that
# their refusals are recorded too.
class Base(models.AbstractModel):
    """Refused deletions of audited records in the audit trail (EU GMP Annex 11 §9,
    the 2025 draft's audit-trail review): the refusal rolls back the transaction
    that asked, so the attempt (who, what, when, why refused) is appended to the
    trail by a transaction of its own, committed whatever the caller's becomes."""

    _inherit = "base"  # pylint: disable=consider-merging-classes-inherited

    def unlink(self):
        with self._med_refused_deletion_recorder():
            return super().unlink()

    @contextlib.contextmanager
    def _med_refused_deletion_recorder(self):
        """Record a refusal (not a record already gone) of deleting these records,
        then let it go on to the caller. A model whose unlink() refuses before
        calling super runs its checks in it; nested recorders (that unlink calling
        super, a deletion deleting others) record a refusal once, for the records
        it refused."""
        try:
            yield
        except MissingError:
            raise
        except UserError as error:
            if (
                self
                and not getattr(error, REFUSAL_RECORDED, False)
                and self._med_log_refused_deletion(error)
            ):
                setattr(error, REFUSAL_RECORDED, True)
            raise

    def _med_refused_deletion_logged(self):
        """Are refused deletions of this model's records logged: it is audited, or
        a retention rule keeps its records."""
        if self._transient or "med.retention.rule" not in self.env.registry:
            return False
        return bool(
            self._med_audit_config()
            or self.env["med.retention.rule"]._med_rule_ids(self._name)
        )

    def _med_log_refused_deletion(self, error):
        """Append the refused deletion of these records to the trail from a cursor
        of its own, if their refusals are logged (returns whether they are); never
        raises (the refusal is what the caller gets)."""
        try:
            if not self._med_refused_deletion_logged():
                return False
            rows = self._med_refused_deletion_rows(error)
        except Exception:  # the caller's transaction may be aborted: names unknown
            _logger.warning("%s: refused deletion not described", self._name)
            rows = [
                self._med_refused_deletion_row(record_id, None, None, error)
                for record_id in self.ids
            ]
        try:
            with self.env.registry.cursor() as cr:
                cr.execute("SET LOCAL lock_timeout = '5s'")
                env = api.Environment(cr, SUPERUSER_ID, {})
                rows = env[self._name]._med_refused_deletion_throttle(rows)
                env["med.audit.entry"]._med_chain_insert(rows)
        except Exception as log_error:  # the refusal must reach the caller anyway
            _logger.warning(
                "%s: refused deletion of %s by uid %s not written to the trail: %s",
                self._name,
                self.ids,
                self.env.uid,
                log_error,
            )
        return True

    def _med_refused_deletion_rows(self, error):
        # sudo: the refusal may be one of access; the trail names the record anyway
        records = self.sudo().exists()
        with_company = "company_id" in self._fields and self._fields["company_id"].store
        return [
            self._med_refused_deletion_row(
                record.id,
                record.display_name,
                (with_company and record.company_id.id) or self.env.company.id,
                error,
            )
            for record in records
        ]

    def _med_refused_deletion_row(self, record_id, name, company_id, error):
        row = self._med_entry_row(
            "unlink_refused",
            record_id,
            None,
            None,
            str(error.args[0] if error.args else error)[:REFUSAL_TEXT_LIMIT],
            self.env.uid,
            self._med_refused_deletion_reason(),
        )
        row["res_name"] = name
        row["company_id"] = company_id
        return row

    def _med_refused_deletion_reason(self):
        """The reason the caller gave, if any: an empty one is not refused here."""
        reason = self.env.context.get("med_reason")
        return reason.strip() or None if isinstance(reason, str) else None

    @api.model
    def _med_refused_deletion_throttle(self, rows):
        """The rows still worth an entry: not the same user's refused deletion of
        the same record within the window, and within the user's quota."""
        if not rows:
            return rows
        uid = rows[0]["user_id"]
        since = fields.Datetime.now() - REFUSED_DELETION_WINDOW
        self.env.cr.execute(
            SQL(
                "SELECT res_model, res_id FROM med_audit_entry "
                "WHERE user_id = %s AND operation = 'unlink_refused' "
                "AND timestamp >= %s",
                uid,
                since,
            )
        )
        recent = self.env.cr.fetchall()
        logged = set(recent)
        fresh = [row for row in rows if (row["res_model"], row["res_id"]) not in logged]
        quota = max(REFUSED_DELETIONS_PER_USER - len(recent), 0)
        if len(fresh) > quota:
            _logger.warning(
                "uid %s: %s refused deletions of %s beyond the quota of %s per %s "
                "not written to the trail",
                uid,
                len(fresh) - quota,
                self._name,
                REFUSED_DELETIONS_PER_USER,
                REFUSED_DELETION_WINDOW,
            )
        return fresh[:quota]
