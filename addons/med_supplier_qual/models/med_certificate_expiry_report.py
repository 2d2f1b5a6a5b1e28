from odoo import fields, models, tools
from odoo.tools import SQL, frozendict

from odoo.addons.med_lot_trace.models.med_lot_status_report import TODAY_UTC

from .med_supplier_certificate import CERTIFICATE_STATES

EXPIRY_WINDOWS = [
    ("expired", "Expired"),
    ("d30", "Within 30 days"),
    ("d60", "In 31-60 days"),
    ("d90", "In 61-90 days"),
    ("later", "Later"),
]


class MedCertificateExpiryReport(models.Model):
    """Supplier certificates by the window in which they expire, counted from today at
    every read, so that the renewals due in 30, 60 and 90 days are seen in time."""

    _name = "med.certificate.expiry.report"
    _description = "Supplier Certificate Expiry"
    _auto = False
    _depends = frozendict(  # flushed before the view is read
        {
            "med.supplier.certificate": (
                "partner_id",
                "type_id",
                "company_id",
                "expiry_date",
                "state",
            )
        }
    )
    _order = "expiry_date"
    _rec_name = "certificate_id"

    certificate_id = fields.Many2one("med.supplier.certificate", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Supplier", readonly=True)
    type_id = fields.Many2one("med.certificate.type", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    expiry_date = fields.Date(readonly=True)
    days_left = fields.Integer(readonly=True, aggregator="min")
    expiry_window = fields.Selection(EXPIRY_WINDOWS, string="Expires", readonly=True)
    state = fields.Selection(CERTIFICATE_STATES, string="Status", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE VIEW %(view)s AS (
                    SELECT cert.id AS id,
                           cert.id AS certificate_id,
                           cert.partner_id,
                           cert.type_id,
                           cert.company_id,
                           cert.expiry_date,
                           cert.expiry_date - %(today)s AS days_left,
                           CASE WHEN cert.expiry_date < %(today)s THEN 'expired'
                                WHEN cert.expiry_date <= %(today)s + 30 THEN 'd30'
                                WHEN cert.expiry_date <= %(today)s + 60 THEN 'd60'
                                WHEN cert.expiry_date <= %(today)s + 90 THEN 'd90'
                                ELSE 'later'
                           END AS expiry_window,
                           cert.state
                      FROM med_supplier_certificate cert
                     WHERE cert.expiry_date IS NOT NULL
                )
                """,
                view=SQL.identifier(self._table),
                today=TODAY_UTC,
            )
        )
