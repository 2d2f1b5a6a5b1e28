from odoo import api, fields, models
from odoo.exceptions import UserError

from .base import PROTECTED_WRITE
from .med_hash_chain_mixin import refuse_change


class MedRestoreCheck(models.Model):
    """A backup restored into a new database and verified by ``setup/restore.sh``
    (EU GMP Annex 11 §7.2: backups are checked for restorability): which archive,
    from which database, and the report with its verdict. Written by the restore
    script only; append-only."""

    _name = "med.restore.check"
    _description = "Restore Check"
    _order = "date desc, id desc"
    _rec_name = "archive"

    date = fields.Datetime(string="Checked On", readonly=True, required=True)
    archive = fields.Char(readonly=True, required=True)
    source_database = fields.Char(string="Taken From", readonly=True)
    restored_database = fields.Char(string="Restored Into", readonly=True)
    passed = fields.Boolean(string="Verified", readonly=True)
    report = fields.Text(readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        if self.env.context.get("med_protected_write") is not PROTECTED_WRITE:
            raise UserError(
                self.env._(
                    "Restore checks are recorded by setup/restore.sh only, after it "
                    "has verified a restored backup."
                )
            )
        return super().create(vals_list)

    def write(self, vals):  # pylint: disable=method-required-super
        refuse_change(self)

    def unlink(self):  # pylint: disable=method-required-super
        refuse_change(self, deletion=True)

    @api.model
    def _med_record(self, values):
        """Record a verified restore (called by ``setup/restore_check.py``)."""
        return self._med_protected_write().create(
            dict(values, date=fields.Datetime.now())
        )
