from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.med_audit_export.tests.common import JsonRpcMixin

from .common import MedGenealogyCommon

STOCK_AND_QA = "stock.group_stock_manager,med_audit_export.group_med_qa_manager"


@tagged("post_install", "-at_install")
class TestOperationTypeGateMode(MedGenealogyCommon):
    """An operation type's own mode of the lot gates is guarded as the company's:
    a QA manager decides, and it switches to block only once the go-live dry run
    finds nothing on its open documents, or from the dry run with the QA manager's
    reason, which its audit trail keeps."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.med_gate_mode = "warn"
        cls.out_type = cls.stock_warehouse.out_type_id
        cls.in_type = cls.stock_warehouse.in_type_id
        # Race tests of other addons commit documents on the same operation types;
        # this test judges only what its own data adds.
        Gate = cls.env["med.gate"]
        cls.foreign_findings = {
            picking_type: {
                finding.document
                for finding in Gate._med_dry_run_operation_type(picking_type)
            }
            for picking_type in (cls.out_type, cls.in_type)
        }
        lot = cls._lot(cls.syringe, "OPT-Q1", 10, released=False)
        cls.delivery = cls._transfer(cls.syringe, 5, partner=cls.hospital)
        cls._set_lot_lines(cls.delivery.move_ids, [(lot, 5)])
        # QA and the inventory manager at once: the write itself is allowed
        cls.stock_qa = new_test_user(cls.env, login="med_stock_qa", groups=STOCK_AND_QA)
        cls.stock_manager = new_test_user(
            cls.env,
            login="med_stock_manager",
            groups="stock.group_stock_manager,med_audit_export.group_med_warehouse",
        )

    def _dry_run(self, **values):
        wizard = self.env["med.gate.dry.run"].with_user(self.qa_manager).create(values)
        wizard.action_run()
        return wizard

    def _last_entry(self, picking_type):
        return self.env["med.audit.entry"].search(
            [
                ("res_model", "=", "stock.picking.type"),
                ("res_id", "=", picking_type.id),
                ("field_name", "=", "med_gate_mode"),
            ],
            order="id desc",
            limit=1,
        )

    def test_dry_run_finds_the_open_delivery_of_its_operation_type(self):
        Gate = self.env["med.gate"]

        def new_findings(picking_type):
            return [
                finding
                for finding in Gate._med_dry_run_operation_type(picking_type)
                if finding.document not in self.foreign_findings[picking_type]
            ]

        [finding] = new_findings(self.out_type)
        self.assertEqual(finding.document, self.delivery)
        self.assertIn("OPT-Q1", finding.message)
        self.assertEqual(new_findings(self.in_type), [])

    def test_switch_to_block_refused_while_its_dry_run_finds(self):
        out_type = self.out_type.with_user(self.stock_qa)
        with self.assertRaisesRegex(UserError, "cannot be switched to Block yet"):
            out_type.write({"med_gate_mode": "block"})
        self.assertEqual(self.out_type.med_gate_mode, "company")
        # "Company Default" is block too when the company's mode is block
        self.out_type.med_gate_mode = "warn"
        self.env.company.med_gate_mode = "block"
        with self.assertRaisesRegex(UserError, "cannot be switched to Block yet"):
            out_type.write({"med_gate_mode": "company"})
        self.assertEqual(self.out_type.med_gate_mode, "warn")
        # away from block is not guarded by the dry run
        out_type.write({"med_gate_mode": "off"})
        self.assertEqual(self.out_type.med_gate_mode, "off")

    def test_switch_to_block_of_a_clean_operation_type(self):
        self.in_type.with_user(self.stock_qa).write({"med_gate_mode": "block"})
        self.assertEqual(self.in_type.med_gate_mode, "block")
        self.assertEqual(self._last_entry(self.in_type).user_id, self.stock_qa)

    def test_only_qa_managers_change_an_operation_type_mode(self):
        for mode in ("off", "warn", "block"):
            with self.assertRaisesRegex(UserError, "Only a QA manager"):
                self.in_type.with_user(self.stock_manager).write(
                    {"med_gate_mode": mode}
                )
        self.assertEqual(self.in_type.med_gate_mode, "company")
        PickingType = self.env["stock.picking.type"].with_user(self.stock_manager)
        values = {
            "name": "Quick shipping",
            "code": "outgoing",
            "sequence_code": "QS",
            "warehouse_id": self.stock_warehouse.id,
        }
        with self.assertRaisesRegex(UserError, "Only a QA manager"):
            PickingType.create(dict(values, med_gate_mode="off"))
        created = PickingType.create(values)
        self.assertEqual(created.med_gate_mode, "company")

    def test_switch_from_the_dry_run_needs_the_reason_and_is_audited(self):
        wizard = self._dry_run(picking_type_id=self.out_type.id)
        with self.assertRaisesRegex(UserError, "give your reason"):
            wizard.action_switch_to_block()
        self.assertEqual(self.out_type.med_gate_mode, "company")
        wizard.reason = "The open delivery is cancelled today"
        wizard.action_switch_to_block()
        self.assertEqual(self.out_type.med_gate_mode, "block")
        entry = self._last_entry(self.out_type)
        self.assertEqual(entry.user_id, self.qa_manager)
        self.assertIn("cancelled today", entry.reason)
        # the company's own mode is left alone
        self.assertEqual(self.env.company.med_gate_mode, "warn")

    def test_switch_from_the_dry_run_of_a_clean_operation_type(self):
        wizard = self._dry_run(picking_type_id=self.in_type.id)
        wizard.action_switch_to_block()
        self.assertEqual(self.in_type.med_gate_mode, "block")
        self.assertIn("dry run clean", self._last_entry(self.in_type).reason)

    def test_only_qa_managers_switch_from_the_dry_run(self):
        wizard = self._dry_run(picking_type_id=self.in_type.id)
        with self.assertRaisesRegex(UserError, "Only a QA manager"):
            wizard.with_user(self.stock_manager).action_switch_to_block()
        self.assertEqual(self.in_type.med_gate_mode, "company")


@tagged("post_install", "-at_install")
class TestOperationTypeGateModeOverRpc(JsonRpcMixin, HttpCase):
    """Over JSON-RPC, with any context, an inventory manager does not turn the lot
    gates of an operation type off; a QA manager changes its mode."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        new_test_user(
            cls.env,
            login="rpc_stock_manager",
            groups="stock.group_stock_manager,med_audit_export.group_med_warehouse",
        )
        new_test_user(cls.env, login="rpc_stock_qa", groups=STOCK_AND_QA)
        cls.out_type = cls.env.ref("stock.warehouse0").out_type_id

    def test_inventory_manager_cannot_turn_the_gates_off(self):
        self.authenticate("rpc_stock_manager", "rpc_stock_manager")
        hostile = {"context": {"med_protected_write": True, "med_reason": "urgent"}}
        answer = self._call(
            "stock.picking.type",
            "write",
            [self.out_type.ids, {"med_gate_mode": "off"}],
            hostile,
        )
        self.assertIn("Only a QA manager", answer["error"]["data"]["message"])
        self.out_type.invalidate_recordset()
        self.assertEqual(self.out_type.med_gate_mode, "company")

    def test_qa_manager_sets_warn_over_rpc(self):
        self.authenticate("rpc_stock_qa", "rpc_stock_qa")
        answer = self._call(
            "stock.picking.type",
            "write",
            [self.out_type.ids, {"med_gate_mode": "warn"}],
        )
        self.assertNotIn("error", answer)
        self.out_type.invalidate_recordset()
        self.assertEqual(self.out_type.med_gate_mode, "warn")
