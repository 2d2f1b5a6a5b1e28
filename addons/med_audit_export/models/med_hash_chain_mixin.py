import hashlib
import json
from datetime import datetime

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

GENESIS_HASH = "0" * 64
VERIFY_CHUNK = 5000


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
    entry_hash = fields.Char(string="Hash", readonly=True, index=True)

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
        payload = json.dumps(
            [prev_hash] + [row[name] for name in ("id", *self._med_hash_fields)],
            ensure_ascii=False,
            separators=(",", ":"),
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()

    @api.model
    def _med_chain_insert(self, rows):
        """Append ``rows`` (dicts of the hashed columns, without id) in one INSERT.

        Returns the new records. A transaction-level advisory lock serialises writers,
        so two transactions can never chain onto the same predecessor.
        """
        if not rows:
            return self.browse()
        cr = self.env.cr
        cr.execute(
            SQL(
                """
            SELECT pg_advisory_xact_lock(hashtext(%(table_name)s));
            SELECT (SELECT entry_hash FROM %(table)s ORDER BY id DESC LIMIT 1),
                   ARRAY(SELECT nextval(%(sequence)s)
                           FROM generate_series(1, %(count)s))
            """,
                table_name=self._table,
                table=SQL.identifier(self._table),
                sequence=f"{self._table}_id_seq",
                count=len(rows),
            )
        )
        prev_hash, ids = cr.fetchone()
        prev_hash = prev_hash or GENESIS_HASH
        names = ("id", *self._med_hash_fields)
        now = SQL("now() at time zone 'UTC'")
        values = []
        for new_id, row in zip(ids, rows, strict=True):
            row = self._med_normalize(dict(row, id=new_id))
            entry_hash = self._med_hash(prev_hash, row)
            cells = [SQL("%s", row[name]) for name in names]
            cells += [SQL("%s", prev_hash), SQL("%s", entry_hash)]
            cells += [SQL("%s", self.env.uid), now, SQL("%s", self.env.uid), now]
            values.append(SQL("(%s)", SQL(", ").join(cells)))
            prev_hash = entry_hash
        columns = (*names, "prev_hash", "entry_hash")
        columns += ("create_uid", "create_date", "write_uid", "write_date")
        cr.execute(
            SQL(
                "INSERT INTO %s (%s) VALUES %s",
                SQL.identifier(self._table),
                SQL(", ").join(SQL.identifier(name) for name in columns),
                SQL(", ").join(values),
            )
        )
        return self.browse(ids)

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
        columns = ("id", *self._med_hash_fields, "prev_hash", "entry_hash")
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
