from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

# The rows of stock_move_line_consume_rel whose two move lines are done and carry a
# lot, as links from the lot of the input line (produce_line_id: the consumed
# component, or the unbuilt product) to the lot of the output line (consume_line_id:
# the produced line, or a component recovered by an unbuild). One definition, for
# the triggers, the installation and the migration.
LINKS_SQL = """
    SELECT parent_line.lot_id, child_line.lot_id,
           rel.produce_line_id, rel.consume_line_id
      FROM {rel} rel
      JOIN stock_move_line parent_line
        ON parent_line.id = rel.produce_line_id
       AND parent_line.state = 'done' AND parent_line.lot_id IS NOT NULL
      JOIN stock_move_line child_line
        ON child_line.id = rel.consume_line_id
       AND child_line.state = 'done' AND child_line.lot_id IS NOT NULL
"""
COLUMNS = "(parent_lot_id, child_lot_id, produce_line_id, consume_line_id)"
FILL_SQL = f"""
    INSERT INTO med_lot_link {COLUMNS}
    {LINKS_SQL.format(rel="stock_move_line_consume_rel")}
    ON CONFLICT (consume_line_id, produce_line_id) DO NOTHING
"""

# Kept by PostgreSQL triggers, so that every write (the ORM, mrp's and repair's
# consume links, a raw SQL fix) keeps the table exact. The consume rel's triggers
# are per statement over its transition tables: a production links all its lines in
# one INSERT. A move line's are per row, and only for the rows whose lot or state
# changes to or from a done line with a lot (the WHEN clause, evaluated without
# calling the function; a line on its way to done has no link): a statement
# trigger with transition tables cannot name columns, so it would copy every row of
# every move line update. A deleted move line takes its consume rel rows with it
# (ON DELETE CASCADE), and so its links.
TRIGGERS_SQL = f"""
CREATE OR REPLACE FUNCTION med_lot_link_rel_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO med_lot_link {COLUMNS}
    {LINKS_SQL.format(rel="new_rel")};
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION med_lot_link_rel_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM med_lot_link link
     USING old_rel
     WHERE link.consume_line_id = old_rel.consume_line_id
       AND link.produce_line_id = old_rel.produce_line_id;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION med_lot_link_rel_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM med_lot_link;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION med_lot_link_line_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- every link is a consume rel row: found from the rel's index on the
    -- produce side, the link table needs no index of its own on it
    DELETE FROM med_lot_link WHERE consume_line_id = NEW.id;
    DELETE FROM med_lot_link link
     USING stock_move_line_consume_rel rel
     WHERE rel.produce_line_id = NEW.id
       AND link.consume_line_id = rel.consume_line_id
       AND link.produce_line_id = NEW.id;
    IF NEW.state = 'done' AND NEW.lot_id IS NOT NULL THEN
        INSERT INTO med_lot_link {COLUMNS}
        {LINKS_SQL.format(rel="stock_move_line_consume_rel")}
         WHERE rel.consume_line_id = NEW.id OR rel.produce_line_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER med_lot_link_rel_insert
AFTER INSERT ON stock_move_line_consume_rel
REFERENCING NEW TABLE AS new_rel
FOR EACH STATEMENT EXECUTE FUNCTION med_lot_link_rel_insert();

CREATE OR REPLACE TRIGGER med_lot_link_rel_update_old
AFTER UPDATE ON stock_move_line_consume_rel
REFERENCING OLD TABLE AS old_rel
FOR EACH STATEMENT EXECUTE FUNCTION med_lot_link_rel_delete();

CREATE OR REPLACE TRIGGER med_lot_link_rel_update_new
AFTER UPDATE ON stock_move_line_consume_rel
REFERENCING NEW TABLE AS new_rel
FOR EACH STATEMENT EXECUTE FUNCTION med_lot_link_rel_insert();

CREATE OR REPLACE TRIGGER med_lot_link_rel_delete
AFTER DELETE ON stock_move_line_consume_rel
REFERENCING OLD TABLE AS old_rel
FOR EACH STATEMENT EXECUTE FUNCTION med_lot_link_rel_delete();

CREATE OR REPLACE TRIGGER med_lot_link_rel_truncate
AFTER TRUNCATE ON stock_move_line_consume_rel
FOR EACH STATEMENT EXECUTE FUNCTION med_lot_link_rel_truncate();

CREATE OR REPLACE TRIGGER med_lot_link_line_update
AFTER UPDATE OF lot_id, state ON stock_move_line
FOR EACH ROW
WHEN ((OLD.state = 'done' AND OLD.lot_id IS NOT NULL
       OR NEW.state = 'done' AND NEW.lot_id IS NOT NULL)
      AND (OLD.lot_id IS DISTINCT FROM NEW.lot_id
           OR OLD.state IS DISTINCT FROM NEW.state))
EXECUTE FUNCTION med_lot_link_line_update();
"""
DROP_TRIGGERS_SQL = """
DROP TRIGGER IF EXISTS med_lot_link_rel_insert ON stock_move_line_consume_rel;
DROP TRIGGER IF EXISTS med_lot_link_rel_update_old ON stock_move_line_consume_rel;
DROP TRIGGER IF EXISTS med_lot_link_rel_update_new ON stock_move_line_consume_rel;
DROP TRIGGER IF EXISTS med_lot_link_rel_delete ON stock_move_line_consume_rel;
DROP TRIGGER IF EXISTS med_lot_link_rel_truncate ON stock_move_line_consume_rel;
DROP TRIGGER IF EXISTS med_lot_link_line_update ON stock_move_line;
DROP FUNCTION IF EXISTS med_lot_link_rel_insert(), med_lot_link_rel_delete(),
    med_lot_link_rel_truncate(), med_lot_link_line_update();
"""


class MedLotLink(models.Model):
    """A genealogy link between two lots: the lot of a done move line consumed (or
    unbuilt) and the lot of the done move line produced (or recovered) from it, one
    row per consume link of Odoo's manufacturing. Read by every walk of the
    genealogy (``stock.lot._med_genealogy_step_sql``): two lots per step from an
    index, where the consume links need every done move line of a lot. Written only
    by PostgreSQL triggers on the consume links and the move lines."""

    _name = "med.lot.link"
    _description = "Lot Genealogy Link"
    _log_access = False
    _order = "id"

    parent_lot_id = fields.Many2one(
        "stock.lot", string="Consumed Lot", required=True, ondelete="cascade"
    )
    child_lot_id = fields.Many2one(
        "stock.lot", string="Produced Lot", required=True, ondelete="cascade"
    )
    produce_line_id = fields.Many2one(
        "stock.move.line", string="Consumed Line", required=True, ondelete="cascade"
    )
    consume_line_id = fields.Many2one(
        "stock.move.line", string="Produced Line", required=True, ondelete="cascade"
    )

    _sql_constraints = (
        (
            "consume_produce_unique",
            "UNIQUE(consume_line_id, produce_line_id)",
            "A consume link is one genealogy link.",
        ),
    )

    def init(self):
        cr = self.env.cr
        # Each walk reads the next lot (and, for the genealogy tree, the linked
        # line) from the index alone.
        cr.execute(
            """
            CREATE INDEX IF NOT EXISTS med_lot_link_downstream_index
                ON med_lot_link (parent_lot_id, child_lot_id) INCLUDE (consume_line_id);
            CREATE INDEX IF NOT EXISTS med_lot_link_upstream_index
                ON med_lot_link (child_lot_id, parent_lot_id) INCLUDE (produce_line_id);
            """
        )
        cr.execute(TRIGGERS_SQL)

    @api.model
    def _med_fill(self):
        """Add the links of the consume rel that the table lacks, in one statement
        (installation, migration, bulk loads with the triggers off)."""
        self.env.flush_all()
        self.env.cr.execute(SQL(FILL_SQL))
        filled = self.env.cr.rowcount
        if filled:
            # The planner's statistics of the filled table, at once: without them
            # the first walks of millions of links guessed an empty table (ten times
            # slower at ten times the reference history until autovacuum came).
            self.env.cr.execute(SQL("ANALYZE med_lot_link"))
        return filled

    @api.model_create_multi
    def create(self, vals_list):  # pylint: disable=method-required-super
        self._med_refuse_change()

    def write(self, vals):  # pylint: disable=method-required-super
        self._med_refuse_change()

    def unlink(self):  # pylint: disable=method-required-super
        # through the recorder, as every refused deletion of the suite
        with self._med_refused_deletion_recorder():
            self._med_refuse_change()

    def _med_refuse_change(self):
        raise UserError(
            self.env._(
                "Genealogy links follow the consume links of done move lines: they "
                "cannot be created, changed or deleted by hand."
            )
        )
