"""The checking half of setup/upgrade_test.sh.

Without --compare: writes a snapshot of the database (rows per table of the suite's
models and of the core records they extend, each lot's status, the chains' verdicts).
With --compare: reads the database again after the upgrade and fails (exit 1) when a
table lost rows, a lot changed status, an addon's installed version is not its
manifest's, the audit trail or signatures no longer verify, or a signature that matched
its record before no longer does (what a signature covers changed under it).
"""

import argparse
import json
import pathlib
import sys

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tools import SQL

# Core records the suite extends or writes: none may be lost by an upgrade.
CORE_MODELS = (
    "stock.lot",
    "stock.move",
    "stock.move.line",
    "stock.quant",
    "stock.picking",
    "purchase.order",
    "mrp.production",
    "qc.inspection",
    "res.partner",
    "res.users",
    "ir.attachment",
)
CHAINS = ("med.audit.entry", "med.signature")


def snapshot(env):
    env.cr.execute(
        "SELECT DISTINCT m.model FROM ir_model m JOIN ir_model_data d"
        " ON d.model = 'ir.model' AND d.res_id = m.id WHERE d.module LIKE 'med\\_%'"
    )
    models = {row[0] for row in env.cr.fetchall()} | set(CORE_MODELS)
    counts = {}
    for name in sorted(models):
        model = env.get(name)
        if model is None or model._abstract or model._transient or not model._auto:
            continue
        env.cr.execute(SQL("SELECT count(*) FROM %s", SQL.identifier(model._table)))
        counts[name] = env.cr.fetchone()[0]
    env.cr.execute("SELECT id, med_state FROM stock_lot ORDER BY id")
    lots = {str(lot_id): state for lot_id, state in env.cr.fetchall()}
    broken = {name: env[name].verify_chain().ids for name in CHAINS}
    matching = (
        env["med.signature"]
        .search([])
        .filtered(lambda signature: not signature.content_changed)
    )
    env.cr.execute(
        "SELECT name, latest_version FROM ir_module_module"
        " WHERE name LIKE 'med\\_%' AND state = 'installed'"
    )
    versions = dict(env.cr.fetchall())
    return {
        "counts": counts,
        "lots": lots,
        "broken": broken,
        "versions": versions,
        "matching_signatures": matching.ids,
    }


def manifest_versions(env):
    return {
        name: odoo.modules.module.get_manifest(name)["version"]
        for name in env["ir.module.module"]
        .search([("name", "=like", "med\\_%"), ("state", "=", "installed")])
        .mapped("name")
    }


def compare(before, after, manifests):
    problems = []
    for name, count in before["counts"].items():
        now = after["counts"].get(name)
        if now is None:
            problems.append(f"{name}: the model is gone ({count} rows before)")
        elif now < count:
            problems.append(f"{name}: {count} rows before, {now} after")
    changed = [
        lot_id
        for lot_id, state in before["lots"].items()
        if after["lots"].get(lot_id) != state
    ]
    if changed:
        problems.append(f"lots whose status changed or vanished: {changed[:20]}")
    for name, version in manifests.items():
        if after["versions"].get(name) != version:
            problems.append(
                f"{name}: installed {after['versions'].get(name)}, manifest {version}"
            )
    unmatched = sorted(
        set(before.get("matching_signatures", ())) - set(after["matching_signatures"])
    )
    if unmatched:
        problems.append(f"signatures no longer matching their record: {unmatched[:20]}")
    for name, ids in after["broken"].items():
        if ids:
            problems.append(f"{name}: {len(ids)} rows do not verify: {ids[:20]}")
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--snapshot", required=True)
    parser.add_argument("--compare", action="store_true")
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "--log-level=warn"])
    with Registry(args.database).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        state = snapshot(env)
        manifests = manifest_versions(env) if args.compare else {}
    path = pathlib.Path(args.snapshot)
    if not args.compare:
        path.write_text(json.dumps(state))
        print(
            f"before the upgrade: {sum(state['counts'].values())} rows in "
            f"{len(state['counts'])} tables, {len(state['lots'])} lots, versions "
            f"{state['versions']}"
        )
        return 0
    problems = compare(json.loads(path.read_text()), state, manifests)
    print(
        f"after the upgrade: {sum(state['counts'].values())} rows in "
        f"{len(state['counts'])} tables, versions {state['versions']}"
    )
    for problem in problems:
        print(f"  UPGRADE PROBLEM: {problem}")
    print("UPGRADE FAILED" if problems else "UPGRADE VERIFIED: no data lost")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
