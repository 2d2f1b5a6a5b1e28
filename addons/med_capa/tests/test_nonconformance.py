from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import MedCapaCommon


@tagged("post_install", "-at_install")
class TestNonconformance(MedCapaCommon):
    def _record(self, user=None, **values):
        lot = values.pop("lot", None) or self._lot(self.barrel, "BRL-NC", 100)
        form = Form(self.Nonconformance.with_user(user or self.inspector))
        form.description = values.pop("description", "Scratched barrels on line 2")
        form.source = values.pop("source", "audit")
        form.product_id = lot.product_id
        form.lot_ids.add(lot)
        for name, value in values.items():
            setattr(form, name, value)
        return form.save()

    # -- disposition --
    def test_disposition_signed_by_qa_manager(self):
        record = self._record(quantity=12, disposition="scrap")
        self.assertTrue(record.name.startswith("NC/"))
        self.assertEqual(record.user_id, self.inspector)
        self._sign(
            record.with_user(self.qa_manager).action_disposition(), self.qa_manager
        )
        self.assertEqual(record.state, "dispositioned")
        self.assertEqual(record.disposition_user_id, self.qa_manager)
        self.assertEqual(record.med_signature_ids.meaning, "disposition")
        with self.assertRaisesRegex(UserError, "dispositioned"):
            record.with_user(self.qa_manager).write({"disposition": "use_as_is"})
        self.assertEqual(record.disposition, "scrap")

    def test_detection_date_and_reporter_audited_then_frozen(self):
        record = self._record(quantity=12, disposition="scrap")
        record.with_user(self.qa_manager).write(
            {
                "date": "2026-01-05 08:00:00",
                "user_id": self.qa_manager_2.id,
                "med_change_reason": "Reported on paper by the night shift",
            }
        )
        self.env.flush_all()
        entries = self.env["med.audit.entry"].search(
            [
                ("res_model", "=", record._name),
                ("res_id", "=", record.id),
                ("operation", "=", "write"),
                ("field_name", "in", ("date", "user_id")),
            ]
        )
        self.assertEqual(set(entries.mapped("field_name")), {"date", "user_id"})
        self.assertEqual(entries.user_id, self.qa_manager)
        self.assertEqual(
            set(entries.mapped("reason")), {"Reported on paper by the night shift"}
        )
        self._sign(
            record.with_user(self.qa_manager).action_disposition(), self.qa_manager
        )
        for vals in ({"date": "2026-01-01 08:00:00"}, {"user_id": self.qa_manager.id}):
            with self.assertRaisesRegex(UserError, "dispositioned"):
                record.with_user(self.qa_manager).write(vals)
        self.assertEqual(record.user_id, self.qa_manager_2)
        self.assertEqual(str(record.date), "2026-01-05 08:00:00")

    def test_disposition_without_quantity_refused(self):
        record = self._record(disposition="rework")
        with self.assertRaisesRegex(UserError, "nonconforming quantity"):
            record.with_user(self.qa_manager).action_disposition()
        self.assertEqual(record.state, "open")
        self.assertFalse(record.med_signature_ids)

    def test_disposition_without_decision_refused(self):
        record = self._record(quantity=3)
        with self.assertRaisesRegex(UserError, "fill in Disposition"):
            record.with_user(self.qa_manager).action_disposition()
        self.assertEqual(record.state, "open")

    def test_refusal_in_the_users_language(self):
        record = self._record(quantity=3, disposition="use_as_is")
        as_inspector = record.with_user(self.inspector).with_context(lang="zh_CN")
        with self.assertRaisesRegex(UserError, "仅质量负责人可决定不合格品的处置"):
            as_inspector.action_disposition()

    def test_inspector_cannot_disposition(self):
        record = self._record(quantity=3, disposition="use_as_is")
        with self.assertRaisesRegex(UserError, "Only a QA manager"):
            record.with_user(self.inspector).action_disposition()
        with self.assertRaisesRegex(UserError, "Status"):
            record.with_user(self.inspector).write({"state": "dispositioned"})
        self.assertEqual(record.state, "open")

    def test_qa_manager_opens_a_capa_from_a_nonconformance(self):
        record = self._record(quantity=3)
        action = record.with_user(self.qa_manager).action_open_capa()
        capa = self.Capa.browse(action["res_id"])
        self.assertEqual(record.capa_id, capa)
        self.assertEqual(capa.lot_ids, record.lot_ids)
        with self.assertRaisesRegex(UserError, "already have a CAPA"):
            record.with_user(self.qa_manager).action_open_capa()

    # -- complaint and manual triggers --
    def test_complaint_opens_capa_holds_lot_and_assesses_recall(self):
        syringe = self._lot(self.syringe, "SYR-CMP", 100)
        self._deliver(self.hospital, [(syringe, 40)])
        record = self._record(
            source="complaint",
            lot=syringe,
            description="Hospital reports leaking syringes",
            quantity=3,
        )
        capa = record.capa_id
        self.assertEqual(capa.rule_id, self.env.ref("med_capa.capa_rule_complaint"))
        self.assertEqual((syringe.med_state, syringe.med_hold_source), ("hold", "capa"))
        self.assertTrue(capa.recall_risk)
        self.assertTrue(record.recall_risk)
        self.assertIn("Ruijin Hospital", capa.message_ids[0].body)
        self.assertEqual(len(capa.message_ids[0].attachment_ids), 1)

    def test_complaint_below_rule_severity_opens_nothing(self):
        self.env.ref("med_capa.capa_rule_complaint").min_severity = "critical"
        record = self._record(source="complaint", severity="minor")
        self.assertFalse(record.capa_id)
        self.assertEqual(record.lot_ids.med_state, "released")

    def test_manual_nonconformance_tells_qa(self):
        record = self._record(source="manual")
        self.assertEqual(
            record.activity_ids.filtered(
                lambda a: a.user_id == self.qa_manager
            ).summary,
            "Nonconformance recorded by hand: tell QA: check and act",
        )
        self.assertFalse(record.capa_id)

    def test_manual_nonconformance_without_rule_tells_nobody(self):
        self.env.ref("med_capa.capa_rule_manual").active = False
        record = self._record(source="manual")
        self.assertFalse(record.activity_ids)

    # -- retention --
    def test_nonconformance_cannot_be_deleted(self):
        record = self._record()
        with self.assertRaises(AccessError):
            record.with_user(self.qa_manager).unlink()
        # not even by the superuser: the record is under a retention rule
        with self.assertRaisesRegex(UserError, "retention rule"):
            record.sudo().unlink()
        self.assertTrue(record.exists())
