from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.med_audit_export.models.base import PROTECTED_WRITE

from .maintenance_equipment import CALIBRATION_STATES, EQUIPMENT_STATUSES


class MedEquipmentUsage(models.Model):
    """The equipment a manufacturing order or an inspection used, and its
    calibration at that moment (device history record, 设备使用记录). Written by
    the application when the order is done or the inspection recorded; nobody
    changes or deletes it afterwards."""

    _name = "med.equipment.usage"
    _description = "Equipment Use"
    _order = "date desc, id desc"
    _check_company_auto = True

    date = fields.Datetime(required=True, readonly=True, index=True)
    equipment_id = fields.Many2one(
        "maintenance.equipment", required=True, readonly=True, index=True
    )
    production_id = fields.Many2one(
        "mrp.production",
        string="Manufacturing Order",
        readonly=True,
        index="btree_not_null",
    )
    inspection_id = fields.Many2one(
        "qc.inspection", readonly=True, index="btree_not_null"
    )
    lot_ids = fields.Many2many(
        "stock.lot",
        "med_equipment_usage_stock_lot_rel",
        "usage_id",
        "lot_id",
        string="Lots",
        readonly=True,
    )
    certificate_id = fields.Many2one(
        "med.supplier.certificate", string="Calibration Certificate", readonly=True
    )
    calibration_state = fields.Selection(
        CALIBRATION_STATES, string="Calibration Then", readonly=True
    )
    calibration_valid_until = fields.Date(readonly=True)
    equipment_status = fields.Selection(
        EQUIPMENT_STATUSES, string="Status Then", readonly=True
    )
    lapsed = fields.Boolean(
        string="Used Despite a Lapse",
        readonly=True,
        help="The calibration had lapsed or the equipment was out of service, and "
        "the company warns instead of refusing: the user went on.",
    )
    user_id = fields.Many2one("res.users", string="By", readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True)

    @api.depends("equipment_id", "production_id", "inspection_id")
    def _compute_display_name(self):
        for usage in self:
            document = usage.production_id or usage.inspection_id
            usage.display_name = (
                f"{usage.equipment_id.display_name} / {document.display_name or ''}"
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._med_ensure_trusted()
        return super().create(vals_list)

    def write(self, vals):
        self._med_ensure_trusted()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._("Equipment use records are evidence: they cannot be deleted.")
        )

    def _med_ensure_trusted(self):
        if self.env.context.get("med_protected_write") is not PROTECTED_WRITE:
            raise UserError(
                self.env._(
                    "Equipment use records are written by the application when an "
                    "order is done or an inspection recorded."
                )
            )

    @api.model
    def _med_today(self, company):
        """Today where ``company`` is: a calibration lapses at its midnight."""
        return self.env["med.supplier.certificate"]._med_company_today(company)

    @api.model
    def _med_refuse(self, document, problems):
        raise UserError(
            self.env._(
                "%(document)s refused: equipment may not be used"
                ":\n%(problems)s\nCalibrate or "
                "repair it, or use other equipment.",
                document=document.display_name,
                problems="\n".join(problems.values()),
            )
        )

    @api.model
    def _med_check(self, document, equipment):
        """Refuse (block mode) ``document``'s use of ``equipment`` when a
        calibration lapsed; used before anything moves."""
        company = document.company_id or self.env.company
        if not equipment or company.med_equipment_gate != "block":
            return
        _snapshot, problems = equipment._med_usage_snapshot(self._med_today(company))
        if problems:
            self._med_refuse(document, problems)

    @api.model
    def _med_record(self, documents, equipment_of, lots_of, field_name):
        """Check the equipment each document (manufacturing orders or inspections)
        uses, and record it with its calibration now. ``equipment_of(document)``
        and ``lots_of(document)`` give the equipment and the lots.

        Refused (UserError, nothing recorded) when some equipment's calibration
        has lapsed and the company blocks; recorded as a lapse and posted on the
        document when it warns."""
        now = fields.Datetime.now()
        vals_list, warnings = [], {}
        for document in documents:
            equipment = equipment_of(document)
            if not equipment:
                continue
            company = document.company_id or self.env.company
            snapshot, problems = equipment._med_usage_snapshot(self._med_today(company))
            if problems and company.med_equipment_gate == "block":
                self._med_refuse(document, problems)
            if problems:
                warnings[document] = problems
            lots = lots_of(document)
            for item, values in snapshot.items():
                vals_list.append(
                    dict(
                        values,
                        date=now,
                        lot_ids=[fields.Command.set(lots.ids)],
                        lapsed=item in problems,
                        user_id=self.env.uid,
                        company_id=company.id,
                        **{field_name: document.id},
                    )
                )
        for document, problems in warnings.items():
            document.message_post(
                body=self.env._(
                    "Used equipment whose calibration lapsed or that is out of "
                    "service: %(problems)s",
                    problems="; ".join(problems.values()),
                )
            )
        # sudo: use records are written by the application for whoever finishes
        # the order or records the inspection; nobody may write them by hand.
        return (
            self.sudo()
            .with_context(med_protected_write=PROTECTED_WRITE)
            .create(vals_list)
        )
