import itertools
from datetime import timedelta

from odoo.tests import tagged
from odoo.tools import SQL

from .common import SupplierQualCommon


@tagged("post_install", "-at_install")
class TestCertificateValiditySql(SupplierQualCommon):
    """``_med_valid_on`` (Python, the gates) and ``_med_valid_on_sql`` (the release
    reconciliation's query) are one rule: over every combination of issue date,
    expiry date, permanent type and verification, on the days around them, both
    give the same certificates."""

    def _sql_valid(self, certificates, day, require_verified):
        certificates.flush_recordset()
        Certificate = self.env["med.supplier.certificate"]
        rows = self.env.execute_query(
            SQL(
                """
                SELECT certificate.id, %(valid)s
                  FROM med_supplier_certificate certificate
                  JOIN med_certificate_type ctype ON ctype.id = certificate.type_id
                 WHERE certificate.id = ANY(%(ids)s)
                """,
                ids=certificates.ids,
                valid=Certificate._med_valid_on_sql(
                    "certificate", "ctype", SQL("%s::date", day), require_verified
                ),
            )
        )
        # never NULL: the reconciliation negates it ("not valid on the receipt day")
        self.assertNotIn(None, [valid for _id, valid in rows])
        return Certificate.browse(sorted(id_ for id_, valid in rows if valid))

    def test_python_and_sql_agree(self):
        day0 = self.today
        dates = [None, day0 - timedelta(days=1), day0, day0 + timedelta(days=1)]
        Type = self.env["med.certificate.type"]
        permanent = Type.create(
            {"name": "Permanent licence", "code": "test_permanent", "permanent": True}
        )
        expiring = Type.create({"name": "Expiring licence", "code": "test_expiring"})
        combinations = list(
            itertools.product(dates, dates, (permanent, expiring), (True, False))
        )
        certificates = self.env["med.supplier.certificate"]
        for number, (_issued, _expiry, kind, verified) in enumerate(combinations):
            certificates |= self._certificate(
                self.vendor, kind.code, f"VALIDITY-{number}", verified=verified
            )
        # Dates a form refuses (no expiry, expiry before issue) are written in SQL:
        # the rule must still say the same in both languages for such data.
        for certificate, (issued, expiry, _kind, _verified) in zip(
            certificates, combinations, strict=True
        ):
            self.env.cr.execute(
                SQL(
                    "UPDATE med_supplier_certificate SET issue_date = %s,"
                    " expiry_date = %s WHERE id = %s",
                    issued,
                    expiry,
                    certificate.id,
                )
            )
        certificates.invalidate_recordset()
        checked = 0
        for day in (day0 - timedelta(days=2), *dates[1:], day0 + timedelta(days=2)):
            for require_verified in (True, False):
                expected = certificates._med_valid_on(day, require_verified).sorted(
                    "id"
                )
                found = self._sql_valid(certificates, day, require_verified)
                self.assertEqual(found, expected, (day, require_verified))
                checked += 1
        # the cases are not trivial: some certificates are valid, some not
        some_day = certificates._med_valid_on(day0, require_verified=False)
        self.assertTrue(some_day)
        self.assertNotEqual(some_day, certificates)
        self.assertEqual(checked, 10)
