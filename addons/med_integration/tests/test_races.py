import uuid

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, new_test_user, tagged

from odoo.addons.med_audit_export.tests.common import RacingTransaction


@tagged("post_install", "-at_install")
class TestImportRaces(BaseCase):
    """Two imports at once, each in its own committed transaction (own registry
    cursors in threads, as two server workers): one inspection, one nonconformance
    and one CAPA per rule, never two. The data is unique to each run and stays in
    the database (GxP records cannot be deleted)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        tag = uuid.uuid4().hex[:8].upper()
        cls.tag = tag
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cls.uid = new_test_user(
                env,
                login=f"race_lims_{tag}",
                groups="med_audit_export.group_med_qa_manager,"
                "quality_control_oca.group_quality_control_manager",
            ).id
            mm = env.ref("uom.product_uom_millimeter")
            product = env["product.product"].create(
                {
                    "name": f"Race barrel {tag}",
                    "default_code": f"RACE-{tag}",
                    "is_storable": True,
                    "tracking": "lot",
                }
            )
            tests = env["qc.test"].create(
                [
                    {
                        "name": f"Race length {tag} {number}",
                        "test_lines": [
                            Command.create(
                                {
                                    "name": "Length",
                                    "type": "quantitative",
                                    "min_value": 60.0,
                                    "max_value": 62.0,
                                    "uom_id": mm.id,
                                }
                            )
                        ],
                    }
                    for number in (1, 2)
                ]
            )
            cls.product_id, cls.test_names = product.id, tests.mapped("name")

    def _new_lot(self, suffix):
        """A lot of its own for each race, committed."""
        name = f"RACE-LOT-{self.tag}-{suffix}"
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            lot = env["stock.lot"].create({"name": name, "product_id": self.product_id})
            # Rejected: neither the rule's hold (released or quarantined lots) nor
            # the release review (lots waiting for release) writes a row that both
            # imports share, which would serialize them by chance; what remains is
            # the imports' and the rule's own decisions.
            lot.with_context(med_reason="race test")._med_set_state("rejected")
            self.lot_id = lot.id
        return name

    @classmethod
    def tearDownClass(cls):
        # The records stay (GxP records are not deleted); archived, the users and
        # the product are out of the way of the tests that run after.
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["res.users"].browse([cls.uid]).active = False
            env["product.product"].browse(cls.product_id).active = False
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.assertFalse(self.registry.in_test_mode(), "needs real transactions")

    def _rows(self, lot_name, test_name, lab_ref):
        return [
            {
                "lot": lot_name,
                "product": f"RACE-{self.tag}",
                "test": test_name,
                "question": "Length",
                "value": 70,  # out of 60-62 mm: the inspection fails
                "unit": "mm",
                "date": "2026-12-01",
                "lab_ref": lab_ref,
            }
        ]

    def _race(self, first_rows, second_rows):
        """The first import runs and stays uncommitted until the second one has
        taken its snapshot; the second runs as Odoo runs an RPC call (retried on
        serialization errors). Returns the second's error, if any."""

        def importing(rows):
            return RacingTransaction(
                self.registry,
                self.uid,
                lambda env: env["med.lims.import"].med_api_import_results(rows),
            )

        first = importing(first_rows).hold_before_commit()
        second = importing(second_rows).hold_after_snapshot()
        self.assertIsNone(first.finish().error)
        second.finish()
        if second.error is not None and not isinstance(second.error, UserError):
            raise second.error
        return second.error

    def _records(self, env):
        lot = env["stock.lot"].browse(self.lot_id)
        inspections = env["qc.inspection"].search([("lot_id", "=", lot.id)])
        nonconformances = env["med.nonconformance"].search([("lot_ids", "in", lot.ids)])
        capas = env["med.capa"].search([("lot_ids", "in", lot.ids)])
        return inspections, nonconformances, capas

    def test_same_import_twice_at_once(self):
        rows = self._rows(self._new_lot("S"), self.test_names[0], f"LAB-{self.tag}")
        error = self._race(rows, rows)
        self.assertIn("is already imported", str(error))
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            inspections, nonconformances, capas = self._records(env)
            self.assertEqual(len(inspections), 1)
            self.assertEqual(len(nonconformances.filtered("rule_id")), 1)
            self.assertTrue(capas)
            for rule in capas.rule_id:
                self.assertEqual(
                    len(capas.filtered(lambda c, r=rule: c.rule_id == r)), 1
                )

    def test_two_failures_on_one_lot_at_once_share_the_capa(self):
        """Two failed results of the same lot (two tests) fire the same rule at
        once: one nonconformance each, one CAPA they both belong to."""
        lot_name = self._new_lot("T")
        error = self._race(
            self._rows(lot_name, self.test_names[0], f"LAB-{self.tag}-A"),
            self._rows(lot_name, self.test_names[1], f"LAB-{self.tag}-B"),
        )
        self.assertIsNone(error)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            rule = env.ref("med_capa.capa_rule_inspection_failed")
            inspections, nonconformances, capas = self._records(env)
            self.assertEqual(len(inspections), 2)
            by_rule = nonconformances.filtered(lambda n: n.rule_id == rule)
            self.assertEqual(len(by_rule), 2)
            capa = capas.filtered(lambda c: c.rule_id == rule)
            self.assertEqual(len(capa), 1)
            self.assertEqual(by_rule.capa_id, capa)
