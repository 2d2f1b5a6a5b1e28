"""Every window action of the suite opens where a user can reach it.

The web client evaluates an action's context with ``active_id``/``active_ids``/
``active_model`` only when the action is opened from selected records: an action that
is also on a menu, and names them in its context, crashes there ("Name 'active_model'
is not defined"). Found by a user on the Recall Simulation menu; checked here for every
action of every addon, the way the client evaluates it from a menu.
"""

from odoo.tests import TransactionCase, tagged
from odoo.tools.safe_eval import safe_eval


@tagged("post_install", "-at_install")
class TestMenuActions(TransactionCase):
    def _suite_window_actions(self):
        data = self.env["ir.model.data"].search(
            [("module", "=like", "med\\_%"), ("model", "=", "ir.actions.act_window")]
        )
        return self.env["ir.actions.act_window"].browse(data.mapped("res_id"))

    def _menu_actions(self):
        menus = self.env["ir.ui.menu"].search(
            [("action", "=like", "ir.actions.act_window,%")]
        )
        return {menu.action.id for menu in menus}

    def test_menu_action_contexts_evaluate_without_selection(self):
        actions = self._suite_window_actions()
        on_menus = self._menu_actions()
        self.assertIn(
            self.env.ref("med_lot_trace.med_lot_recall_simulate_action").id, on_menus
        )
        user_context = {"uid": self.env.uid, "lang": "en_US", "tz": "UTC"}
        checked = 0
        for action in actions.filtered(lambda a: a.id in on_menus):
            with self.subTest(action=action.xml_id):
                safe_eval(action.context or "{}", dict(user_context, context={}))
                checked += 1
        self.assertGreater(checked, 10)

    def test_recall_simulation_takes_the_selected_lots(self):
        Simulation = self.env["med.lot.recall.simulate"]
        lots = self.env["stock.lot"].search([], limit=2)
        self.assertTrue(lots, "the test database has lots (demo data)")
        selected = Simulation.with_context(
            active_model="stock.lot", active_ids=lots.ids
        ).default_get(["lot_ids"])
        self.assertEqual(
            Simulation.new(selected).lot_ids._origin,
            lots,
            "opened from selected lots",
        )
        from_menu = Simulation.default_get(["lot_ids"])
        self.assertFalse(from_menu.get("lot_ids"), "opened from the menu: no lots")
        other_model = Simulation.with_context(
            active_model="res.partner", active_ids=lots.ids
        ).default_get(["lot_ids"])
        self.assertFalse(other_model.get("lot_ids"), "ids of another model are no lots")

    def test_open_a_recall_takes_the_selected_lots(self):
        Recall = self.env["med.recall"]
        lots = self.env["stock.lot"].search([], limit=2)
        selected = Recall.with_context(
            active_model="stock.lot", active_ids=lots.ids
        ).default_get(["lot_ids"])
        self.assertEqual(Recall.new(selected).lot_ids._origin, lots)
        self.assertFalse(Recall.default_get(["lot_ids"]).get("lot_ids"))
