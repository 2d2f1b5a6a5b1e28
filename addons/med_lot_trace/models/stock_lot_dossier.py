from odoo import fields, models


class StockLot(models.Model):
    """The lot dossier (device history record, 批记录) and recall report sections that
    lot traceability knows: the lot, its status history, genealogy, production,
    receipts, deliveries and stock."""

    _inherit = "stock.lot"

    def _med_dossier_records(self):
        records = super()._med_dossier_records()
        if self:
            # The audit trail and signatures of the component lots belong to the
            # device's history too.
            records["stock.lot"] = self | self._med_dossier_upstream()
        return records

    def _med_dossier_upstream(self):
        """The component lots, traced once for all the sections of one report."""
        return self._med_dossier_memo(
            "upstream", lambda lots: lots.med_trace_upstream()
        )

    def _med_dossier_sections(self, report):
        sections = super()._med_dossier_sections(report)
        if report == "lot_dossier":
            return self._med_lot_dossier_sections() + sections
        if report == "recall_report":
            # A recall report is the scope, not the lots' own history.
            return self._med_recall_report_sections()
        return sections

    def _med_lot_columns(self):
        return [
            ("lot", self.env._("Lot/Serial")),
            ("product", self.env._("Product")),
            ("udi_di", self.env._("UDI-DI")),
            ("udi", self.env._("UDI")),
            ("production_date", self.env._("Production date")),
            ("expiry", self.env._("Expiry date")),
            ("state", self.env._("Status")),
        ]

    def _med_lot_rows(self, lots):
        states = dict(self._fields["med_state"]._description_selection(self.env))
        for lot in lots:
            yield [
                lot.name,
                lot.product_id.display_name,
                lot.product_id.med_udi_di or "",
                lot.med_udi or "",
                fields.Date.to_string(lot.med_production_date) or "",
                fields.Datetime.to_string(lot.expiration_date) or "",
                states.get(lot.med_state, ""),
            ]

    def _med_lot_dossier_sections(self):
        upstream = self._med_dossier_upstream() if self else self
        # one statement for the deliveries and the stock (empty lots: no query)
        scope = self.med_recall_scope()
        return [
            {
                "code": "lots",
                "label": self.env._("Lots"),
                "sequence": 10,
                "columns": self._med_lot_columns()
                + [
                    ("hold", self.env._("Hold reason")),
                    ("recorded_by", self.env._("Received or produced by")),
                ],
                "rows": (
                    row + [lot.med_hold_reason or "", lot.med_recorded_by_id.name or ""]
                    for lot, row in zip(self, self._med_lot_rows(self), strict=True)
                ),
            },
            {
                "code": "status_history",
                "label": self.env._("Status history"),
                "sequence": 20,
                "columns": [
                    ("timestamp", self.env._("When (UTC)")),
                    ("lot", self.env._("Lot/Serial")),
                    ("field", self.env._("Field")),
                    ("old", self.env._("From")),
                    ("new", self.env._("To")),
                    ("user", self.env._("By")),
                    ("reason", self.env._("Reason")),
                ],
                "rows": self._med_status_history_rows(),
            },
            {
                "code": "components",
                "label": self.env._("Component lots (upstream)"),
                "sequence": 30,
                "columns": self._med_lot_columns(),
                "rows": self._med_lot_rows(upstream),
            },
            {
                "code": "production",
                "label": self.env._("Production"),
                "sequence": 40,
                "columns": [
                    ("reference", self.env._("Manufacturing order")),
                    ("lot", self.env._("Lot/Serial")),
                    ("product", self.env._("Product")),
                    ("quantity", self.env._("Quantity")),
                    ("date", self.env._("Done on (UTC)")),
                    ("responsible", self.env._("Responsible")),
                ],
                "rows": self._med_production_rows(),
            },
            {
                "code": "deliveries",
                "label": self.env._("Deliveries (downstream)"),
                "sequence": 60,
                "columns": self._med_delivery_columns(),
                "rows": self._med_delivery_rows(scope["delivered_move_lines"]),
            },
            {
                "code": "on_hand",
                "label": self.env._("On hand"),
                "sequence": 70,
                "columns": self._med_on_hand_columns(),
                "rows": self._med_on_hand_rows(scope["on_hand"]),
            },
        ]

    def _med_status_history_rows(self):
        names = ["med_state", "med_hold_source", "med_hold_reason", "expiration_date"]
        entries = self.env["med.audit.entry"].search(
            [
                ("res_model", "=", "stock.lot"),
                ("res_id", "in", self.ids),
                ("field_name", "in", names),
            ],
            order="timestamp, id",
        )
        for entry in entries:
            yield [
                fields.Datetime.to_string(entry.timestamp),
                entry.res_name or "",
                entry.field_label or entry.field_name,
                entry.old_value or "",
                entry.new_value or "",
                entry.user_id.name or "",
                entry.reason or "",
            ]

    def _med_production_rows(self):
        if "mrp.production" not in self.env:
            return
        productions = self.env["mrp.production"].search(
            [("lot_producing_id", "in", self.ids), ("state", "=", "done")],
            order="date_finished, id",
        )
        for production in productions:
            yield [
                production.name,
                production.lot_producing_id.name,
                production.product_id.display_name,
                f"{production.qty_produced:g} {production.product_uom_id.name}",
                fields.Datetime.to_string(production.date_finished) or "",
                production.user_id.name or "",
            ]

    def _med_delivery_columns(self):
        return [
            ("date", self.env._("Date (UTC)")),
            ("reference", self.env._("Delivery")),
            ("customer", self.env._("Customer")),
            ("lot", self.env._("Lot/Serial")),
            ("udi", self.env._("UDI")),
            ("product", self.env._("Product")),
            ("quantity", self.env._("Quantity")),
        ]

    def _med_delivery_rows(self, lines):
        for line in lines:
            customer = line.med_partner_id
            yield [
                fields.Datetime.to_string(line.date),
                line.reference or "",
                customer.display_name or "",
                line.lot_id.name or "",
                line.lot_id.med_udi or "",
                line.product_id.display_name,
                f"{line.quantity:g} {line.product_uom_id.name}",
            ]

    def _med_on_hand_columns(self):
        return [
            ("location", self.env._("Location")),
            ("lot", self.env._("Lot/Serial")),
            ("product", self.env._("Product")),
            ("quantity", self.env._("Quantity")),
        ]

    def _med_on_hand_rows(self, quants):
        for quant in quants:
            yield [
                quant.location_id.display_name,
                quant.lot_id.name or "",
                quant.product_id.display_name,
                f"{quant.quantity:g} {quant.product_uom_id.name}",
            ]

    def _med_recall_report_sections(self):
        scope = self.med_recall_scope()
        return [
            {
                "code": "recall_lots",
                "label": self.env._("Lots in scope"),
                "sequence": 10,
                "columns": self._med_lot_columns(),
                "rows": self._med_lot_rows(scope["lots"]),
            },
            {
                "code": "recall_customers",
                "label": self.env._("Customers to notify"),
                "sequence": 20,
                "columns": [
                    ("customer", self.env._("Customer")),
                    ("address", self.env._("Address")),
                    ("phone", self.env._("Phone")),
                    ("email", self.env._("Email")),
                    ("lots", self.env._("Lots and quantities")),
                ],
                "rows": self._med_recall_customer_rows(scope),
            },
            {
                "code": "recall_deliveries",
                "label": self.env._("Deliveries"),
                "sequence": 30,
                "columns": self._med_delivery_columns(),
                "rows": self._med_delivery_rows(scope["delivered_move_lines"]),
            },
            {
                "code": "recall_on_hand",
                "label": self.env._("Still in stock"),
                "sequence": 40,
                "columns": self._med_on_hand_columns(),
                "rows": self._med_on_hand_rows(scope["on_hand"]),
            },
        ]

    def _med_recall_customer_rows(self, scope):
        shipped = {}
        for line in scope["delivered_move_lines"]:
            customer = line.med_partner_id.commercial_partner_id
            key = (line.lot_id.name, line.product_uom_id.name)
            per_customer = shipped.setdefault(customer, {})
            per_customer[key] = per_customer.get(key, 0.0) + line.quantity
        for customer, quantities in sorted(
            shipped.items(), key=lambda item: item[0].display_name or ""
        ):
            yield [
                customer.display_name or "",
                customer._display_address(without_company=True).replace("\n", ", "),
                customer.phone or customer.mobile or "",
                customer.email or "",
                "; ".join(
                    f"{lot} × {quantity:g} {uom}"
                    for (lot, uom), quantity in sorted(quantities.items())
                ),
            ]
