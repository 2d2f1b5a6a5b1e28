"""Odoo's own click-everywhere bot over every menu of the suite, as admin and each role.

The bot (web's ``clickbot``) opens an app, then each of its menus, each view of each
action and each filter of each search view, and fails on the first error dialog or
failed RPC. It is what found the Recall Simulation crash ("Name 'active_model' is not
defined") that the tests, which open actions with their own context, did not see.

It runs over the Medical Compliance app and over the other apps that hold menus of the
suite (Inventory, Purchase, Quality, Maintenance, Repair). In those, the menus of the
other modules are hidden for the test (its transaction is rolled back), so the bot
clicks the suite's entries and the menus they hang under, not all of Odoo's. An action
on several menus (the Auditor's copies of the records' menus) is clicked once per user,
from the first of them that the user sees.

Admin clicks every menu. The roles share the rest, to keep the run short: each action
is clicked by the least entitled role that sees it (a role lacking a right is the one
whose screen breaks), and a role skips the apps where nothing is left for it.
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
# The roles of the suite (security/*_groups.xml of med_audit_export), one user each,
# the least entitled first: each role implies none or some of those before it.
ROLES = {
    "warehouse": "med_audit_export.group_med_warehouse",
    "purchase": "med_audit_export.group_med_purchase",
    "auditor": "med_audit_export.group_med_auditor",
    "qa_inspector": "med_audit_export.group_med_qa_inspector",
    "qa_manager": "med_audit_export.group_med_qa_manager",
    "compliance_admin": "med_audit_export.group_med_compliance_admin",
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
        """In apps that hold suite menus, keep only those and the menus above them
        (and, per user, the menu the app opens on: see _keep_landing_menus)."""
        Menu = cls.env["ir.ui.menu"].with_context(active_test=False)
        suite = cls._suite_menus()
        kept = Menu.search([("id", "parent_of", suite.ids)])
        suite_root = cls.env.ref(SUITE_ROOT_MENU)
        apps = kept.filtered(lambda m: not m.parent_id) - suite_root
        cls.hidden = Menu.search([("id", "child_of", apps.ids)]) - kept
        cls.hidden.write({"active": False})
        cls.apps = apps | suite_root

    @classmethod
    def _landing_menu(cls, menu):
        """The first menu with an action under ``menu``, as the web client opens an
        app (depth first, by sequence), among the menus its user sees."""
        for child in menu.child_id.sorted(lambda m: (m.sequence, m.id)):
            if child.action:
                return child
            landing = cls._landing_menu(child)
            if landing:
                return landing
        return None

    def _keep_landing_menus(self, user):
        """Each app opens on its own first page (Inventory's overview, Quality's
        inspections), not on a suite wizard that would open as a dialog and leave
        the bot on the previous app's menus."""
        self.hidden.write({"active": True})
        landings = self.env["ir.ui.menu"]
        for app in (self.apps - self.env.ref(SUITE_ROOT_MENU)).with_user(user):
            landing = self._landing_menu(app)
            if landing:
                landings |= landing.sudo()
        shown = self.hidden.search([("id", "parent_of", landings.ids)])
        (self.hidden - shown).write({"active": False})

    def _show_one_menu_per_action(self, user, seen):
        """Show the user the suite's menus of the actions not in ``seen`` (one menu
        each), add those to ``seen``; return the apps they are in."""
        suite = self._suite_menus()
        suite.write({"active": True})
        visible = suite.with_user(user).search([("id", "in", suite.ids)], order="id")
        shown = self.env["ir.ui.menu"]
        for menu in visible.sudo():
            if not menu.action:
                continue
            key = (menu.action._name, menu.action.id)
            if key in seen:
                menu.active = False
            else:
                shown |= menu
            seen.add(key)
        return {int(menu.parent_path.split("/")[0]) for menu in shown}

    def _click_everywhere(self, user, seen=None):
        self._keep_landing_menus(user)
        app_ids = self._show_one_menu_per_action(user, set() if seen is None else seen)
        menus = self.env["ir.ui.menu"].with_user(user).load_menus(False)
        apps = [menus[app_id] for app_id in menus["root"]["children"]]
        tested = [app for app in apps if app["id"] in app_ids]
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
        seen = set()
        for role, user in self.users.items():
            with self.subTest(role=role):
                self._click_everywhere(user, seen)
        self.assertGreater(len(seen), 30, "the roles clicked the suite's actions")
