from datetime import timedelta

from odoo import fields
from odoo.tests import Form, tagged

from .common import MedIntegrationCommon


@tagged("post_install", "-at_install")
class TestConsistentCalculations(MedIntegrationCommon):
    """Each rule is computed in one place: the UI (computed fields, wizards), the
    gates, the exports and the API give the same answer on the same data."""

    def test_remaining_shelf_life(self):
        now = fields.Datetime.now()
        self.barrel_lot.with_context(med_reason="shelf life test").expiration_date = (
            now + timedelta(days=30, hours=5)
        )
        self.barrel.product_tmpl_id.expiration_time = 100
        [api] = self.barrel_lot.with_user(self.warehouse).med_api_shelf_life()
        self.assertEqual(api["remaining_days"], 30)
        self.assertEqual(self.barrel_lot.med_remaining_shelf_life_days, 30)
        self.assertEqual(api["remaining_percent"], 30.0)
        # the delivery gate names the same number, and lets 30 days pass a
        # 30-day minimum while refusing a 31-day one
        self.hospital.med_min_shelf_life_days = 31
        picking = self._transfer(self.barrel, 1, partner=self.hospital)
        move = picking.move_ids
        self._set_lot_lines(move, [(self.barrel_lot, 1)])
        [message] = [
            m
            for m in move._med_outgoing_violations(move.move_line_ids, now)
            if "shelf life" in m
        ]
        self.assertIn("has 30 days of shelf life left", message)
        self.hospital.med_min_shelf_life_days = 30
        self.assertFalse(
            [
                m
                for m in move._med_outgoing_violations(move.move_line_ids, now)
                if "shelf life" in m
            ]
        )

    def test_certificate_validity_on_a_date(self):
        kind = self.env["med.certificate.type"].create(
            {
                "name": "Licence",
                "code": "consistency_licence",
                "scope": "supplier",
                "mandatory": True,
                "attachment_required": False,
            }
        )
        certificate = self.env["med.supplier.certificate"].create(
            {
                "partner_id": self.supplier.id,
                "type_id": kind.id,
                "number": "LIC-C-1",
                "issue_date": "2020-01-01",
                "expiry_date": fields.Date.today() - timedelta(days=1),
            }
        )
        Certificate = self.env["med.supplier.certificate"].with_user(self.purchase)
        Gate = self.env["med.supplier.gate"]
        verified = self.env.company.med_require_verified_certificates
        for day in (fields.Date.today(), fields.Date.today() - timedelta(days=2)):
            api = Certificate.med_partner_certificates_valid_on(
                self.supplier.id, fields.Date.to_string(day)
            )
            evidence = Gate._med_evidence(self.env.company, self.supplier, day)
            gate = Gate._med_supplier_messages(
                self.supplier, self.env["product.product"], evidence
            )
            self.assertEqual(api["problems"], gate)
            [row] = api["certificates"]
            self.assertEqual(
                row["valid_on_date"],
                bool(certificate._med_valid_on(day, verified)),
            )
            self.assertEqual(row["state_on_date"], certificate._med_state_on(day))
        # today, the list's state (UI) is the API's state on today's date
        self.assertEqual(certificate.state, "expired")
        self.assertEqual(row["state_on_date"], "expiring")

    def test_recall_scope(self):
        body = self._produce(
            self.bom_body,
            5,
            "BODY-C-1",
            {self.barrel_lot: 5, self._lot(self.plunger, "PLG-C-1", qty=5): 5},
        )
        self._deliver(self.hospital, [(body, 2)])
        api = self.barrel_lot.with_user(self.auditor).med_api_recall_scope()
        scope = self.barrel_lot.med_recall_scope()
        self.assertEqual([lot["id"] for lot in api["lots"]], scope["lots"].ids)
        self.assertIn(body.id, [lot["id"] for lot in api["lots"]])
        self.assertEqual([c["id"] for c in api["customers"]], [self.hospital.id])
        wizard = (
            self.env["med.lot.recall.simulate"]
            .with_user(self.auditor)
            .create({"lot_ids": [fields.Command.set(self.barrel_lot.ids)]})
        )
        wizard.action_simulate()
        self.assertEqual(wizard.scope_lot_ids, scope["lots"])
        self.assertEqual(
            wizard.delivered_line_ids.partner_id.ids,
            [c["id"] for c in api["customers"]],
        )
        self.assertEqual(
            sum(wizard.delivered_line_ids.mapped("quantity")),
            sum(d["quantity"] for d in api["deliveries"]),
        )

    def test_supplier_score(self):
        self.Capa.with_user(self.qa_manager).create(
            {"title": "Burrs on barrels", "partner_id": self.supplier.id}
        )
        today = fields.Date.context_today(self.env.user)
        evaluation = (
            self.env["med.supplier.evaluation"]
            .with_user(self.qa_manager)
            .create(
                {
                    "partner_id": self.supplier.id,
                    "date_from": today - timedelta(days=30),
                    "date_to": today + timedelta(days=1),
                }
            )
        )
        evaluation.action_med_compute()
        self.assertTrue(evaluation.line_ids.filtered("has_data"))
        ui = Form(evaluation).score
        [api] = evaluation.with_user(self.auditor).read(["score"])
        sections = self.supplier.with_user(self.auditor)._med_dossier(
            "supplier_dossier"
        )
        [rows] = [list(s["rows"]) for s in sections if s["code"] == "evaluations"]
        [row] = [row for row in rows if row[0] == evaluation.name]
        self.assertEqual(api["score"], ui)
        self.assertEqual(row[2], f"{ui:.1f}")
