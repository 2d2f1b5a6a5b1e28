from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

SEVERITIES = [("block", "Blocking"), ("warn", "Warning")]
# Lots waiting for a QA decision: each check gives them a result, pass or fail.
PENDING_STATES = ("quarantine", "hold")


class MedReleaseCheck(models.Model):
    """A reconciliation check of production and quality data, run on every lot
    waiting for release (and, for some, on lots already released). What a check
    looks at is fixed by its code, and its code by the addon that owns the data it
    reads: each addon adds its codes to ``code`` (``selection_add``), a
    ``_med_failures_<code>`` query and a ``_med_message_<code>`` text, and ships the
    check record. Its name, severity and tolerance are configured here."""

    _name = "med.release.check"
    _description = "Release Reconciliation Check"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Selection(
        [
            ("bom_yield", "Yield against the bill of materials"),
            ("expiry_components", "Expiry later than the components'"),
        ],
        required=True,
        readonly=True,
    )
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

    @api.model
    def _med_any_state_codes(self):
        """The checks that also look at lots already released (or rejected,
        recalled): those get a result only when they fail, as an exception for QA
        to review."""
        return frozenset()

    # -- the failures of each check, as SQL --
    # Each _med_failures_<code>(scope, lineage) returns a SELECT of (lot_id, detail
    # jsonb, res_model, res_id): one row per finding. ``scope`` is an SQL condition
    # on the alias ``lot`` (stock_lot) that limits the lots looked at; ``pending`` is
    # the CTE of the lots in scope waiting for release (id); ``lineage(column)`` is
    # an SQL condition true when the lot id in ``column`` is one of the lots in scope
    # or of the lots they are made of (always true when all lots are looked at): a
    # finding reaches a lot in scope only through those, so the genealogy is walked
    # there only.
    def _med_failures_sql(self, scope, lineage):
        self.ensure_one()
        return getattr(self, f"_med_failures_{self.code}")(scope, lineage)

    def _med_message(self, result, detail):
        """One finding of this check, in the reader's language."""
        self.ensure_one()
        return getattr(self, f"_med_message_{self.code}")(result, detail)

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

    def _med_message_bom_yield(self, result, detail):
        # sudo: the names of the order and component behind the finding.
        production = self.env["mrp.production"].sudo().browse(detail["production_id"])
        component = self.env["product.product"].sudo().browse(detail["product_id"])
        return self.env._(
            "%(production)s: %(component)s consumed %(consumed)s, the BoM gives "
            "%(expected)s",
            production=production.exists().name or "",
            component=component.exists().display_name or "",
            consumed=result._med_quantity(detail["consumed"]),
            expected=result._med_quantity(detail["expected"]),
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

    def _med_message_expiry_components(self, result, detail):
        return self.env._(
            "expires %(expiry)s, after component lot %(component)s "
            "(%(component_expiry)s)",
            expiry=detail["expiry"],
            component=detail["component"],
            component_expiry=detail["component_expiry"],
        )

    def _med_made_from_sql(self):
        # A finding on a lot reaches the lots made from it: the genealogy's step
        # downstream from the ``reach`` CTE's lot (the linked lot is ``linked``).
        return self.env["stock.lot"]._med_genealogy_step_sql(
            "downstream", SQL.identifier("reach", "lot_id")
        )
