import json
import re

from odoo.tests import tagged

from odoo.addons.med_audit_export.tests.common import MedComplianceCommon

DASHBOARDS = {
    "med_dashboard.spreadsheet_dashboard_qa_manager": "qa_manager",
    "med_dashboard.spreadsheet_dashboard_warehouse": "warehouse",
    "med_dashboard.spreadsheet_dashboard_auditor": "auditor",
}
FORMULA = re.compile(r"(PIVOT\.VALUE|ODOO\.LIST\.HEADER|ODOO\.LIST)\((\d+)")


@tagged("post_install", "-at_install")
class TestDashboards(MedComplianceCommon):
    """Each dashboard loads for the role it is for, and every model, field and domain
    its pivots, lists and charts use exists and answers for that role."""

    def _snapshot(self, xmlid, user):
        dashboard = self.env.ref(xmlid).with_user(user)
        data = dashboard.get_readonly_dashboard()
        self.assertNotIn("is_sample", data, xmlid)
        return data["snapshot"]

    def _check_fields(self, user, model, names, where):
        self.assertIn(model, self.env, where)
        Model = self.env[model].with_user(user)
        self.assertTrue(
            Model.has_access("read"), f"{where}: {user.login} reads {model}"
        )
        readable = Model.fields_get(attributes=["type"])
        for name in names:
            self.assertIn(name.split(":")[0], readable, f"{where}: {model}.{name}")

    @staticmethod
    def _domain_fields(domain):
        return [leaf[0].split(".")[0] for leaf in domain if isinstance(leaf, list)]

    def _check_snapshot(self, snapshot, user, xmlid):
        used = {"PIVOT.VALUE": set(), "ODOO.LIST": set(), "ODOO.LIST.HEADER": set()}
        for sheet in snapshot["sheets"]:
            for cell in sheet["cells"].values():
                for function, ident in FORMULA.findall(cell.get("content", "")):
                    used[function].add(ident)
        self.assertEqual(used["PIVOT.VALUE"], set(snapshot["pivots"]), xmlid)
        self.assertEqual(used["ODOO.LIST"], set(snapshot["lists"]), xmlid)
        for pivot_id, pivot in snapshot["pivots"].items():
            where = f"{xmlid} pivot {pivot_id}"
            measures = [m["fieldName"] for m in pivot["measures"]]
            groupby = [g["fieldName"] for g in pivot["rows"] + pivot["columns"]]
            names = [m for m in measures if m != "__count"] + groupby
            self._check_fields(user, pivot["model"], names, where)
            self._check_fields(
                user, pivot["model"], self._domain_fields(pivot["domain"]), where
            )
            self.env[pivot["model"]].with_user(user).read_group(
                pivot["domain"], [m for m in measures if m != "__count"], groupby
            )
        for list_id, spec in snapshot["lists"].items():
            where = f"{xmlid} list {list_id}"
            order = ", ".join(
                f"{o['name']} {'ASC' if o['asc'] else 'DESC'}" for o in spec["orderBy"]
            )
            names = spec["columns"] + [o["name"] for o in spec["orderBy"]]
            self._check_fields(user, spec["model"], names, where)
            self._check_fields(
                user, spec["model"], self._domain_fields(spec["domain"]), where
            )
            self.env[spec["model"]].with_user(user).search_read(
                spec["domain"], spec["columns"], order=order or None, limit=10
            )
        charts = [
            figure["data"]
            for sheet in snapshot["sheets"]
            for figure in sheet["figures"]
            if figure["data"]["type"].startswith("odoo_")
        ]
        self.assertTrue(charts, xmlid)
        for chart in charts:
            meta, search = chart["metaData"], chart["searchParams"]
            where = f"{xmlid} chart {chart['title']['text']}"
            self.assertTrue(chart["title"]["text"], where)
            measure = [] if meta["measure"] == "__count" else [meta["measure"]]
            self._check_fields(user, meta["resModel"], meta["groupBy"] + measure, where)
            self._check_fields(
                user, meta["resModel"], self._domain_fields(search["domain"]), where
            )
            self.env[meta["resModel"]].with_user(user).read_group(
                search["domain"], measure, meta["groupBy"], lazy=False
            )

    def test_each_dashboard_answers_for_its_role(self):
        for xmlid, role in DASHBOARDS.items():
            user = getattr(self, role)
            self._check_snapshot(self._snapshot(xmlid, user), user, xmlid)

    def test_scorecards_read_pivot_values(self):
        for xmlid, role in DASHBOARDS.items():
            snapshot = self._snapshot(xmlid, getattr(self, role))
            data = next(
                sheet for sheet in snapshot["sheets"] if sheet["name"] == "Data"
            )
            cards = [
                figure["data"]
                for figure in snapshot["sheets"][0]["figures"]
                if figure["data"]["type"] == "scorecard"
            ]
            self.assertTrue(cards, xmlid)
            for card in cards:
                cell = card["keyValue"].split("!")[1]
                self.assertRegex(data["cells"][cell]["content"], r"^=PIVOT\.VALUE\(")

    def test_roles_see_only_their_dashboards(self):
        Dashboard = self.env["spreadsheet.dashboard"]
        ours = {self.env.ref(xmlid).id: xmlid for xmlid in DASHBOARDS}
        visible = {
            role: {
                ours[dashboard.id]
                for dashboard in Dashboard.with_user(getattr(self, role)).search(
                    [("id", "in", list(ours))]
                )
            }
            for role in ("warehouse", "auditor", "qa_manager", "purchase")
        }
        self.assertEqual(
            visible["warehouse"], {"med_dashboard.spreadsheet_dashboard_warehouse"}
        )
        self.assertEqual(
            visible["auditor"], {"med_dashboard.spreadsheet_dashboard_auditor"}
        )
        self.assertEqual(visible["qa_manager"], set(DASHBOARDS))
        self.assertFalse(visible["purchase"])
        with self.assertRaises(Exception):  # noqa: B017 - AccessError, as any read
            self.env.ref("med_dashboard.spreadsheet_dashboard_qa_manager").with_user(
                self.warehouse
            ).get_readonly_dashboard()

    def test_each_role_lands_on_its_own_dashboard(self):
        # What the Dashboards app reads, then opens: the first dashboard of the
        # first group (spreadsheet_dashboard's DashboardLoader).
        for role, xmlid in (
            ("qa_manager", "med_dashboard.spreadsheet_dashboard_qa_manager"),
            ("warehouse", "med_dashboard.spreadsheet_dashboard_warehouse"),
            ("auditor", "med_dashboard.spreadsheet_dashboard_auditor"),
        ):
            # a request of its own: no dashboards cached for the previous role
            self.env.invalidate_all()
            groups = (
                self.env["spreadsheet.dashboard.group"]
                .with_user(getattr(self, role))
                .web_search_read(
                    [("published_dashboard_ids", "!=", False)],
                    {"name": {}, "published_dashboard_ids": {"fields": {"name": {}}}},
                )
            )
            listed = [g for g in groups["records"] if g["published_dashboard_ids"]]
            first = listed[0]["published_dashboard_ids"][0]["id"]
            self.assertEqual(first, self.env.ref(xmlid).id, role)

    def test_compliance_app_opens_the_overview(self):
        menus = self.env["ir.ui.menu"].with_user(self.auditor).load_web_menus(False)
        root = self.env.ref("med_audit_export.menu_med_root")
        action = self.env.ref("med_dashboard.med_dashboard_action")
        self.assertEqual(menus[root.id]["actionID"], action.id)
        self.assertEqual(menus[root.id]["actionModel"], "ir.actions.client")

    def test_dashboard_files_are_valid_json_with_translated_names(self):
        for xmlid in DASHBOARDS:
            dashboard = self.env.ref(xmlid)
            json.loads(dashboard.spreadsheet_data)
            self.assertNotEqual(
                dashboard.with_context(lang="zh_CN").name, dashboard.name, xmlid
            )
