from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.med_audit_export.models.med_signable_mixin import QA_MANAGER
from odoo.addons.med_capa.models.med_capa import CAPA_READERS


class MedComplaint(models.Model):
    """Registering a complaint applies the CAPA rules of the complaint trigger;
    what they opened, the correction made and the answer to the customer; closure
    (signed), once the investigation or the reason for not investigating is there."""

    _name = "med.complaint"
    _inherit = "med.complaint"

    correction = fields.Text(
        string="Correction or Corrective Action",
        tracking=True,
        help="Any correction or corrective action taken for the complaint (21 CFR "
        "820.35(a)); the answer to the customer is the reply.",
    )
    # Only for the roles that may read nonconformances and CAPAs.
    nonconformance_ids = fields.Many2many(
        "med.nonconformance",
        string="Nonconformances",
        readonly=True,
        copy=False,
        groups=CAPA_READERS,
    )
    capa_ids = fields.Many2many(
        "med.capa", string="CAPAs", readonly=True, copy=False, groups=CAPA_READERS
    )
    closure_note = fields.Text(string="Answer to the Customer", tracking=True)
    date_closed = fields.Datetime(string="Closed On", readonly=True, copy=False)
    closed_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    no_investigation_reason = fields.Text(
        string="Reason for Not Investigating",
        tracking=True,
        help="ISO 13485 8.2.2, 21 CFR 820.198(b): a complaint that opened no CAPA is "
        "closed only with the reason why no investigation is made.",
    )

    # -- registration: the CAPA rules --
    def action_register(self):
        for complaint in self:
            if complaint.state != "draft":
                raise UserError(
                    self.env._(
                        "%(complaint)s is already registered.",
                        complaint=complaint.name,
                    )
                )
        self._med_protected_write().write({"state": "open"})
        for complaint in self:
            nonconformances, capas = self.env["med.capa.rule"]._med_fire(
                "complaint", [complaint._med_complaint_event()]
            )
            # sudo: the records the rules opened are linked whoever registers.
            complaint.sudo()._med_protected_write().write(
                {
                    "nonconformance_ids": [fields.Command.set(nonconformances.ids)],
                    "capa_ids": [fields.Command.set(capas.ids)],
                }
            )
        return True

    def _med_complaint_event(self):
        self.ensure_one()
        # sudo: the supplier of the lot is named whatever the user may read.
        lot = self.lot_id.sudo()
        return {
            "origin": self,
            "lots": self.lot_id,
            "product": self.product_id,
            "partner": lot._med_suppliers()[:1],
            "severity": self.severity,
            "company": self.company_id,
            "description": self.env._(
                "Complaint %(complaint)s from %(customer)s about %(product)s "
                "%(lot)s%(adverse)s: %(description)s",
                complaint=self.name,
                customer=self.partner_id.display_name,
                product=self.product_id.display_name,
                lot=self.lot_id.name,
                adverse=(
                    self.env._(" (possible adverse event)")
                    if self.adverse_event
                    else ""
                ),
                description=self.description,
            ),
        }

    # -- closure --
    def _med_ensure_close(self):
        self._med_require_group(
            QA_MANAGER, self.env._("Only a QA manager closes complaints.")
        )
        for complaint in self:
            if complaint.state != "open":
                raise UserError(
                    self.env._(
                        "%(complaint)s is not open.",
                        complaint=complaint.name,
                    )
                )
            if not (complaint.closure_note or "").strip():
                raise UserError(
                    self.env._(
                        "Write the answer to the customer of %(complaint)s before "
                        "closing it.",
                        complaint=complaint.name,
                    )
                )
            # sudo: whether a CAPA was opened counts whoever closes.
            if (
                not complaint.sudo().capa_ids
                and not (complaint.no_investigation_reason or "").strip()
            ):
                raise UserError(
                    self.env._(
                        "%(complaint)s opened no CAPA: write the reason for not "
                        "investigating it before closing it.",
                        complaint=complaint.name,
                    )
                )
            if complaint.adverse_event and not complaint.reportability_decided_by_id:
                raise UserError(
                    self.env._(
                        "%(complaint)s is a possible adverse event: sign the "
                        "decision whether it is reportable before closing it.",
                        complaint=complaint.name,
                    )
                )
            if complaint.reportable == "yes" and not complaint.date_report_submitted:
                raise UserError(
                    self.env._(
                        "%(complaint)s is reportable: record the authority's report "
                        "number and submission date before closing it.",
                        complaint=complaint.name,
                    )
                )

    def action_close(self):
        self._med_ensure_close()
        return self._med_request_signature(
            "closure", "_med_do_close", title=self.env._("Close the Complaint")
        )

    def _med_do_close(self):
        self._med_ensure_close()
        self._med_protected_write().write(
            {
                "state": "closed",
                "date_closed": fields.Datetime.now(),
                "closed_by_id": self.env.uid,
            }
        )

    def action_open_nonconformances(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Nonconformances and CAPAs"),
            "res_model": "med.nonconformance",
            "view_mode": "list,form",
            "domain": [("id", "in", self.nonconformance_ids.ids)],
        }
