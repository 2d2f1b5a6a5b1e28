from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import MedGenealogyCommon


@tagged("post_install", "-at_install")
class TestLotLinks(MedGenealogyCommon):
    """med.lot.link stays what the consume links of done move lines say, whatever
    writes them, and the walks over it find what the consume links find."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.barrel_a = cls._lot(cls.barrel, "LNK-BRL-A", 100)
        cls.barrel_b = cls._lot(cls.barrel, "LNK-BRL-B", 100)
        cls.barrel_c = cls._lot(cls.barrel, "LNK-BRL-C", 100)
        cls.plunger_a = cls._lot(cls.plunger, "LNK-PLG-A", 100)
        cls.needle_a = cls._lot(cls.needle, "LNK-NDL-A", 100)
        # several components, one of them from two lots
        cls.body_lot = cls._produce(
            cls.bom_body,
            20,
            "LNK-BODY",
            {cls.barrel_a: 10, cls.barrel_b: 10, cls.plunger_a: 20},
        )
        cls.syringe_lot = cls._produce(
            cls.bom_syringe, 10, "LNK-SYR", {cls.body_lot: 10, cls.needle_a: 10}
        )

    def _links(self):
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT parent_lot_id, child_lot_id, produce_line_id, consume_line_id
              FROM med_lot_link ORDER BY 1, 2, 3, 4
            """
        )
        return self.env.cr.fetchall()

    def _recomputed(self):
        """The links computed from scratch from the consume links."""
        self.env.cr.execute(
            """
            SELECT consumed.lot_id, produced.lot_id, consumed.id, produced.id
              FROM stock_move_line_consume_rel rel
              JOIN stock_move_line consumed ON consumed.id = rel.produce_line_id
              JOIN stock_move_line produced ON produced.id = rel.consume_line_id
             WHERE consumed.state = 'done' AND consumed.lot_id IS NOT NULL
               AND produced.state = 'done' AND produced.lot_id IS NOT NULL
             ORDER BY 1, 2, 3, 4
            """
        )
        return self.env.cr.fetchall()

    def assertLinksExact(self):
        links = self._links()
        self.assertTrue(links)
        self.assertEqual(links, self._recomputed())

    def _lot_pairs(self, lot):
        return {
            (parent, child)
            for parent, child, _produce, _consume in self._links()
            if lot.id in (parent, child)
        }

    def _line(self, lot, production_of):
        """The done line of ``lot`` in the manufacturing order of ``production_of``."""
        production = self.env["mrp.production"].search(
            [("lot_producing_id", "=", production_of.id)]
        )
        lines = (production.move_raw_ids | production.move_finished_ids).move_line_ids
        return lines.filtered(lambda line: line.lot_id == lot)

    def test_production_with_several_components_and_lots(self):
        self.assertLinksExact()
        self.assertEqual(
            self._lot_pairs(self.body_lot),
            {
                (self.barrel_a.id, self.body_lot.id),
                (self.barrel_b.id, self.body_lot.id),
                (self.plunger_a.id, self.body_lot.id),
                (self.body_lot.id, self.syringe_lot.id),
            },
        )

    def test_unbuild(self):
        production = self.env["mrp.production"].search(
            [("lot_producing_id", "=", self.syringe_lot.id)]
        )
        unbuild = self.env["mrp.unbuild"].create(
            {
                "mo_id": production.id,
                "product_id": self.syringe.id,
                "bom_id": self.bom_syringe.id,
                "lot_id": self.syringe_lot.id,
                "product_qty": 2,
            }
        )
        unbuild.action_unbuild()
        self.assertLinksExact()
        # the unbuild's done lines with lots (Odoo links them, or not: the table
        # follows what the consume links say either way)
        self.assertEqual(
            unbuild.produce_line_ids.move_line_ids.mapped("state"), ["done"] * 3
        )
        self.assertEqual(
            self.syringe_lot.med_trace_upstream(),
            self.body_lot
            | self.needle_a
            | self.barrel_a
            | self.barrel_b
            | self.plunger_a,
        )
        self.assertEqual(self.needle_a.med_trace_downstream(), self.syringe_lot)

    def test_lot_of_a_done_line_changed(self):
        line = self._line(self.barrel_b, self.body_lot)
        line.lot_id = self.barrel_c
        self.assertLinksExact()
        self.assertIn(
            (self.barrel_c.id, self.body_lot.id), self._lot_pairs(self.body_lot)
        )
        self.assertNotIn(
            (self.barrel_b.id, self.body_lot.id), self._lot_pairs(self.body_lot)
        )
        self.assertEqual(
            self.barrel_c.med_trace_downstream(), self.body_lot | self.syringe_lot
        )
        self.assertFalse(self.barrel_b.med_trace_downstream())

    def test_lot_of_a_done_line_removed_or_changed_in_sql(self):
        line = self._line(self.barrel_a, self.body_lot)
        self.env.cr.execute(
            "UPDATE stock_move_line SET lot_id = NULL WHERE id = %s", [line.id]
        )
        self.assertLinksExact()
        self.assertNotIn(
            (self.barrel_a.id, self.body_lot.id), self._lot_pairs(self.body_lot)
        )
        self.env.cr.execute(
            "UPDATE stock_move_line SET lot_id = %s WHERE id = %s",
            [self.barrel_c.id, line.id],
        )
        self.assertLinksExact()
        self.assertIn(
            (self.barrel_c.id, self.body_lot.id), self._lot_pairs(self.body_lot)
        )

    def test_line_cancelled_then_done_again(self):
        line = self._line(self.body_lot, self.syringe_lot)
        self.env.cr.execute(
            "UPDATE stock_move_line SET state = 'cancel' WHERE id = %s", [line.id]
        )
        self.assertLinksExact()
        self.assertNotIn(
            (self.body_lot.id, self.syringe_lot.id), self._lot_pairs(self.body_lot)
        )
        self.env.invalidate_all()
        self.assertFalse(self.body_lot.med_trace_downstream())
        self.env.cr.execute(
            "UPDATE stock_move_line SET state = 'done' WHERE id = %s", [line.id]
        )
        self.assertLinksExact()
        self.assertEqual(self.body_lot.med_trace_downstream(), self.syringe_lot)

    def test_line_done_after_its_consume_link(self):
        """A consume link written before its lines are done links their lots once
        both are."""
        finished = self._line(self.syringe_lot, self.syringe_lot)
        component = self._line(self.needle_a, self.syringe_lot)
        self.env.cr.execute(
            """
            UPDATE stock_move_line SET state = 'assigned' WHERE id IN %s;
            DELETE FROM stock_move_line_consume_rel WHERE consume_line_id = %s;
            INSERT INTO stock_move_line_consume_rel (consume_line_id, produce_line_id)
            VALUES (%s, %s)
            """,
            [(finished.id, component.id), finished.id, finished.id, component.id],
        )
        self.assertFalse(self._lot_pairs(self.syringe_lot))
        self.env.cr.execute(
            "UPDATE stock_move_line SET state = 'done' WHERE id = %s", [component.id]
        )
        self.assertFalse(self._lot_pairs(self.syringe_lot))
        self.env.cr.execute(
            "UPDATE stock_move_line SET state = 'done' WHERE id = %s", [finished.id]
        )
        self.assertLinksExact()
        self.assertEqual(
            self._lot_pairs(self.syringe_lot), {(self.needle_a.id, self.syringe_lot.id)}
        )

    def test_consume_link_removed(self):
        finished = self._line(self.syringe_lot, self.syringe_lot)
        component = self._line(self.body_lot, self.syringe_lot)
        finished.consume_line_ids -= component
        self.assertLinksExact()
        self.assertEqual(
            self._lot_pairs(self.syringe_lot), {(self.needle_a.id, self.syringe_lot.id)}
        )
        self.assertEqual(self.body_lot.med_trace_downstream(), self.body_lot.browse())

    def test_move_line_deleted(self):
        finished = self._line(self.syringe_lot, self.syringe_lot)
        self.env.cr.execute("DELETE FROM stock_move_line WHERE id = %s", [finished.id])
        self.assertLinksExact()
        self.assertFalse(self._lot_pairs(self.syringe_lot))

    def test_copied_line_copies_its_links(self):
        finished = self._line(self.syringe_lot, self.syringe_lot)
        copy = finished.copy({"quantity": 1})
        self.assertEqual(copy.consume_line_ids, finished.consume_line_ids)
        self.assertLinksExact()
        self.assertEqual(
            {
                (parent, child)
                for parent, child, _produce, consume in self._links()
                if consume == copy.id
            },
            {
                (self.body_lot.id, self.syringe_lot.id),
                (self.needle_a.id, self.syringe_lot.id),
            },
        )

    def test_walks_find_what_the_consume_links_find(self):
        """Every lot's trace both ways over the links is the trace over the done move
        lines and their consume links (the definition before the link table)."""
        lots = self.env["stock.lot"].search([])
        self.env.cr.execute(
            """
            WITH RECURSIVE trace(start, lot_id) AS (
                SELECT id, id FROM stock_lot WHERE id = ANY(%s)
                 UNION
                SELECT trace.start, linked.lot_id
                  FROM trace
                  JOIN stock_move_line line
                    ON line.lot_id = trace.lot_id AND line.state = 'done'
                  JOIN stock_move_line_consume_rel rel
                    ON rel.produce_line_id = line.id
                  JOIN stock_move_line linked
                    ON linked.id = rel.consume_line_id AND linked.state = 'done'
                   AND linked.lot_id IS NOT NULL
            )
            SELECT start, array_agg(lot_id) FROM trace WHERE lot_id <> start
             GROUP BY start
            """,
            [lots.ids],
        )
        expected = {start: set(ids) for start, ids in self.env.cr.fetchall()}
        self.assertTrue(expected)
        for lot in lots:
            self.assertEqual(
                set(lot._med_trace_ids("downstream")), expected.get(lot.id, set())
            )
        self.assertEqual(
            set(self.syringe_lot._med_trace_ids("upstream")),
            {
                self.body_lot.id,
                self.needle_a.id,
                self.barrel_a.id,
                self.barrel_b.id,
                self.plunger_a.id,
            },
        )

    def test_no_link_written_through_the_orm(self):
        Link = self.env["med.lot.link"]
        link = Link.search([("child_lot_id", "=", self.body_lot.id)], limit=1)
        self.assertTrue(link)
        before = self._links()
        with self.assertRaises(UserError):
            Link.sudo().create(
                {
                    "parent_lot_id": self.barrel_c.id,
                    "child_lot_id": self.body_lot.id,
                    "produce_line_id": link.produce_line_id.id,
                    "consume_line_id": link.consume_line_id.id,
                }
            )
        with self.assertRaises(UserError):
            link.sudo().write({"parent_lot_id": self.barrel_c.id})
        with self.assertRaises(UserError):
            link.sudo().unlink()
        self.assertEqual(self._links(), before)

    def test_read_by_who_reads_lots(self):
        user = self.env["res.users"].create(
            {
                "name": "Link reader",
                "login": "med_link_reader",
                "groups_id": [(6, 0, [self.env.ref("stock.group_stock_user").id])],
            }
        )
        links = self.env["med.lot.link"].with_user(user)
        self.assertTrue(links.search([("child_lot_id", "=", self.body_lot.id)]))
        self.assertFalse(links.has_access("create"))
        self.assertFalse(links.has_access("write"))
        nobody = self.env["res.users"].create(
            {
                "name": "No stock",
                "login": "med_link_nobody",
                "groups_id": [(6, 0, [self.env.ref("base.group_user").id])],
            }
        )
        with self.assertRaises(AccessError):
            self.env["med.lot.link"].with_user(nobody).search([])
