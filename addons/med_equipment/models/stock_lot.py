from odoo import fields, models

from odoo.addons.med_audit_export.models.med_signable_mixin import QA_MANAGER


class StockLot(models.Model):
    """Equipment holds, complaints, and the lot dossier (DHR) sections of the
    equipment ledger and after-sales: the equipment used with its calibration
    then, the service history and the complaints."""

    _inherit = "stock.lot"

    med_hold_source = fields.Selection(
        selection_add=[("equipment", "Equipment Calibration")],
        ondelete={"equipment": "set null"},
    )
    med_complaint_ids = fields.One2many("med.complaint", "lot_id", string="Complaints")
    med_complaint_count = fields.Integer(
        string="Complaint Count", compute="_compute_med_complaint_count"
    )
    med_installed_base_ids = fields.One2many(
        "med.installed.base", "lot_id", string="Installed Base"
    )

    @property
    def _med_signature_actions(self):
        # Added to the signed actions of the lower addons, whatever they are.
        return {
            **super()._med_signature_actions,
            "_med_do_equipment_hold": ("hold", QA_MANAGER),
        }

    def _med_udi_or_upc(self):
        """The device identification a complaint or service record keeps: the
        lot's UDI, else the product's UPC/EAN barcode, else nothing."""
        if not self:
            return False
        self.ensure_one()
        if self.product_id.med_udi_di:
            return self.med_udi
        barcode = self.product_id.barcode
        return f"UPC/EAN {barcode}" if barcode else False

    def _compute_med_complaint_count(self):
        counts = dict(
            self.env["med.complaint"]._read_group(
                [("lot_id", "in", self.ids)], ["lot_id"], ["__count"]
            )
        )
        for lot in self:
            lot.med_complaint_count = counts.get(lot, 0)

    def _med_do_equipment_hold(self):
        """Hold lots made or inspected with equipment whose calibration failed
        (signed by a QA manager; the signature comment is the reason)."""
        self._med_ensure_qa_manager()
        self._med_put_on_hold("equipment", self.env.context.get("med_reason"))

    def action_med_complaints(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Complaints"),
            "res_model": "med.complaint",
            "view_mode": "list,form",
            "domain": [("lot_id", "in", self.ids)],
            "context": {"default_lot_id": self.id} if len(self) == 1 else {},
        }

    # -- lot dossier (med_audit_export's evidence reports) --
    def _med_dossier_downstream(self):
        """The lots made from these, traced once for all the sections of a report."""
        return self._med_dossier_memo(
            "downstream", lambda lots: lots.med_trace_downstream()
        )

    def _med_dossier_complaints(self):
        """Complaints about these lots or about devices made from them."""
        lots = self | self._med_dossier_downstream()
        # sudo: the dossier shows every complaint about the lots the auditor reads.
        return (
            self.env["med.complaint"]
            .sudo()
            .search([("lot_id", "in", lots.ids)], order="date_received, id")
        )

    def _med_dossier_records(self):
        records = super()._med_dossier_records()
        if self:
            records["med.complaint"] = self._med_dossier_complaints()
        return records

    def _med_dossier_sections(self, report):
        sections = super()._med_dossier_sections(report)
        if report != "lot_dossier":
            return sections
        return sections + [
            {
                "code": "equipment",
                "label": self.env._("Equipment used"),
                "sequence": 45,
                "columns": [
                    ("date", self.env._("When (UTC)")),
                    ("document", self.env._("Manufacturing order or inspection")),
                    ("lots", self.env._("Lots")),
                    ("equipment", self.env._("Equipment")),
                    ("certificate", self.env._("Calibration certificate")),
                    ("valid_until", self.env._("Valid until")),
                    ("calibration", self.env._("Calibration then")),
                    ("status", self.env._("Status then")),
                    ("lapsed", self.env._("Used despite a lapse")),
                ],
                "rows": self._med_dossier_equipment_rows(),
            },
            {
                "code": "service",
                "label": self.env._("Service history"),
                "sequence": 65,
                "columns": [
                    ("repair", self.env._("Repair")),
                    ("lot", self.env._("Lot/Serial")),
                    ("customer", self.env._("Customer")),
                    ("date", self.env._("Scheduled (UTC)")),
                    ("state", self.env._("Status")),
                    ("added", self.env._("Part lots added")),
                    ("removed", self.env._("Part lots removed")),
                    ("udi", self.env._("UDI (or UPC)")),
                    ("serviced_on", self.env._("Serviced on (UTC)")),
                    ("serviced_by", self.env._("Serviced by")),
                    ("failure", self.env._("Failure category")),
                    ("performed", self.env._("Service performed")),
                    ("tests", self.env._("Servicing tests")),
                ],
                "rows": self._med_dossier_service_rows(),
            },
            {
                "code": "complaints",
                "label": self.env._("Complaints"),
                "sequence": 78,
                "columns": [
                    ("complaint", self.env._("Complaint")),
                    ("received", self.env._("Received (UTC)")),
                    ("customer", self.env._("Customer")),
                    ("lot", self.env._("Lot/Serial")),
                    ("udi", self.env._("UDI (or UPC)")),
                    ("contact", self.env._("Complainant")),
                    ("severity", self.env._("Severity")),
                    ("adverse", self.env._("Possible adverse event")),
                    ("state", self.env._("Status")),
                    ("records", self.env._("Nonconformances and CAPAs")),
                    ("description", self.env._("Reported")),
                    ("reportable", self.env._("Reportable to the authority")),
                    ("deadlines", self.env._("Report due (NMPA / FDA)")),
                    ("report", self.env._("Authority report")),
                    ("no_investigation", self.env._("Reason for not investigating")),
                    ("correction", self.env._("Correction")),
                    ("reply", self.env._("Reply to the customer")),
                ],
                "rows": self._med_dossier_complaint_rows(),
            },
        ]

    def _med_dossier_equipment_rows(self):
        """Equipment used to make or inspect these lots and their components."""
        if not self:
            return
        lots = self | self._med_dossier_upstream()
        Usage = self.env["med.equipment.usage"]
        # sudo: the dossier shows every use of equipment on the lots it covers.
        usages = Usage.sudo().search([("lot_ids", "in", lots.ids)], order="date, id")
        calibrations = dict(
            Usage._fields["calibration_state"]._description_selection(self.env)
        )
        statuses = dict(
            Usage._fields["equipment_status"]._description_selection(self.env)
        )
        for usage in usages:
            yield [
                fields.Datetime.to_string(usage.date),
                (usage.production_id or usage.inspection_id).display_name or "",
                ", ".join((usage.lot_ids & lots).mapped("name")),
                usage.equipment_id.display_name,
                usage.certificate_id.display_name or "",
                fields.Date.to_string(usage.calibration_valid_until) or "",
                calibrations.get(usage.calibration_state, ""),
                statuses.get(usage.equipment_status, ""),
                self.env._("Yes") if usage.lapsed else self.env._("No"),
            ]

    def _med_dossier_service_rows(self):
        if not self:
            return
        # sudo: the dossier shows every repair of the lots it covers.
        repairs = (
            self.env["repair.order"]
            .sudo()
            .search([("lot_id", "in", self.ids)], order="schedule_date, id")
        )
        states = dict(repairs._fields["state"]._description_selection(self.env))
        failures = dict(
            repairs._fields["med_failure_category"]._description_selection(self.env)
        )
        inspections = repairs._med_inspections()
        results = dict(inspections._fields["state"]._description_selection(self.env))
        for repair in repairs:
            yield [
                repair.name,
                repair.lot_id.name,
                repair.partner_id.display_name or "",
                fields.Datetime.to_string(repair.schedule_date),
                states.get(repair.state, ""),
                ", ".join(repair.med_added_lot_ids.mapped("name")),
                ", ".join(repair.med_removed_lot_ids.mapped("name")),
                repair.med_udi or "",
                fields.Datetime.to_string(repair.med_date_serviced) or "",
                repair.med_serviced_by_id.name or "",
                failures.get(repair.med_failure_category, ""),
                repair.med_service_performed or "",
                ", ".join(
                    f"{inspection.name} {inspection.test.name}: "
                    f"{results.get(inspection.state, '')}"
                    for inspection in inspections
                    if inspection.object_id == repair
                ),
            ]

    def _med_dossier_complaint_rows(self):
        if not self:
            return
        complaints = self._med_dossier_complaints()
        labels = {
            name: dict(complaints._fields[name]._description_selection(self.env))
            for name in ("severity", "state", "reportable", "event_category")
        }
        for complaint in complaints:
            yield [
                complaint.name,
                fields.Datetime.to_string(complaint.date_received),
                complaint.partner_id.display_name,
                complaint.lot_id.name,
                complaint.udi or "",
                complaint._med_contact_summary(),
                labels["severity"].get(complaint.severity, ""),
                self.env._("Yes") if complaint.adverse_event else self.env._("No"),
                labels["state"].get(complaint.state, ""),
                ", ".join(
                    complaint.nonconformance_ids.mapped("display_name")
                    + complaint.capa_ids.mapped("display_name")
                ),
                complaint.description,
                complaint._med_dossier_reportability(labels),
                " / ".join(
                    fields.Date.to_string(date) or "-"
                    for date in (
                        complaint.date_nmpa_deadline,
                        complaint.date_fda_deadline,
                    )
                ),
                " ".join(
                    filter(
                        None,
                        [
                            complaint.report_reference,
                            fields.Date.to_string(complaint.date_report_submitted),
                        ],
                    )
                ),
                complaint.no_investigation_reason or "",
                complaint.correction or "",
                complaint.closure_note or "",
            ]
