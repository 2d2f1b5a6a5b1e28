from odoo import models
from odoo.tools import SQL

from .med_capa import OPEN_STATES

# Points a CAPA against the supplier, open during the period, takes off the score.
CAPA_PENALTIES = {"minor": 10.0, "major": 25.0, "critical": 50.0}


class MedSupplierEvaluation(models.Model):
    _inherit = "med.supplier.evaluation"

    def _med_score_components(self):
        components = super()._med_score_components()
        company = self.company_id
        inspected, rejected = self._med_inspection_figures()
        capas = self._med_period_capas()
        components += [
            {
                "code": "inspection",
                "label": self.env._("Quantity accepted at inspection"),
                "score": 100.0 * (1 - rejected / inspected) if inspected else None,
                "weight": company.med_eval_weight_inspection,
                "detail": self.env._(
                    "%(rejected)s rejected of %(inspected)s inspected",
                    rejected=rejected,
                    inspected=inspected,
                ),
            },
            {
                "code": "capa",
                "label": self.env._("CAPAs against the supplier"),
                # no CAPA in the period: no data, the other scores decide
                "score": (
                    max(0.0, 100.0 - sum(CAPA_PENALTIES[c.severity] for c in capas))
                    if capas
                    else None
                ),
                "weight": company.med_eval_weight_capa,
                "detail": self.env._(
                    "%(count)s CAPAs open during the period: %(capas)s",
                    count=len(capas),
                    capas=", ".join(capas.mapped("name")) or "-",
                ),
            },
        ]
        return components

    def _med_supplier_ids(self):
        supplier = self.partner_id.commercial_partner_id
        return tuple(supplier.child_ids.ids) + (supplier.id,)

    def _med_inspection_figures(self):
        """(quantity inspected, quantity of it in failed inspections) on the
        supplier's receipts completed in the period, in one query."""
        self.ensure_one()
        self.env["qc.inspection"].flush_model()
        self.env["stock.picking"].flush_model(["partner_id", "picking_type_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT coalesce(sum(inspection.qty), 0),
                       coalesce(sum(inspection.qty)
                                FILTER (WHERE inspection.state = 'failed'), 0)
                  FROM qc_inspection inspection
                  JOIN stock_picking picking ON picking.id = inspection.picking_id
                  JOIN stock_picking_type type ON type.id = picking.picking_type_id
                 WHERE inspection.state IN ('success', 'failed')
                   AND type.code = 'incoming'
                   AND picking.partner_id IN %(partners)s
                   AND inspection.company_id = %(company)s
                   AND inspection.date_done::date BETWEEN %(date_from)s AND %(date_to)s
                """,
                partners=self._med_supplier_ids(),
                company=self.company_id.id,
                date_from=self.date_from,
                date_to=self.date_to,
            )
        )
        return self.env.cr.fetchone()

    def _med_period_capas(self):
        """The CAPAs against the supplier that were open during the period."""
        self.ensure_one()
        # sudo: the evaluation counts every CAPA, whatever its evaluator may read.
        capas = (
            self.env["med.capa"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", self._med_supplier_ids()),
                    ("company_id", "=", self.company_id.id),
                    ("state", "!=", "cancelled"),
                    ("create_date", "<=", f"{self.date_to} 23:59:59"),
                ]
            )
        )
        return capas.filtered(
            lambda c: c.state in OPEN_STATES
            or (c.date_closed and c.date_closed.date() >= self.date_from)
        )
