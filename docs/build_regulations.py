#!/usr/bin/env python3
"""Write docs/regulations.md from docs/requirements.json, the one list of requirements.

    python3 docs/build_regulations.py          # rewrite docs/regulations.md
    python3 docs/build_regulations.py --check  # exit 1 when the page has drifted
    python3 docs/build_regulations.py --adopt  # read an edited page back into the JSON
    python3 docs/build_regulations.py --merge BASE.md BRANCH.md  # a branch's page edits

docs/requirements.json holds, per regulation section, each requirement: its ID, the
clause it answers, what the clause asks, the feature, the tests that prove it (pytest
node ids, optionally followed by a note in brackets), the export that shows it, its
status and its risk class (high: scripted evidence, i.e. automated tests, is required;
medium and low: unscripted evidence is allowed, as FDA's Computer Software Assurance
guidance describes). The validation package (setup/validate.sh) reads the same file.

--adopt is for merging: a branch that edited the page by hand is read back, keeping the
IDs and risk classes of the rows it matches by section and clause (new rows get the
next ID of their section and the medium risk class). --merge applies to the JSON what
a branch changed in its page since BASE (the page it started from): the cells of the
rows it changed (rows matched by section and clause), its new and removed rows, its
prose; a cell or text changed on both sides keeps the branch's and is printed.
"""

import argparse
import json
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
REQUIREMENTS = DOCS / "requirements.json"
PAGE = DOCS / "regulations.md"
SUMMARY_HEADING = "## Summary of gaps (缺口)"
TEST_ID = re.compile(r"`([^`\s]+::[^`\s]+)`")
NONE = "—"
ID_COLUMN = "ID (risk)"
ID_CELL = re.compile(r"(?P<id>[A-Z0-9]+-\d+) \((?P<risk>high|medium|low)\)")


def load(path=REQUIREMENTS):
    return json.loads(path.read_text(encoding="utf-8"))


def requirements(data):
    """Every requirement, with the heading and regulation of its section."""
    for section in data["sections"]:
        for requirement in section.get("requirements", ()):
            yield {
                **requirement,
                "section": section["heading"],
                "regulation": section["regulation"],
            }


def linked_tests(requirement):
    """The node ids of the tests that prove a requirement (Tests and Export cells)."""
    found = []
    cells = [*requirement["tests"], requirement.get("evidence") or ""]
    for cell in cells:
        for test_id in TEST_ID.findall(cell if "`" in cell else f"`{cell}`"):
            if test_id not in found:
                found.append(test_id)
    return found


def _test_cell(tests):
    if not tests:
        return NONE
    items = []
    for test in tests:
        test_id, _space, note = test.partition(" ")
        items.append(f"`{test_id}`" + (f" {note}" if note else ""))
    return "<br>".join(items)


def _status_column(status):
    if status.startswith("Covered"):
        return "covered", None
    if status.startswith("Partial"):
        return "partial", None
    if status.startswith("Not covered"):
        return "not_covered", "procedural" if "procedural" in status else None
    if status.startswith("Not applicable"):
        return "other", "not applicable"
    return "other", "as ISO"


def _count(number, notes):
    if not number:
        return "0"
    counted = {note: list(notes).count(note) for note in dict.fromkeys(notes)}
    labels = [
        note if n == number else f"{n} {note}" for note, n in counted.items() if note
    ]
    return f"{number} ({', '.join(labels)})" if labels else str(number)


def _summary_table(data):
    groups = {}
    for requirement in requirements(data):
        column, note = _status_column(requirement["status"])
        group = groups.setdefault(requirement["regulation"], {})
        group.setdefault(column, []).append(note)
    lines = [
        "| Regulation | Covered | Partial | Not covered yet | Other |",
        "|---|---|---|---|---|",
    ]
    totals = {}
    for regulation, group in groups.items():
        cells = []
        for column in ("covered", "partial", "not_covered", "other"):
            notes = group.get(column, [])
            totals[column] = totals.get(column, 0) + len(notes)
            cell = _count(len(notes), notes)
            cells.append(NONE if column == "other" and cell == "0" else cell)
        lines.append(f"| {regulation} | {' | '.join(cells)} |")
    total = sum(totals.values())
    bold = " | ".join(f"**{totals[c]}**" for c in totals)
    lines.append(f"| **Total ({total} rows)** | {bold} |")
    return lines


def render(data):
    out = [data["intro"].rstrip("\n"), ""]
    for section in data["sections"]:
        out += [f"{'#' * section['level']} {section['heading']}", ""]
        if section.get("text"):
            out += [section["text"].rstrip("\n"), ""]
        if "columns" not in section:
            continue
        columns = [ID_COLUMN, *section["columns"]]
        out.append(f"| {' | '.join(columns)} |")
        out.append("|" + "---|" * len(columns))
        for req in section["requirements"]:
            cells = [f"{req['id']} ({req['risk']})", req["clause"]]
            if len(columns) == 7:
                cells += [req["text"], req["feature"], _test_cell(req["tests"])]
                cells += [req["evidence"], req["status"]]
            else:
                cells += [req["feature"], _test_cell(req["tests"]), req["status"]]
            out.append(f"| {' | '.join(cells)} |")
        out.append("")
    out += [SUMMARY_HEADING, "", data["summary_intro"], ""]
    out += _summary_table(data)
    out += ["", data["gaps"].rstrip("\n")]
    return "\n".join(out) + "\n"


def _parse_row(line, width, with_id):
    cells = line.rstrip("\n")[2:-2].split(" | ")
    id_cell = ID_CELL.fullmatch(cells.pop(0)) if with_id else None
    if len(cells) != width:
        raise ValueError(f"a row of {len(cells)} cells, not {width}: {line[:80]}")
    tests_cell = cells[3] if width == 6 else cells[2]
    tests = [] if tests_cell == NONE else tests_cell.split("<br>")
    tests = [re.sub(r"^`([^`]+)`", r"\1", test) for test in tests]
    row = {"clause": cells[0]}
    if width == 6:
        row.update(text=cells[1], feature=cells[2], tests=tests, evidence=cells[4])
    else:
        row.update(feature=cells[1], tests=tests)
    row["status"] = cells[-1]
    return row, id_cell


def adopt(text, previous):
    """The requirements data of a hand-edited page, keeping known IDs and risks."""
    known = {(r["section"], r["clause"]): r for r in requirements(previous)}
    prefixes = {s["heading"]: s.get("prefix") for s in previous["sections"]}
    regulations = {s["heading"]: s.get("regulation") for s in previous["sections"]}
    head, _sep, tail = text.partition(f"\n{SUMMARY_HEADING}\n")
    intro, *blocks = re.split(r"\n(?=#{2,3} )", head)
    data = {"intro": intro + "\n", "sections": []}
    for block in blocks:
        heading_line, _nl, body = block.partition("\n")
        level = len(heading_line) - len(heading_line.lstrip("#"))
        heading = heading_line[level + 1 :]
        lines = body.strip("\n").split("\n") if body.strip() else []
        table_at = next((i for i, ln in enumerate(lines) if ln.startswith("| ")), None)
        section = {"heading": heading, "level": level}
        prose = "\n".join(lines[:table_at] if table_at is not None else lines)
        if prose.strip():
            section["text"] = prose.strip("\n") + "\n"
        if table_at is not None:
            columns = lines[table_at][2:-2].split(" | ")
            with_id = columns[0] == ID_COLUMN
            columns = columns[1:] if with_id else columns
            section["regulation"] = regulations.get(heading, heading)
            section["prefix"] = prefixes.get(heading) or re.sub(r"\W", "", heading)[:4]
            section["columns"] = columns
            rows = []
            for line in lines[table_at + 2 :]:
                row, id_cell = _parse_row(line, len(columns), with_id)
                old = id_cell or known.get((heading, row["clause"]))
                row = {
                    "id": old["id"] if old else None,
                    **row,
                    "risk": old["risk"] if old else "medium",
                }
                rows.append(row)
            used = {int(r["id"].rsplit("-", 1)[1]) for r in rows if r["id"]}
            for row in rows:
                if not row["id"]:
                    number = max(used | {0}) + 1
                    used.add(number)
                    row["id"] = f"{section['prefix']}-{number:02d}"
            section["requirements"] = rows
        data["sections"].append(section)
    summary_lines = tail.strip("\n").split("\n")
    data["summary_intro"] = summary_lines[0]
    table_end = max(i for i, ln in enumerate(summary_lines) if ln.startswith("|"))
    data["gaps"] = "\n".join(summary_lines[table_end + 2 :]) + "\n"
    return data


ROW_CELLS = ("clause", "text", "feature", "tests", "evidence", "status")
PROSE = ("intro", "summary_intro", "gaps")


def _take(mine, base, branch, name, notes):
    """The branch's value when it changed it; noted when this side changed it too."""
    if branch == base:
        return mine
    if mine not in (base, branch):
        notes.append(f"changed on both sides, the branch's kept: {name}")
    return branch


def merge(data, base_text, branch_text):
    """``data`` with what a branch changed in the page since ``base_text``; the notes
    name what both sides changed."""
    base, branch = adopt(base_text, data), adopt(branch_text, data)
    notes = []
    for key in PROSE:
        data[key] = _take(data[key], base[key], branch[key], key, notes)
    base_sections = {s["heading"]: s for s in base["sections"]}
    mine_sections = {s["heading"]: s for s in data["sections"]}
    for section in branch["sections"]:
        heading = section["heading"]
        mine = mine_sections.get(heading)
        old = base_sections.get(heading, {})
        if mine is None:
            notes.append(f"new section, added at the end: {heading}")
            data["sections"].append(section)
            continue
        if section.get("text") != old.get("text"):
            mine["text"] = _take(
                mine.get("text"), old.get("text"), section.get("text"), heading, notes
            )
        old_rows = {r["clause"]: r for r in old.get("requirements", ())}
        new_rows = {r["clause"]: r for r in section.get("requirements", ())}
        rows = mine.get("requirements", [])
        for clause in old_rows.keys() - new_rows.keys():
            rows[:] = [r for r in rows if r["clause"] != clause]
            notes.append(f"removed by the branch: {heading} / {clause}")
        by_clause = {r["clause"]: r for r in rows}
        previous = None  # the branch's row before this one: a new row goes after it
        for clause, row in new_rows.items():
            before = old_rows.get(clause)
            if before is None:
                used = {int(r["id"].rsplit("-", 1)[1]) for r in rows}
                number = max(used | {0}) + 1
                at = next(
                    (i + 1 for i, r in enumerate(rows) if r["clause"] == previous), 0
                )
                rows.insert(at, {**row, "id": f"{mine['prefix']}-{number:02d}"})
                risk = row["risk"]
                notes.append(f"added by the branch: {heading} / {clause} ({risk})")
            elif clause in by_clause:
                target = by_clause[clause]
                for cell in ROW_CELLS:
                    if cell in row:
                        name = f"{target['id']} {cell}"
                        target[cell] = _take(
                            target.get(cell), before.get(cell), row[cell], name, notes
                        )
            previous = clause
    return data, notes


def dump(data, path=REQUIREMENTS):
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    path.write_text(text, encoding="utf-8")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="exit 1 on drift")
    mode.add_argument("--adopt", action="store_true", help="page -> requirements")
    mode.add_argument(
        "--merge", nargs=2, metavar=("BASE", "BRANCH"), help="a branch's page edits"
    )
    args = parser.parse_args()
    if args.merge:
        base, branch = (Path(p).read_text(encoding="utf-8") for p in args.merge)
        data, notes = merge(load(), base, branch)
        dump(data)
        for note in notes:
            print(note)
        print(f"{REQUIREMENTS.name} updated: now run {Path(__file__).name}")
        return 0
    if args.adopt:
        dump(adopt(PAGE.read_text(encoding="utf-8"), load()))
        print(f"{REQUIREMENTS.name} rewritten from {PAGE.name}")
        return 0
    page = render(load())
    if args.check:
        if PAGE.read_text(encoding="utf-8") != page:
            script = Path(__file__).name
            print(f"{PAGE.name} differs from {REQUIREMENTS.name}: run {script}")
            return 1
        return 0
    PAGE.write_text(page, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
