from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.med_audit_export.tests.common import JsonRpcMixin

# What a hostile caller sends to make the CAPA rules skip its record.
HOSTILE_CONTEXT = {
    "med_capa_rule_run": True,
    "med_protected_write": True,
    "default_state": "dispositioned",
}


@tagged("post_install", "-at_install")
class TestRuleSkipContextRefused(JsonRpcMixin, HttpCase):
    """No context key or pre-set origin sent over JSON-RPC switches the CAPA rules
    off: a complaint still opens its CAPA and holds its lot."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.inspector = new_test_user(
            cls.env,
            login="ctx_inspector",
            groups="med_audit_export.group_med_qa_inspector",
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Catheter CTX", "is_storable": True, "tracking": "lot"}
        )
        cls.lot = cls.env["stock.lot"].create(
            {"name": "CTX-001", "product_id": cls.product.id}
        )
        cls.rule = cls.env.ref("med_capa.capa_rule_complaint")

    def _assert_rule_ran(self, record):
        self.assertEqual(record.state, "open")
        self.assertEqual(record.capa_id.rule_id, self.rule)
        self.assertEqual(self.lot.med_state, "hold")
        self.assertFalse(record.rule_id)

    def test_create_with_skip_context_and_claimed_origin_runs_rules(self):
        self.authenticate("ctx_inspector", "ctx_inspector")
        context = dict(
            HOSTILE_CONTEXT,
            default_rule_id=self.rule.id,
            default_origin_ref="med.nonconformance,1",
        )
        answer = self._call(
            "med.nonconformance",
            "create",
            [
                {
                    "description": "Customer found a cracked hub",
                    "source": "complaint",
                    "lot_ids": [[6, 0, self.lot.ids]],
                    "product_id": self.product.id,
                    "rule_id": self.rule.id,
                    "origin_ref": f"stock.lot,{self.lot.id}",
                }
            ],
            {"context": context},
        )
        record = self.env["med.nonconformance"].browse(answer["result"])
        self._assert_rule_ran(record)
        self.assertFalse(record.origin_ref)

    def test_api_report_event_with_skip_context_runs_rules(self):
        self.authenticate("ctx_inspector", "ctx_inspector")
        answer = self._call(
            "med.nonconformance",
            "med_api_report_event",
            [
                {
                    "external_ref": "CRM-CTX-1",
                    "description": "Cracked hub reported by a hospital",
                    "product_ref": self.product.name,
                    "lot_names": [self.lot.name],
                }
            ],
            {"context": HOSTILE_CONTEXT},
        )
        record = self.env["med.nonconformance"].browse(answer["result"]["id"])
        self._assert_rule_ran(record)
        self.assertEqual(record.origin_ref, "external:CRM-CTX-1")

    def test_origin_cannot_be_written(self):
        record = self.env["med.nonconformance"].create(
            {"description": "Scratch on a label", "source": "manual"}
        )
        self.authenticate("ctx_inspector", "ctx_inspector")
        answer = self._call(
            "med.nonconformance",
            "write",
            [record.ids, {"origin_ref": "qc.inspection,1", "rule_id": self.rule.id}],
            {"context": HOSTILE_CONTEXT},
        )
        self.assertIn("set by the CAPA rules only", answer["error"]["data"]["message"])
        record.invalidate_recordset()
        self.assertFalse(record.origin_ref or record.rule_id)

    def test_capa_and_copy_cannot_claim_a_rule(self):
        capa = self.env["med.capa"].create(
            {"title": "Hub cracks", "rule_id": self.rule.id, "origin_ref": "x,1"}
        )
        self.assertFalse(capa.rule_id or capa.origin_ref)
        opened = (
            self.env["med.capa"]
            ._med_protected_write()
            .create({"title": "Hub cracks", "rule_id": self.rule.id})
        )
        self.assertEqual(opened.rule_id, self.rule)
        self.assertFalse(opened.with_env(self.env).copy().rule_id)
