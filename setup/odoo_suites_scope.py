"""Part of setup/odoo_suites.sh: puts the gates to the scope of a company whose Odoo
already buys and sells goods that are not medical devices. Odoo's tests create their own
partners and products; none of them is a device, so every product category is marked
without GxP relevance (no supplier qualification, no batch release of its lots), as QA
marks the categories it does not regulate in the go-live dry run.
"""

import argparse

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "--log-level=warn"])
    with Registry(args.database).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        categories = env["product.category"].search([])
        categories.write({"med_supplier_gate_exempt": True})
        print(f"{len(categories)} product categories marked without GxP relevance")


if __name__ == "__main__":
    main()
