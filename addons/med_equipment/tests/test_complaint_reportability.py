from datetime import date, timedelta

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from odoo.addons.med_lot_trace.tests.test_working_days import add_public_holiday

from .common import MedEquipmentCommon


@tagged("post_install", "-at_install")
class TestComplaintReportability(MedEquipmentCommon):
    """The signed reportability decision of a complaint (ISO 13485 8.2.3, 21 CFR 803,
    NMPA 医疗器械不良事件监测和再评价管理办法), its deadlines and report, and the
    reason for not investigating a complaint that opened no CAPA (8.2.2)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pump = cls.env["product.product"].create(
            {"name": "Infusion pump IP-500", "is_storable": True, "tracking": "serial"}
        )
        cls.pump_lot = cls._lot(cls.pump, "IP500-0001", 1)
        cls.Complaint = cls.env["med.complaint"]

    def _complaint(self, severity="major", register=True, **values):
        complaint = self.Complaint.with_user(self.inspector).create(
            dict(
                {
                    "partner_id": self.hospital.id,
                    "lot_id": self.pump_lot.id,
                    "description": "Over-infusion reported by the ICU nurse",
                    "severity": severity,
                    "adverse_event": True,
                },
                **values,
            )
        )
        if register:
            complaint.action_register()
        return complaint

    def _decide(self, complaint, reportable="yes", **values):
        complaint.with_user(self.qa_manager).write(
            dict(
                {
                    "event_category": "serious_injury",
                    "reportable": reportable,
                    "reportability_justification": "Patient needed intervention",
                },
                **values,
            )
        )
        self._sign(
            complaint.with_user(self.qa_manager).action_decide_reportability(),
            self.qa_manager,
        )

    # -- the decision --
    def _today(self):
        """Today for the test users (Asia/Shanghai), as the complaint's dates are
        decided and checked; the machine's UTC date is a day behind from 16:00 UTC."""
        return fields.Date.context_today(self.Complaint.with_user(self.qa_manager))

    def test_decision_signed_and_audited(self):
        complaint = self._complaint()
        self._decide(complaint)
        self.assertEqual(complaint.reportability_decided_by_id, self.qa_manager)
        self.assertTrue(complaint.date_reportability_decided)
        signature = complaint.med_signature_ids
        self.assertEqual(signature.meaning, "evaluation")
        self.assertEqual(signature.signer_id, self.qa_manager)
        self.env.flush_all()
        Entry = self.env["med.audit.entry"]
        domain = [("res_model", "=", "med.complaint"), ("res_id", "=", complaint.id)]
        changed = set(Entry.search(domain).mapped("field_name"))
        self.assertLessEqual(
            {
                "reportable",
                "reportability_justification",
                "event_category",
                "reportability_decided_by_id",
            },
            changed,
        )
        self.assertTrue(Entry.search(domain + [("operation", "=", "sign")]))
        # the signed decision cannot change afterwards
        with self.assertRaisesRegex(UserError, "decided and signed"):
            complaint.with_user(self.qa_manager).reportable = "no"
        self.assertEqual(complaint.reportable, "yes")
        with self.assertRaisesRegex(UserError, "already decided"):
            complaint.with_user(self.qa_manager).action_decide_reportability()

    def test_decision_refused_without_justification(self):
        complaint = self._complaint()
        complaint.with_user(self.qa_manager).write(
            {"event_category": "other", "reportable": "no"}
        )
        with self.assertRaisesRegex(UserError, "justify the decision"):
            complaint.with_user(self.qa_manager).action_decide_reportability()
        complaint.reportability_justification = "   "
        with self.assertRaisesRegex(UserError, "justify the decision"):
            complaint.with_user(self.qa_manager).action_decide_reportability()
        self.assertFalse(complaint.reportability_decided_by_id)
        self.assertFalse(complaint.med_signature_ids)

    def test_decision_refused_to_a_non_qa_user(self):
        complaint = self._complaint()
        complaint.with_user(self.inspector).write(
            {
                "event_category": "other",
                "reportable": "no",
                "reportability_justification": "No harm possible",
            }
        )
        with self.assertRaisesRegex(UserError, "Only a QA manager decides"):
            complaint.with_user(self.inspector).action_decide_reportability()
        # nor through the signature wizard opened by someone else
        action = complaint.with_user(self.qa_manager).action_decide_reportability()
        with self.assertRaisesRegex(UserError, "Only members of"):
            self._sign(action, self.inspector)
        self.assertFalse(complaint.reportability_decided_by_id)

    # -- deadlines: NMPA and FDA, from the awareness date and the category --
    def test_deadlines_per_category_and_market(self):
        complaint = self._complaint(date_aware="2026-11-02")  # a Monday
        self.assertEqual(complaint.date_aware, date(2026, 11, 2))
        cases = [
            # category, remedial action, NMPA, FDA, EU MDR art. 87
            ("death", False, date(2026, 11, 9), date(2026, 12, 2), date(2026, 11, 12)),
            (
                "serious_injury",
                False,
                date(2026, 11, 22),
                date(2026, 12, 2),
                date(2026, 11, 12),
            ),
            (
                "malfunction",
                False,
                date(2026, 11, 22),
                date(2026, 12, 2),
                date(2026, 11, 17),
            ),
            ("other", False, date(2026, 11, 22), date(2026, 12, 2), date(2026, 11, 17)),
            # 21 CFR 803.53: 5 work days, Monday 2 -> Monday 9
            (
                "malfunction",
                True,
                date(2026, 11, 22),
                date(2026, 11, 9),
                date(2026, 11, 17),
            ),
        ]
        for category, remedial, nmpa, fda, eu in cases:
            with self.subTest(category=category, remedial=remedial):
                complaint.write(
                    {"event_category": category, "remedial_action": remedial}
                )
                self.assertEqual(complaint.date_nmpa_deadline, nmpa)
                self.assertEqual(complaint.date_fda_deadline, fda)
                self.assertEqual(complaint.date_eu_deadline, eu)
                self.assertEqual(complaint.date_report_deadline, min(nmpa, fda, eu))
        # EU MDR art. 87(4): a serious public health threat is reported in 2 days
        complaint.eu_public_health_threat = True
        self.assertEqual(complaint.date_eu_deadline, date(2026, 11, 4))
        self.assertEqual(complaint.date_report_deadline, date(2026, 11, 4))
        complaint.eu_public_health_threat = False
        # 5 work days from a Friday skip the weekend
        complaint.date_aware = "2026-11-06"
        self.assertEqual(complaint.date_fda_deadline, date(2026, 11, 13))
        # not reportable: no deadline
        complaint.reportable = "no"
        self.assertFalse(complaint.date_nmpa_deadline)
        self.assertFalse(complaint.date_fda_deadline)
        self.assertFalse(complaint.date_eu_deadline)

    def test_deadlines_skip_the_company_public_holidays(self):
        complaint = self._complaint(date_aware="2026-11-02")
        add_public_holiday(complaint.company_id, date(2026, 11, 4))
        self._decide(
            complaint,
            event_category="malfunction",
            remedial_action=True,
            eu_public_health_threat=True,
        )
        self.assertEqual(complaint.date_aware, date(2026, 11, 2))
        # 21 CFR 803.53's 5 work days from Monday 2 November (Monday 9 without a
        # holiday) skip Wednesday 4
        self.assertEqual(complaint.date_fda_deadline, date(2026, 11, 10))
        # EU MDR art. 87(4)'s 2 days end on the holiday: the period ends the next
        # working day (EU Regulation 1182/71 art. 3(4))
        self.assertEqual(complaint.date_eu_deadline, date(2026, 11, 5))

    def test_eu_threat_frozen_once_the_decision_is_signed(self):
        complaint = self._complaint(date_aware="2025-01-06")
        self._decide(complaint, event_category="malfunction")
        self.assertEqual(complaint.date_eu_deadline, date(2025, 1, 21))
        with self.assertRaisesRegex(UserError, "is decided and signed"):
            complaint.with_user(self.qa_manager).eu_public_health_threat = True
        self.assertFalse(complaint.eu_public_health_threat)
        self.assertEqual(complaint.date_eu_deadline, date(2025, 1, 21))
        # the reminder names the EU deadline
        self.assertIn("2025-01-21", complaint._med_report_activities().note)

    def test_awareness_defaults_to_the_complaint_date(self):
        complaint = self._complaint(register=False, date_received="2026-10-05 09:00:00")
        self.assertEqual(complaint.date_aware, date(2026, 10, 5))

    def test_awareness_in_the_future_refused(self):
        complaint = self._complaint()
        aware = complaint.date_aware
        tomorrow = self._today() + timedelta(days=1)
        with self.assertRaisesRegex(ValidationError, "a day still to come"):
            complaint.with_user(self.qa_manager).date_aware = tomorrow
        # the refused write is rolled back: the database keeps the old date
        complaint.invalidate_recordset(flush=False)
        self.assertEqual(complaint.date_aware, aware)

    def test_awareness_before_the_delivery_refused(self):
        self._deliver(self.hospital, [(self.pump_lot, 1)])
        complaint = self._complaint()
        self.assertEqual(complaint.date_aware, self._today())  # on the delivery day
        with self.assertRaisesRegex(ValidationError, "before IP500-0001 was delivered"):
            complaint.date_aware = self._today() - timedelta(days=1)

    # -- the report: activity, overdue, submission --
    def test_overdue_when_reportable_and_not_submitted_after_the_deadline(self):
        complaint = self._complaint(date_aware="2025-01-06")
        self._decide(complaint, event_category="death")
        self.assertEqual(complaint.date_report_deadline, date(2025, 1, 13))
        self.assertTrue(complaint.report_overdue)
        overdue = self.Complaint.search([("report_overdue", "=", True)])
        self.assertIn(complaint, overdue)
        self.assertNotIn(
            complaint, self.Complaint.search([("report_overdue", "=", False)])
        )
        # the QA manager who decided is reminded, due on the earliest deadline
        activity = complaint._med_report_activities()
        self.assertEqual(activity.user_id, self.qa_manager)
        self.assertEqual(activity.date_deadline, date(2025, 1, 13))
        # only a QA manager records the report, with its number
        with self.assertRaisesRegex(UserError, "Only a QA manager records"):
            complaint.with_user(self.inspector).write(
                {"report_reference": "X", "date_report_submitted": self._today()}
            )
        with self.assertRaisesRegex(ValidationError, "report number"):
            complaint.with_user(self.qa_manager).date_report_submitted = self._today()
        complaint.with_user(self.qa_manager).write(
            {
                "report_reference": "MDR-2025-000123",
                "date_report_submitted": "2025-01-20",
            }
        )
        self.assertFalse(complaint.report_overdue)
        self.assertNotIn(
            complaint, self.Complaint.search([("report_overdue", "=", True)])
        )
        self.assertFalse(complaint._med_report_activities())

    def test_not_overdue_before_the_deadline_or_when_not_reportable(self):
        recent = self._complaint()  # aware today: 7 days left at least
        self._decide(recent, event_category="death")
        self.assertEqual(recent.date_nmpa_deadline, self._today() + timedelta(days=7))
        self.assertFalse(recent.report_overdue)
        self.assertEqual(
            recent._med_report_activities().date_deadline, recent.date_report_deadline
        )
        old = self._complaint(date_aware="2025-01-06")
        self._decide(old, reportable="no")
        self.assertFalse(old.report_overdue)
        self.assertFalse(old._med_report_activities())
        overdue = self.Complaint.search([("report_overdue", "=", True)])
        self.assertFalse((recent | old) & overdue)

    # -- closure --
    def test_closing_without_capa_requires_the_reason(self):
        self.env.ref("med_capa.capa_rule_complaint").min_severity = "major"
        complaint = self._complaint(severity="minor", adverse_event=False)
        self.assertFalse(complaint.sudo().capa_ids)  # below the rule's severity
        complaint.closure_note = "Explained the alarm settings to the nurse"
        with self.assertRaisesRegex(UserError, "reason for not investigating"):
            complaint.with_user(self.qa_manager).action_close()
        self.assertEqual(complaint.state, "open")
        form = Form(complaint.with_user(self.qa_manager))
        form.no_investigation_reason = "Use error, no device fault: alarm as designed"
        form.save()
        self._sign(complaint.with_user(self.qa_manager).action_close(), self.qa_manager)
        self.assertEqual(complaint.state, "closed")
        self.env.flush_all()
        entry = self.env["med.audit.entry"].search(
            [
                ("res_model", "=", "med.complaint"),
                ("res_id", "=", complaint.id),
                ("field_name", "=", "no_investigation_reason"),
            ]
        )
        self.assertIn("Use error", entry.new_value)

    def test_closing_with_capa_needs_no_reason(self):
        complaint = self._complaint(adverse_event=False)
        self.assertTrue(complaint.sudo().capa_ids)
        complaint.closure_note = "Pump replaced"
        self._sign(complaint.with_user(self.qa_manager).action_close(), self.qa_manager)
        self.assertEqual(complaint.state, "closed")

    def test_adverse_event_closed_only_after_decision_and_report(self):
        complaint = self._complaint()
        complaint.closure_note = "Pump replaced"
        with self.assertRaisesRegex(UserError, "sign the decision"):
            complaint.with_user(self.qa_manager).action_close()
        self._decide(complaint)
        with self.assertRaisesRegex(UserError, "record the authority's report"):
            complaint.with_user(self.qa_manager).action_close()
        complaint.with_user(self.qa_manager).write(
            {"report_reference": "2026-AE-77", "date_report_submitted": self._today()}
        )
        self._sign(complaint.with_user(self.qa_manager).action_close(), self.qa_manager)
        self.assertEqual(complaint.state, "closed")

    def test_complaint_created_with_a_signed_decision_refused(self):
        count = self.Complaint.search_count([])
        with self.assertRaisesRegex(UserError, "not when the record is created"):
            self._complaint(
                register=False,
                reportable="no",
                reportability_justification="Not an adverse event",
                reportability_decided_by_id=self.qa_manager.id,
                date_reportability_decided="2026-01-01 08:00:00",
            )
        self.assertEqual(self.Complaint.search_count([]), count)
        complaint = (
            self.Complaint.with_user(self.inspector)
            .with_context(default_reportability_decided_by_id=self.qa_manager.id)
            .create(
                {
                    "partner_id": self.hospital.id,
                    "lot_id": self.pump_lot.id,
                    "description": "Alarm did not sound",
                    "severity": "minor",
                }
            )
        )
        self.assertFalse(complaint.reportability_decided_by_id)

    def test_copy_of_decided_complaint_carries_no_decision(self):
        complaint = self._complaint()
        self._decide(complaint, reportable="no")
        copy = complaint.with_user(self.inspector).copy()
        self.assertEqual(copy.state, "draft")
        for name in (
            "reportable",
            "reportability_justification",
            "reportability_decided_by_id",
            "date_reportability_decided",
        ):
            self.assertFalse(copy[name], name)
        self.assertEqual(complaint.reportable, "no")

    def test_report_reference_at_creation_only_by_qa_manager(self):
        count = self.Complaint.search_count([])
        with self.assertRaisesRegex(UserError, "Only a QA manager records the report"):
            self._complaint(register=False, report_reference="NMPA-FORGED-1")
        with self.assertRaisesRegex(UserError, "Only a QA manager records the report"):
            self.Complaint.with_user(self.inspector).with_context(
                default_report_reference="NMPA-FORGED-2"
            ).create(
                {
                    "partner_id": self.hospital.id,
                    "lot_id": self.pump_lot.id,
                    "description": "Alarm did not sound",
                }
            )
        self.assertEqual(self.Complaint.search_count([]), count)
        complaint = self.Complaint.with_user(self.qa_manager).create(
            {
                "partner_id": self.hospital.id,
                "lot_id": self.pump_lot.id,
                "description": "Alarm did not sound",
                "report_reference": "NMPA-2026-0001",
            }
        )
        self.assertEqual(complaint.report_reference, "NMPA-2026-0001")
