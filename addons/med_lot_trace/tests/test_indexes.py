from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestIndexes(TransactionCase):
    def test_move_line_lot_index_used_for_lot_lookups(self):
        self.env.cr.execute(
            """
            SELECT indexdef FROM pg_indexes
             WHERE tablename = 'stock_move_line' AND indexdef LIKE '%%(lot_id)%%'
            """
        )
        definitions = [row[0] for row in self.env.cr.fetchall()]
        self.assertEqual(len(definitions), 1, definitions)
        self.assertIn("WHERE (lot_id IS NOT NULL)", definitions[0])
        self.env.cr.execute(
            """
            SELECT indisvalid FROM pg_index
             WHERE indexrelid = 'stock_move_line__lot_id_index'::regclass
            """
        )
        self.assertTrue(self.env.cr.fetchone()[0])

    def test_deliveries_of_lots_read_from_one_covering_index(self):
        # the recall scope reads the ids and partners of its lots' done lines to
        # customers from the index alone; the index on the same keys without them
        # is gone (one index to write per move line, not two)
        self.env.cr.execute(
            """
            SELECT indexname, indexdef FROM pg_indexes
             WHERE tablename = 'stock_move_line'
               AND indexdef LIKE '%%(lot_id, location_dest_id)%%'
            """
        )
        [(name, definition)] = self.env.cr.fetchall()
        self.assertEqual(name, "stock_move_line_med_delivered_lot_index")
        self.assertIn("INCLUDE (id, med_partner_id)", definition)
        self.assertIn("(lot_id IS NOT NULL)", definition)
