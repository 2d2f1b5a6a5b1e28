from odoo import api, fields, models
from odoo.exceptions import UserError

FAILURE_CATEGORIES = [
    ("mechanical", "Mechanical"),
    ("electrical", "Electrical/Electronic"),
    ("software", "Software"),
    ("wear", "Wear and Tear"),
    ("use_error", "Use Error or Damage"),
    ("no_fault", "No Fault Found"),
    ("preventive", "Preventive Maintenance"),
    ("other", "Other"),
]
# The service record (21 CFR 820.35(b)): stamped by ending the repair, and what the
# technician wrote, frozen once it ended.
SERVICE_STAMPS = ("med_date_serviced", "med_udi")
SERVICE_RECORD = {"med_failure_category", "med_service_performed", "med_serviced_by_id"}


class RepairOrder(models.Model):
    """Repairs are the service history of the installed base. The parts a repair
    adds become components of the repaired serial: Odoo links the repaired
    product's move line to the part move lines (stock_move_line_consume_rel)
    when the repair ends, which med_lot_trace's genealogy follows.

    A repair is also the servicing record of 21 CFR 820.35(b): the device and its
    UDI, the date, who serviced it, what was done and the test data, the results
    of the servicing inspections that OCA's quality control makes from the
    products' *Servicing* trigger. It ends only with that record complete and its
    inspections passed."""

    _inherit = "repair.order"
    _med_protected_fields = SERVICE_STAMPS

    med_added_lot_ids = fields.Many2many(
        "stock.lot",
        string="Part Lots Added",
        compute="_compute_med_part_lots",
        help="Lots of the parts put into the device by this repair.",
    )
    med_removed_lot_ids = fields.Many2many(
        "stock.lot",
        string="Part Lots Removed",
        compute="_compute_med_part_lots",
        help="Lots of the parts taken out of the device (replaced).",
    )
    med_complaint_ids = fields.One2many(
        "med.complaint", "repair_id", string="Complaints"
    )
    med_complaint_count = fields.Integer(
        string="Complaint Count", compute="_compute_med_complaint_count"
    )
    med_udi = fields.Char(
        string="Device UDI (or UPC)",
        readonly=True,
        copy=False,
        help="The UDI of the serviced lot/serial, recorded when the servicing ends "
        "(21 CFR 820.35(b)).",
    )
    med_failure_category = fields.Selection(
        FAILURE_CATEGORIES,
        string="Failure Category",
        tracking=True,
        help="What failed: the servicing trends count repairs per product, failure "
        "category and month.",
    )
    med_service_performed = fields.Text(
        string="Service Performed",
        tracking=True,
        help="What was done to the device (21 CFR 820.35(b)).",
    )
    med_serviced_by_id = fields.Many2one(
        "res.users",
        string="Serviced By",
        tracking=True,
        help="Who serviced the device; by default who ends the repair.",
    )
    med_date_serviced = fields.Datetime(string="Serviced On", readonly=True, copy=False)
    med_inspection_ids = fields.One2many(
        "qc.inspection",
        compute="_compute_med_inspection_ids",
        string="Servicing Tests",
        help="The inspections of the servicing (test data), from the product's "
        "quality control trigger *Servicing*.",
    )
    med_inspection_count = fields.Integer(compute="_compute_med_inspection_ids")

    def _compute_med_part_lots(self):
        for repair in self:
            lines = repair.move_ids.filtered(lambda m: m.state != "cancel")
            repair.med_added_lot_ids = lines.filtered(
                lambda m: m.repair_line_type == "add"
            ).move_line_ids.lot_id
            repair.med_removed_lot_ids = lines.filtered(
                lambda m: m.repair_line_type in ("remove", "recycle")
            ).move_line_ids.lot_id

    def _compute_med_complaint_count(self):
        for repair in self:
            repair.med_complaint_count = len(repair.med_complaint_ids)

    def _med_inspections(self):
        """The servicing inspections of these repairs, whatever the user may read
        (sudo: the end of a repair depends on all of them)."""
        references = [f"{repair._name},{repair.id}" for repair in self if repair.id]
        if not references:
            return self.env["qc.inspection"]
        return (
            self.env["qc.inspection"].sudo().search([("object_id", "in", references)])
        )

    def _compute_med_inspection_ids(self):
        inspections = self._med_inspections().with_env(self.env)
        for repair in self:
            mine = inspections.filtered(lambda i, r=repair: i.object_id == r)
            repair.med_inspection_ids = mine
            repair.med_inspection_count = len(mine)

    # -- servicing inspections: OCA quality control's trigger mechanism --
    def _med_trigger_service_inspections(self):
        trigger = self.env.ref(
            "med_equipment.qc_trigger_servicing", raise_if_not_found=False
        )
        if not trigger:
            return
        # sudo: the trigger lines are QA's configuration; a service technician
        # starts the repair and gets the inspections it asks for.
        inspection_model = self.env["qc.inspection"].sudo()
        for repair in self.filtered("product_id"):
            if repair._med_inspections():
                continue
            lines = set()
            for model in (
                "qc.trigger.product_category_line",
                "qc.trigger.product_template_line",
                "qc.trigger.product_line",
            ):
                lines |= (
                    self.env[model]
                    .sudo()
                    .get_trigger_line_for_product(
                        trigger,
                        ["before", "after", "plan_ahead"],
                        repair.product_id.sudo(),
                    )
                )
            tests = set()
            for line in sorted(lines, key=lambda line: line.id):
                if line.test in tests:
                    continue
                tests.add(line.test)
                inspection_model._make_inspection(repair, line).qty = repair.product_qty
        self.invalidate_recordset(["med_inspection_ids", "med_inspection_count"])

    def action_repair_start(self):
        result = super().action_repair_start()
        self._med_trigger_service_inspections()
        return result

    def _med_ensure_service_record(self):
        """Refuse to end a servicing whose record is incomplete or whose test
        data is missing or failed; nothing is changed. Devices only: lot- or
        serial-tracked products in GxP scope (a trolley or a product of a category QA
        left out of scope is repaired as in Odoo)."""
        # QA may bring the product into scope meanwhile (its category's GxP
        # relevance): see stock.lot._med_lock_release_requirement
        self.env["stock.lot"]._med_lock_release_requirement(self.product_id)
        for repair in self.filtered(lambda r: r.product_id.med_release_required):
            missing = [
                repair._fields[name].get_description(self.env)["string"]
                for name in ("med_failure_category", "med_service_performed")
                if not repair[name]
                or (isinstance(repair[name], str) and not repair[name].strip())
            ]
            if missing:
                raise UserError(
                    self.env._(
                        "%(repair)s: give %(fields)s before ending the repair: the "
                        "service record is part of the device history (21 CFR "
                        "820.35(b)).",
                        repair=repair.name,
                        fields=", ".join(missing),
                    )
                )
            # A failed result stays; a new inspection of the same test corrects it.
            latest = {}
            for inspection in repair._med_inspections().sorted("id"):
                latest[inspection.test] = inspection
            unfinished = self.env["qc.inspection"].concat(
                *[i for i in latest.values() if i.state != "success"]
            )
            if unfinished:
                raise UserError(
                    self.env._(
                        "%(repair)s: the servicing tests %(inspections)s have not "
                        "passed: record passing test data before ending the "
                        "repair.",
                        repair=repair.name,
                        inspections=", ".join(unfinished.mapped("name")),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        # A repair ends through write(), which checks the service record and stamps
        # the servicing: never created ended, by values or ``default_state``.
        if "done" in self._med_start_states(vals_list):
            raise UserError(
                self.env._(
                    "A repair cannot be created as repaired: create it, then end "
                    "it with its service record."
                )
            )
        return super().create(vals_list)

    def write(self, vals):
        ended = self.filtered(lambda r: r.state == "done")
        if ended and SERVICE_RECORD.intersection(vals) and not self._med_trusted():
            raise UserError(
                self.env._(
                    "%(repairs)s ended: their service record can no longer change.",
                    repairs=", ".join(ended.mapped("name")),
                )
            )
        if vals.get("state") != "done":
            return super().write(vals)
        # Every way a repair ends (the buttons, action_repair_done, RPC) passes here.
        ending = self.filtered(lambda r: r.state != "done")
        ending._med_ensure_service_record()
        result = super().write(vals)
        for repair in ending:
            repair._med_protected_write().write(
                {
                    "med_date_serviced": fields.Datetime.now(),
                    "med_udi": repair.lot_id._med_udi_or_upc()
                    or repair.product_id.barcode
                    or False,
                    "med_serviced_by_id": repair.med_serviced_by_id.id or self.env.uid,
                }
            )
        return result

    def action_med_new_complaint(self):
        self.ensure_one()
        return self.env["med.complaint"]._med_form_action(
            {
                "default_repair_id": self.id,
                "default_lot_id": self.lot_id.id,
                "default_partner_id": self.partner_id.id,
                "default_channel": "repair",
            }
        )

    def action_med_complaints(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Complaints"),
            "res_model": "med.complaint",
            "view_mode": "list,form",
            "domain": [("repair_id", "=", self.id)],
        }

    def action_med_inspections(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Servicing Tests"),
            "res_model": "qc.inspection",
            "view_mode": "list,form",
            "domain": [("id", "in", self.med_inspection_ids.ids)],
            "context": {"create": False},
        }
