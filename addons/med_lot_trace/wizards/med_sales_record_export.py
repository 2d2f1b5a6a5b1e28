import datetime

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import split_every


class MedSalesRecordExport(models.TransientModel):
    """The sales record of a period (销售记录): every lot delivered to a customer or
    returned by one, with what a GSP inspector or a recall needs of it."""

    _name = "med.sales.record.export"
    _description = "Sales Record Export"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.user.company_ids.ids)],
    )
    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(month=1, day=1),
    )
    date_to = fields.Date(
        string="To", required=True, default=lambda self: fields.Date.context_today(self)
    )
    partner_ids = fields.Many2many(
        "res.partner",
        string="Customers",
        help="Only these customers and their addresses. Empty: every customer.",
    )
    product_ids = fields.Many2many(
        "product.product",
        string="Products",
        domain=[("tracking", "!=", "none")],
        help="Empty: every product.",
    )
    include_returns = fields.Boolean(
        string="Include Customer Returns",
        default=True,
        help="Returns appear as lines of negative quantity.",
    )

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        for wizard in self:
            if wizard.date_to < wizard.date_from:
                raise ValidationError(
                    self.env._(
                        "The period ends (%(end)s) before it starts (%(start)s).",
                        start=wizard.date_from,
                        end=wizard.date_to,
                    )
                )

    def _med_bounds(self):
        """The period as UTC datetimes: from the start of ``date_from`` to the end of
        ``date_to``, days counted in the user's time zone."""
        zone = pytz.timezone(self.env.user.tz or "UTC")

        def midnight(day):
            local = zone.localize(datetime.datetime.combine(day, datetime.time.min))
            return local.astimezone(pytz.utc).replace(tzinfo=None)

        return midnight(self.date_from), midnight(
            self.date_to + datetime.timedelta(days=1)
        )

    def _med_domain(self):
        start, end = self._med_bounds()
        to_customer = [("location_dest_id.usage", "=", "customer")]
        if self.include_returns:
            to_customer = [
                "|",
                *to_customer,
                ("location_id.usage", "=", "customer"),
            ]
        domain = [
            ("state", "=", "done"),
            ("company_id", "=", self.company_id.id),
            ("lot_id", "!=", False),
            ("date", ">=", start),
            ("date", "<", end),
            *to_customer,
        ]
        if self.partner_ids:
            domain.append(("med_partner_id", "child_of", self.partner_ids.ids))
        if self.product_ids:
            domain.append(("product_id", "in", self.product_ids.ids))
        return domain

    def _med_labels(self):
        """What NMPA's 医疗器械经营质量管理规范 asks a sales record (销售记录) to show
        per line: device, specification, registration number, manufacturer, lot,
        dates, quantity, buyer with address and contact, date of sale."""
        return [
            self.env._("Type"),
            self.env._("Date (%(zone)s)", zone=self.env.user.tz or "UTC"),
            self.env._("Document"),
            self.env._("Customer"),
            self.env._("Customer Address"),
            self.env._("Customer Phone"),
            self.env._("Product"),
            self.env._("Internal Reference"),
            self.env._("Registration/Filing No."),
            self.env._("Device Manufacturer"),
            self.env._("UDI-DI"),
            self.env._("Lot/Serial"),
            self.env._("Production Date"),
            self.env._("Expiration Date"),
            self.env._("Quantity"),
            self.env._("Unit"),
        ]

    def _med_rows(self, lines):
        """The rows of ``lines``, a thousand lines at a time: a year of deliveries
        does not have to fit in the ORM cache."""
        zone = pytz.timezone(self.env.user.tz or "UTC")
        kinds = {True: self.env._("Delivery"), False: self.env._("Return")}
        addresses = {}
        for ids in split_every(1000, lines.ids):
            for line in lines.browse(ids):
                delivered = line.location_dest_id.usage == "customer"
                product, partner, lot = (
                    line.product_id,
                    line.med_partner_id,
                    line.lot_id,
                )
                manufacturer = product.med_manufacturer_id or line.company_id.partner_id
                if partner not in addresses:
                    addresses[partner] = (
                        partner._display_address(without_company=True).replace(
                            "\n", ", "
                        )
                        if partner
                        else ""
                    )
                yield [
                    kinds[delivered],
                    pytz.utc.localize(line.date)
                    .astimezone(zone)
                    .strftime("%Y-%m-%d %H:%M"),
                    line.reference or "",
                    partner.display_name or "",
                    addresses[partner],
                    partner.phone or partner.mobile or "",
                    product.display_name,
                    product.default_code or "",
                    product.med_registration_number or "",
                    manufacturer.name,
                    product.med_udi_di or "",
                    lot.name,
                    fields.Date.to_string(lot.med_production_date) or "",
                    fields.Datetime.to_string(lot.expiration_date) or "",
                    f"{line.quantity if delivered else -line.quantity:g}",
                    line.product_uom_id.name,
                ]
            self.env.invalidate_all()

    def _med_export(self, file_format):
        self.ensure_one()
        lines = self.env["stock.move.line"].search(self._med_domain(), order="date, id")
        period = self.env._(
            "%(start)s to %(end)s", start=self.date_from, end=self.date_to
        )
        if not lines:
            raise UserError(
                self.env._(
                    "No lot was delivered to or returned by a customer of %(company)s "
                    "from %(period)s with these filters.",
                    company=self.company_id.name,
                    period=period,
                )
            )
        filters = [period]
        if self.partner_ids:
            filters.append(", ".join(self.partner_ids.mapped("display_name")))
        if self.product_ids:
            filters.append(", ".join(self.product_ids.mapped("display_name")))
        data = {
            "title": self.env._("Sales Record"),
            "filter_description": "; ".join(filters),
        }
        Export = self.env["med.audit.export"]
        content = Export._med_render_table(
            file_format, data, self._med_labels(), self._med_rows(lines)
        )
        export = Export._med_record_export(
            data["title"], file_format, content, data["filter_description"], len(lines)
        )
        return export.action_download()

    def action_export_xlsx(self):
        return self._med_export("xlsx")

    def action_export_csv(self):
        return self._med_export("csv")
