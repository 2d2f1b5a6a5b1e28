from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

CHECK_CODES = [
    ("inspected_quantity", "Received vs inspected quantity"),
    ("inspection_required", "Required inspection missing"),
    ("bom_yield", "Yield against the bill of materials"),
    ("nc_disposition", "Nonconformance disposition carried out"),
    ("open_quality_records", "Open inspection, nonconformance or CAPA"),
    ("expiry_components", "Expiry later than the components'"),
    ("supplier_certificate", "Supplier certificate invalid on receipt"),
]
SEVERITIES = [("block", "Blocking"), ("warn", "Warning")]
# Lots waiting for a QA decision: each check gives them a result, pass or fail.
PENDING_STATES = ("quarantine", "hold")
# Checks that also look at lots already released (or rejected, recalled): those get a
# result only when they fail, as an exception for QA to review.
ANY_STATE_CODES = ("nc_disposition", "open_quality_records", "supplier_certificate")
OPEN_INSPECTION_STATES = ("plan", "draft", "ready", "waiting")
OPEN_CAPA_STATES = (
    "draft",
    "investigation",
    "action_plan",
    "implementation",
    "effectiveness",
)
# Disposition -> where the nonconforming quantity must have gone.
DISPOSITION_MOVES = {"scrap": "scrap", "return": "supplier", "rework": "production"}


class MedReleaseCheck(models.Model):
    """A reconciliation check of production and quality data, run on every lot
    waiting for release (and, for some, on lots already released). What a check
    looks at is fixed by its code; its name, severity, activity and tolerance are
    configured here."""

    _name = "med.release.check"
    _description = "Release Reconciliation Check"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Selection(CHECK_CODES, required=True, readonly=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    severity = fields.Selection(
        SEVERITIES,
        required=True,
        default="block",
        help="Blocking: a lot that fails cannot be released. Warning: it can, once a "
        "QA manager has signed a justification.",
    )
    tolerance_percent = fields.Float(
        string="Tolerance (%)",
        default=0.0,
        help="Allowed deviation, in percent, for the checks that compare quantities "
        "(received vs inspected, yield against the BoM, disposition carried out).",
    )
    description = fields.Text(translate=True)

    _sql_constraints = (
        ("code_unique", "UNIQUE(code)", "There is one check per code."),
    )

    @api.constrains("tolerance_percent")
    def _check_tolerance_percent(self):
        for check in self:
            if not 0 <= check.tolerance_percent <= 100:
                raise ValidationError(
                    self.env._(
                        "The tolerance of %(check)s must be between 0 and 100 percent.",
                        check=check.name,
                    )
                )

    # -- the failures of each check, as SQL --
    # Each _med_failures_<code>(scope) returns a SELECT of (lot_id, detail jsonb,
    # res_model, res_id): one row per finding. ``scope`` is an SQL condition on the
    # alias ``lot`` (stock_lot) that limits the lots looked at; ``pending`` is the CTE
    # of the lots in scope waiting for release (id); ``lineage(column)`` is an SQL
    # condition true when the lot id in ``column`` is one of the lots in scope or of
    # the lots they are made of (always true when all lots are looked at): a finding
    # reaches a lot in scope only through those, so the genealogy is walked there
    # only.
    def _med_failures_sql(self, scope, lineage):
        self.ensure_one()
        return getattr(self, f"_med_failures_{self.code}")(scope, lineage)

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

    def _med_failures_bom_yield(self, scope, lineage):
        # Per manufacturing order that produced the lot: each BoM line's component
        # quantity for what the order produced, against what it consumed (both in
        # the component's unit), outside the tolerance.
        return SQL(
            """
            WITH produced AS (
                SELECT DISTINCT line.lot_id, move.production_id
                  FROM pending
                  JOIN stock_move_line line
                    ON line.lot_id = pending.id AND line.state = 'done'
                  JOIN stock_move move
                    ON move.id = line.move_id AND move.production_id IS NOT NULL
            ),
            output AS (
                SELECT production.id AS production_id,
                       sum(line.quantity_product_uom) AS qty
                  FROM (SELECT DISTINCT production_id FROM produced) p
                  JOIN mrp_production production ON production.id = p.production_id
                  JOIN stock_move move
                    ON move.production_id = production.id
                   AND move.product_id = production.product_id
                  JOIN stock_move_line line
                    ON line.move_id = move.id AND line.state = 'done'
                 GROUP BY production.id
            ),
            expected AS (
                SELECT output.production_id, bom_line.id AS bom_line_id,
                       bom_line.product_id,
                       bom_line.product_qty / line_uom.factor * component_uom.factor
                       * output.qty
                       / NULLIF(bom.product_qty / bom_uom.factor * product_uom.factor,
                                0) AS qty
                  FROM output
                  JOIN mrp_production production
                    ON production.id = output.production_id
                  JOIN mrp_bom bom ON bom.id = production.bom_id
                  JOIN uom_uom bom_uom ON bom_uom.id = bom.product_uom_id
                  JOIN product_product product ON product.id = production.product_id
                  JOIN product_template tmpl ON tmpl.id = product.product_tmpl_id
                  JOIN uom_uom product_uom ON product_uom.id = tmpl.uom_id
                  JOIN mrp_bom_line bom_line ON bom_line.bom_id = bom.id
                  JOIN uom_uom line_uom ON line_uom.id = bom_line.product_uom_id
                  JOIN product_product component
                    ON component.id = bom_line.product_id
                  JOIN product_template component_tmpl
                    ON component_tmpl.id = component.product_tmpl_id
                  JOIN uom_uom component_uom
                    ON component_uom.id = component_tmpl.uom_id
            ),
            consumed AS (
                SELECT move.raw_material_production_id AS production_id,
                       move.bom_line_id, sum(line.quantity_product_uom) AS qty
                  FROM stock_move move
                  JOIN stock_move_line line
                    ON line.move_id = move.id AND line.state = 'done'
                 WHERE move.raw_material_production_id IN (
                           SELECT production_id FROM output
                       )
                   AND move.bom_line_id IS NOT NULL
                 GROUP BY 1, 2
            )
            SELECT produced.lot_id,
                   jsonb_build_object(
                       'production_id', expected.production_id,
                       'product_id', expected.product_id,
                       'expected', round(expected.qty::numeric, 4),
                       'consumed', round(COALESCE(consumed.qty, 0)::numeric, 4)
                   ),
                   'mrp.production', expected.production_id
              FROM produced
              JOIN expected ON expected.production_id = produced.production_id
              LEFT JOIN consumed
                ON consumed.production_id = expected.production_id
               AND consumed.bom_line_id = expected.bom_line_id
             WHERE expected.qty > 0
               AND abs(COALESCE(consumed.qty, 0) - expected.qty) * 100
                   > %(tolerance)s * expected.qty
               AND abs(COALESCE(consumed.qty, 0) - expected.qty) > 0.00001
            """,
            tolerance=self.tolerance_percent,
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

    def _med_failures_expiry_components(self, scope, lineage):
        # For products that say so: the lot may not expire after the earliest
        # expiring lot it was directly made of.
        return SQL(
            """
            SELECT lot.id,
                   jsonb_build_object(
                       'expiry', to_char(lot.expiration_date, 'YYYY-MM-DD'),
                       'component', component.name,
                       'component_expiry',
                       to_char(component.expiration_date, 'YYYY-MM-DD')
                   ),
                   'stock.lot', component.id
              FROM pending
              JOIN stock_lot lot ON lot.id = pending.id
              JOIN product_product product ON product.id = lot.product_id
              JOIN product_template tmpl
                ON tmpl.id = product.product_tmpl_id
               AND tmpl.med_expiry_within_components
              JOIN LATERAL (
                  SELECT source.id, source.name, source.expiration_date
                    FROM (SELECT lot.id AS lot_id) made
                    %(made_of)s
                    JOIN stock_lot source ON source.id = linked.lot_id
                   WHERE source.expiration_date IS NOT NULL
                   ORDER BY source.expiration_date, source.id
                   LIMIT 1
              ) component ON TRUE
             WHERE lot.expiration_date > component.expiration_date
            """,
            made_of=self.env["stock.lot"]._med_genealogy_step_sql(
                "upstream", SQL.identifier("made", "lot_id")
            ),
        )

    def _med_failures_supplier_certificate(self, scope, lineage):
        # Lots received while a certificate of the supplier (of a type covering the
        # product) was not valid that day, with no other valid one of the same type;
        # and every lot made from them, through the genealogy. Validity is the
        # certificate's own rule (med_supplier_qual), the day that of the receipt.
        Certificate = self.env["med.supplier.certificate"]
        day = SQL.identifier("received", "day")
        return SQL(
            """
            WITH RECURSIVE received AS MATERIALIZED (
                -- the receipts alone first (planned on their own: the lot index
                -- serves the lots looked at), the certificates after
                SELECT line.lot_id, line.product_id, line.date::date AS day,
                       COALESCE(partner.commercial_partner_id, partner.id)
                           AS partner_id,
                       line.company_id
                  FROM stock_move_line line
                  JOIN stock_picking picking ON picking.id = line.picking_id
                  JOIN res_partner partner ON partner.id = picking.partner_id
                 WHERE line.state = 'done' AND line.lot_id IS NOT NULL
                   AND %(received_lots)s
                   AND line.location_id IN (
                       SELECT id FROM stock_location WHERE usage = 'supplier'
                   )
            ),
            invalid AS (
                SELECT DISTINCT ON (received.lot_id, certificate.id)
                       received.lot_id, received.day, certificate.id,
                       certificate.number, certificate.type_id
                  FROM received
                  JOIN med_supplier_certificate certificate
                    ON certificate.partner_id = received.partner_id
                   AND certificate.company_id = received.company_id
                  JOIN med_certificate_type ctype ON ctype.id = certificate.type_id
                  JOIN product_product product ON product.id = received.product_id
                  JOIN product_template tmpl ON tmpl.id = product.product_tmpl_id
                  JOIN product_category categ ON categ.id = tmpl.categ_id
                 WHERE NOT %(certificate_valid)s
                   AND (ctype.scope <> 'product'
                        OR EXISTS (
                            SELECT 1 FROM med_supplier_certificate_product_product_rel r
                             WHERE r.med_supplier_certificate_id = certificate.id
                               AND r.product_product_id = received.product_id)
                        OR EXISTS (
                            SELECT 1
                              FROM med_supplier_certificate_product_category_rel r
                              JOIN product_category covered
                                ON covered.id = r.product_category_id
                             WHERE r.med_supplier_certificate_id = certificate.id
                               AND categ.parent_path
                                   LIKE covered.parent_path || %(any)s))
                   AND NOT EXISTS (
                       SELECT 1 FROM med_supplier_certificate other
                        WHERE other.partner_id = certificate.partner_id
                          AND other.type_id = certificate.type_id
                          AND other.company_id = certificate.company_id
                          AND %(other_valid)s)
            ),
            -- Lot and certificate only (not the received lot): a certificate that
            -- lapsed reaches each lot made from its receipts once, however many.
            reach(lot_id, certificate_id) AS (
                SELECT lot_id, id FROM invalid
                UNION
                SELECT linked.lot_id, reach.certificate_id
                  FROM reach
                  %(made_from)s
                 WHERE %(linked_lots)s
            )
            SELECT lot.id,
                   jsonb_build_object(
                       'certificate', certificate.number,
                       'day', to_char(own.day, 'YYYY-MM-DD'),
                       'component', own.lot_id IS NULL
                   ),
                   'med.supplier.certificate', reach.certificate_id
              FROM reach
              JOIN stock_lot lot ON lot.id = reach.lot_id
              JOIN med_supplier_certificate certificate
                ON certificate.id = reach.certificate_id
              LEFT JOIN (
                  SELECT lot_id, id, min(day) AS day FROM invalid GROUP BY lot_id, id
              ) own ON own.lot_id = reach.lot_id AND own.id = reach.certificate_id
             WHERE %(scope)s
            """,
            scope=scope,
            any="%",
            certificate_valid=Certificate._med_valid_on_sql(
                "certificate", "ctype", day, require_verified=False
            ),
            other_valid=Certificate._med_valid_on_sql(
                "other", "ctype", day, require_verified=False
            ),
            received_lots=lineage(SQL.identifier("line", "lot_id")),
            linked_lots=lineage(SQL.identifier("linked", "lot_id")),
            made_from=self._med_made_from_sql(),
        )

    def _med_made_from_sql(self):
        # A finding on a lot reaches the lots made from it: the genealogy's step
        # downstream from the ``reach`` CTE's lot (the linked lot is ``linked``).
        return self.env["stock.lot"]._med_genealogy_step_sql(
            "downstream", SQL.identifier("reach", "lot_id")
        )
