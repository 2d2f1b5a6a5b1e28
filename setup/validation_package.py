"""The validation package of setup/validate.sh, built from a test run.

    python setup/validation_package.py --config CONF --database DB --results FILE

writes validation/<date>-<commit>/ with:
- iq.json: installation qualification: Odoo, Python, PostgreSQL, wkhtmltopdf, fonts,
  each addon with its version and a hash of its files, the OCA addons and Python
  packages with their versions, and the configuration of the database under validation
  (gate modes, audit and retention rules, signature settings);
- oq.json: operational qualification: every test of the run, its outcome and duration,
  and the requirement IDs it proves (from docs/requirements.json, copied as
  requirements.json);
- rtm.csv and rtm.xlsx: regulation clause, requirement, feature, tests and result; a
  requirement with a failed, skipped or missing test, or with none, is "not met";
- deviations.json and deviations.csv: failed, errored and skipped tests, requirements
  not met;
- diff.json: against the previous package of the folder: requirements, tests and results
  that changed;
- summary.pdf: scope, environment, results per risk class, deviations and sign-off, in
  English and Chinese, every page stamped "Page x of y";
- manifest.json: the SHA-256 of every file above. The package is imported in Odoo
  (Medical Compliance ‣ Auditor ‣ Validation Runs), which refuses it when a file does
  not match its hash, and approved there with an electronic signature.
and the same folder zipped as validation/<date>-<commit>.zip, the file to import.
"""

import argparse
import ast
import csv
import hashlib
import importlib.metadata
import importlib.util
import json
import platform
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ROOT / "addons"
REQUIREMENTS = ROOT / "docs" / "requirements.json"
BLOCK = 1 << 20
FAILED = ("failed", "error", "skipped")
NOT_APPLICABLE = ("Not applicable", "As the ISO rows")
RISKS = ("high", "medium", "low")
MANIFEST = "manifest.json"
SKIPPED_PARTS = {"__pycache__", ".pytest_cache"}


def _load_builder():
    spec = importlib.util.spec_from_file_location(
        "build_regulations", ROOT / "docs" / "build_regulations.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def tree_hash(folder):
    """One SHA-256 over the relative paths and contents of a folder's files."""
    digest = hashlib.sha256()
    files = sorted(
        path
        for path in folder.rglob("*")
        if path.is_file()
        and not SKIPPED_PARTS & set(path.parts)
        and path.suffix != ".pyc"
    )
    for path in files:
        digest.update(f"{path.relative_to(folder)}\0{sha256_file(path)}\n".encode())
    return digest.hexdigest(), len(files)


def _run(*command, cwd=None):
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, check=False, timeout=30, cwd=cwd
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


# --- requirements and results ---------------------------------------------------------


def load_requirements(path=REQUIREMENTS):
    """(the requirements file's data, its requirements with their linked tests)."""
    builder = _load_builder()
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    requirements = []
    for requirement in builder.requirements(data):
        requirements.append(
            {
                "id": requirement["id"],
                "regulation": requirement["regulation"],
                "clause": requirement["clause"],
                "text": requirement.get("text") or requirement["clause"],
                "feature": requirement["feature"],
                "risk": requirement["risk"],
                "coverage": requirement["status"],
                "tests": builder.linked_tests(requirement),
            }
        )
    return data, requirements


def proves(link, nodeid):
    """A requirement's test link names this test (or its parametrized cases)."""
    return nodeid == link or nodeid.startswith((f"{link}[", f"{link}::"))


def build_oq(results, requirements):
    tests = []
    for result in results["tests"]:
        ids = [
            requirement["id"]
            for requirement in requirements
            if any(proves(link, result["nodeid"]) for link in requirement["tests"])
        ]
        tests.append({**result, "requirements": ids})
    totals = {outcome: 0 for outcome in ("passed", *FAILED)}
    for test in tests:
        totals[test["outcome"]] = totals.get(test["outcome"], 0) + 1
    run = {key: results.get(key) for key in ("started", "finished", "args", "commit")}
    run["tree_changes"] = results.get("tree_changes") or ""
    run["duration"] = round(sum(test["duration"] for test in tests), 1)
    return {"run": run, "totals": totals, "tests": tests}


def _requirement_result(requirement, outcomes):
    if requirement["coverage"].startswith(NOT_APPLICABLE):
        return "not applicable", ""
    if not requirement["tests"]:
        return "not met", "no test proves it"
    problems = []
    for link in requirement["tests"]:
        found = [
            outcome for nodeid, outcome in outcomes.items() if proves(link, nodeid)
        ]
        if not found:
            problems.append(f"not run: {link}")
        problems += [f"{outcome}: {link}" for outcome in found if outcome != "passed"]
    if problems:
        return "not met", "; ".join(problems)
    if requirement["coverage"].startswith("Covered"):
        return "met", ""
    return "partially met", requirement["coverage"]


def build_rtm(requirements, oq):
    outcomes = {test["nodeid"]: test["outcome"] for test in oq["tests"]}
    rows = []
    for requirement in requirements:
        result, reason = _requirement_result(requirement, outcomes)
        tests = [
            {
                "test": link,
                "outcome": ", ".join(
                    sorted({o for n, o in outcomes.items() if proves(link, n)})
                )
                or "not run",
            }
            for link in requirement["tests"]
        ]
        rows.append(
            {
                "regulation": requirement["regulation"],
                "clause": requirement["clause"],
                "requirement": requirement["id"],
                "text": requirement["text"],
                "risk": requirement["risk"],
                "feature": requirement["feature"],
                "coverage": requirement["coverage"],
                "tests": tests,
                "result": result,
                "reason": reason,
            }
        )
    return rows


def build_deviations(oq, rtm):
    deviations = [
        {
            "kind": f"test {test['outcome']}",
            "reference": test["nodeid"],
            "requirements": test["requirements"],
            "risk": "",
            "detail": test["message"],
        }
        for test in oq["tests"]
        if test["outcome"] in FAILED
    ]
    deviations += [
        {
            "kind": "requirement not met",
            "reference": row["requirement"],
            "requirements": [row["requirement"]],
            "risk": row["risk"],
            "detail": row["reason"],
        }
        for row in rtm
        if row["result"] == "not met"
    ]
    return deviations


def results_by_risk(rtm):
    table = {risk: {} for risk in RISKS}
    for row in rtm:
        counts = table.setdefault(row["risk"], {})
        counts[row["result"]] = counts.get(row["result"], 0) + 1
    return table


# --- installation qualification -------------------------------------------------------


def _serialize(record, skip=()):
    values = {}
    for name, field in record._fields.items():
        if not field.store or name in skip or field.type == "binary":
            continue
        if name in ("id", "create_uid", "create_date", "write_uid", "write_date"):
            continue
        value = record[name]
        if field.type == "many2one":
            value = value.display_name or None
        elif field.type in ("one2many", "many2many"):
            value = sorted(value.mapped("display_name"))
        elif field.type in ("date", "datetime"):
            value = value and value.isoformat()
        values[name] = value
    return values


def _configuration(env):
    # The suite's settings live on the companies (med_* fields) and in system
    # parameters (med_* keys); the rules are records.
    companies = {}
    for company in env["res.company"].search([]):
        fields_ = sorted(
            name
            for name, field in company._fields.items()
            if name.startswith("med_")
            and field.store
            and field.type in ("selection", "boolean", "integer", "char", "float")
        )
        companies[company.name] = {name: company[name] for name in fields_}
    parameters = env["ir.config_parameter"].search([("key", "=like", "med_%")])
    config = {
        "companies": companies,
        "parameters": {p.key: p.value for p in parameters.sorted("key")},
    }
    for key, model in (
        ("audit_rules", "med.audit.rule"),
        ("retention_rules", "med.retention.rule"),
    ):
        Model = env[model].with_context(active_test=False)
        config[key] = [_serialize(rule) for rule in Model.search([], order="id")]
    return config


def _fonts():
    cjk = _run("fc-list", ":lang=zh", "family").splitlines()
    return {
        "families": len(set(_run("fc-list", ":", "family").splitlines())),
        "chinese": sorted(set(cjk)),
        "chinese_default": _run(
            "fc-match", "--format=%{file}", "sans-serif:lang=zh-cn"
        ),
    }


def collect_iq(env):
    import odoo

    from odoo.addons.base.models.ir_actions_report import _get_wkhtmltopdf_bin

    odoo_root = Path(odoo.__file__).resolve().parent.parent
    env.cr.execute("SHOW server_version")
    postgres = env.cr.fetchone()[0]
    try:
        wkhtmltopdf = _run(_get_wkhtmltopdf_bin(), "--version")
    except OSError:
        wkhtmltopdf = "not found"
    modules = env["ir.module.module"].search([("state", "=", "installed")])
    addons = {}
    for path in sorted(ADDONS.glob("med_*/__manifest__.py")):
        folder = path.parent
        manifest = ast.literal_eval(path.read_text(encoding="utf-8"))
        digest, count = tree_hash(folder)
        module = modules.filtered(lambda m, name=folder.name: m.name == name)
        addons[folder.name] = {
            "version": manifest["version"],
            "installed_version": module.latest_version or None,
            "files": count,
            "sha256": digest,
        }
    packages = {
        dist.metadata["Name"]: dist.version
        for dist in importlib.metadata.distributions()
        if dist.metadata["Name"]
    }
    oca = {
        name: version
        for name, version in sorted(packages.items())
        if name.lower().replace("_", "-").startswith("odoo-addon-")
    }
    return {
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": env.cr.dbname,
        "suite": {
            "commit": _run("git", "rev-parse", "HEAD", cwd=ROOT),
            "tree_changes": bool(
                _run("git", "status", "--porcelain", "--untracked-files=no", cwd=ROOT)
            ),
        },
        "odoo": {
            "version": odoo.release.version,
            "commit": _run("git", "rev-parse", "HEAD", cwd=odoo_root) or None,
            "source": str(odoo_root),
        },
        "python": {"version": platform.python_version(), "executable": sys.executable},
        "postgresql": postgres,
        "wkhtmltopdf": wkhtmltopdf,
        "fonts": _fonts(),
        "os": platform.platform(),
        "addons": addons,
        "installed_modules": {m.name: m.latest_version for m in modules.sorted("name")},
        "oca_addons": oca,
        "python_packages": dict(sorted(packages.items())),
        "configuration": _configuration(env),
    }


# --- comparison with the previous package ---------------------------------------------


def previous_package(folder, current):
    """The newest other package of the folder (by name: <date>-<commit>)."""
    candidates = sorted(
        path
        for path in Path(folder).glob("*/")
        if path.name != Path(current).name and (path / MANIFEST).is_file()
    )
    return candidates[-1] if candidates else None


def build_diff(previous, iq, oq, rtm):
    if previous is None:
        return {"previous": None}
    before_reqs = {
        r["requirement"]: r
        for r in json.loads((previous / "rtm.json").read_text("utf-8"))
    }
    now_reqs = {row["requirement"]: row for row in rtm}
    before_tests = {
        t["nodeid"]: t
        for t in json.loads((previous / "oq.json").read_text("utf-8"))["tests"]
    }
    now_tests = {test["nodeid"]: test for test in oq["tests"]}
    compared = ("clause", "text", "risk", "feature", "coverage")
    changed = []
    for rid in sorted(before_reqs.keys() & now_reqs.keys()):
        old, new = before_reqs[rid], now_reqs[rid]
        fields_ = [f for f in compared if old[f] != new[f]]
        if [t["test"] for t in old["tests"]] != [t["test"] for t in new["tests"]]:
            fields_.append("tests")
        if fields_:
            changed.append({"requirement": rid, "changed": fields_})
    previous_iq = json.loads((previous / "iq.json").read_text("utf-8"))
    return {
        "previous": previous.name,
        "requirements": {
            "added": sorted(now_reqs.keys() - before_reqs.keys()),
            "removed": sorted(before_reqs.keys() - now_reqs.keys()),
            "changed": changed,
        },
        "requirement_results": [
            {
                "requirement": rid,
                "before": before_reqs[rid]["result"],
                "after": row["result"],
            }
            for rid, row in sorted(now_reqs.items())
            if rid in before_reqs and before_reqs[rid]["result"] != row["result"]
        ],
        "tests": {
            "added": sorted(now_tests.keys() - before_tests.keys()),
            "removed": sorted(before_tests.keys() - now_tests.keys()),
        },
        "test_results": [
            {
                "test": nodeid,
                "before": before_tests[nodeid]["outcome"],
                "after": t["outcome"],
            }
            for nodeid, t in sorted(now_tests.items())
            if nodeid in before_tests
            and before_tests[nodeid]["outcome"] != t["outcome"]
        ],
        "addons": {
            name: {"before": previous_iq["addons"].get(name), "after": info}
            for name, info in iq["addons"].items()
            if previous_iq["addons"].get(name) != info
        },
    }


# --- files ----------------------------------------------------------------------------


def _write_json(path, data):
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", "utf-8")


RTM_COLUMNS = (
    ("regulation", "Regulation"),
    ("clause", "Clause"),
    ("requirement", "Requirement ID"),
    ("text", "Requirement"),
    ("risk", "Risk"),
    ("feature", "Feature"),
    ("tests", "Tests"),
    ("result", "Result"),
    ("reason", "Reason"),
    ("coverage", "Coverage (documented)"),
)


def _rtm_cells(row):
    tests = "\n".join(f"{t['test']} [{t['outcome']}]" for t in row["tests"])
    return [tests if key == "tests" else row[key] for key, _label in RTM_COLUMNS]


def write_rtm(folder, rtm):
    with open(folder / "rtm.csv", "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow([label for _key, label in RTM_COLUMNS])
        writer.writerows(_rtm_cells(row) for row in rtm)
    import xlsxwriter

    # strings_to_formulas off: a cell starting with "=" is text, not a live formula.
    workbook = xlsxwriter.Workbook(
        str(folder / "rtm.xlsx"), {"strings_to_formulas": False}
    )
    sheet = workbook.add_worksheet("RTM")
    bold = workbook.add_format({"bold": True})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    red = workbook.add_format({"text_wrap": True, "valign": "top", "font_color": "red"})
    sheet.write_row(0, 0, [label for _key, label in RTM_COLUMNS], bold)
    for number, row in enumerate(rtm, start=1):
        style = red if row["result"] == "not met" else wrap
        sheet.write_row(number, 0, _rtm_cells(row), style)
    for column, width in enumerate((18, 28, 12, 40, 8, 40, 70, 14, 40, 40)):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(rtm), len(RTM_COLUMNS) - 1)
    workbook.close()


def write_deviations(folder, deviations):
    _write_json(folder / "deviations.json", deviations)
    with open(folder / "deviations.csv", "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["Kind", "Reference", "Requirements", "Risk", "Detail"])
        for item in deviations:
            writer.writerow(
                [
                    item["kind"],
                    item["reference"],
                    " ".join(item["requirements"]),
                    item["risk"],
                    item["detail"],
                ]
            )


def write_manifest(folder, package):
    files = {
        path.name: sha256_file(path)
        for path in sorted(folder.iterdir())
        if path.is_file() and path.name != MANIFEST
    }
    _write_json(folder / MANIFEST, {**package, "files": files})
    return files


# --- summary.pdf ----------------------------------------------------------------------

RESULT_LABELS = (
    ("met", "Met 满足"),
    ("partially met", "Partially met 部分满足"),
    ("not met", "Not met 不满足"),
    ("not applicable", "N/A 不适用"),
)
DETAIL_LIMIT = 240


def _pdf_font():
    from odoo.addons.med_audit_export.models.ir_actions_report import stamp_font

    return stamp_font()  # the Chinese font the suite's evidence PDFs are stamped with


def _numbered_canvas(font, title):
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    class NumberedCanvas(canvas.Canvas):
        """Draws "Page x of y" once the page count is known (at save)."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            count = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                width, height = self._pagesize
                self.setFont(font, 7)
                self.drawString(7 * mm, height - 7 * mm, title)
                self.line(
                    7 * mm, height - 7 * mm - 2, width - 7 * mm, height - 7 * mm - 2
                )
                self.drawCentredString(
                    width / 2,
                    7 * mm,
                    f"Page {number} of {count} · 第 {number} 页，共 {count} 页",
                )
                super().showPage()
            super().save()

    return NumberedCanvas


def write_summary(path, package, iq, oq, rtm, deviations, diff):
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

    font = _pdf_font()
    body = ParagraphStyle("body", fontName=font, fontSize=8, leading=10)
    heading = ParagraphStyle("heading", parent=body, fontSize=12, leading=16)
    title_style = ParagraphStyle("title", parent=body, fontSize=16, leading=22)

    def para(text):
        return Paragraph(escape(str(text if text is not None else "")), body)

    def table(rows, widths):
        rows = [[para(cell) for cell in row] for row in rows]
        result = Table(rows, colWidths=[w * mm for w in widths], repeatRows=1)
        result.setStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
        return result

    run = oq["run"]
    story = [
        Paragraph(escape("Validation Summary Report 验证总结报告"), title_style),
        table(
            [
                ["Item 项目", "Value 内容"],
                ["Package 验证包", package["package"]],
                ["Generated (UTC) 生成时间", package["generated"]],
                [
                    "Suite commit 代码版本",
                    (run["commit"] or "-")
                    + (
                        " (modified work tree 工作区有改动)"
                        if run["tree_changes"]
                        else ""
                    ),
                ],
                ["Database under validation 被验证的数据库", package["database"]],
                [
                    "Test run (UTC) 测试运行",
                    f"{run['started']} – {run['finished']}, {run['duration']} s",
                ],
                ["Tests run 测试范围", " ".join(run["args"] or []) or "addons tests"],
            ],
            (60, 120),
        ),
        Spacer(1, 4 * mm),
        Paragraph(escape("1. Scope 范围"), heading),
    ]
    regulations = {}
    for row in rtm:
        regulations[row["regulation"]] = regulations.get(row["regulation"], 0) + 1
    story.append(
        table(
            [["Regulation 法规", "Requirements 需求数"]]
            + [[name, count] for name, count in regulations.items()],
            (120, 60),
        )
    )
    story += [
        Spacer(1, 4 * mm),
        Paragraph(escape("2. Environment (IQ) 安装确认"), heading),
    ]
    fonts = iq["fonts"]
    story.append(
        table(
            [
                ["Item 项目", "Value 内容"],
                [
                    "Odoo",
                    f"{iq['odoo']['version']}, "
                    + (iq["odoo"]["commit"] or f"{iq['odoo']['source']} (no git)"),
                ],
                ["Python", iq["python"]["version"]],
                ["PostgreSQL", iq["postgresql"]],
                ["wkhtmltopdf", iq["wkhtmltopdf"]],
                ["Chinese fonts 中文字体", ", ".join(fonts["chinese"]) or "none 无"],
                ["Operating system 操作系统", iq["os"]],
                [
                    "OCA addons OCA 模块",
                    ", ".join(f"{k} {v}" for k, v in iq["oca_addons"].items()),
                ],
            ],
            (60, 120),
        )
    )
    story.append(Spacer(1, 2 * mm))
    story.append(
        table(
            [["Addon 模块", "Version 版本", "Files 文件数", "SHA-256 (files 文件)"]]
            + [
                [name, info["version"], info["files"], info["sha256"]]
                for name, info in iq["addons"].items()
            ],
            (35, 22, 18, 105),
        )
    )
    config = iq["configuration"]
    settings = [["Company 公司", "Setting 设置", "Value 值"]]
    for company, values in config["companies"].items():
        settings += [[company, name, value] for name, value in values.items()]
    settings += [["-", key, value] for key, value in config["parameters"].items()]
    active_audit = sum(1 for rule in config["audit_rules"] if rule.get("active", True))
    active_retention = sum(
        1 for rule in config["retention_rules"] if rule.get("active", True)
    )
    settings.append(["-", "Active audit rules 生效的审计规则", active_audit])
    settings.append(["-", "Active retention rules 生效的留存规则", active_retention])
    story += [Spacer(1, 2 * mm), table(settings, (40, 95, 45))]

    story += [Spacer(1, 4 * mm), Paragraph(escape("3. Results 结果"), heading)]
    totals = oq["totals"]
    story.append(
        para(
            f"Tests 测试: {totals['passed']} passed 通过, {totals['failed']} failed "
            f"失败, {totals['error']} errors 错误, {totals['skipped']} skipped 跳过."
        )
    )
    by_risk = package["by_risk"]
    story.append(
        table(
            [
                ["Risk class 风险等级", "Requirements 需求"]
                + [label for _key, label in RESULT_LABELS]
            ]
            + [
                [risk, sum(by_risk[risk].values())]
                + [by_risk[risk].get(key, 0) for key, _label in RESULT_LABELS]
                for risk in RISKS
            ],
            (30, 25, 25, 35, 35, 30),
        )
    )
    story.append(
        para(
            "High risk: scripted evidence (automated tests) required; medium and low: "
            "unscripted evidence allowed (FDA CSA, GAMP 5). 高风险需要脚本化证据"
            "（自动化测试）；中低风险可接受非脚本化证据。"
        )
    )
    story += [Spacer(1, 4 * mm), Paragraph(escape("4. Deviations 偏差"), heading)]
    if deviations:
        story.append(
            table(
                [["Kind 类型", "Reference 对象", "Requirements 需求", "Detail 说明"]]
                + [
                    [
                        item["kind"] + (f" ({item['risk']})" if item["risk"] else ""),
                        item["reference"],
                        " ".join(item["requirements"]),
                        item["detail"][:DETAIL_LIMIT],
                    ]
                    for item in deviations
                ],
                (30, 60, 25, 65),
            )
        )
    else:
        story.append(para("None 无"))
    story += [Spacer(1, 4 * mm), Paragraph(escape("5. Changes 变更"), heading)]
    if diff.get("previous"):
        reqs = diff["requirements"]
        story.append(
            para(
                f"Against 对比 {diff['previous']}: requirements added 新增需求 "
                f"{len(reqs['added'])}, removed 删除 {len(reqs['removed'])}, "
                f"changed 变更 "
                f"{len(reqs['changed'])}; requirement results changed 需求结果变化 "
                f"{len(diff['requirement_results'])}; tests added 新增测试 "
                f"{len(diff['tests']['added'])}, removed 删除 "
                f"{len(diff['tests']['removed'])}; test results changed 测试结果变化 "
                f"{len(diff['test_results'])}; addons changed 模块变化 "
                f"{', '.join(diff['addons']) or '-'} (diff.json)."
            )
        )
    else:
        story.append(para("No previous package 无上一验证包."))
    story += [Spacer(1, 4 * mm), Paragraph(escape("6. Sign-off 签署"), heading)]
    story.append(
        table(
            [
                ["Role 角色", "Name 姓名", "Signature 签名", "Date 日期"],
                ["Prepared by 编制", "", "", ""],
                ["Reviewed by 审核", "", "", ""],
                ["Approved by (QA manager) 批准（质量负责人）", "", "", ""],
            ],
            (60, 40, 45, 35),
        )
    )
    story.append(
        para(
            "The approval is signed electronically in Odoo (Medical Compliance ‣ "
            "Auditor ‣ Validation Runs, meaning Approval), which keeps this package's "
            "files with their SHA-256. "
            "批准在 Odoo 中以电子签名（含义：批准）完成，"
            "验证包文件及其 SHA-256 一并留存。"
        )
    )
    document = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        title=f"Validation Summary {package['package']}",
    )
    stamp = f"Validation Summary Report 验证总结报告 · {package['package']}"
    document.build(story, canvasmaker=_numbered_canvas(font, stamp))


def package_name(results, when=None):
    when = when or datetime.now(UTC)
    commit = (results.get("commit") or "nocommit")[:10]
    suffix = "-modified" if results.get("tree_changes") else ""
    return f"{when:%Y-%m-%d}-{commit}{suffix}"


def write_package(out_dir, env, results, requirements_path=REQUIREMENTS, previous=None):
    """Write the whole package into ``out_dir`` (created); return its manifest."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    data, requirements = load_requirements(requirements_path)
    oq = build_oq(results, requirements)
    rtm = build_rtm(requirements, oq)
    deviations = build_deviations(oq, rtm)
    iq = collect_iq(env)
    _write_json(folder / "requirements.json", data)
    _write_json(folder / "iq.json", iq)
    _write_json(folder / "oq.json", oq)
    _write_json(folder / "rtm.json", rtm)
    write_rtm(folder, rtm)
    write_deviations(folder, deviations)
    diff = build_diff(previous, iq, oq, rtm)
    _write_json(folder / "diff.json", diff)
    package = {
        "package": folder.name,
        "generated": iq["generated"],
        "commit": results.get("commit"),
        "tree_changes": bool(results.get("tree_changes")),
        "database": env.cr.dbname,
        "totals": oq["totals"],
        "requirements": {
            result: sum(1 for row in rtm if row["result"] == result)
            for result in ("met", "partially met", "not met", "not applicable")
        },
        "by_risk": results_by_risk(rtm),
        "deviations": len(deviations),
    }
    write_summary(folder / "summary.pdf", package, iq, oq, rtm, deviations, diff)
    write_manifest(folder, package)
    # The file to import in Odoo: the folder, zipped next to it.
    shutil.make_archive(str(folder), "zip", folder.parent, folder.name)
    return json.loads((folder / MANIFEST).read_text("utf-8"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--results", required=True, type=Path)
    parser.add_argument("--requirements", default=REQUIREMENTS, type=Path)
    parser.add_argument("--folder", default=ROOT / "validation", type=Path)
    parser.add_argument("--previous", type=Path, help="default: the newest package")
    args = parser.parse_args()

    import odoo
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry

    results = json.loads(args.results.read_text(encoding="utf-8"))
    out_dir = args.folder / package_name(results)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    previous = args.previous or previous_package(args.folder, out_dir)
    odoo.tools.config.parse_config(["-c", args.config, "--log-level=warn"])
    with Registry(args.database).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        manifest = write_package(out_dir, env, results, args.requirements, previous)
        cr.rollback()  # reading only
    totals = manifest["totals"]
    reqs = manifest["requirements"]
    print(f"validation package: {out_dir}")
    print(
        f"tests: {totals['passed']} passed, {totals['failed']} failed, "
        f"{totals['error']} errors, {totals['skipped']} skipped; requirements: "
        f"{reqs['met']} met, {reqs['partially met']} partially met, "
        f"{reqs['not met']} not met, {reqs['not applicable']} not applicable; "
        f"previous package: {previous.name if previous else 'none'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
