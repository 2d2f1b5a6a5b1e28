"""From 18.0.1.7.0 the recall scope's deliveries are read from the index alone:
``stock_move_line_med_delivered_lot_index`` (created by the model's init) carries the
lines' ids and partners, and replaces the index on the same keys without them."""

from openupgradelib import openupgrade


@openupgrade.migrate()
def migrate(env, version):
    env.cr.execute("DROP INDEX IF EXISTS stock_move_line_med_done_lot_dest_index")
