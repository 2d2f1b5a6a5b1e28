"""The Auditor's list, newest first: by the time of the change (the list's "When"
column), the later entry first among changes of the same second."""

from datetime import datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .common import MedAuditCommon

LIST_FIELDS = {"timestamp": {}, "user_id": {}, "res_name": {}, "new_value": {}}


@tagged("post_install", "-at_install")
class TestAuditListOrder(MedAuditCommon):
    def _write_at(self, moment, values):
        with freeze_time(moment):
            self.lot.with_context(med_reason="label reprinted").write(values)
            self.env.flush_all()
        return self._entries(self.lot, field_name=next(iter(values)))[-1:]

    def _auditor_list(self, entries):
        """The order of ``entries`` in the page the web client loads, as the auditor."""
        result = (
            self.env["med.audit.entry"]
            .with_user(self.auditor)
            .web_search_read(
                [("res_model", "=", "stock.lot"), ("res_id", "=", self.lot.id)],
                LIST_FIELDS,
                limit=80,
                count_limit=10001,
            )
        )
        return [
            record["id"] for record in result["records"] if record["id"] in entries.ids
        ]

    def test_newest_change_first_by_its_time(self):
        # A change captured later but sealed first (a longer transaction committing
        # after a shorter one) has the lower id: the list still shows it first.
        later = self._write_at(datetime(2026, 3, 2, 9, 0, 0), {"ref": "R-2"})
        earlier = self._write_at(datetime(2026, 3, 1, 9, 0, 0), {"note": "reprint"})
        self.assertLess(later.id, earlier.id)
        self.assertEqual(self._auditor_list(later | earlier), [later.id, earlier.id])

    def test_same_second_later_entry_first(self):
        moment = datetime(2026, 3, 1, 9, 0, 0)
        first = self._write_at(moment, {"ref": "R-2"})
        second = self._write_at(moment, {"ref": "R-3"})
        self.assertLess(first.id, second.id)
        self.assertEqual(self._auditor_list(first | second), [second.id, first.id])
