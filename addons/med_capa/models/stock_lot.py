from odoo import fields, models

from .med_capa import CAPA_READERS, OPEN_STATES


class StockLot(models.Model):
    _inherit = "stock.lot"

    # A lot held by a CAPA rule stays held when med_capa is uninstalled.
    med_hold_source = fields.Selection(
        selection_add=[("capa", "CAPA")], ondelete={"capa": "set manual"}
    )
    # Only for the roles that may read nonconformances and CAPAs.
    med_nonconformance_ids = fields.Many2many(
        "med.nonconformance",
        string="Nonconformances",
        compute="_compute_med_capa",
        groups=CAPA_READERS,
    )
    med_capa_ids = fields.Many2many(
        "med.capa", string="CAPAs", compute="_compute_med_capa", groups=CAPA_READERS
    )
    med_nonconformance_count = fields.Integer(
        string="Nonconformance Count", compute="_compute_med_capa", groups=CAPA_READERS
    )
    med_capa_count = fields.Integer(
        string="CAPA Count", compute="_compute_med_capa", groups=CAPA_READERS
    )

    def _compute_med_capa(self):
        nonconformances = self.env["med.nonconformance"].search(
            [("lot_ids", "in", self.ids)]
        )
        capas = self.env["med.capa"].search([("lot_ids", "in", self.ids)])
        for lot in self:
            lot.med_nonconformance_ids = nonconformances.filtered(
                lambda n, lot=lot: lot in n.lot_ids
            )
            lot.med_capa_ids = capas.filtered(lambda c, lot=lot: lot in c.lot_ids)
            lot.med_nonconformance_count = len(lot.med_nonconformance_ids)
            lot.med_capa_count = len(lot.med_capa_ids)

    def _med_release_checks(self):
        """An open nonconformance or CAPA on the lot, or on any lot it is made of,
        blocks its release."""
        blocking = super()._med_release_checks()
        lineage = {lot: lot | lot.med_trace_upstream() for lot in self}
        all_lots = self.browse().union(*lineage.values())
        # sudo: release is blocked by every open record, readable or not.
        nonconformances = (
            self.env["med.nonconformance"]
            .sudo()
            .search([("lot_ids", "in", all_lots.ids), ("state", "=", "open")])
        )
        capas = (
            self.env["med.capa"]
            .sudo()
            .search([("lot_ids", "in", all_lots.ids), ("state", "in", OPEN_STATES)])
        )
        # An inspection not finished yet (planned, ready, waiting for approval) on
        # the lot itself: its result is not known, so the lot cannot be released.
        pending = (
            self.env["qc.inspection"]
            .sudo()
            .search(
                [
                    ("lot_id", "in", self.ids),
                    ("state", "in", ("draft", "ready", "waiting")),
                ]
            )
        )
        for lot, lots in lineage.items():
            reasons = []
            unfinished = pending.filtered(lambda i, lot=lot: i.lot_id == lot)
            if unfinished:
                reasons.append(
                    self.env._(
                        "inspection %(records)s is not finished",
                        records=", ".join(unfinished.mapped("name")),
                    )
                )
            open_ncs = nonconformances.filtered(lambda n, lots=lots: n.lot_ids & lots)
            if open_ncs:
                reasons.append(
                    self.env._(
                        "open nonconformance %(records)s",
                        records=", ".join(open_ncs.mapped("name")),
                    )
                )
            open_capas = capas.filtered(lambda c, lots=lots: c.lot_ids & lots)
            if open_capas:
                reasons.append(
                    self.env._(
                        "open CAPA %(records)s",
                        records=", ".join(open_capas.mapped("name")),
                    )
                )
            if reasons:
                blocking.setdefault(lot, []).extend(reasons)
        return blocking

    def _med_put_on_hold(self, source, reason):
        result = super()._med_put_on_hold(source, reason)
        if source == "expiry":
            expired = self.filtered(
                lambda lot: lot.med_state == "hold" and lot.med_hold_source == "expiry"
            )
            if expired:
                self.env["med.capa.rule"]._med_fire(
                    "lot_expired", [lot._med_expiry_event(reason) for lot in expired]
                )
        return result

    def _med_expiry_event(self, reason):
        self.ensure_one()
        return {
            "origin": self,
            "lots": self,
            "product": self.product_id,
            "partner": self._med_suppliers()[:1],
            "quantity": self.product_qty,
            "company": self.company_id or self.env.company,
            "description": self.env._(
                "Lot %(lot)s of %(product)s expired on %(date)s with %(qty)s in "
                "stock: %(reason)s",
                lot=self.name,
                product=self.product_id.display_name,
                date=fields.Date.to_string(self.expiration_date),
                qty=self.product_qty,
                reason=reason,
            ),
        }

    def _med_suppliers(self):
        """The partners these lots were received from (done receipts)."""
        # sudo: the supplier of a lot is named whatever the user may read of receipts.
        lines = (
            self.env["stock.move.line"]
            .sudo()
            .search(
                [
                    ("lot_id", "in", self.ids),
                    ("state", "=", "done"),
                    ("location_id.usage", "=", "supplier"),
                ],
                order="date desc",
            )
        )
        return (lines.picking_id.partner_id | lines.move_id.partner_id).with_env(
            self.env
        )

    # -- lot dossier (med_audit_export's evidence reports) --
    def _med_dossier_quality_records(self):
        """The nonconformances and CAPAs of these lots and of their component lots."""
        # sudo: the dossier shows every record about the lots the auditor can read.
        lots = (self | self._med_dossier_upstream()).sudo()
        return (
            self.env["med.nonconformance"].sudo().search([("lot_ids", "in", lots.ids)]),
            self.env["med.capa"].sudo().search([("lot_ids", "in", lots.ids)]),
        )

    def _med_dossier_records(self):
        records = super()._med_dossier_records()
        if self:
            nonconformances, capas = self._med_dossier_quality_records()
            records["med.nonconformance"] = nonconformances
            records["med.capa"] = capas
        return records

    def _med_dossier_sections(self, report):
        sections = super()._med_dossier_sections(report)
        if report != "lot_dossier":
            return sections
        return sections + [
            {
                "code": "inspections",
                "label": self.env._("Inspections"),
                "sequence": 75,
                "columns": [
                    ("inspection", self.env._("Inspection")),
                    ("lot", self.env._("Lot/Serial")),
                    ("product", self.env._("Product")),
                    ("test", self.env._("Test")),
                    ("quantity", self.env._("Quantity")),
                    ("done", self.env._("Done on (UTC)")),
                    ("inspector", self.env._("Inspector")),
                    ("result", self.env._("Result")),
                ],
                "rows": self._med_dossier_inspection_rows(),
            },
            {
                "code": "nonconformances_capa",
                "label": self.env._("Nonconformances and CAPA"),
                "sequence": 80,
                "columns": [
                    ("record", self.env._("Record")),
                    ("lots", self.env._("Lots")),
                    ("opened", self.env._("Opened (UTC)")),
                    ("severity", self.env._("Severity")),
                    ("state", self.env._("Status")),
                    ("decision", self.env._("Disposition or closure")),
                    ("description", self.env._("Description")),
                ],
                "rows": self._med_dossier_quality_rows(),
            },
        ]

    def _med_dossier_inspection_rows(self):
        """Inspections of these lots and of their component lots, with each question's
        result, as quality_control_oca recorded them."""
        if not self:
            return
        lots = self | self._med_dossier_upstream()
        # sudo: the dossier shows every inspection of the lots the auditor can read.
        inspections = (
            self.env["qc.inspection"]
            .sudo()
            .search([("lot_id", "in", lots.ids)], order="date, id")
        )
        states = dict(inspections._fields["state"]._description_selection(self.env))
        for inspection in inspections:
            yield [
                inspection.name,
                inspection.lot_id.name,
                inspection.product_id.display_name or "",
                inspection.test.name or "",
                f"{inspection.qty:g}",
                fields.Datetime.to_string(inspection.date_done) or "",
                inspection.user.name or "",
                states.get(inspection.state, ""),
            ]

    def _med_dossier_quality_rows(self):
        if not self:
            return
        nonconformances, capas = self._med_dossier_quality_records()
        for records, decision in (
            (nonconformances, "disposition"),
            (capas, "effectiveness_result"),
        ):
            labels = {
                name: dict(records._fields[name]._description_selection(self.env))
                for name in ("severity", "state", decision)
            }
            for record in records.sorted("create_date"):
                yield [
                    record.display_name,
                    ", ".join(record.lot_ids.mapped("name")),
                    fields.Datetime.to_string(record.create_date),
                    labels["severity"].get(record.severity, ""),
                    labels["state"].get(record.state, ""),
                    labels[decision].get(record[decision], ""),
                    record.description or "",
                ]
