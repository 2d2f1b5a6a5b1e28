from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.med_lot_trace.models.med_release_check import PENDING_STATES

from .med_capa import OPEN_STATES as OPEN_CAPA_STATES
from .qc_inspection import OPEN_STATES as OPEN_INSPECTION_STATES


class MedReleaseCheck(models.Model):
    """The release checks on the data of this addon: inspections, nonconformances
    and CAPAs, with their own open states."""

    _inherit = "med.release.check"

    code = fields.Selection(
        selection_add=[
            ("inspected_quantity", "Received vs inspected quantity"),
            ("inspection_required", "Required inspection missing"),
            ("nc_disposition", "Nonconformance disposition carried out"),
            ("open_quality_records", "Open inspection, nonconformance or CAPA"),
        ],
        ondelete={
            "inspected_quantity": "cascade",
            "inspection_required": "cascade",
            "nc_disposition": "cascade",
            "open_quality_records": "cascade",
        },
    )

    @api.model
    def _med_any_state_codes(self):
        return super()._med_any_state_codes() | {
            "nc_disposition",
            "open_quality_records",
        }

    def _med_failures_inspected_quantity(self, scope, lineage):
        # Received (from suppliers) against inspected (finished inspections of the
        # lot): only lots with a finished inspection; none at all is another check.
        return SQL(
            """
            SELECT rec.lot_id,
                   jsonb_build_object('received', rec.qty, 'inspected', ins.qty),
                   'qc.inspection', ins.first_id
              FROM (SELECT line.lot_id, sum(line.quantity_product_uom) AS qty
                      FROM pending
                      JOIN stock_move_line line
                        ON line.lot_id = pending.id AND line.state = 'done'
                      JOIN stock_location src
                        ON src.id = line.location_id AND src.usage = 'supplier'
                     GROUP BY line.lot_id) rec
              JOIN (SELECT inspection.lot_id, sum(inspection.qty) AS qty,
                           min(inspection.id) AS first_id
                      FROM pending
                      JOIN qc_inspection inspection
                        ON inspection.lot_id = pending.id
                       AND inspection.state IN ('success', 'failed')
                     GROUP BY inspection.lot_id) ins ON ins.lot_id = rec.lot_id
             WHERE abs(rec.qty - ins.qty) * 100 > %(tolerance)s * rec.qty
               AND abs(rec.qty - ins.qty) > 0.00001
            """,
            tolerance=self.tolerance_percent,
        )

    def _med_message_inspected_quantity(self, result, detail):
        return self.env._(
            "Received %(received)s, inspected %(inspected)s",
            received=result._med_quantity(detail["received"]),
            inspected=result._med_quantity(detail["inspected"]),
        )

    def _med_failures_inspection_required(self, scope, lineage):
        # A receipt or production of the lot whose operation type has a quality
        # trigger for the product (itself, its template or its category or above)
        # and no inspection (other than cancelled) of the lot, its move or picking.
        return SQL(
            """
            WITH origin AS (
                SELECT DISTINCT line.lot_id, move.id AS move_id, move.picking_id,
                       move.picking_type_id, move.reference, line.product_id,
                       product.product_tmpl_id, categ.parent_path
                  FROM pending
                  JOIN stock_move_line line
                    ON line.lot_id = pending.id AND line.state = 'done'
                  JOIN stock_location src
                    ON src.id = line.location_id
                   AND src.usage IN ('supplier', 'production')
                  JOIN stock_move move ON move.id = line.move_id
                  JOIN product_product product ON product.id = line.product_id
                  JOIN product_template tmpl ON tmpl.id = product.product_tmpl_id
                  JOIN product_category categ ON categ.id = tmpl.categ_id
            ),
            required AS (
                SELECT origin.*, test_line.test
                  FROM origin
                  JOIN qc_trigger qc_trigger
                    ON qc_trigger.picking_type_id = origin.picking_type_id
                   AND qc_trigger.active
                  JOIN LATERAL (
                      SELECT test FROM qc_trigger_product_line
                       WHERE trigger = qc_trigger.id AND product = origin.product_id
                      UNION ALL
                      SELECT test FROM qc_trigger_product_template_line
                       WHERE trigger = qc_trigger.id
                         AND product_template = origin.product_tmpl_id
                      UNION ALL
                      SELECT category_line.test
                        FROM qc_trigger_product_category_line category_line
                        JOIN product_category category
                          ON category.id = category_line.product_category
                       WHERE category_line.trigger = qc_trigger.id
                         AND origin.parent_path LIKE category.parent_path || %(any)s
                  ) test_line ON TRUE
            )
            SELECT DISTINCT ON (required.lot_id, required.move_id)
                   required.lot_id,
                   jsonb_build_object(
                       'reference', required.reference, 'test_id', required.test
                   ),
                   'stock.move', required.move_id
              FROM required
             WHERE NOT EXISTS (
                   SELECT 1 FROM qc_inspection inspection
                    WHERE inspection.state <> 'canceled'
                      AND (inspection.lot_id = required.lot_id
                           OR inspection.object_id = 'stock.move,' || required.move_id
                           OR (inspection.picking_id = required.picking_id
                               AND (inspection.product_id IS NULL
                                    OR inspection.product_id = required.product_id)))
             )
             ORDER BY required.lot_id, required.move_id, required.test
            """,
            any="%",
        )

    def _med_message_inspection_required(self, result, detail):
        test = self.env["qc.test"].sudo().browse(detail["test_id"]).exists()
        return self.env._(
            "%(operation)s: no inspection, although %(test)s is required",
            operation=detail["reference"] or "",
            test=test.name or "",
        )

    def _med_failures_nc_disposition(self, scope, lineage):
        # A dispositioned nonconformance (scrap, return, rework) whose lots did not
        # move that quantity since it was detected: to a scrap location, back to a
        # supplier, or into production.
        return SQL(
            """
            WITH decided AS (
                SELECT nc.id, nc.name, nc.date, nc.quantity, nc.disposition
                  FROM med_nonconformance nc
                 WHERE nc.state = 'dispositioned'
                   AND nc.disposition IN ('scrap', 'return', 'rework')
                   AND nc.quantity > 0
            ),
            moved AS (
                SELECT decided.id, COALESCE(sum(line.quantity_product_uom), 0) AS qty
                  FROM decided
                  JOIN med_nonconformance_stock_lot_rel rel
                    ON rel.med_nonconformance_id = decided.id
                  LEFT JOIN stock_move_line line
                    ON line.lot_id = rel.stock_lot_id AND line.state = 'done'
                   AND line.date >= decided.date
                   AND EXISTS (
                       SELECT 1 FROM stock_location dest
                        WHERE dest.id = line.location_dest_id
                          AND CASE decided.disposition
                              WHEN 'scrap' THEN dest.scrap_location
                              WHEN 'return' THEN dest.usage = 'supplier'
                              ELSE dest.usage = 'production' END
                   )
                 GROUP BY decided.id
            )
            SELECT lot.id,
                   jsonb_build_object(
                       'name', decided.name, 'disposition', decided.disposition,
                       'quantity', decided.quantity, 'moved', moved.qty
                   ),
                   'med.nonconformance', decided.id
              FROM decided
              JOIN moved ON moved.id = decided.id
              JOIN med_nonconformance_stock_lot_rel rel
                ON rel.med_nonconformance_id = decided.id
              JOIN stock_lot lot ON lot.id = rel.stock_lot_id
             WHERE %(scope)s
               AND (decided.quantity - moved.qty) * 100
                   > %(tolerance)s * decided.quantity
               AND decided.quantity - moved.qty > 0.00001
            """,
            scope=scope,
            tolerance=self.tolerance_percent,
        )

    def _med_message_nc_disposition(self, result, detail):
        dispositions = dict(
            self.env["med.nonconformance"]
            ._fields["disposition"]
            ._description_selection(self.env)
        )
        return self.env._(
            "%(nonconformance)s: %(disposition)s of %(quantity)s, only %(moved)s "
            "moved so",
            nonconformance=detail["name"],
            disposition=dispositions.get(detail["disposition"], detail["disposition"]),
            quantity=result._med_quantity(detail["quantity"]),
            moved=result._med_quantity(detail["moved"]),
        )

    def _med_failures_open_quality_records(self, scope, lineage):
        # Each inspection (on the lot itself), nonconformance and CAPA (on the lot
        # or, through the genealogy, on any lot it is made of) with the time it was
        # open. A lot waiting for release fails while one is open; a released lot
        # fails when it was released while one was open.
        return SQL(
            """
            WITH RECURSIVE record AS (
                SELECT inspection.lot_id, inspection.lot_id AS source_lot_id,
                       'qc.inspection' AS model,
                       inspection.id AS res_id, inspection.name,
                       inspection.create_date AS opened,
                       CASE WHEN inspection.state IN %(open_inspection)s THEN NULL
                            ELSE COALESCE(inspection.date_done,
                                          inspection.write_date) END AS closed,
                       FALSE AS inherited
                  FROM qc_inspection inspection
                 WHERE inspection.lot_id IS NOT NULL AND %(inspection_lots)s
                UNION ALL
                SELECT rel.stock_lot_id, rel.stock_lot_id, 'med.nonconformance',
                       nc.id, nc.name, nc.date,
                       CASE WHEN nc.state = 'open' THEN NULL
                            ELSE COALESCE(nc.disposition_date, nc.write_date) END,
                       TRUE
                  FROM med_nonconformance nc
                  JOIN med_nonconformance_stock_lot_rel rel
                    ON rel.med_nonconformance_id = nc.id
                 WHERE %(nc_lots)s
                UNION ALL
                SELECT rel.stock_lot_id, rel.stock_lot_id, 'med.capa', capa.id,
                       capa.name,
                       capa.create_date,
                       CASE WHEN capa.state IN %(open_capa)s THEN NULL
                            ELSE COALESCE(capa.date_closed, capa.write_date) END,
                       TRUE
                  FROM med_capa capa
                  JOIN med_capa_stock_lot_rel rel ON rel.med_capa_id = capa.id
                 WHERE %(capa_lots)s
            ),
            reach(lot_id, source_lot_id, model, res_id, name, opened, closed,
                  inherited) AS (
                SELECT * FROM record
                UNION
                SELECT linked.lot_id, reach.source_lot_id, reach.model, reach.res_id,
                       reach.name,
                       reach.opened, reach.closed, TRUE
                  FROM reach
                  %(made_from)s
                 WHERE reach.inherited AND %(linked_lots)s
            )
            SELECT DISTINCT ON (lot.id, reach.model, reach.res_id)
                   lot.id,
                   jsonb_build_object(
                       'model', reach.model, 'name', reach.name,
                       'component', reach.source_lot_id <> lot.id,
                       'open', reach.closed IS NULL
                   ),
                   reach.model, reach.res_id
              FROM reach
              JOIN stock_lot lot ON lot.id = reach.lot_id
             WHERE %(scope)s
               AND ((lot.med_state IN %(pending)s AND reach.closed IS NULL)
                    OR (lot.med_state NOT IN %(pending)s
                        AND lot.med_release_date IS NOT NULL
                        AND reach.opened <= lot.med_release_date
                        AND (reach.closed IS NULL
                             OR reach.closed > lot.med_release_date)))
             ORDER BY lot.id, reach.model, reach.res_id
            """,
            open_inspection=OPEN_INSPECTION_STATES,
            open_capa=OPEN_CAPA_STATES,
            inspection_lots=lineage(SQL.identifier("inspection", "lot_id")),
            nc_lots=lineage(SQL.identifier("rel", "stock_lot_id")),
            capa_lots=lineage(SQL.identifier("rel", "stock_lot_id")),
            linked_lots=lineage(SQL.identifier("linked", "lot_id")),
            made_from=self._med_made_from_sql(),
            scope=scope,
            pending=PENDING_STATES,
        )

    def _med_message_open_quality_records(self, result, detail):
        kinds = {
            "qc.inspection": self.env._("inspection"),
            "med.nonconformance": self.env._("nonconformance"),
            "med.capa": self.env._("CAPA"),
        }
        values = {
            "kind": kinds.get(detail["model"], detail["model"]),
            "name": detail["name"],
        }
        if result.lot_state in PENDING_STATES:
            if detail["component"]:
                return self.env._(
                    "%(kind)s %(name)s is open on a component lot",
                    **values,
                )
            return self.env._("%(kind)s %(name)s is open", **values)
        return self.env._("released while %(kind)s %(name)s was open", **values)
