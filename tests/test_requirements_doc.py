"""docs/regulations.md is generated from docs/requirements.json: they never drift, and
every requirement names real tests."""

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _module(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "docs" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_regulations = _module("build_regulations")
check_references = _module("check_references")


def test_regulations_page_is_generated_from_the_requirements():
    page = build_regulations.PAGE.read_text(encoding="utf-8")
    assert page == build_regulations.render(build_regulations.load()), (
        "docs/regulations.md differs from docs/requirements.json: edit the JSON and "
        "run python3 docs/build_regulations.py"
    )


def test_requirements_have_unique_ids_a_risk_class_and_real_tests():
    requirements = list(build_regulations.requirements(build_regulations.load()))
    ids = [requirement["id"] for requirement in requirements]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[A-Z0-9]+-\d{2,}", rid) for rid in ids)
    assert {r["risk"] for r in requirements} <= {"high", "medium", "low"}
    problems = [
        check_references.check_test_id(test)
        for requirement in requirements
        for test in build_regulations.linked_tests(requirement)
    ]
    assert [problem for problem in problems if problem] == []


def test_a_hand_edited_page_is_read_back_with_its_ids():
    data = build_regulations.load()
    page = build_regulations.render(data)
    assert build_regulations.adopt(page, data) == data
    row = data["sections"][0]["requirements"][0]
    edited = page.replace(row["feature"], row["feature"] + " (edited)", 1)
    adopted = build_regulations.adopt(edited, data)
    first = adopted["sections"][0]["requirements"][0]
    assert (first["id"], first["risk"]) == (row["id"], row["risk"])
    assert first["feature"].endswith("(edited)")


def test_a_branchs_page_edits_are_merged_into_the_requirements():
    data = build_regulations.load()
    base = build_regulations.render(data)
    row = data["sections"][0]["requirements"][1]
    line = next(ln for ln in base.splitlines() if ln.startswith(f"| {row['id']} "))
    new_row = (
        f"| ISO-99 (high) | {row['clause']} bis | New | Feature | — | — | Covered |"
    )
    edited = line[: -len(" |")] + " (branch) |"
    branch = base.replace(line, f"{edited}\n{new_row}", 1)
    mine = build_regulations.load()
    mine["sections"][0]["requirements"][1]["feature"] += " (mine)"
    merged, notes = build_regulations.merge(mine, base, branch)
    rows = merged["sections"][0]["requirements"]
    assert rows[1]["status"].endswith("(branch)")
    assert rows[1]["feature"].endswith("(mine)")
    assert rows[2]["clause"] == f"{row['clause']} bis"
    assert rows[2]["id"] not in {r["id"] for r in data["sections"][0]["requirements"]}
    assert len(notes) == 1 and notes[0].startswith("added by the branch")
