from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import MedIntegrationCommon


@tagged("post_install", "-at_install")
class TestExternalEvent(MedIntegrationCommon):
    """A nonconformance (and CAPA) from an external event, through the API."""

    def _event(self, **values):
        return dict(
            {
                "external_ref": "CRM-77",
                "description": "Cracked barrel reported by Ruijin Hospital",
                "product_ref": "BRL-5ML",
                "lot_names": ["BRL-LAB-01"],
                "quantity": 2,
            },
            **values,
        )

    def test_recorded_once_like_a_complaint(self):
        Nonconformance = self.Nonconformance.with_user(self.inspector)
        first = Nonconformance.med_api_report_event(self._event())
        record = self.Nonconformance.browse(first["id"])
        self.assertEqual(
            (record.source, record.state, record.lot_ids),
            ("complaint", "open", self.barrel_lot),
        )
        again = Nonconformance.med_api_report_event(self._event(description="x"))
        self.assertEqual((again["id"], again["created"]), (record.id, False))
        self.assertEqual(
            self.Nonconformance.search_count([("origin_ref", "=", "external:CRM-77")]),
            1,
        )

    def test_bad_input_lists_every_problem_and_changes_nothing(self):
        before = self.Nonconformance.search_count([])
        with self.assertRaises(UserError) as caught:
            self.Nonconformance.with_user(self.inspector).med_api_report_event(
                self._event(
                    severity="fatal", lot_names=["BRL-NOPE"], quantity=-1, colour="red"
                )
            )
        message = str(caught.exception)
        for part in (
            "severity fatal",
            "unknown lots of",
            "BRL-NOPE",
            "quantity must be a number",
            "unknown keys colour",
        ):
            self.assertIn(part, message)
        self.assertEqual(self.Nonconformance.search_count([]), before)

    def test_capa_only_for_qa_managers(self):
        with self.assertRaises(AccessError):
            self.Nonconformance.with_user(self.inspector).med_api_report_event(
                self._event(open_capa=True)
            )
        answer = self.Nonconformance.with_user(self.qa_manager).med_api_report_event(
            self._event(open_capa=True)
        )
        capa = self.Capa.browse(answer["capa_id"])
        self.assertEqual(capa.lot_ids, self.barrel_lot)
        self.assertEqual(capa.nonconformance_ids.ids, [answer["id"]])
