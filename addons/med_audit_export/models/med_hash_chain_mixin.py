import hashlib
import io
from datetime import datetime

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

GENESIS_HASH = "0" * 64
VERIFY_CHUNK = 5000
UNIT_SEPARATOR = "\x1f"
NULL_MARK = "\x00"
RECORD_SEPARATOR = "\x1e"
# Batches from this size on are appended with COPY instead of INSERT.
COPY_THRESHOLD = 50
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
# A batch written as the hashed texts joined by the separators becomes COPY's text
# format by these replacements, in this order (each one a fast pass over the batch):
# the values' own special characters escaped, then the separators turned into tab and
# newline and the null mark into COPY's null.
COPY_FROM_HASHED = (
    ("\\", "\\\\"),
    ("\t", "\\t"),
    ("\n", "\\n"),
    ("\r", "\\r"),
    (UNIT_SEPARATOR, "\t"),
    (RECORD_SEPARATOR, "\n"),
    (NULL_MARK, "\\N"),
)


def refuse_change(records, deletion=False):
    """Raise the error of an append-only model (entries, signatures, exports ...)."""
    if deletion:
        raise UserError(
            records.env._(
                "%(model)s records can never be deleted (记录不可删除).",
                model=records._description,
            )
        )
    raise UserError(
        records.env._(
            "%(model)s records can never be changed (记录不可修改).",
            model=records._description,
        )
    )


class MedHashChainMixin(models.AbstractModel):
    """Append-only records chained by SHA-256, for audit entries and signatures.

    Rows are inserted with SQL by trusted code only: each row's hash covers its own
    content (the columns in ``_med_hash_fields``, its id included) and the hash of the
    row before it, so an edited, removed or reordered row breaks the chain and
    ``verify_chain()`` finds it. A database trigger refuses UPDATE of the hashed columns
    and DELETE, even from SQL; the ORM guards refuse them for every user.
    """

    _name = "med.hash.chain.mixin"
    _description = "Hash-chained append-only record"
    _med_hash_fields = ()

    prev_hash = fields.Char(string="Previous Hash", readonly=True)
    entry_hash = fields.Char(string="Hash", readonly=True)

    def init(self):
        if self._abstract:
            return
        columns = " OR ".join(
            f"NEW.{name} IS DISTINCT FROM OLD.{name}"
            for name in ("id", *self._med_hash_fields, "prev_hash", "entry_hash")
        )
        self.env.cr.execute(
            SQL(
                """
            CREATE OR REPLACE FUNCTION %(function)s() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'UPDATE' THEN
                    IF %(columns)s THEN
                        RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME
                            || ' is append-only: row ' || OLD.id || ' cannot change';
                    END IF;
                    RETURN NEW;
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
            """,
                function=SQL.identifier(f"{self._table}_refuse_change"),
                trigger=SQL.identifier(f"{self._table}_append_only"),
                trigger_truncate=SQL.identifier(f"{self._table}_no_truncate"),
                table=SQL.identifier(self._table),
                columns=SQL(columns),
            )
        )

    # -- guards --
    @api.model_create_multi
    def create(self, vals_list):  # pylint: disable=method-required-super
        raise UserError(
            self.env._(
                "%(model)s records are written by the system only "
                "(系统自动生成，不能手工创建).",
                model=self._description,
            )
        )

    def write(self, vals):  # pylint: disable=method-required-super
        refuse_change(self)  # append-only: no path may reach the ORM's write

    def unlink(self):  # pylint: disable=method-required-super
        refuse_change(self, deletion=True)

    # -- chain --
    @api.model
    def _med_hash(self, prev_hash, row):
        """SHA-256 over the previous hash and the row's hashed values: values joined by
        the unit separator, None written as NUL, so that None and "" differ."""
        return self._med_hash_values(
            prev_hash, [row[name] for name in self._med_hash_columns()]
        )

    @api.model
    def _med_hash_values(self, prev_hash, values):
        """``_med_hash`` of the hashed values, in ``_med_hash_columns`` order."""
        return self._med_hash_texts(
            prev_hash, [NULL_MARK if value is None else str(value) for value in values]
        )

    @api.model
    def _med_hash_texts(self, prev_hash, texts):
        """``_med_hash`` of the values as text, None written as the null mark."""
        payload = UNIT_SEPARATOR.join([prev_hash, *texts])
        return hashlib.sha256(payload.encode()).hexdigest()

    @api.model
    def _med_hash_columns(self):
        return ("id", *self._med_hash_fields)

    @api.model
    def _med_chain_reserve(self, count, extra=None):
        """Lock the chain for this transaction and reserve ``count`` ids.

        Returns (last hash, ids, value of the ``extra`` SQL expression) in one round
        trip; the caller then appends with ``_med_chain_insert``. The transaction-level
        advisory lock serialises writers, so two transactions never chain onto the
        same predecessor; it is released at commit or rollback.
        """
        cr = self.env.cr
        cr.execute(
            SQL(
                """
            SELECT pg_advisory_xact_lock(hashtext(%(table_name)s));
            SELECT (SELECT entry_hash FROM %(table)s ORDER BY id DESC LIMIT 1),
                   ARRAY(SELECT nextval(%(sequence)s)
                           FROM generate_series(1, %(count)s)),
                   %(extra)s
            """,
                table_name=self._table,
                table=SQL.identifier(self._table),
                sequence=f"{self._table}_id_seq",
                count=count,
                extra=extra or SQL("NULL"),
            )
        )
        prev_hash, ids, extra_value = cr.fetchone()
        return prev_hash or GENESIS_HASH, ids, extra_value

    @api.model
    def _med_chain_insert(self, rows, reserved=None):
        """Append ``rows`` (dicts of the hashed columns, without id) in one statement.

        ``reserved`` is what ``_med_chain_reserve`` returned, when the caller reserved
        already (it may have reserved more ids than it needed). Returns the records.
        """
        if not rows:
            return self.browse()
        prev_hash, ids, _extra = reserved or self._med_chain_reserve(len(rows))
        names = self._med_hash_columns()
        columns = (*names, "prev_hash", "entry_hash")
        # A batch's rows mostly share one timestamp: each distinct one is written
        # once in the canonical form of ``_med_normalize``.
        datetimes = [
            position
            for position, name in enumerate(names)
            if self._fields[name].type == "datetime"
        ]
        canonical = {}
        table_rows, lines, nulls = [], [], 0
        copy = len(rows) >= COPY_THRESHOLD
        for new_id, row in zip(ids, rows, strict=False):
            row["id"] = new_id
            values = [row[name] for name in names]
            for position in datetimes:
                value = values[position]
                if isinstance(value, datetime):
                    text = canonical.get(value)
                    if text is None:
                        text = canonical[value] = fields.Datetime.to_string(value)
                    values[position] = text
            texts = [NULL_MARK if value is None else str(value) for value in values]
            entry_hash = self._med_hash_texts(prev_hash, texts)
            values += (prev_hash, entry_hash)
            table_rows.append(values)
            if copy:
                # the texts just hashed are the COPY line too: converted once
                nulls += texts.count(NULL_MARK)
                texts += (prev_hash, entry_hash)
                lines.append(UNIT_SEPARATOR.join(texts))
            prev_hash = entry_hash
        if copy:
            self._med_copy_rows(columns, table_rows, lines, nulls)
        else:
            row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
            query = SQL(
                "INSERT INTO %s (%s) VALUES " + ", ".join([row_sql] * len(table_rows)),
                SQL.identifier(self._table),
                SQL(", ").join(SQL.identifier(name) for name in columns),
                *(value for table_row in table_rows for value in table_row),
            )
            self.env.cr.execute(query)
        return self.browse(ids[: len(table_rows)])

    def _med_copy_rows(self, columns, table_rows, lines, nulls):
        """Bulk append with COPY, twice as fast as INSERT for large batches.

        ``lines`` are the rows as their hashed texts joined by the unit separator,
        with ``nulls`` null marks among them: turned into COPY's format by a few
        replacements over the whole batch, unless a value itself holds a separator
        or the null mark (then each value of ``table_rows`` is escaped alone)."""
        text = RECORD_SEPARATOR.join(lines)
        if (
            text.count(UNIT_SEPARATOR) == len(lines) * (len(columns) - 1)
            and text.count(RECORD_SEPARATOR) == len(lines) - 1
            and text.count(NULL_MARK) == nulls
        ):
            for char, replacement in COPY_FROM_HASHED:
                text = text.replace(char, replacement)
            buffer = io.StringIO(text + "\n")
        else:
            buffer = io.StringIO(
                "".join(
                    "\t".join(
                        [
                            "\\N"
                            if value is None
                            else value.translate(COPY_ESCAPES)
                            if isinstance(value, str)
                            else str(value)
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

    @api.model
    def _med_normalize(self, row):
        """Hashed values in one canonical form, whether written or read back."""
        return {
            name: fields.Datetime.to_string(value)
            if isinstance(value, datetime)
            else value
            for name, value in row.items()
        }

    @api.model
    def verify_chain(self):
        """Walk the whole chain; return the records whose hash or link does not match.

        An empty recordset means the chain is intact. Reads in chunks with SQL, so
        memory stays flat however long the trail is.
        """
        cr = self.env.cr
        columns = (*self._med_hash_columns(), "prev_hash", "entry_hash")
        broken = []
        expected_prev = GENESIS_HASH
        last_id = 0
        while True:
            cr.execute(
                SQL(
                    "SELECT %s FROM %s WHERE id > %s ORDER BY id LIMIT %s",
                    SQL(", ").join(SQL.identifier(name) for name in columns),
                    SQL.identifier(self._table),
                    last_id,
                    VERIFY_CHUNK,
                )
            )
            chunk = cr.dictfetchall()
            if not chunk:
                break
            for row in chunk:
                row = self._med_normalize(row)
                if (
                    row["prev_hash"] != expected_prev
                    or self._med_hash(row["prev_hash"], row) != row["entry_hash"]
                ):
                    broken.append(row["id"])
                expected_prev = row["entry_hash"]
            last_id = chunk[-1]["id"]
        return self.browse(broken)
