from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.base.models.ir_cron import _intervalTypes

from .med_hash_chain_mixin import GENESIS_HASH, HEAD_TABLE, refuse_change

# The hash-chained models, each its own chain (stream); one verification covers both.
CHAINED_MODELS = ("med.audit.entry", "med.signature")


def mark_run(env, key):
    """Record in the row ``key`` of the system parameters that a run of a job decides
    now, before it records its result. Two runs whose snapshots overlap both write
    that row and cannot both commit: the later one fails to serialise (also when it
    reads the database from before the first one committed, where a lock alone
    would not conflict any more), is retried, and the retry sees the first's result.
    Written with SQL: nothing reads the value, it only serialises the runs."""
    env.cr.execute(
        SQL(
            "INSERT INTO ir_config_parameter (key, value, create_uid, create_date,"
            " write_uid, write_date) VALUES (%(key)s, %(now)s, %(uid)s, %(now)s,"
            " %(uid)s, %(now)s) ON CONFLICT (key) DO UPDATE"
            " SET value = EXCLUDED.value, write_uid = EXCLUDED.write_uid,"
            " write_date = EXCLUDED.write_date",
            key=key,
            now=fields.Datetime.to_string(fields.Datetime.now()),
            uid=env.uid,
        )
    )


def job_window_start(env, job_xmlid):
    """When the current period of the job ``job_xmlid`` began, for a run deciding
    whether the job already did its work: half its interval ago, so that a run late
    by a few minutes is not taken for a second run of the same period."""
    now = fields.Datetime.now()
    # sudo: the job's schedule is no secret to the job itself
    job = env.ref(job_xmlid, raise_if_not_found=False)
    job = job and job.sudo()
    interval = (
        _intervalTypes[job.interval_type](job.interval_number)
        if job
        else _intervalTypes["days"](1)
    )
    return now - (now - (now - interval)) / 2


class MedAuditChainHead(models.Model):
    """Where a chain ends: the position and hash of its last sealed record (the
    *sealed up to* watermark), and the legacy segment it continues. Written by the
    sealer only, under a row lock that serialises sealers of one chain."""

    _name = "med.audit.chain.head"
    _description = "Audit Chain Head"
    _log_access = False
    _rec_name = "model"
    _order = "model"

    model = fields.Char(required=True, readonly=True)
    last_seq = fields.Integer(string="Sealed Up To", readonly=True)
    last_hash = fields.Char(readonly=True)
    date_sealed = fields.Datetime(string="Last Sealed On", readonly=True)
    legacy_last_id = fields.Integer(
        string="Last Legacy Record",
        readonly=True,
        help="Records up to this id were written before version 18.0.1.2.0 and are "
        "verified with the algorithm of that time.",
    )
    legacy_last_hash = fields.Char(readonly=True)
    legacy_count = fields.Integer(string="Legacy Records", readonly=True)

    _sql_constraints = (("model_unique", "UNIQUE(model)", "A chain has one head."),)

    @api.model_create_multi
    def create(self, vals_list):  # pylint: disable=method-required-super
        refuse_change(self)  # the sealer writes heads with SQL, nobody else

    def write(self, vals):  # pylint: disable=method-required-super
        refuse_change(self)

    def unlink(self):  # pylint: disable=method-required-super
        refuse_change(self, deletion=True)

    @api.model
    def _med_head(self, chained):
        """The head of ``chained``'s chain as a dict (as it would be created when
        none is yet: before the first seal)."""
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT last_seq, last_hash, legacy_last_id, legacy_last_hash, "
                "legacy_count FROM %s WHERE model = %s",
                SQL.identifier(HEAD_TABLE),
                chained._name,
            )
        )
        row = cr.fetchone()
        if not row:
            table = SQL.identifier(chained._table)
            cr.execute(
                SQL(
                    "SELECT 0, COALESCE(legacy.entry_hash, %s), COALESCE(legacy.id, 0),"
                    " legacy.entry_hash,"
                    " (SELECT count(*) FROM %s WHERE content_hash IS NULL)"
                    " FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT id, entry_hash"
                    " FROM %s WHERE content_hash IS NULL ORDER BY id DESC LIMIT 1)"
                    " legacy ON TRUE",
                    GENESIS_HASH,
                    table,
                    table,
                )
            )
            row = cr.fetchone()
        keys = ("last_seq", "last_hash", "legacy_last_id", "legacy_last_hash")
        head = dict(zip((*keys, "legacy_count"), row, strict=True))
        head["genesis"] = head["legacy_last_hash"] or GENESIS_HASH
        return head

    @api.model
    def _cron_seal(self):
        """Seal what the writers' own sealers left (a crash between commit and
        sealing, a sealer that gave up waiting)."""
        for model in CHAINED_MODELS:
            self.env[model]._med_seal_committed()
