from odoo import api, fields, models
from odoo.exceptions import ValidationError

CALIBRATION_RESULTS = [("passed", "Passed"), ("failed", "Failed")]


class MedSupplierCertificate(models.Model):
    """A certificate is a supplier's (licence) or a piece of equipment's
    (calibration or verification): one mechanism for validity, QA verification,
    reminders and audit trail."""

    _inherit = "med.supplier.certificate"

    # A calibration certificate has no supplier: the field stays required in the
    # form of supplier certificates and the constraint below checks the subject.
    partner_id = fields.Many2one(required=False)
    equipment_id = fields.Many2one(
        "maintenance.equipment",
        index="btree_not_null",
        tracking=True,
        check_company=True,
    )
    med_subject = fields.Selection(related="type_id.med_subject")
    med_calibration_result = fields.Selection(
        CALIBRATION_RESULTS,
        string="Calibration Result",
        tracking=True,
        help="Failed: the equipment was found out of tolerance. It goes out of "
        "service, and the lots made or inspected with it since its last passed "
        "calibration become suspect.",
    )

    @api.constrains("partner_id", "equipment_id", "type_id")
    def _check_subject(self):
        for certificate in self:
            kind = certificate.type_id
            if kind.med_subject == "equipment" and (
                not certificate.equipment_id or certificate.partner_id
            ):
                raise ValidationError(
                    self.env._(
                        "%(type)s %(number)s is an equipment certificate: name the "
                        "equipment, not a supplier.",
                        type=kind.name,
                        number=certificate.number,
                    )
                )
            if kind.med_subject == "supplier" and (
                not certificate.partner_id or certificate.equipment_id
            ):
                raise ValidationError(
                    self.env._(
                        "%(type)s %(number)s is a supplier certificate: name the "
                        "supplier, not equipment.",
                        type=kind.name,
                        number=certificate.number,
                    )
                )

    @api.constrains("med_calibration_result", "type_id")
    def _check_calibration_result(self):
        for certificate in self:
            if (
                certificate.type_id.med_subject == "equipment"
                and not certificate.med_calibration_result
            ):
                raise ValidationError(
                    self.env._(
                        "Give the result of calibration %(number)s (passed or failed).",
                        number=certificate.number,
                    )
                )

    # -- reminders and expiry: equipment certificates concern the equipment --
    def _med_schedule_reminders(self):
        equipment = self.filtered("equipment_id")
        result = super(
            MedSupplierCertificate, self - equipment
        )._med_schedule_reminders()
        if equipment:
            equipment._med_schedule_calibration_reminders()
        return result

    def _med_schedule_calibration_reminders(self):
        """One activity per equipment whose calibration expires soon, for the
        equipment's technician or else the company's certificate responsible."""
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        latest = self.equipment_id._med_current_calibrations()
        due = self.filtered(lambda c: latest.get(c.equipment_id) == c)
        already = set(
            self.env["mail.activity"]
            .search(
                [
                    ("res_model", "=", "maintenance.equipment"),
                    ("res_id", "in", due.equipment_id.ids),
                    ("activity_type_id", "=", activity_type.id),
                ]
            )
            .mapped("res_id")
        )
        model_id = self.env["ir.model"]._get_id("maintenance.equipment")
        vals_list = []
        for certificate in due.filtered(lambda c: c.equipment_id.id not in already):
            equipment = certificate.equipment_id
            user = (
                equipment.technician_user_id
                or certificate.company_id._med_certificate_responsible()
            )
            vals_list.append(
                {
                    "res_model_id": model_id,
                    "res_id": equipment.id,
                    "activity_type_id": activity_type.id,
                    "user_id": user.id,
                    "date_deadline": certificate.expiry_date,
                    "summary": self.env._(
                        "Calibration of %(equipment)s expires on %(date)s: "
                        "calibrate it again",
                        equipment=equipment.display_name,
                        date=fields.Date.to_string(certificate.expiry_date),
                    ),
                }
            )
        if vals_list:
            self.env["mail.activity"].create(vals_list)

    def _med_certificates_expired(self):
        """Supplier reactions (suspension, CAPA rules) are for supplier
        certificates; an expired calibration shows on the equipment's status."""
        equipment = self.filtered("equipment_id")
        return super(
            MedSupplierCertificate, self - equipment
        )._med_certificates_expired()
