#!/usr/bin/env python3
"""Check that every reference in docs/*.md points at something that exists.

    python3 docs/check_references.py          # from the repository root

- `path::Class::method` / `path::function`: the file exists and (parsed with ast, not
  imported) defines that test method in that class, or that function.
- `path/to/file.ext`: the file exists (`med_x/...` is read as `addons/med_x/...`).
- `name()` / `model.name()`: a `def name(` exists in addons/.
- `med.some.model`: a model with `_name = "med.some.model"` exists in addons/.
- `med_field` / `_med_method`: the identifier occurs in addons/ (Python or XML).
- "issue N": N is an issue; a line naming a gap (Partial, Not covered) names an open
  one (only when the `issues` command is available).

Prints each problem and exits 1 when there is one.
"""

import ast
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r"`([^`\n]+)`")
ISSUE = re.compile(r"\bissues? (\d+)(?:, (\d+))?")


@cache
def definitions(path):
    """{class name: {method names}} and the module-level functions of a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    classes, functions = {}, set()
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            classes[node.name] = {
                item.name
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
            }
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            functions.add(node.name)
    return classes, functions


@cache
def addon_sources():
    texts = []
    for path in (ROOT / "addons").rglob("*"):
        if path.suffix in (".py", ".xml", ".csv") and "/i18n/" not in str(path):
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(texts)


def check_test_id(token):
    path, *names = token.split("::")
    file = ROOT / path
    if not file.is_file():
        return f"{token}: no file {path}"
    classes, functions = definitions(file)
    if len(names) == 1:
        return None if names[0] in functions else f"{token}: no function {names[0]}"
    cls, method = names
    if cls not in classes:
        return f"{token}: no class {cls} in {path}"
    if method not in classes[cls]:
        return f"{token}: no method {method} in {cls}"
    return None


def check_token(token):
    if " " in token or "*" in token:
        return None  # a command or a pattern, not a reference
    if "::" in token:
        return check_test_id(token)
    if re.fullmatch(r"[\w./-]+\.(py|xml|md|sh|csv|po)", token) and "/" in token:
        path = token
        if token.startswith("med_"):
            path = f"addons/{token}"
        if token.startswith("../"):
            path = str((ROOT / token).resolve())
        return None if Path(ROOT / path).exists() else f"{token}: no such file"
    match = re.fullmatch(r"(?:[\w.]+\.)?(\w+)\(\)", token)
    if match:
        found = re.search(rf"def {match[1]}\(", addon_sources())
        return None if found else f"{token}: no def {match[1]}( in addons/"
    if re.fullmatch(r"med(\.\w+)+", token):
        if re.search(rf"_name = \"{re.escape(token)}\"", addon_sources()):
            return None
        model, _dot, method = token.rpartition(".")  # model.method
        sources = addon_sources()
        if re.search(rf"_name = \"{re.escape(model)}\"", sources) and re.search(
            rf"def {method}\(", sources
        ):
            return None
        return f"{token}: no model (or model.method) {token} in addons/"
    match = re.fullmatch(r"(?:[\w]+\.)*(_?med_\w+)", token)
    if match:
        found = re.search(rf"\b{match[1]}\b", addon_sources())
        return None if found else f"{token}: {match[1]} not found in addons/"
    return None  # prose in backticks (commands, values): not checked


def issue_numbers(command):
    out = subprocess.run(
        ["issues", command], capture_output=True, text=True, check=False
    ).stdout
    return {int(n) for n in re.findall(r"# (?:issue|task) (\d+)", out)}


def known_issues():
    """(open issues, every issue), or None without the `issues` command."""
    if not shutil.which("issues"):
        return None
    opened = issue_numbers("list")
    return opened, opened | issue_numbers("all")


def issue_problems(name, text, issues):
    """A gap (a Partial or Not covered line) names the open issue that plans it;
    elsewhere an issue is named as the source of a requirement and may be ended."""
    opened, known = issues
    problems = []
    for line in text.splitlines():
        # in a table, the status is the last cell; the first may name the source
        status = line.strip().strip("|").split(" | ")[-1]
        gap = "Partial" in status or "Not covered" in status
        for match in ISSUE.finditer(line):
            for number in map(int, filter(None, match.groups())):
                if number not in known:
                    problems.append(f"{name}: issue {number} does not exist")
        for match in ISSUE.finditer(status if gap else ""):
            for number in map(int, filter(None, match.groups())):
                if number not in opened and "planned" not in status:
                    problems.append(f"{name}: a gap names issue {number}, not open")
    return problems


def main():
    problems, checked = [], 0
    issues = known_issues()
    for doc in sorted((ROOT / "docs").glob("*.md")):
        text = doc.read_text(encoding="utf-8")
        for token in TOKEN.findall(text):
            checked += 1
            problem = check_token(token.strip())
            if problem:
                problems.append(f"{doc.name}: {problem}")
        if issues is not None:
            problems += issue_problems(doc.name, text, issues)
    for problem in problems:
        print(problem)
    print(f"{checked} references checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
