import json

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from .common import MedComplianceCommon


class AuditCoverageCommon(MedComplianceCommon):
    def _entries(self, records, **filters):
        self.env.flush_all()
        domain = [("res_model", "=", records._name), ("res_id", "in", records.ids)]
        domain += [(key, "=", value) for key, value in filters.items()]
        return self.env["med.audit.entry"].search(domain, order="id")


@tagged("post_install", "-at_install")
class TestRoleGrantsThroughGroups(AuditCoverageCommon):
    """A role granted from the group's side is in the trail like one granted on
    the user: an entry on the user's groups, with who and why."""

    def test_user_added_to_a_group_is_logged_on_the_user(self):
        group = self.env.ref("med_audit_export.group_med_qa_manager")
        group.with_context(med_reason="promoted").write(
            {"users": [Command.link(self.warehouse.id)]}
        )
        entry = self._entries(self.warehouse, field_name="groups_id")[-1:]
        self.assertIn("QA Manager", entry.new_value)
        self.assertNotIn("QA Manager", entry.old_value)
        self.assertEqual((entry.reason, entry.user_id), ("promoted", self.env.user))

    def test_user_removed_from_a_group_and_group_deleted_are_logged(self):
        group = self.env["res.groups"].create(
            {
                "name": "Night shift",
                "users": [Command.link(self.purchase.id)],
                "implied_ids": [
                    Command.link(self.env.ref("med_audit_export.group_med_auditor").id)
                ],
            }
        )
        granted = self._entries(self.purchase, field_name="groups_id")
        self.assertIn("Night shift", granted[-1].new_value)
        self.assertIn("Auditor", granted[-1].new_value)
        group.write({"users": [Command.unlink(self.purchase.id)]})
        removed = self._entries(self.purchase, field_name="groups_id") - granted
        self.assertIn("Night shift", removed.old_value)
        self.assertNotIn("Night shift", removed.new_value)
        group.write({"users": [Command.link(self.purchase.id)]})
        before = self._entries(self.purchase, field_name="groups_id")
        group.unlink()
        deleted = self._entries(self.purchase, field_name="groups_id") - before
        self.assertIn("Night shift", deleted.old_value)

    def test_group_implying_a_role_is_logged_for_its_users(self):
        group = self.env["res.groups"].create(
            {"name": "Line leads", "users": [Command.link(self.auditor.id)]}
        )
        before = self._entries(self.auditor, field_name="groups_id")
        inspector = self.env.ref("med_audit_export.group_med_qa_inspector")
        group.write({"implied_ids": [Command.link(inspector.id)]})
        entry = self._entries(self.auditor, field_name="groups_id") - before
        self.assertIn("QA Inspector", entry.new_value)

    def test_other_group_changes_are_not_logged(self):
        group = self.env.ref("med_audit_export.group_med_auditor")
        before = self.env["med.audit.entry"].search_count([])
        group.write({"comment": "Reads everything, changes nothing"})
        self.env.flush_all()
        self.assertEqual(self.env["med.audit.entry"].search_count([]), before)


@tagged("post_install", "-at_install")
class TestAuditRulesCannotBeSwitchedOffSilently(AuditCoverageCommon):
    """The suite's GxP rules may only be extended; the administrator's own rules
    are archived, deleted or narrowed only with a reason, kept in the trail."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the administrator: editing a rule reads models and fields
        cls.admin = cls.env.ref("base.user_admin")
        cls.Rule = cls.env["med.audit.rule"].with_user(cls.admin)
        cls.users_rule = cls.env.ref("med_audit_export.audit_rule_res_users")

    def test_shipped_rule_cannot_be_archived_deleted_or_narrowed(self):
        rule = self.users_rule.with_user(self.admin)
        login = self.env.ref("base.field_res_users__login")
        for change in (
            lambda: rule.with_context(med_reason="quiet").action_archive(),
            lambda: self.users_rule.with_context(med_reason="quiet").unlink(),
            lambda: rule.with_context(med_reason="quiet").write(
                {"field_ids": [Command.unlink(login.id)]}
            ),
            lambda: rule.with_context(med_reason="quiet").write({"log_write": False}),
            lambda: rule.with_context(med_reason="quiet").write(
                {"field_ids": [Command.clear()]}
            ),
        ):
            with self.assertRaisesRegex(UserError, "shipped with the suite"):
                change()
        self.assertTrue(rule.active)
        self.assertTrue(rule.log_write)
        self.assertIn(login, rule.field_ids)

    def test_shipped_rule_can_be_extended(self):
        rule = self.users_rule.with_user(self.admin)
        share_field = self.env.ref("base.field_res_users__share")
        rule.write({"field_ids": [Command.link(share_field.id)]})
        rule.write({"protected_field_ids": [Command.link(share_field.id)]})
        self.assertIn(share_field, rule.field_ids)
        entries = self._entries(rule, field_name="field_ids")
        self.assertEqual(entries[-1:].user_id, self.admin)

    def test_own_rule_narrowed_only_with_a_reason_in_the_trail(self):
        rule = self.Rule.create(
            {"name": "Tags", "model": "res.partner.category", "field_names": ["name"]}
        )
        for change in (
            rule.action_archive,
            lambda: rule.write({"log_unlink": False}),
            lambda: rule.write({"field_ids": [Command.clear()]}),
            rule.sudo().unlink,  # the administrator of the database may delete
        ):
            with self.assertRaisesRegex(UserError, "Give a reason"):
                change()
        self.assertTrue(rule.active)
        rule.with_context(med_reason="pilot over").action_archive()
        entry = self._entries(rule, field_name="active", operation="write")
        self.assertEqual(
            (entry.old_value, entry.new_value, entry.reason),
            ("True", "False", "pilot over"),
        )
        rule_id = rule.id
        rule.sudo().with_context(med_reason="replaced by the shipped rule").unlink()
        self.env.flush_all()
        deletion = self.env["med.audit.entry"].search(
            [
                ("res_model", "=", "med.audit.rule"),
                ("res_id", "=", rule_id),
                ("operation", "=", "unlink"),
            ]
        )
        self.assertEqual(
            set(deletion.mapped("reason")), {"replaced by the shipped rule"}
        )

    def test_own_rule_extended_freely(self):
        rule = self.Rule.create(
            {"name": "Tags", "model": "res.partner.category", "field_names": ["name"]}
        )
        rule.write({"field_names": ["name", "color"], "reason_required": True})
        self.assertEqual(len(rule.field_ids), 2)


@tagged("post_install", "-at_install")
class TestExportTemplatesAudited(AuditCoverageCommon):
    def test_template_and_section_changes_are_audited(self):
        template = self.env.ref("med_audit_export.export_template_lot_dossier_nmpa")
        template.with_context(med_reason="shorter dossier").write({"title": "Lot file"})
        entry = self._entries(template, field_name="title", operation="write")
        self.assertEqual(
            (entry.new_value, entry.reason), ("Lot file", "shorter dossier")
        )
        section = self.env["med.export.template.section"].create(
            {"template_id": template.id, "code": "audit_trail"}
        )
        self.assertTrue(self._entries(section, operation="create"))
        section_id = section.id
        section.with_context(med_reason="every column").unlink()
        self.env.flush_all()
        deletion = self.env["med.audit.entry"].search(
            [
                ("res_model", "=", "med.export.template.section"),
                ("res_id", "=", section_id),
                ("operation", "=", "unlink"),
            ]
        )
        self.assertEqual(set(deletion.mapped("reason")), {"every column"})


@tagged("post_install", "-at_install")
class TestRoleGrantOverRpc(HttpCase):
    """A role granted through the group over JSON-RPC is in the trail."""

    def test_admin_grants_a_role_through_the_group(self):
        user = self.env["res.users"].create(
            {"name": "Night inspector", "login": "med_night_inspector"}
        )
        group = self.env.ref("med_audit_export.group_med_qa_inspector")
        self.authenticate("admin", "admin")
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "model": "res.groups",
                "method": "write",
                "args": [group.ids, {"users": [[4, user.id]]}],
                "kwargs": {"context": {"med_reason": "night shift"}},
            },
        }
        answer = self.url_open(
            "/web/dataset/call_kw/res.groups/write",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        ).json()
        self.assertNotIn("error", answer)
        self.env.invalidate_all()
        self.assertIn(group, user.groups_id)
        entry = self.env["med.audit.entry"].search(
            [
                ("res_model", "=", "res.users"),
                ("res_id", "=", user.id),
                ("field_name", "=", "groups_id"),
                ("operation", "=", "write"),
            ]
        )
        self.assertEqual(len(entry), 1)
        self.assertIn("QA Inspector", entry.new_value)
        self.assertEqual(entry.reason, "night shift")
        self.assertEqual(entry.user_id, self.env.ref("base.user_admin"))
