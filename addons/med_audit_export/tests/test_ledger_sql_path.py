from datetime import date, datetime
from unittest import mock

from odoo import fields
from odoo.tests import tagged

from ..models.med_hash_chain_mixin import (
    CANONICAL_JSON,
    canonical_value,
    hashed_text,
    sql_hashed_json,
)
from .common import MedAuditCommon

TEXTS = [
    None,
    "",
    'line one\nline two\r\n\ttabbed \\N \\ back "quoted" \x01\x1f\x7f',
    "non-BMP 𝔘𝔫𝔦 😀 中文 \U0010fffd \u2028",
]
FLOATS = [
    None,
    0.0,
    -0.0,
    0.1,
    3.0,
    -3.5,
    1e-4,
    1e-5,
    1e-7,
    123.456,
    12345.1234567,
    1e15,
    1.5e15,
    -1234567890123456.8,
    4503599627370497.0,
    1e16,
    -2.5e16,
    1e22,
    float("inf"),
    float("-inf"),
]

# numeric has no -0 and no infinity
NUMERIC_FLOATS = [value for value in FLOATS[:-2] if value != 0]


@tagged("post_install", "-at_install")
class TestLedgerSqlPath(MedAuditCommon):
    """An audited update builds, formats and hashes its entries in its own
    statement: the texts and hashes are those of the Python path, byte for byte."""

    def _sql_value(self, code, params, value, column_type):
        """``code`` (an expression of ``"__v"."v"``) evaluated for ``value``."""
        self.env.cr.execute(
            f'SELECT {code} FROM (SELECT %s::{column_type} AS "v") AS "__v"',
            [*params, value],
        )
        return self.env.cr.fetchone()[0]

    def test_hashed_json_in_sql_is_canonical_value(self):
        """The JSON text hashed for each value, made by the database, is that of
        canonical_value() and content_hash()'s encoder, for every field type."""
        cases = [
            ("char", "varchar", TEXTS),
            ("text", "text", TEXTS),
            ("selection", "varchar", [None, "", "write"]),
            ("html", "text", [None, "<p>multi\nline 中文</p>"]),
            ("integer", "int4", [None, 0, -7, 2147483647]),
            ("many2one", "int4", [None, 1, 42]),
            ("boolean", "bool", [None, True, False]),
            (
                "datetime",
                "timestamp",
                [
                    None,
                    datetime(2026, 3, 1, 8, 30, 15),
                    datetime(2026, 3, 1, 8, 30, 15, 1),
                    datetime(2026, 12, 31, 23, 59, 59, 999999),
                ],
            ),
            ("date", "date", [None, date(2026, 3, 1), date(1000, 1, 1)]),
        ]
        for field_type, column_type, values in cases:
            code = sql_hashed_json(field_type, '"__v"."v"')
            for value in values:
                with self.subTest(field_type=field_type, value=value):
                    expected = CANONICAL_JSON.encode(
                        hashed_text(canonical_value(field_type, value))
                    )
                    self.assertEqual(
                        self._sql_value(code, [], value, column_type), expected
                    )
        # no hashed column holds a float: PostgreSQL does not spell all as Python
        with self.assertRaises(ValueError):
            sql_hashed_json("float", '"__v"."v"')

    def test_formatted_in_sql_as_in_python(self):
        """The text of an old or new value, made by the database, is _med_format's:
        None and "" both empty, False a value only for booleans, floats as Python
        spells them (numeric or float8 columns), selection labels, datetimes to
        the second, multi-line and non-BMP text."""
        Partner, Order = self.env["res.partner"], self.env["purchase.order"]
        cases = [
            (Partner, "name", "varchar", TEXTS),
            (self.env["ir.actions.server"], "code", "text", TEXTS),
            (Partner, "comment", "text", [None, "<p>multi\nline 中文 😀</p>"]),
            (Partner, "type", "varchar", [None, "", "invoice", "no-such-value"]),
            (Order, "state", "varchar", ["purchase", "cancel"]),
            (Partner, "color", "int4", [None, 0, -3]),
            (Partner, "employee", "bool", [None, True, False]),
            # numeric has no -0 and no infinity
            (
                Partner,
                "partner_latitude",
                "numeric",
                [v for v in FLOATS[:-2] if v != 0],
            ),
            (Partner, "partner_latitude", "float8", FLOATS),
            (Order, "amount_total", "numeric", [None, 12.5, 0.1, 1e15, 5.275e16]),
            (
                Order,
                "date_order",
                "timestamp",
                [None, datetime(2026, 3, 1, 8, 30, 15, 999999)],
            ),
            (
                self.env["account.move"],
                "invoice_date",
                "date",
                [None, date(2026, 3, 1)],
            ),
        ]
        for model, name, column_type, values in cases:
            self.assertIn(
                model._fields[name].type,
                ("char", "text", "html")
                + (
                    "selection",
                    "integer",
                    "boolean",
                    "float",
                    "monetary",
                    "datetime",
                    "date",
                ),
            )
            code, params = model._med_sql_formatted(name, '"__v"."v"')
            raw = model._med_sql_raw(name, '"__v"."v"')
            for value in values:
                with self.subTest(model=model._name, name=name, value=value):
                    text = self._sql_value(code, params, value, column_type)
                    if text is None:  # left to Python, with its value as text
                        self.assertGreaterEqual(abs(value), 1e16)
                        value = float(self._sql_value(raw, [], value, column_type))
                        text = model._med_format(name, value)
                    self.assertEqual(text, model._med_format(name, value))

    def _write_both_ways(self, records_sql, records_python, vals):
        """Write ``vals(records)`` on both recordsets: the first through the
        statement that logs, the second through the Python path."""
        Model = type(records_sql)
        original = Model._med_update_logging
        with mock.patch.object(
            Model, "_med_update_logging", autospec=True, side_effect=original
        ) as logging:
            records_sql.write(vals(records_sql))
            self.env.flush_all()
        self.assertTrue(logging.called, "the update did not log in SQL")
        with mock.patch.object(Model, "_med_logs_in_sql", lambda self, names: False):
            records_python.write(vals(records_python))
            self.env.flush_all()

    def _compared(self, records):
        """The entries of ``records`` by record, field and time (the order of
        a flush's fields differs), a record's own name shown as such (the two
        paths' orders have names of their own)."""
        keys = ["field_name", "field_label", "old_value", "new_value", "reason"]
        keys += ["user_id", "company_id", "operation"]
        entries = []
        for entry in self._entries(records).sorted(
            lambda e: (records.ids.index(e.res_id), e.field_name, e.id)
        ):
            record = records.browse(entry.res_id)
            compared = {key: entry[key] for key in keys}
            compared["res_name"] = (
                "(own name)"
                if entry.res_name in (record.name, record.display_name)
                else entry.res_name
            )
            compared["position"] = records.ids.index(entry.res_id)
            entries.append(compared)
        return entries

    def test_entries_built_in_sql_as_in_python_and_verified(self):
        """The same audited changes written through both paths give the same
        entries (record names, labels, old and new texts, user, reason, company);
        content hashes made by the database verify and seal."""
        self._audit_rule(
            "res.partner",
            ["name", "type", "partner_latitude", "comment", "color", "employee"],
            reason_required=False,
            protected_field_names=[],
            # a value logged at creation is compared in Python (not this test)
            log_create=False,
        )
        self._audit_rule(
            "purchase.order",
            ["partner_ref", "date_order", "amount_total", "notes"],
            reason_required=False,
            protected_field_names=[],
            # a value logged at creation is compared in Python (not this test)
            log_create=False,
        )

        def partners():
            named = self.env["res.partner"].create(
                {"name": "Clinic 😀", "type": "invoice", "partner_latitude": 0.1}
            )
            # no name: the entry names it by its display name
            unnamed = self.env["res.partner"].create(
                {"type": "delivery", "parent_id": self.vendor.id, "color": 2}
            )
            return named | unnamed

        def order():
            return self.env["purchase.order"].create(
                {
                    "partner_id": self.vendor.id,
                    "partner_ref": "",
                    "date_order": datetime(2026, 1, 5, 9, 0, 0),
                    "order_line": [
                        fields.Command.create(
                            {
                                "product_id": self.product_lot.id,
                                "name": "Barrel",
                                "product_qty": 3,
                                "price_unit": 0.1,
                            }
                        )
                    ],
                }
            )

        sql_partners, python_partners = partners(), partners()
        sql_order, python_order = order(), order()
        self.env.flush_all()
        changes = [
            {
                "name": "Clinic\nsecond line \U0010fffd",
                "type": "other",
                "partner_latitude": 1e-7,
                "comment": "<p>multi\nline 中文</p>",
                "color": 0,
                "employee": True,
            },
            {"name": "", "partner_latitude": 12.5, "employee": False},
            {"name": False, "type": "invoice", "comment": False, "color": 5},
        ]
        for vals in changes:
            self._write_both_ways(
                sql_partners.with_context(med_reason="why\n二"),
                python_partners.with_context(med_reason="why\n二"),
                lambda records, vals=vals: vals,
            )
        self._write_both_ways(
            sql_order,
            python_order,
            lambda records: {
                "date_order": datetime(2026, 3, 1, 8, 30, 15, 999999),
                "notes": "<p>multi\nline 中文</p>",
                "partner_ref": "PO-7",
                # the total, recomputed, reaches the database at the flush; from
                # 1e16 on, Python formats it
                "order_line": [
                    fields.Command.update(
                        records.order_line.id, {"price_unit": 52754923795322816.0}
                    )
                ],
            },
        )
        for sql_records, python_records in (
            (sql_partners, python_partners),
            (sql_order, python_order),
        ):
            sql_entries = self._compared(sql_records)
            python_entries = self._compared(python_records)
            for entry in sql_entries + python_entries:
                if entry["res_name"] in (sql_records | python_records).mapped(
                    "display_name"
                ):
                    entry["res_name"] = "(its display name)"
            self.assertTrue(sql_entries)
            self.assertEqual(sql_entries, python_entries)
        # the unnamed address: named by its display name once changed, as the
        # Python path names it
        first_name = self._entries(sql_partners[1]).mapped("res_name")[0]
        self.assertEqual(first_name, f"{self.vendor.name}, {changes[0]['name']}")
        self.assertIn(
            "1e-07", self._entries(sql_partners).mapped("new_value"), "float text"
        )
        self.assertTrue(self._entries(sql_order, field_name="amount_total"))
        self.env.invalidate_all()
        self.assertFalse(self.Entry.verify_chain())  # content hashes, unsealed
        self.Entry._med_seal()
        self.env.invalidate_all()
        self.assertFalse(self.Entry.verify_chain())
