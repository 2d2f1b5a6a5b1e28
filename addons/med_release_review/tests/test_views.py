import ast

from lxml import etree

from odoo.tests import Form, tagged

from .common import ReleaseReviewCommon


@tagged("post_install", "-at_install")
class TestReleaseReviewViews(ReleaseReviewCommon):
    """The cockpit, the results and the time to release open for the roles that use
    them; results of another company's lots stay out of sight."""

    def test_views_open_for_each_role(self):
        actions = [
            "med_release_review.stock_lot_action_med_release_cockpit",
            "med_release_review.stock_lot_action_med_release_time",
            "med_release_review.med_release_result_action",
        ]
        for user in (self.qa_manager, self.auditor):
            for xmlid in actions:
                action = self.env.ref(xmlid)
                views = [(view.id, view.view_mode) for view in action.view_ids] or [
                    (False, mode) for mode in action.view_mode.split(",")
                ]
                model = self.env[action.res_model].with_user(user)
                result = model.get_views([*views, (action.search_view_id.id, "search")])
                self.assertTrue(result["views"], xmlid)
        cockpit = self.env.ref(
            "med_release_review.stock_lot_view_list_med_release_cockpit"
        )
        arch = (
            self.env["stock.lot"]
            .with_user(self.qa_manager)
            .get_views([(cockpit.id, "list")])["views"]["list"]["arch"]
        )
        self.assertIn("action_med_batch_release", arch)
        arch = (
            self.env["stock.lot"]
            .with_user(self.auditor)
            .get_views([(cockpit.id, "list")])["views"]["list"]["arch"]
        )
        self.assertNotIn("action_med_batch_release", arch)

    def test_lot_form_shows_the_results(self):
        picking = self._receive(self.barrel, "BRL-FORM", 10)
        lot = picking.move_line_ids.lot_id
        form = Form(lot.with_user(self.inspector))
        self.assertEqual(len(form.med_release_result_ids), len(self.checks))
        self.assertEqual(form.med_review_state, "green")

    def test_results_of_another_company_are_hidden(self):
        other = self.env["res.company"].create({"name": "Weigao Sterile Branch"})
        lot = self.env["stock.lot"].create(
            {"name": "BRL-BRANCH", "product_id": self.barrel.id, "company_id": other.id}
        )
        self.Result._med_reconcile(lot)
        self.assertEqual(self.Result.search_count([("lot_id", "=", lot.id)]), 7)
        self.assertFalse(
            self.Result.with_user(self.auditor).search([("lot_id", "=", lot.id)])
        )

    def _filter_domain(self, node):
        if node.get("domain"):
            return ast.literal_eval(node.get("domain"))
        # a date filter or a group by: lots must have the field set
        field = node.get("date") or ast.literal_eval(node.get("context"))["group_by"]
        return [(field.split(":")[0], "!=", False)]

    def test_each_filter_finds_lots_within_its_action(self):
        """No filter of the cockpit or of the time to release is empty by
        construction (e.g. released lots in the cockpit of lots in quarantine)."""
        red = self._received("BRL-FILTER-RED")
        self._pass(self._inspect_lot(red, qty=10))
        self.checks["open_quality_records"].severity = "warn"
        self._inspect_lot(self._received("BRL-FILTER-WARN"))  # still open
        self._received("BRL-FILTER-GREEN")
        released = self._received("BRL-FILTER-REL")
        self._sign(
            released.with_user(self.qa_manager).action_med_release(), self.qa_manager
        )
        Lot = self.env["stock.lot"].with_user(self.qa_manager)
        for xmlid in (
            "med_release_review.stock_lot_action_med_release_cockpit",
            "med_release_review.stock_lot_action_med_release_time",
        ):
            action = self.env.ref(xmlid)
            domain = ast.literal_eval(action.domain)
            search = etree.fromstring(action.search_view_id.arch)
            for node in search.iter("filter"):
                self.assertTrue(
                    Lot.search_count(domain + self._filter_domain(node)),
                    f"{xmlid}: filter {node.get('name')} finds nothing",
                )
