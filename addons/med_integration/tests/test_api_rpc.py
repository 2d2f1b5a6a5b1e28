import ast
import json
import re
import xmlrpc
import xmlrpc.client
from datetime import datetime, timedelta
from pathlib import Path

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

# docs/api.md, two folders above the addons folder: the examples the users read are
# the ones run here.
API_DOC = Path(__file__).resolve().parents[3] / "docs" / "api.md"
EXAMPLE = re.compile(
    r"<!-- example: (?P<name>\w+) user=(?P<user>\w+)(?: expect=(?P<expect>\w+))? -->"
    r"\s*```(?P<lang>json|python)\n(?P<code>.*?)```",
    re.DOTALL,
)
# Every public method of the suite that docs/api.md must show in an example.
PUBLIC_METHODS = {
    "med_api_trace",
    "med_api_recall_scope",
    "med_release_blockers",
    "action_med_release",
    "med_api_shelf_life",
    "med_api_find_lot",
    "med_partner_certificates_valid_on",
    "med_api_report_event",
    "med_api_import_results",
    "action_export",
}
# The fault codes of Odoo's XML-RPC, as docs/api.md lists them.
FAULT_CODES = {2: "UserError", 3: "AccessDenied", 4: "AccessError"}
ROLES = {
    "warehouse": "med_audit_export.group_med_warehouse",
    "purchase": "med_audit_export.group_med_purchase",
    "inspector": "med_audit_export.group_med_qa_inspector",
    "qa_manager": "med_audit_export.group_med_qa_manager",
    "auditor": "med_audit_export.group_med_auditor",
}


def doc_examples():
    return [match.groupdict() for match in EXAMPLE.finditer(API_DOC.read_text())]


@tagged("post_install", "-at_install")
class TestApiRpc(HttpCase):
    """Runs every example of docs/api.md against the live server, as the role the
    example names, and checks its answer against the ORM (or the error it
    documents)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            role: new_test_user(cls.env, login=f"api_{role}", groups=group)
            for role, group in ROLES.items()
        }
        cls.product = cls.env["product.product"].create(
            {
                "name": "Sterile syringe 5 ml",
                "default_code": "SYR-5ML",
                "is_storable": True,
                "tracking": "lot",
                "use_expiration_date": True,
                "expiration_time": 730,
            }
        )
        cls.lot = cls.env["stock.lot"].create(
            {
                "name": "L-API-001",
                "product_id": cls.product.id,
                "expiration_date": datetime.now() + timedelta(days=400, hours=12),
            }
        )
        cls.plunger = cls.env["product.product"].create(
            {"name": "Plunger 5 ml", "is_storable": True, "tracking": "lot"}
        )
        cls.releasable = cls.env["stock.lot"].create(
            {"name": "L-API-REL", "product_id": cls.plunger.id}
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.plunger,
            cls.env.ref("stock.warehouse0").lot_stock_id,
            100,
            lot_id=cls.releasable,
        )  # a lot is released once received
        cls.supplier = cls.env["res.partner"].create(
            {"name": "Barrel Moulding Co.", "is_company": True}
        )
        licence = cls.env["med.certificate.type"].create(
            {
                "name": "Business licence (API test)",
                "code": "api_business_licence",
                "scope": "supplier",
                "mandatory": True,
                "attachment_required": False,
            }
        )
        cls.certificate = cls.env["med.supplier.certificate"].create(
            {
                "partner_id": cls.supplier.id,
                "type_id": licence.id,
                "number": "91310000API0001",
                "issue_date": "2021-01-01",
                "expiry_date": "2026-03-31",
            }
        )
        mm = cls.env.ref("uom.product_uom_millimeter")
        cls.qc_test = cls.env["qc.test"].create(
            {
                "name": "Barrel dimensions",
                "test_lines": [
                    Command.create(
                        {
                            "name": "Barrel length",
                            "type": "quantitative",
                            "min_value": 60.0,
                            "max_value": 62.0,
                            "uom_id": mm.id,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Tip burrs",
                            "type": "qualitative",
                            "ql_values": [
                                Command.create({"name": "None", "ok": True}),
                                Command.create({"name": "Found", "ok": False}),
                            ],
                        }
                    ),
                ],
            }
        )
        cls.values = {
            "DB": cls.env.cr.dbname,
            "LOT_ID": cls.lot.id,
            "COMPONENT_LOT_ID": cls.lot.id,
            "RELEASABLE_LOT_ID": cls.releasable.id,
            "PARTNER_ID": cls.supplier.id,
            "PRODUCT_ID": cls.product.id,
        }

    # -- running the examples --
    def _run(self, example):
        user = self.users[example["user"]]
        values = dict(self.values, UID=user.id, LOGIN=user.login, PASSWORD=user.login)
        if example["lang"] == "json":
            body = re.sub(
                r"\b(" + "|".join(values) + r")\b",
                lambda match: json.dumps(values[match.group(1)]),
                example["code"],
            )
            answer = self.url_open(
                "/jsonrpc",
                data=body,
                headers={"Content-Type": "application/json"},
            ).json()
            if "error" in answer:
                return None, answer["error"]["data"]["name"]
            return answer["result"], None
        # The Python example runs as written; its last expression is the answer.
        tree = ast.parse(example["code"])
        last = tree.body.pop() if isinstance(tree.body[-1], ast.Expr) else None
        scope = dict(
            values,
            xmlrpc=xmlrpc,
            URL=self.xmlrpc_url.removesuffix("/xmlrpc/2/"),
            models=self.xmlrpc_object,
        )
        try:
            exec(compile(tree, "api.md", "exec"), scope)
            result = (
                eval(compile(ast.Expression(last.value), "api.md", "eval"), scope)
                if last
                else None
            )
        except xmlrpc.client.Fault as fault:
            # /xmlrpc/2/object tells the kind of error by its fault code
            return None, f"odoo.exceptions.{FAULT_CODES[fault.faultCode]}"
        return result, None

    def test_every_public_method_has_an_example(self):
        shown = {
            method
            for example in doc_examples()
            for method in PUBLIC_METHODS
            if f'"{method}"' in example["code"]
        }
        self.assertEqual(PUBLIC_METHODS - shown, set())

    def test_doc_examples_run_as_documented(self):
        examples = doc_examples()
        self.assertGreaterEqual(len(examples), 23)
        for example in examples:
            with self.subTest(example=example["name"], lang=example["lang"]):
                result, error = self._run(example)
                if example["expect"]:
                    self.assertIsNotNone(error, "the example should be refused")
                    self.assertIn(f"odoo.exceptions.{example['expect']}", error)
                    continue
                self.assertIsNone(error)
                getattr(self, f"_check_{example['name']}")(result)

    # -- what each example must answer --
    def _check_login(self, result):
        self.assertEqual(result, self.users["auditor"].id)

    def _check_login_refused(self, result):
        self.assertIs(result, False)

    def _check_trace(self, result):
        self.assertEqual(
            [lot["id"] for lot in result], self.lot.med_trace_downstream().ids
        )

    def _check_recall_scope(self, result):
        scope = self.lot.med_recall_scope()
        self.assertEqual([lot["id"] for lot in result["lots"]], scope["lots"].ids)
        self.assertEqual(result["lots"][0]["name"], "L-API-001")
        self.assertEqual([p["id"] for p in result["customers"]], scope["customers"].ids)
        event = self.env["med.integration.event"].search(
            [("lot_ids", "in", self.lot.ids)], limit=1
        )
        self.assertEqual(event.event_type, "recall_scope")

    def _check_release_blockers(self, result):
        blocking = self.lot._med_release_checks()
        self.assertEqual(result[0]["id"], self.lot.id)
        self.assertEqual(result[0]["releasable"], self.lot not in blocking)
        self.assertEqual(result[0]["reasons"], blocking.get(self.lot, []))

    def _check_release(self, result):
        self.releasable.invalidate_recordset()
        self.assertEqual(self.releasable.med_state, "released")
        signature = self.env["med.signature"].search(
            [("res_model", "=", "stock.lot"), ("res_id", "=", self.releasable.id)]
        )
        self.assertEqual(signature.signer_id, self.users["qa_manager"])

    def _check_shelf_life(self, result):
        self.assertEqual(result[0]["remaining_days"], 400)
        self.assertEqual(
            result[0]["remaining_days"], self.lot.med_remaining_shelf_life_days
        )

    def _check_find_lot(self, result):
        self.assertEqual(result, self.lot.ids)

    def _check_certificates_valid_on(self, result):
        self.assertFalse(result["qualified"])
        self.assertTrue(
            any(
                "91310000API0001 expired on 2026-03-31" in p for p in result["problems"]
            )
        )
        [certificate] = result["certificates"]
        self.assertEqual(certificate["state_on_date"], "expired")
        self.assertFalse(certificate["valid_on_date"])

    def _check_report_event(self, result):
        record = self.env["med.nonconformance"].browse(result["id"])
        self.assertEqual(record.origin_ref, "external:CRM-2026-0042")
        self.assertEqual(record.lot_ids, self.lot)
        self.assertEqual(record.create_uid, self.users["inspector"])
        self.assertTrue(result["created"])

    def _check_report_event_capa(self, result):
        record = self.env["med.nonconformance"].browse(result["id"])
        self.assertEqual(record.severity, "critical")
        self.assertEqual(record.capa_id.name, result["capa"])
        self.assertTrue(record.capa_id)

    def _check_lims_import(self, result):
        [inspection] = self.env["qc.inspection"].browse(result[0]["id"])
        self.assertEqual(inspection.lot_id, self.lot)
        self.assertEqual(inspection.med_lab_ref, "LAB-7731")
        self.assertEqual(inspection.state, "success")
        self.assertEqual(len(inspection.inspection_lines), 2)

    def _check_export(self, result):
        export = self.env["med.audit.export"].search([("name", "=", result[0]["name"])])
        self.assertEqual(export.user_id, self.users["auditor"])
        self.assertEqual(result[0]["verification_code"], export.verification_code)

    def _check_audit_trail_export(self, result):
        export = self.env["med.audit.export"].search(
            [("user_id", "=", self.users["auditor"].id), ("file_format", "=", "csv")]
        )
        self.assertEqual(
            result["url"], f"/web/content/{export.attachment_id.id}?download=true"
        )
        content = export.attachment_id.raw.decode("utf-8-sig")
        self.assertIn("L-API-001", content)

    def _check_data_dictionary(self, result):
        names = {row["name"] for row in result}
        self.assertIn("med_state", names)
        rows = self.env["med.data.dictionary"].search(
            [("model", "=", "stock.lot"), ("audited", "=", True)]
        )
        self.assertEqual(names, set(rows.mapped("name")))
