from odoo.tests import HttpCase, tagged

from .common import JsonRpcMixin


@tagged("post_install", "-at_install")
class TestAuditTrailOverRpc(JsonRpcMixin, HttpCase):
    """The administrator cannot alter or delete audit entries over JSON-RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["med.audit.rule"].create(
            {"name": "Tags", "model": "res.partner.category", "field_names": ["name"]}
        )
        cls.tag = cls.env["res.partner.category"].create({"name": "Hospital"})
        cls.env.flush_all()
        cls.entry = cls.env["med.audit.entry"].search(
            [("res_model", "=", "res.partner.category"), ("res_id", "=", cls.tag.id)]
        )

    def test_admin_reads_but_cannot_write_or_delete(self):
        self.authenticate("admin", "admin")
        read = self._call("med.audit.entry", "read", [self.entry.ids, ["new_value"]])
        self.assertEqual(read["result"][0]["new_value"], "Hospital")
        for method, args in (
            ("write", [self.entry.ids, {"new_value": "Clinic"}]),
            ("unlink", [self.entry.ids]),
            ("create", [{"res_model": "res.partner.category", "new_value": "forged"}]),
        ):
            answer = self._call("med.audit.entry", method, args)
            self.assertIn("error", answer, method)
        self.entry.invalidate_recordset()
        self.assertEqual(self.entry.new_value, "Hospital")
        self.assertFalse(self.env["med.audit.entry"].verify_chain())

    def test_forged_protected_write_context_refused(self):
        """A context sent over RPC cannot unlock protected fields."""
        rule = self.env["med.audit.rule"].search(
            [("model_name", "=", "res.partner.category")]
        )
        rule.write({"protected_field_names": ["name"]})
        self.authenticate("admin", "admin")
        answer = self._call(
            "res.partner.category",
            "write",
            [self.tag.ids, {"name": "Forged"}],
            {"context": {"med_protected_write": True}},
        )
        self.assertIn("can only be changed", answer["error"]["data"]["message"])
        self.tag.invalidate_recordset()
        self.assertEqual(self.tag.name, "Hospital")
