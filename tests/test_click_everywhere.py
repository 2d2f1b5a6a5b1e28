"""Odoo's own click-everywhere bot over every menu of the suite, as admin and each role.

The bot (web's ``clickbot``) opens an app, then each of its menus, each view of each
action and each filter of each search view, and fails on the first error dialog or
failed RPC. It is what found the Recall Simulation crash ("Name 'active_model' is not
defined") that the tests, which open actions with their own context, did not see.

It runs over the Medical Compliance app and over the other apps that hold menus of the
suite (Inventory, Purchase, Quality, Maintenance, Repair). In those, the menus of the
other modules are hidden for the test (its transaction is rolled back), so the bot
clicks the suite's entries and the menus they hang under, not all of Odoo's.
"""

import logging
import time

from odoo.tests import HttpCase, new_test_user, tagged

_logger = logging.getLogger(__name__)

SUITE_ROOT_MENU = "med_audit_export.menu_med_root"
START_CLICKBOT = (
    "odoo.loader.modules.get('@web/webclient/clickbot/clickbot_loader')"
    ".startClickEverywhere('%s');"
)
# The roles of the suite (security/*_groups.xml of med_audit_export), one user each.
ROLES = {
    "compliance_admin": "med_audit_export.group_med_compliance_admin",
    "qa_manager": "med_audit_export.group_med_qa_manager",
    "qa_inspector": "med_audit_export.group_med_qa_inspector",
    "warehouse": "med_audit_export.group_med_warehouse",
    "auditor": "med_audit_export.group_med_auditor",
    "purchase": "med_audit_export.group_med_purchase",
}


@tagged("post_install", "-at_install")
class TestClickEverywhere(HttpCase):
    # A menu that opens a single record (settings) leaves the bot on a form view.
    allow_end_on_form = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            role: new_test_user(
                cls.env,
                login=f"med_click_{role}",
                groups=f"base.group_user,{group}",
                tz="Asia/Shanghai",
            )
            for role, group in ROLES.items()
        }
        admin = cls.env.ref("base.user_admin")
        # Onboarding tours would open on top of the menus the bot clicks.
        (admin | cls._all_users()).write({"tour_enabled": False})
        cls._hide_other_modules_menus()

    @classmethod
    def _all_users(cls):
        return cls.env["res.users"].union(*cls.users.values())

    @classmethod
    def _suite_menus(cls):
        data = cls.env["ir.model.data"].search(
            [("module", "=like", "med\\_%"), ("model", "=", "ir.ui.menu")]
        )
        return cls.env["ir.ui.menu"].browse(data.mapped("res_id")).exists()

    @classmethod
    def _hide_other_modules_menus(cls):
        """In apps that hold suite menus, keep only those and the menus above them."""
        Menu = cls.env["ir.ui.menu"].with_context(active_test=False)
        suite = cls._suite_menus()
        kept = Menu.search([("id", "parent_of", suite.ids)])
        suite_root = cls.env.ref(SUITE_ROOT_MENU)
        apps = kept.filtered(lambda m: not m.parent_id) - suite_root
        others = Menu.search([("id", "child_of", apps.ids)]) - kept
        others.write({"active": False})
        cls.apps = apps | suite_root

    def _click_everywhere(self, user):
        menus = self.env["ir.ui.menu"].with_user(user).load_menus(False)
        apps = [menus[app_id] for app_id in menus["root"]["children"]]
        tested = [app for app in apps if app["id"] in self.apps.ids]
        self.assertTrue(tested, f"{user.login} sees an app of the suite")
        for app in tested:
            with self.subTest(user=user.login, app=app["xmlid"]):
                start = time.monotonic()
                self.browser_js(
                    "/odoo",
                    START_CLICKBOT % app["xmlid"],
                    "odoo.isReady === true",
                    login=user.login,
                    timeout=600,
                    success_signal="clickbot test succeeded",
                )
                _logger.info(
                    "clickbot: %s as %s in %.0f s",
                    app["xmlid"],
                    user.login,
                    time.monotonic() - start,
                )
        return tested

    def test_click_everywhere_as_admin(self):
        tested = self._click_everywhere(self.env.ref("base.user_admin"))
        xmlids = {app["xmlid"] for app in tested}
        self.assertIn(SUITE_ROOT_MENU, xmlids)
        self.assertIn("stock.menu_stock_root", xmlids)

    def test_click_everywhere_as_each_role(self):
        for role, user in self.users.items():
            with self.subTest(role=role):
                self._click_everywhere(user)
