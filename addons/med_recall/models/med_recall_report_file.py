from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL

from .med_export_template import AUTHORITY_REPORT

LOT_COLUMNS = (
    "lot",
    "product",
    "udi_di",
    "registration",
    "production_date",
    "expiry",
    "scope",
    "state",
    "made",
    "shipped",
    "stock_at_opening",
)
CONSIGNEE_COLUMNS = (
    "customer",
    "address",
    "phone",
    "email",
    "letter",
    "sent",
    "acknowledged_by",
    "acknowledged",
)
RECONCILIATION_COLUMNS = (
    "customer",
    "lot",
    "product",
    "unit",
    "shipped",
    "returned",
    "destroyed",
    "outstanding",
    "letter",
    "acknowledged_by",
)
STOCK_COLUMNS = ("location", "lot", "product", "quantity")


class MedRecall(models.Model):
    """The authority report (NMPA recall event report, FDA 21 CFR 806.10), whose
    sections the dossier engine exports, and the reconciliation sheet."""

    _name = "med.recall"
    _inherit = ("med.recall", "med.dossier.mixin")

    def _med_dossier_sections(self, report):
        sections = super()._med_dossier_sections(report)
        if report != AUTHORITY_REPORT:
            return sections
        # The report the authority asks for, as it always was: its signatures and
        # audit trail are in the recall's own records, not in this form.
        return [
            {
                "code": "authority_fields",
                "label": self.env._("Recall report"),
                "sequence": 10,
                "columns": [
                    ("field", self.env._("Field")),
                    ("value", self.env._("Value")),
                ],
                "rows": self._med_report_field_rows(),
            },
            {
                "code": "authority_lots",
                "label": self.env._("Lots"),
                "sequence": 20,
                "columns": list(zip(LOT_COLUMNS, self._med_lot_labels(), strict=True)),
                "rows": self._med_each_recall_rows("_med_lot_rows"),
            },
            {
                "code": "authority_consignees",
                "label": self.env._("Consignees"),
                "sequence": 30,
                "columns": list(
                    zip(CONSIGNEE_COLUMNS, self._med_consignee_labels(), strict=True)
                ),
                "rows": self._med_each_recall_rows("_med_consignee_rows"),
            },
            {
                "code": "authority_reconciliation",
                "label": self.env._("Reconciliation"),
                "sequence": 40,
                "columns": list(
                    zip(
                        RECONCILIATION_COLUMNS,
                        self._med_reconciliation_labels(),
                        strict=True,
                    )
                ),
                "rows": self._med_each_recall_rows("_med_reconciliation_rows"),
            },
            {
                "code": "authority_stock",
                "label": self.env._("Stock at opening"),
                "sequence": 50,
                "columns": list(
                    zip(STOCK_COLUMNS, self._med_stock_labels(), strict=True)
                ),
                "rows": self._med_each_recall_rows("_med_stock_rows"),
            },
        ]

    def _med_each_recall_rows(self, method):
        """The rows of ``method`` for each recall in turn, read when the file is
        written (nothing for the catalog's empty recordset)."""
        for recall in self:
            yield from getattr(recall, method)()

    def _med_report_field_rows(self):
        for recall in self:
            for label, value in recall._med_report_fields():
                yield [label, value]

    def _med_report_fields(self):
        """[(label, value)] of the authority report: NMPA 召回事件报告表 and FDA
        21 CFR 806.10 ask for these."""
        self.ensure_one()
        company = self.company_id
        products = self.scope_lot_ids.product_id
        date = fields.Date.to_string
        return [
            (self.env._("Recall number"), self.name),
            (self.env._("Title"), self.title),
            (
                self.env._("Manufacturer"),
                ", ".join(
                    filter(
                        None,
                        [
                            company.name,
                            company.partner_id._display_address(
                                without_company=True
                            ).replace("\n", ", "),
                        ],
                    )
                ),
            ),
            (self.env._("Products"), ", ".join(products.mapped("display_name"))),
            (
                self.env._("UDI-DI"),
                ", ".join(filter(None, products.mapped("med_udi_di"))),
            ),
            (
                self.env._("Registration/Filing No."),
                ", ".join(self._med_registration_numbers(products)),
            ),
            (
                self.env._("Lots (recalled and made from them)"),
                ", ".join(self.scope_lot_ids.lot_id.mapped("name")),
            ),
            (self.env._("Initiation"), self._med_selection_label("initiation")),
            (self.env._("NMPA recall level"), self._med_selection_label("nmpa_level")),
            (self.env._("FDA recall class"), self._med_selection_label("fda_class")),
            (self.env._("Reason for recall"), self.reason or ""),
            (self.env._("Health hazard assessment"), self.health_hazard or ""),
            (self.env._("Recall depth"), self._med_selection_label("depth")),
            (self.env._("Instructions to customers"), self.customer_instructions or ""),
            (self.env._("Problem found on"), date(self.date_discovered) or ""),
            (self.env._("Decided on"), date(self.date_decision) or ""),
            (
                self.env._("Launched on (UTC)"),
                fields.Datetime.to_string(self.date_launched) or "",
            ),
            (
                self.env._("Consignees to be notified by (UTC)"),
                fields.Datetime.to_string(self.notification_deadline) or "",
            ),
            (self.env._("Target completion"), date(self.date_target) or ""),
            (self.env._("Responsible person"), self.user_id.name or ""),
            (
                self.env._("Responsible person's phone"),
                self.user_id.phone or self.user_id.mobile or "",
            ),
            (self.env._("Responsible person's email"), self.user_id.email or ""),
            (self.env._("Customers (consignees)"), str(self.customer_count)),
            (self.env._("Customers notified"), str(self.notified_count)),
            (self.env._("Customers reached (%)"), f"{self.reached_percent:.1f}"),
            (
                self.env._("Quantity made or received (per product)"),
                "; ".join(self._med_made_per_product()),
            ),
            (self.env._("Quantity shipped"), self._med_qty(self.shipped_qty)),
            (self.env._("Quantity returned"), self._med_qty(self.returned_qty)),
            (
                self.env._("Quantity destroyed on site"),
                self._med_qty(self.destroyed_qty),
            ),
            (self.env._("Quantity outstanding"), self._med_qty(self.outstanding_qty)),
            (
                self.env._("Quantity in stock at opening"),
                self._med_qty(self._med_stock_qty()),
            ),
            (self.env._("Recovered (%)"), f"{self.recovered_percent:.1f}"),
            (self.env._("Status"), self._med_selection_label("state")),
            (
                self.env._("Closed on (UTC)"),
                fields.Datetime.to_string(self.date_closed) or "",
            ),
            (self.env._("Closure justification"), self.closure_justification or ""),
        ]

    @api.model
    def _med_registration_numbers(self, products):
        """The distinct registration/filing numbers (注册证编号/备案编号) of the
        products, in the order of the products."""
        return list(
            dict.fromkeys(filter(None, products.mapped("med_registration_number")))
        )

    @api.model
    def _med_qty(self, quantity):
        """A quantity as people write it: 12, 12.5 (not 12.0)."""
        return f"{quantity:g}"

    def _med_stock_qty(self):
        return sum(self.stock_ids.mapped("quantity"))

    def _med_letters_by_customer(self):
        """(the letter states' labels, the recall's letter per customer), as both
        customer tables show them."""
        states = dict(
            self.env["med.recall.notification"]
            ._fields["state"]
            ._description_selection(self.env)
        )
        return states, {n.partner_id: n for n in self.notification_ids}

    def _med_reconciliation_labels(self):
        return [
            self.env._("Customer"),
            self.env._("Lot/Serial"),
            self.env._("Product"),
            self.env._("Unit"),
            self.env._("Shipped"),
            self.env._("Returned"),
            self.env._("Destroyed on site"),
            self.env._("Outstanding"),
            self.env._("Letter"),
            self.env._("Acknowledged by"),
        ]

    def _med_reconciliation_rows(self):
        self.ensure_one()
        states, notifications = self._med_letters_by_customer()
        for line in self.line_ids.sorted(
            lambda line: (line.partner_id.display_name or "", line.lot_id.name)
        ):
            notification = notifications.get(line.partner_id)
            yield [
                line.partner_id.display_name or "",
                line.lot_id.name,
                line.product_id.display_name,
                line.product_uom_id.name,
                self._med_qty(line.shipped_qty),
                self._med_qty(line.returned_qty),
                self._med_qty(line.destroyed_qty),
                self._med_qty(line.outstanding_qty),
                states.get(notification.state, "") if notification else "",
                (notification and notification.acknowledged_by) or "",
            ]

    def _med_lot_labels(self):
        return [
            self.env._("Lot/Serial"),
            self.env._("Product"),
            self.env._("UDI-DI"),
            self.env._("Registration/Filing No."),
            self.env._("Production date"),
            self.env._("Expiry date"),
            self.env._("Recalled lot or made from one"),
            self.env._("Status"),
            self.env._("Made or received"),
            self.env._("Shipped"),
            self.env._("In stock at opening"),
        ]

    def _med_made_qty(self):
        """{lot id: quantity}: what each lot of the scope was made (finished in
        production) or received (from a supplier) in, in product units; the
        quantity of the lot that the recall concerns (FDA 806.10(c)(7), NMPA
        生产数量)."""
        self.ensure_one()
        lot_ids = self.scope_lot_ids.lot_id.ids
        if not lot_ids:
            return {}
        self.env["stock.move.line"].flush_model()
        # Set-based and without record rules: the quantity made is a fact of the
        # lot, whoever exports the report (auditor).
        return dict(
            self.env.execute_query(
                SQL(
                    """
            SELECT line.lot_id, sum(line.quantity_product_uom)
              FROM stock_move_line line
              JOIN stock_location source
                ON source.id = line.location_id
               AND source.usage IN ('production', 'supplier')
              JOIN stock_location destination
                ON destination.id = line.location_dest_id
               AND destination.usage = 'internal'
             WHERE line.state = 'done' AND line.lot_id = ANY(%s)
             GROUP BY line.lot_id
            """,
                    lot_ids,
                )
            )
        )

    def _med_made_per_product(self):
        """["product: quantity unit"] made or received, summed over the scope's lots
        of each product."""
        made = self._med_made_qty()
        per_product = defaultdict(float)
        for lot in self.scope_lot_ids.lot_id:
            per_product[lot.product_id] += made.get(lot.id, 0.0)
        return [
            f"{product.display_name}: {self._med_qty(quantity)} {product.uom_id.name}"
            for product, quantity in per_product.items()
            if quantity
        ]

    def _med_lot_rows(self):
        """Each lot of the scope with what NMPA's and FDA's reports ask of it."""
        self.ensure_one()
        states = dict(
            self.env["stock.lot"]._fields["med_state"]._description_selection(self.env)
        )
        made = self._med_made_qty()
        shipped, stock = defaultdict(float), defaultdict(float)
        for line in self.line_ids:
            shipped[line.lot_id] += line.shipped_qty
        for line in self.stock_ids:
            stock[line.lot_id] += line.quantity
        for line in self.scope_lot_ids:
            lot = line.lot_id
            yield [
                lot.name,
                lot.product_id.display_name,
                lot.product_id.med_udi_di or "",
                lot.product_id.med_registration_number or "",
                fields.Date.to_string(lot.med_production_date) or "",
                fields.Datetime.to_string(lot.expiration_date) or "",
                self.env._("Recalled") if line.selected else self.env._("Made from"),
                states.get(lot.med_state, ""),
                self._med_qty(made.get(lot.id, 0.0)),
                self._med_qty(shipped[lot]),
                self._med_qty(stock[lot]),
            ]

    def _med_consignee_labels(self):
        return [
            self.env._("Customer"),
            self.env._("Address"),
            self.env._("Phone"),
            self.env._("Email"),
            self.env._("Letter"),
            self.env._("Sent on (UTC)"),
            self.env._("Acknowledged by"),
            self.env._("Acknowledged on (UTC)"),
        ]

    def _med_consignee_rows(self):
        """Each customer, where to reach them, and how far the letter went."""
        self.ensure_one()
        states, notifications = self._med_letters_by_customer()
        for partner in self.line_ids.partner_id.sorted("display_name"):
            notification = notifications.get(partner)
            yield [
                partner.display_name or "",
                partner._display_address(without_company=True).replace("\n", ", "),
                partner.phone or partner.mobile or "",
                partner.email or "",
                states.get(notification.state, "") if notification else "",
                fields.Datetime.to_string(notification.date_sent) or ""
                if notification
                else "",
                (notification and notification.acknowledged_by) or "",
                fields.Datetime.to_string(notification.date_acknowledged) or ""
                if notification
                else "",
            ]

    def _med_stock_labels(self):
        return [
            self.env._("Location"),
            self.env._("Lot/Serial"),
            self.env._("Product"),
            self.env._("Quantity"),
        ]

    def _med_stock_rows(self):
        self.ensure_one()
        for line in self.stock_ids:
            yield [
                line.location_id.display_name,
                line.lot_id.name,
                line.product_id.display_name,
                self._med_qty(line.quantity),
            ]

    def _med_ensure_exportable(self):
        self.ensure_one()
        self._med_require_group(
            "med_audit_export.group_med_auditor",
            self.env._(
                "Only auditors, QA managers and compliance administrators export "
                "evidence reports."
            ),
        )

    def action_export_report(self):
        """The authority report through the dossier engine (template, xlsx or PDF,
        PDF/A, stamp, verification code, signature and export record): opens
        *Export an Evidence Report* on these recalls."""
        self._med_ensure_exportable()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Authority Report"),
            "res_model": "med.dossier.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_report": AUTHORITY_REPORT,
                "default_res_model": self._name,
                "default_res_ids": ",".join(str(i) for i in self.ids),
            },
        }

    def action_export_reconciliation(self):
        """The reconciliation sheet (xlsx): per customer and lot, shipped, returned,
        destroyed and outstanding."""
        self._med_ensure_exportable()
        title = self.env._("Recall reconciliation %(recall)s", recall=self.name)
        data = {"title": title, "filter_description": self.name}
        rows = list(self._med_reconciliation_rows())
        Export = self.env["med.audit.export"]
        content = Export._med_render_table(
            "xlsx", data, self._med_reconciliation_labels(), rows
        )
        return self._med_export_action(
            Export._med_record_export(title, "xlsx", content, self.name, len(rows))
        )

    @api.model
    def _med_export_action(self, export):
        return {
            "type": "ir.actions.act_window",
            "res_model": export._name,
            "res_id": export.id,
            "view_mode": "form",
            "target": "current",
        }
