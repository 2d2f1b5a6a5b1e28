from datetime import datetime, time

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.med_audit_export.models.med_signable_mixin import QA_MANAGER

CALIBRATION_STATES = [
    ("not_required", "Not Required"),
    ("valid", "Valid"),
    ("expiring", "Expiring"),
    ("expired", "Expired"),
    ("unverified", "Not Verified by QA"),
    ("missing", "Missing"),
    ("failed", "Failed"),
]
EQUIPMENT_STATUSES = [
    ("in_service", "In Service"),
    ("calibration_due", "Calibration Due"),
    ("out_of_service", "Out of Service"),
]
# Calibration states in which the equipment may not be used (校准失效).
LAPSED = ("expired", "unverified", "missing", "failed")
DUE = ("expiring", "expired", "unverified", "missing")

# The roles that may read med.supplier.certificate (its access rules).
CERTIFICATE_READERS = (
    "med_audit_export.group_med_warehouse,med_audit_export.group_med_purchase,"
    "med_audit_export.group_med_auditor,med_audit_export.group_med_qa_manager"
)


class MaintenanceEquipment(models.Model):
    """Equipment ledger (设备台账): calibration certificates, status, and the lots
    made or inspected with each piece of equipment."""

    _inherit = "maintenance.equipment"

    med_calibration_required = fields.Boolean(
        string="Calibration Required",
        tracking=True,
        help="Measuring or production equipment that needs a valid, QA-verified "
        "calibration or verification certificate to be used.",
    )
    med_certificate_ids = fields.One2many(
        "med.supplier.certificate",
        "equipment_id",
        string="Calibration Certificates",
        # Only the suite's roles read certificates: an employee who owns an equipment
        # still opens its form (Odoo's maintenance access) and sees its status.
        groups=CERTIFICATE_READERS,
    )
    med_calibration_state = fields.Selection(
        CALIBRATION_STATES,
        string="Calibration",
        compute="_compute_med_status",
    )
    med_calibration_id = fields.Many2one(
        "med.supplier.certificate",
        string="Current Calibration",
        compute="_compute_med_status",
        groups=CERTIFICATE_READERS,
    )
    med_calibration_valid_until = fields.Date(
        string="Calibration Valid Until", compute="_compute_med_status"
    )
    med_status = fields.Selection(
        EQUIPMENT_STATUSES,
        string="Equipment Status",
        compute="_compute_med_status",
        help="Out of service: scrapped, under corrective maintenance, or its last "
        "calibration failed. Calibration due: the calibration expires soon, has "
        "expired, is missing or is not verified by QA yet.",
    )
    med_workcenter_ids = fields.Many2many(
        "mrp.workcenter",
        "med_equipment_workcenter_rel",
        "equipment_id",
        "workcenter_id",
        string="Work Centers",
    )
    med_usage_count = fields.Integer(
        string="Uses Recorded", compute="_compute_med_usage_count"
    )
    med_suspect_lot_count = fields.Integer(
        string="Suspect Lots", compute="_compute_med_suspect_lot_count"
    )

    def _compute_med_status(self):
        today = fields.Date.context_today(self)
        calibrations = self._med_calibration_on(today)
        broken = self._med_under_repair()
        for equipment in self:
            state, certificate = calibrations[equipment]
            equipment.med_calibration_state = state
            equipment.med_calibration_id = certificate.with_env(self.env)
            equipment.med_calibration_valid_until = certificate.expiry_date
            equipment.med_status = equipment._med_status_from(
                state, equipment in broken, today
            )

    def _med_status_from(self, calibration_state, under_repair, day):
        self.ensure_one()
        scrapped = self.scrap_date and self.scrap_date <= day
        if scrapped or under_repair or calibration_state == "failed":
            return "out_of_service"
        if calibration_state in DUE:
            return "calibration_due"
        return "in_service"

    def _compute_med_usage_count(self):
        # sudo: a count shown on the equipment form to whoever may open it (an
        # employee who owns the equipment); the uses themselves stay with the roles
        # that may read them.
        counts = dict(
            self.env["med.equipment.usage"]
            .sudo()
            ._read_group(
                [("equipment_id", "in", self.ids)], ["equipment_id"], ["__count"]
            )
        )
        for equipment in self:
            equipment.med_usage_count = counts.get(equipment, 0)

    def _compute_med_suspect_lot_count(self):
        for equipment in self:
            equipment.med_suspect_lot_count = (
                # sudo: a count, as above
                len(equipment.sudo()._med_suspect_lot_ids())
                if equipment.med_calibration_state == "failed"
                else 0
            )

    # -- calibration --
    def _med_certificates(self):
        """Calibration certificates of these equipment, newest calibration first."""
        # sudo: whoever finishes an order or an inspection needs the calibration
        # status of its equipment, whatever they may read of certificates.
        return (
            self.env["med.supplier.certificate"]
            .sudo()
            .search(
                [("equipment_id", "in", self.ids)],
                order="issue_date desc nulls last, id desc",
            )
        )

    def _med_current_calibrations(self):
        """{equipment: its newest calibration certificate}."""
        latest = {}
        for certificate in self._med_certificates():
            latest.setdefault(certificate.equipment_id, certificate)
        return latest

    def _med_calibration_on(self, day):
        """{equipment: (calibration state, certificate)} on ``day`` (a date): the
        newest calibration made by then decides; a failed one puts the equipment
        out of service until a new calibration passes."""
        certificates = self._med_certificates().filtered(
            lambda c: not c.issue_date or c.issue_date <= day
        )
        result = {}
        for equipment in self:
            own = certificates.filtered(lambda c, e=equipment: c.equipment_id == e)
            latest = own[:1]
            if latest.med_calibration_result == "failed":
                result[equipment] = ("failed", latest)
                continue
            if not equipment.med_calibration_required:
                result[equipment] = ("not_required", latest)
                continue
            passed = own.filtered(lambda c: c.med_calibration_result == "passed")
            covering = passed._med_valid_on(day).sorted(
                lambda c: c.expiry_date or fields.Date.to_date("9999-12-31"),
                reverse=True,
            )[:1]
            if covering:
                result[equipment] = (covering._med_state_on(day), covering)
            elif passed._med_valid_on(day, require_verified=False):
                result[equipment] = ("unverified", latest)
            elif latest:
                result[equipment] = ("expired", latest)
            else:
                result[equipment] = ("missing", latest)
        return result

    def _med_under_repair(self):
        """Equipment with an open corrective maintenance request (a breakdown)."""
        # sudo: a breakdown counts whoever reported it (maintenance shows users
        # only their own requests).
        requests = (
            self.env["maintenance.request"]
            .sudo()
            .search(
                [
                    ("equipment_id", "in", self.ids),
                    ("maintenance_type", "=", "corrective"),
                    ("stage_id.done", "=", False),
                    ("archive", "=", False),
                ]
            )
        )
        return requests.equipment_id.with_env(self.env)

    def _med_usage_snapshot(self, day):
        """{equipment: values of a usage record} on ``day``, and the problems
        that forbid using each one ({equipment: text})."""
        calibrations = self._med_calibration_on(day)
        broken = self._med_under_repair()
        states = dict(
            self._fields["med_calibration_state"]._description_selection(self.env)
        )
        snapshot, problems = {}, {}
        for equipment in self:
            state, certificate = calibrations[equipment]
            status = equipment._med_status_from(state, equipment in broken, day)
            snapshot[equipment] = {
                "equipment_id": equipment.id,
                "certificate_id": certificate.id,
                "calibration_state": state,
                "calibration_valid_until": certificate.expiry_date,
                "equipment_status": status,
            }
            if state in LAPSED:
                problems[equipment] = self.env._(
                    "%(equipment)s: calibration %(state)s%(certificate)s",
                    equipment=equipment.display_name,
                    state=states[state],
                    certificate=(
                        f" ({certificate.display_name}, "
                        f"{fields.Date.to_string(certificate.expiry_date) or ''})"
                        if certificate
                        else ""
                    ),
                )
            elif status == "out_of_service":
                problems[equipment] = self.env._(
                    "%(equipment)s is out of service (scrapped or under repair)",
                    equipment=equipment.display_name,
                )
        return snapshot, problems

    # -- failed calibration: the recall-scope question --
    def _med_suspect_since(self):
        """When the last passed calibration before the failed one was made (the
        start of that day), or None when no calibration ever passed."""
        self.ensure_one()
        certificates = self._med_certificates()
        failed = certificates.filtered(lambda c: c.med_calibration_result == "failed")
        if not failed:
            return None
        failed = failed[0]
        good = certificates.filtered(
            lambda c: c.med_calibration_result == "passed"
            and c.issue_date
            and (not failed.issue_date or c.issue_date <= failed.issue_date)
            and c != failed
        )[:1]
        return datetime.combine(good.issue_date, time.min) if good else None

    def _med_suspect_lot_ids(self):
        """Lots made or inspected with this equipment since its last passed
        calibration, in one query."""
        self.ensure_one()
        since = self._med_suspect_since()
        self.env["med.equipment.usage"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT rel.lot_id
                  FROM med_equipment_usage usage
                  JOIN med_equipment_usage_stock_lot_rel rel
                    ON rel.usage_id = usage.id
                 WHERE usage.equipment_id = %(equipment)s
                   AND (%(since)s::timestamp IS NULL OR usage.date >= %(since)s)
                """,
                equipment=self.id,
                since=since,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _med_suspect_lots(self):
        return self.env["stock.lot"].search([("id", "in", self._med_suspect_lot_ids())])

    def action_med_suspect_lots(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Suspect Lots of %(equipment)s", equipment=self.name),
            "res_model": "stock.lot",
            "view_mode": "list,form",
            "domain": [("id", "in", self._med_suspect_lot_ids())],
            "context": {"create": False},
        }

    def action_med_hold_suspect_lots(self):
        """Put every suspect lot still free (quarantine or released) on hold, in
        one signed action (the signature is recorded on each lot)."""
        self.ensure_one()
        self.env["med.signable.mixin"]._med_require_group(
            QA_MANAGER, self.env._("Only a QA manager decides a lot's status.")
        )
        if self.med_calibration_state != "failed":
            raise UserError(
                self.env._(
                    "The last calibration of %(equipment)s did not fail: no lot is "
                    "suspect.",
                    equipment=self.display_name,
                )
            )
        lots = self._med_suspect_lots().filtered(
            lambda lot: lot.med_state in ("quarantine", "released")
        )
        if not lots:
            raise UserError(
                self.env._(
                    "No suspect lot of %(equipment)s is left to hold.",
                    equipment=self.display_name,
                )
            )
        since = self._med_suspect_since()
        action = lots._med_request_signature(
            "hold",
            "_med_do_equipment_hold",
            title=self.env._("Hold the Suspect Lots"),
        )
        action["context"]["default_comment"] = self.env._(
            "Calibration of %(equipment)s failed (%(certificate)s): made or "
            "inspected with it since %(since)s.",
            equipment=self.display_name,
            certificate=self.med_calibration_id.display_name,
            since=fields.Date.to_string(since) if since else self.env._("ever"),
        )
        return action

    def action_med_usage(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Uses of %(equipment)s", equipment=self.name),
            "res_model": "med.equipment.usage",
            "view_mode": "list,form",
            "domain": [("equipment_id", "=", self.id)],
        }
