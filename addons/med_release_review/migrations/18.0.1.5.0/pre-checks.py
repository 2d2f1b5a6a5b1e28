"""From 18.0.1.5.0 the release checks, their results and the reconciliation live in
med_lot_trace (issue 22): when this addon is upgraded without med_lot_trace, the
external ids change module here, before this addon's load would drop the models."""

from openupgradelib import openupgrade

from odoo.addons.med_lot_trace.tools.release_check_owners import (
    move_release_check_xmlids,
)


@openupgrade.migrate()
def migrate(env, version):
    move_release_check_xmlids(env)
