import hashlib
import io
import json
import logging
import re
from collections import deque
from datetime import UTC, date, datetime, timedelta

import psycopg2
from psycopg2 import errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
VERIFY_CHUNK = 5000
# Rows linked per sealing transaction: the chain head stays locked that long only.
SEAL_BATCH = 5000
# A sealer waits this long for another one to finish, then leaves the rows to the cron.
SEAL_LOCK_TIMEOUT = "5s"
SEAL_DELAY_PARAM = "med_audit_export.seal_delay_minutes"
DEFAULT_SEAL_DELAY_MINUTES = 60
# Who may run a verification: reading the whole trail is the auditor's job.
VERIFIER_GROUP = "med_audit_export.group_med_auditor"
# Batches from this size on are appended with COPY instead of INSERT.
COPY_THRESHOLD = 50
# Texts of the INSERT statements, by table, columns and number of rows: built once.
INSERT_CODES = {}
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
COPY_SPECIAL = re.compile(r"[\\\t\n\r]").search
# Entries written before 18.0.1.2.0 (the legacy segment) were hashed over the values
# as text joined by the unit separator, None written as NUL, chained in id order while
# a lock was held; concurrent writers could fork onto a recent predecessor.
LEGACY_SEPARATOR = "\x1f"
LEGACY_NULL = "\x00"
LEGACY_FORK_WINDOW = 10000
HEAD_TABLE = "med_audit_chain_head"


def refuse_change(records, deletion=False):
    """Raise the error of an append-only model (entries, signatures, exports ...)."""
    if deletion:
        # through the recorder: an attempt to delete the trail is in the trail
        with records._med_refused_deletion_recorder():
            raise UserError(
                records.env._(
                    "%(model)s records can never be deleted.",
                    model=records._description,
                )
            )
    raise UserError(
        records.env._(
            "%(model)s records can never be changed.",
            model=records._description,
        )
    )


# -- the one canonical encoding of hashed values --
def canonical_datetime(value):
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def canonical_date(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


def canonical_text(value):
    text = str(value)
    # PostgreSQL text cannot hold NUL: stored (and hashed) as the replacement mark
    return text.replace("\x00", "\ufffd") if "\x00" in text else text


# How a value (not empty, not a record) of each field type is made canonical; any
# other type is text.
CANONICAL_CONVERTERS = {
    "datetime": canonical_datetime,
    "date": canonical_date,
    "many2one": int,
    "integer": int,
    "float": float,
    "monetary": float,
    "boolean": bool,
}


def canonical_value(field_type, value):
    """A value in the one form it is stored and hashed in, whatever the caller gave:
    False is no value (NULL) except for booleans, "" stays a value, datetimes are naive
    UTC with their microseconds, records are their id."""
    if value is None or (value is False and field_type != "boolean"):
        return None
    if isinstance(value, models.BaseModel):
        return value.id or None
    return CANONICAL_CONVERTERS.get(field_type, canonical_text)(value)


def hashed_text(value):
    if isinstance(value, datetime):
        # isoformat() spells "%Y-%m-%d %H:%M:%S.%f" three times faster, the same
        # from year 1000 on
        if value.year >= 1000:
            return value.isoformat(" ", "microseconds")
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


# json.dumps(..., ensure_ascii=False, separators=(",", ":")), its encoder made once
CANONICAL_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
# Field types whose values, as the database returns them, are canonical and hashed as
# they are (ids and integers as int, texts as str, without NUL, booleans as bool).
STORED_AS_HASHED = frozenset(
    ("char", "text", "html", "selection", "integer", "many2one", "boolean")
)


def content_hash(values):
    """SHA-256 of canonical values (the id first) as one JSON array: JSON keeps None,
    "", numbers and text apart, and any character (non-BMP too) is written as UTF-8."""
    payload = CANONICAL_JSON.encode([hashed_text(value) for value in values])
    return hashlib.sha256(payload.encode()).hexdigest()


def stored_hashed_text(field_type):
    """The function giving the hashed text of a value of ``field_type`` as read from
    the database (None: the value as it is)."""
    if field_type in STORED_AS_HASHED:
        return None
    return lambda value: hashed_text(canonical_value(field_type, value))


def chain_hash(seq, prev_hash, row_content_hash):
    return hashlib.sha256(f"{seq}|{prev_hash}|{row_content_hash}".encode()).hexdigest()


def legacy_hash(prev_hash, texts):
    payload = LEGACY_SEPARATOR.join([prev_hash, *texts])
    return hashlib.sha256(payload.encode()).hexdigest()


# -- sealing: linking committed rows into the chain, outside users' transactions --
def lock_head(cr, table, model):
    """The chain head of ``table``, locked for this transaction; created at the first
    seal, when rows written before 18.0.1.2.0 (no content hash) are the legacy segment
    that the chain continues."""
    select = SQL(
        "SELECT last_seq, last_hash FROM %s WHERE model = %s FOR UPDATE",
        SQL.identifier(HEAD_TABLE),
        model,
    )
    cr.execute(select)
    head = cr.fetchone()
    if head:
        return head
    cr.execute(
        SQL(
            """
        INSERT INTO %(head)s (model, last_seq, last_hash, legacy_last_id,
                              legacy_last_hash, legacy_count)
        SELECT %(model)s, 0, COALESCE(legacy.entry_hash, %(genesis)s),
               COALESCE(legacy.id, 0), legacy.entry_hash,
               (SELECT count(*) FROM %(table)s WHERE content_hash IS NULL)
          FROM (SELECT 1) one
          LEFT JOIN LATERAL (SELECT id, entry_hash FROM %(table)s
                              WHERE content_hash IS NULL
                              ORDER BY id DESC LIMIT 1) legacy ON TRUE
        ON CONFLICT (model) DO NOTHING
        """,
            head=SQL.identifier(HEAD_TABLE),
            model=model,
            genesis=GENESIS_HASH,
            table=SQL.identifier(table),
        )
    )
    cr.execute(select)
    return cr.fetchone()


def seal_rows(cr, table, model, limit=SEAL_BATCH):
    """Link up to ``limit`` unsealed rows visible to ``cr`` into the chain, in id
    order; returns how many. The caller's transaction holds the head's lock until it
    ends: run it in a short transaction of its own (``seal_committed``)."""
    last_seq, last_hash = lock_head(cr, table, model)
    cr.execute(
        SQL(
            "SELECT id, content_hash FROM %s WHERE chain_seq IS NULL"
            " AND content_hash IS NOT NULL ORDER BY id LIMIT %s",
            SQL.identifier(table),
            limit,
        )
    )
    rows = cr.fetchall()
    if not rows:
        return 0
    ids, seqs, prevs, hashes = [], [], [], []
    for row_id, row_content_hash in rows:
        last_seq += 1
        entry_hash = chain_hash(last_seq, last_hash, row_content_hash)
        ids.append(row_id)
        seqs.append(last_seq)
        prevs.append(last_hash)
        hashes.append(entry_hash)
        last_hash = entry_hash
    cr.execute(
        SQL(
            """
        UPDATE %(table)s sealed
           SET chain_seq = link.seq, prev_hash = link.prev, entry_hash = link.hash
          FROM unnest(%(ids)s::int[], %(seqs)s::int[], %(prevs)s::varchar[],
                      %(hashes)s::varchar[]) AS link(id, seq, prev, hash)
         WHERE sealed.id = link.id;
        UPDATE %(head)s SET last_seq = %(seq)s, last_hash = %(hash)s,
               date_sealed = now() AT TIME ZONE 'UTC'
         WHERE model = %(model)s
        """,
            table=SQL.identifier(table),
            ids=ids,
            seqs=seqs,
            prevs=prevs,
            hashes=hashes,
            head=SQL.identifier(HEAD_TABLE),
            seq=last_seq,
            hash=last_hash,
            model=model,
        )
    )
    return len(rows)


def seal_committed(registry, table, model):
    """Seal every committed row of ``table`` in short transactions of a new cursor.

    READ COMMITTED, so that the rows read after waiting for another sealer's lock are
    the ones committed by then, not those of a snapshot taken before. Gives up quietly
    when another sealer holds the head too long: the cron seals what is left."""
    test_mode = registry.in_test_mode()
    sealed = 0
    with registry.cursor() as cr:
        while True:
            if not test_mode:  # a test cursor's transaction has begun already
                cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            cr.execute(SQL("SET LOCAL lock_timeout = %s", SEAL_LOCK_TIMEOUT))
            try:
                count = seal_rows(cr, table, model)
            except errors.LockNotAvailable:
                cr.rollback()
                _logger.info("%s: another sealer is busy; the cron seals later", table)
                return sealed
            # the sealer's own cursor: each batch is its own short transaction
            cr.commit()  # pylint: disable=invalid-commit
            sealed += count
            if count < SEAL_BATCH:
                return sealed


class MedHashChainMixin(models.AbstractModel):
    """Append-only records chained by SHA-256, for audit entries and signatures.

    Rows are inserted with SQL by trusted code only, each with the hash of its own
    content (``content_hash``: the columns in ``_med_hash_fields``, its id included),
    without any lock: writers never wait for each other. A sealer links committed rows
    into the chain afterwards, in commit order, in its own short transaction (after
    the writer's commit, and by a cron): ``chain_seq``, ``prev_hash`` and the chain
    hash ``entry_hash``. A database trigger allows that one change (chain columns from
    empty to set, content unchanged) and refuses every other UPDATE, DELETE and
    TRUNCATE, even from SQL; the ORM guards refuse them for every user.
    ``verify_chain()`` recomputes everything and compares the chain with the
    checkpoints kept outside the database (``med.audit.checkpoint``).
    """

    _name = "med.hash.chain.mixin"
    _description = "Hash-chained append-only record"
    _med_hash_fields = ()

    content_hash = fields.Char(readonly=True)
    chain_seq = fields.Integer(string="Chain Position", readonly=True)
    prev_hash = fields.Char(string="Previous Hash", readonly=True)
    entry_hash = fields.Char(string="Chain Hash", readonly=True)

    def init(self):
        if self._abstract:
            return
        content = " OR ".join(
            f"NEW.{name} IS DISTINCT FROM OLD.{name}"
            for name in ("id", *self._med_hash_fields, "content_hash")
        )
        table = SQL.identifier(self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE OR REPLACE FUNCTION %(function)s() RETURNS trigger AS $$
            BEGIN
                -- the one change allowed: an unsealed row linked into the chain
                IF TG_OP = 'UPDATE' AND NOT (%(content)s)
                   AND OLD.content_hash IS NOT NULL AND OLD.chain_seq IS NULL
                   AND OLD.prev_hash IS NULL AND OLD.entry_hash IS NULL
                   AND NEW.chain_seq IS NOT NULL AND NEW.prev_hash IS NOT NULL
                   AND NEW.entry_hash IS NOT NULL THEN
                    RETURN NEW;
                END IF;
                IF TG_OP = 'UPDATE' AND NOT (%(content)s
                   OR NEW.chain_seq IS DISTINCT FROM OLD.chain_seq
                   OR NEW.prev_hash IS DISTINCT FROM OLD.prev_hash
                   OR NEW.entry_hash IS DISTINCT FROM OLD.entry_hash) THEN
                    RETURN NEW;
                END IF;
                IF TG_OP = 'UPDATE' THEN
                    RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME
                        || ' is append-only: row ' || OLD.id || ' cannot change';
                END IF;
                RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME
                    || ' is append-only: ' || TG_OP || ' refused';
            END $$ LANGUAGE plpgsql;
            DROP TRIGGER IF EXISTS %(trigger)s ON %(table)s;
            CREATE TRIGGER %(trigger)s BEFORE UPDATE OR DELETE ON %(table)s
                FOR EACH ROW EXECUTE FUNCTION %(function)s();
            DROP TRIGGER IF EXISTS %(trigger_truncate)s ON %(table)s;
            CREATE TRIGGER %(trigger_truncate)s BEFORE TRUNCATE ON %(table)s
                FOR EACH STATEMENT EXECUTE FUNCTION %(function)s();
            CREATE UNIQUE INDEX IF NOT EXISTS %(seq_index)s ON %(table)s (chain_seq)
                WHERE chain_seq IS NOT NULL;
            CREATE INDEX IF NOT EXISTS %(unsealed_index)s ON %(table)s (id)
                WHERE chain_seq IS NULL;
            """,
                function=SQL.identifier(f"{self._table}_refuse_change"),
                trigger=SQL.identifier(f"{self._table}_append_only"),
                trigger_truncate=SQL.identifier(f"{self._table}_no_truncate"),
                table=table,
                content=SQL(content),
                seq_index=SQL.identifier(f"{self._table}_chain_seq_unique"),
                unsealed_index=SQL.identifier(f"{self._table}_unsealed_index"),
            )
        )

    # -- guards --
    @api.model_create_multi
    def create(self, vals_list):  # pylint: disable=method-required-super
        raise UserError(
            self.env._(
                "%(model)s records are written by the system only.",
                model=self._description,
            )
        )

    def write(self, vals):  # pylint: disable=method-required-super
        refuse_change(self)  # append-only: no path may reach the ORM's write

    def unlink(self):  # pylint: disable=method-required-super
        refuse_change(self, deletion=True)

    # -- writing --
    @api.model
    def _med_hash_columns(self):
        return ("id", *self._med_hash_fields)

    @api.model
    def _med_canonical_row(self, row):
        """The hashed values of ``row`` (a dict), canonical, in column order."""
        return [
            canonical_value(self._fields[name].type, row.get(name))
            for name in self._med_hash_columns()
        ]

    @api.model
    def _med_content_hash(self, row):
        return content_hash(self._med_canonical_row(row))

    @api.model
    def _med_chain_reserve(self, count, extra=None):
        """Reserve ``count`` ids and evaluate the ``extra`` SQL expression, in one
        round trip and without any lock. Returns (ids, value of ``extra``), for
        ``_med_chain_insert``."""
        self.env.cr.execute(
            SQL(
                "SELECT ARRAY(SELECT nextval(%s) FROM generate_series(1, %s)), %s",
                f"{self._table}_id_seq",
                count,
                extra or SQL("NULL"),
            )
        )
        ids, extra_value = self.env.cr.fetchone()
        return ids, extra_value

    @api.model
    def _med_chain_insert(self, rows, reserved=None):
        """Append ``rows`` (dicts of the hashed columns, without id) in one statement,
        each with its content hash; they are linked into the chain after commit.

        ``reserved`` is what ``_med_chain_reserve`` returned, when the caller reserved
        already (it may have reserved more ids than it needed). Returns the records.
        """
        if not rows:
            return self.browse()
        ids = (reserved or self._med_chain_reserve(len(rows)))[0]
        names = self._med_hash_columns()
        columns = (*names, "content_hash")
        # canonical_value() and content_hash() inlined (this loop runs once per
        # entry): per column, its converter and whether False is a value; a text
        # that is a str already is canonical unless it holds NUL; a batch's rows
        # mostly share one timestamp: converted and spelled once
        shapes = []
        for name in names:
            field_type = self._fields[name].type
            shapes.append(
                (
                    name,
                    CANONICAL_CONVERTERS.get(field_type, canonical_text),
                    field_type == "boolean",
                    field_type in ("date", "datetime"),
                    field_type not in CANONICAL_CONVERTERS,
                )
            )
        datetimes = {}
        encode, sha256 = CANONICAL_JSON.encode, hashlib.sha256
        BaseModel = models.BaseModel
        table_rows = []
        for new_id, row in zip(ids, rows, strict=False):
            row["id"] = new_id
            values, texts = [], []
            for name, convert, is_boolean, is_dated, is_text in shapes:
                value = row.get(name)
                if value is None or (value is False and not is_boolean):
                    value = None
                elif is_text and value.__class__ is str:
                    if "\x00" in value:
                        value = canonical_text(value)
                elif isinstance(value, BaseModel):
                    value = value.id or None
                else:
                    value = convert(value)
                values.append(value)
                if is_dated and value is not None:
                    text = datetimes.get(value)
                    if text is None:
                        text = datetimes[value] = hashed_text(value)
                    texts.append(text)
                else:
                    texts.append(value)
            values.append(sha256(encode(texts).encode()).hexdigest())
            table_rows.append(values)
        if len(table_rows) >= COPY_THRESHOLD:
            self._med_copy_rows(columns, table_rows)
        else:
            key = (self._table, columns, len(table_rows))
            code = INSERT_CODES.get(key)
            if code is None:
                row_code = f"({', '.join(['%s'] * len(columns))})"
                code = INSERT_CODES[key] = (
                    f"INSERT INTO {SQL.identifier(self._table).code}"
                    f" ({', '.join(SQL.identifier(name).code for name in columns)})"
                    f" VALUES {', '.join([row_code] * len(table_rows))}"
                )
            self.env.cr.execute(
                code, [value for table_row in table_rows for value in table_row]
            )
        self._med_seal_after_commit()
        return self.browse(ids[: len(table_rows)])

    def _med_copy_rows(self, columns, table_rows):
        """Bulk append with COPY, twice as fast as INSERT for large batches."""

        datetimes = {}  # a batch's rows mostly share one timestamp

        def copy_text(value):
            if value is None:
                return "\\N"
            if isinstance(value, str):
                # most texts have nothing to escape: translate() is the slow part
                return value.translate(COPY_ESCAPES) if COPY_SPECIAL(value) else value
            if isinstance(value, datetime):
                text = datetimes.get(value)
                if text is None:
                    text = datetimes[value] = value.isoformat(" ")
                return text
            return str(value)

        # the common values (no value, ids, texts with nothing to escape) spelled
        # inline: a function call per value is most of the time of a large batch
        buffer = io.StringIO(
            "".join(
                "\t".join(
                    [
                        "\\N"
                        if value is None
                        else value
                        if value.__class__ is str and not COPY_SPECIAL(value)
                        else str(value)
                        if value.__class__ is int
                        else copy_text(value)
                        for value in table_row
                    ]
                )
                + "\n"
                for table_row in table_rows
            )
        )
        copy_sql = SQL(
            "COPY %s (%s) FROM STDIN",
            SQL.identifier(self._table),
            SQL(", ").join(SQL.identifier(name) for name in columns),
        )
        self.env.cr._obj.copy_expert(copy_sql.code, buffer)

    # -- sealing --
    def _med_seal_after_commit(self):
        """Have the rows of this transaction sealed once it commits (once per
        transaction and model), by a cursor of their own."""
        postcommit = self.env.cr.postcommit
        key = f"med_seal_{self._table}"
        if postcommit.data.get(key):
            return
        postcommit.data[key] = True
        registry, table, model = self.env.registry, self._table, self._name

        def seal():
            # the writer's transaction is committed: a failure here must not turn
            # its answer into an error; the cron seals what is left
            try:
                seal_committed(registry, table, model)
            except psycopg2.Error as error:
                _logger.warning("%s: sealing after commit failed: %s", table, error)

        postcommit.add(seal)

    @api.model
    def _med_seal(self):
        """Seal the unsealed rows this transaction sees, in this transaction (tests,
        migration); the application seals with ``seal_committed`` after commit."""
        sealed = 0
        while True:
            count = seal_rows(self.env.cr, self._table, self._name)
            sealed += count
            if count < SEAL_BATCH:
                self.invalidate_model(["chain_seq", "prev_hash", "entry_hash"])
                self.env["med.audit.chain.head"].invalidate_model()
                return sealed

    @api.model
    def _med_seal_committed(self):
        """Seal what other transactions committed, from a cursor of its own."""
        return seal_committed(self.env.registry, self._table, self._name)

    # -- verification --
    @api.model
    def _med_ensure_verifier(self):
        if not self.env.su and not self.env.user.has_group(VERIFIER_GROUP):
            raise AccessError(
                self.env._("Only auditors and the quality team verify the audit trail.")
            )

    @api.model
    @api.returns("self", lambda records: records.ids)  # ids over RPC
    def verify_chain(self, incremental=False):
        """Verify the chain; return the records whose hash, link or checkpoint does not
        match (an empty recordset when intact). See ``_med_verify`` for the rest."""
        return self.browse(self._med_verify(incremental=incremental)["broken"])

    @api.model
    def _med_verify(self, incremental=False, checkpoints=None):
        """Verify this model's chain. Returns a dict: ``broken`` (ids of rows whose
        content hash, chain link or checkpoint does not match), ``late`` (ids of rows
        left unsealed longer than the configured delay), ``problems`` (messages),
        ``count`` (rows read), ``seq`` and ``hash`` (the chain's end).

        Full: the legacy segment with its old algorithm, then the chain from its
        start. Incremental: from the last checkpoint that verified intact and still
        matches its file. Reads in keyset chunks with SQL: memory stays flat however
        long the trail is. ``checkpoints`` are the checkpoint files' contents (read
        from the checkpoint folder when not given)."""
        self._med_ensure_verifier()
        cr = self.env.cr
        Checkpoint = self.env["med.audit.checkpoint"]
        if checkpoints is None:
            checkpoints = Checkpoint._med_read_files()
        head = self.env["med.audit.chain.head"]._med_head(self)
        result = {"broken": set(), "late": [], "problems": [], "count": 0}
        start_seq, start_hash = 0, head["genesis"]
        good = self._med_check_checkpoints(head, checkpoints, result)
        if incremental and good:
            start_seq, start_hash = good
        elif head["legacy_last_id"]:
            self._med_verify_legacy(head, result)
        seq, last_hash = self._med_verify_sealed(start_seq, start_hash, result)
        if (seq, last_hash) != (head["last_seq"], head["last_hash"]):
            result["problems"].append(
                self.env._(
                    "%(model)s: the chain ends at position %(seq)s, its head says "
                    "%(head)s: entries were removed or the head was edited.",
                    model=self._description,
                    seq=seq,
                    head=head["last_seq"],
                )
            )
        self._med_verify_unsealed(head, result)
        cr.execute(
            SQL(
                "SELECT id FROM %s WHERE chain_seq IS NULL AND content_hash IS NULL"
                " AND id > %s",
                SQL.identifier(self._table),
                head["legacy_last_id"],
            )
        )
        result["broken"].update(row[0] for row in cr.fetchall())
        result.update(broken=sorted(result["broken"]), seq=seq, hash=last_hash)
        return result

    def _med_check_checkpoints(self, head, checkpoints, result):
        """Compare the chain with each checkpoint file; returns (seq, hash) of the
        latest checkpoint that matches and was taken on an intact chain, if any."""
        cr = self.env.cr
        good = None
        for checkpoint in checkpoints:
            stream = checkpoint["streams"].get(self._name)
            if not stream:
                continue
            name = checkpoint["name"]
            for key in ("legacy_last_id", "legacy_last_hash", "legacy_count"):
                if stream.get(key) != head[key]:
                    result["problems"].append(
                        self.env._(
                            "%(model)s: checkpoint %(name)s records %(key)s "
                            "%(expected)s, the database %(actual)s.",
                            model=self._description,
                            name=name,
                            key=key,
                            expected=stream.get(key),
                            actual=head[key],
                        )
                    )
            if not stream["seq"]:
                continue
            cr.execute(
                SQL(
                    "SELECT id, entry_hash FROM %s WHERE chain_seq = %s",
                    SQL.identifier(self._table),
                    stream["seq"],
                )
            )
            row = cr.fetchone()
            if row and row[1] == stream["hash"]:
                if checkpoint.get("chain_intact") and (
                    not good or stream["seq"] > good[0]
                ):
                    good = (stream["seq"], stream["hash"])
                continue
            if row:
                result["broken"].add(row[0])
            result["problems"].append(
                self.env._(
                    "%(model)s: checkpoint %(name)s holds position %(seq)s with hash "
                    "%(hash)s; the database no longer does: the chain was rewritten.",
                    model=self._description,
                    name=name,
                    seq=stream["seq"],
                    hash=stream["hash"],
                )
            )
        return good

    def _med_verify_sealed(self, start_seq, start_hash, result):
        cr = self.env.cr
        names = self._med_hash_columns()
        size = len(names)
        converted = [
            (position, convert)
            for position, name in enumerate(names)
            if (convert := stored_hashed_text(self._fields[name].type))
        ]
        columns = (*names, "content_hash", "chain_seq", "prev_hash", "entry_hash")
        expected_seq, expected_prev = start_seq + 1, start_hash
        last_seq, last_hash = start_seq, start_hash
        encode, sha256 = CANONICAL_JSON.encode, hashlib.sha256
        broken = result["broken"]
        while True:
            cr.execute(
                SQL(
                    "SELECT %s FROM %s WHERE chain_seq >= %s ORDER BY chain_seq "
                    "LIMIT %s",
                    SQL(", ").join(SQL.identifier(name) for name in columns),
                    SQL.identifier(self._table),
                    expected_seq,
                    VERIFY_CHUNK,
                )
            )
            chunk = cr.fetchall()
            if not chunk:
                return last_seq, last_hash
            result["count"] += len(chunk)
            # content_hash() and chain_hash() inlined: this loop runs once per entry
            for row in chunk:
                values = list(row[:size])
                for position, convert in converted:
                    values[position] = convert(values[position])
                row_hash, seq, prev_hash, entry_hash = row[size:]
                if (
                    seq != expected_seq
                    or prev_hash != expected_prev
                    or sha256(encode(values).encode()).hexdigest() != row_hash
                    or sha256(f"{seq}|{prev_hash}|{row_hash}".encode()).hexdigest()
                    != entry_hash
                ):
                    broken.add(values[0])
                expected_seq, expected_prev = seq + 1, entry_hash
            last_seq, last_hash = expected_seq - 1, expected_prev

    def _med_verify_unsealed(self, head, result):
        cr = self.env.cr
        delay = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(SEAL_DELAY_PARAM, DEFAULT_SEAL_DELAY_MINUTES)
        )
        deadline = fields.Datetime.now() - timedelta(minutes=delay)
        columns = (*self._med_hash_columns(), "content_hash")
        last_id = head["legacy_last_id"]
        while True:
            cr.execute(
                SQL(
                    "SELECT %s FROM %s WHERE chain_seq IS NULL AND id > %s "
                    "AND content_hash IS NOT NULL ORDER BY id LIMIT %s",
                    SQL(", ").join(SQL.identifier(name) for name in columns),
                    SQL.identifier(self._table),
                    last_id,
                    VERIFY_CHUNK,
                )
            )
            chunk = cr.dictfetchall()
            if not chunk:
                break
            result["count"] += len(chunk)
            for row in chunk:
                if self._med_content_hash(row) != row["content_hash"]:
                    result["broken"].add(row["id"])
                elif row["timestamp"] and row["timestamp"] < deadline:
                    result["late"].append(row["id"])
            last_id = chunk[-1]["id"]

    def _med_verify_legacy(self, head, result):
        """The rows written before 18.0.1.2.0, with the algorithm they were written
        with: each row's hash over its stored predecessor hash and its values, that
        predecessor one of the rows just before it (concurrent writers forked then),
        and the segment's count and last hash as recorded when it was closed."""
        cr = self.env.cr
        names = self._med_hash_columns()
        datetimes = {n for n in names if self._fields[n].type == "datetime"}
        columns = (*names, "content_hash", "prev_hash", "entry_hash")
        recent = deque(maxlen=LEGACY_FORK_WINDOW)
        known = {GENESIS_HASH: 1}
        last_id, count, last_hash = 0, 0, None
        while True:
            cr.execute(
                SQL(
                    "SELECT %s FROM %s WHERE id > %s AND id <= %s ORDER BY id LIMIT %s",
                    SQL(", ").join(SQL.identifier(name) for name in columns),
                    SQL.identifier(self._table),
                    last_id,
                    head["legacy_last_id"],
                    VERIFY_CHUNK,
                )
            )
            chunk = cr.dictfetchall()
            if not chunk:
                break
            count += len(chunk)
            for row in chunk:
                texts = []
                for name in names:
                    value = row[name]
                    if name in datetimes and value:
                        value = fields.Datetime.to_string(value)
                    texts.append(LEGACY_NULL if value is None else str(value))
                prev_hash, entry_hash = row["prev_hash"], row["entry_hash"]
                # earlier versions hashed a False given for a text as "False" and
                # stored it as "false"
                ok = row["content_hash"] is None and known.get(prev_hash)
                ok = ok and entry_hash in (
                    legacy_hash(prev_hash, texts),
                    legacy_hash(
                        prev_hash,
                        [{"false": "False"}.get(text, text) for text in texts],
                    ),
                )
                if not ok:
                    result["broken"].add(row["id"])
                if len(recent) == recent.maxlen:
                    forgotten = recent[0]
                    known[forgotten] -= 1
                    if not known[forgotten]:
                        del known[forgotten]
                recent.append(entry_hash)
                known[entry_hash] = known.get(entry_hash, 0) + 1
                last_hash = entry_hash
            last_id = chunk[-1]["id"]
        result["count"] += count
        if count != head["legacy_count"] or last_hash != head["legacy_last_hash"]:
            result["problems"].append(
                self.env._(
                    "%(model)s: the entries written before version 18.0.1.2.0 were "
                    "%(expected)s when closed, ending with hash %(hash)s; there are "
                    "%(count)s now, ending with %(last)s.",
                    model=self._description,
                    expected=head["legacy_count"],
                    hash=head["legacy_last_hash"],
                    count=count,
                    last=last_hash,
                )
            )
