"""From 18.0.1.5.0 the release checks, their results and the reconciliation live in
med_lot_trace, each check in the addon that owns its data (issue 22): their external
ids change module before the upgrade loads them (see tools/release_check_owners)."""

from openupgradelib import openupgrade

from odoo.addons.med_lot_trace.tools.release_check_owners import (
    move_release_check_xmlids,
)


@openupgrade.migrate()
def migrate(env, version):
    move_release_check_xmlids(env)
