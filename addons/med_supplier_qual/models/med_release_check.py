from odoo import api, fields, models
from odoo.tools import SQL


class MedReleaseCheck(models.Model):
    """The release check on the data of this addon: the supplier's certificates on
    the day a lot was received, by the certificate's own validity rule."""

    _inherit = "med.release.check"

    code = fields.Selection(
        selection_add=[
            ("supplier_certificate", "Supplier certificate invalid on receipt"),
        ],
        ondelete={"supplier_certificate": "cascade"},
    )

    @api.model
    def _med_any_state_codes(self):
        return super()._med_any_state_codes() | {"supplier_certificate"}

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

    def _med_message_supplier_certificate(self, result, detail):
        if detail["component"]:
            return self.env._(
                "made from lots received while certificate %(certificate)s was not "
                "valid",
                certificate=detail["certificate"],
            )
        return self.env._(
            "received on %(day)s while certificate %(certificate)s was not valid",
            day=detail["day"],
            certificate=detail["certificate"],
        )
