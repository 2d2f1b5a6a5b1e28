from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

STATES = [("installed", "Installed"), ("returned", "Returned")]


class MedInstalledBase(models.Model):
    """A serial or lot delivered to a customer (装机/在用设备): who has it, where,
    since when, under warranty until when, and its service history. Created by
    the delivery itself; the install date and site can be corrected."""

    _name = "med.installed.base"
    _description = "Installed Base"
    _inherit = ("mail.thread", "mail.activity.mixin")
    _order = "date_install desc, id desc"
    _check_company_auto = True
    _rec_names_search = ("lot_id", "partner_id")
    # What the delivery and the return recorded: only they set it (the install date
    # and site are corrected by hand).
    _med_protected_fields = (
        "lot_id",
        "partner_id",
        "move_line_id",
        "quantity",
        "date_delivered",
        "state",
        "company_id",
    )

    lot_id = fields.Many2one(
        "stock.lot",
        string="Lot/Serial",
        required=True,
        readonly=True,
        index=True,
        check_company=True,
    )
    product_id = fields.Many2one(
        related="lot_id.product_id", store=True, index=True, string="Product"
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        check_company=True,
    )
    site_id = fields.Many2one(
        "res.partner",
        tracking=True,
        check_company=True,
        help="Where the device is installed (the delivery address).",
    )
    move_line_id = fields.Many2one(
        "stock.move.line", string="Delivery Line", readonly=True, index=True
    )
    picking_id = fields.Many2one(
        related="move_line_id.picking_id", string="Delivery", store=True
    )
    quantity = fields.Float(readonly=True, digits="Product Unit of Measure")
    date_delivered = fields.Datetime(string="Delivered On", readonly=True)
    date_install = fields.Date(string="Install Date", required=True, tracking=True)
    warranty_end = fields.Date(
        string="Warranty Until",
        compute="_compute_warranty_end",
        store=True,
        readonly=False,
        tracking=True,
    )
    in_warranty = fields.Boolean(
        string="Under Warranty", compute="_compute_in_warranty"
    )
    state = fields.Selection(
        STATES, required=True, default="installed", readonly=True, tracking=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    repair_ids = fields.Many2many(
        "repair.order", string="Service History", compute="_compute_repair_ids"
    )
    repair_count = fields.Integer(compute="_compute_repair_ids")
    complaint_ids = fields.One2many(
        "med.complaint", "installed_base_id", string="Complaints"
    )
    complaint_count = fields.Integer(compute="_compute_complaint_count")

    @api.depends("lot_id", "partner_id")
    def _compute_display_name(self):
        for record in self:
            record.display_name = (
                f"{record.lot_id.name or ''} @ {record.partner_id.display_name or ''}"
            )

    @api.depends("date_install", "product_id.med_warranty_months")
    def _compute_warranty_end(self):
        for record in self:
            months = record.product_id.med_warranty_months
            record.warranty_end = (
                record.date_install + relativedelta(months=months)
                if record.date_install and months
                else False
            )

    @api.depends("warranty_end")
    def _compute_in_warranty(self):
        today = fields.Date.context_today(self)
        for record in self:
            record.in_warranty = bool(
                record.warranty_end and record.warranty_end >= today
            )

    @api.depends("lot_id")
    def _compute_repair_ids(self):
        repairs = self.env["repair.order"].search(
            [("lot_id", "in", self.lot_id.ids)], order="schedule_date desc"
        )
        for record in self:
            record.repair_ids = repairs.filtered(
                lambda r, lot=record.lot_id: r.lot_id == lot
            )
            record.repair_count = len(record.repair_ids)

    def _compute_complaint_count(self):
        for record in self:
            record.complaint_count = len(record.complaint_ids)

    @api.model
    def _med_record_deliveries(self, move_lines):
        """Installed base records for done move lines of lots to customers, and
        the records of lots returned from customers marked returned."""
        # sudo: the installed base is kept by the deliveries and returns
        # themselves, whoever validates them.
        installed_base = self.sudo()._med_protected_write()
        done = move_lines.filtered(lambda line: line.lot_id and line.state == "done")
        delivered = done.filtered(
            lambda line: line.location_dest_id.usage == "customer"
            and line.location_id.usage != "customer"
        )
        known = (
            installed_base.search([("move_line_id", "in", delivered.ids)]).move_line_id
            if delivered
            else delivered
        )
        vals_list = []
        for line in delivered - known:
            site = line.med_partner_id
            if not site:
                continue
            vals_list.append(
                {
                    "lot_id": line.lot_id.id,
                    "partner_id": site.commercial_partner_id.id,
                    "site_id": site.id,
                    "move_line_id": line.id,
                    "quantity": line.quantity,
                    "date_delivered": line.date,
                    "date_install": fields.Date.context_today(self, line.date),
                    "company_id": line.company_id.id,
                }
            )
        for line in done.filtered(
            lambda line: line.location_id.usage == "customer"
            and line.location_dest_id.usage != "customer"
        ):
            installed_base.search(
                [
                    ("lot_id", "=", line.lot_id.id),
                    ("state", "=", "installed"),
                    ("date_delivered", "<=", line.date),
                ]
            ).write({"state": "returned"})
        return installed_base.create(vals_list).with_env(self.env)

    def action_med_repairs(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Service History"),
            "res_model": "repair.order",
            "view_mode": "list,form",
            "domain": [("id", "in", self.repair_ids.ids)],
            "context": {
                "default_lot_id": self.lot_id.id,
                "default_product_id": self.product_id.id,
                "default_partner_id": self.partner_id.id,
            },
        }

    def action_med_new_complaint(self):
        self.ensure_one()
        return self.env["med.complaint"]._med_form_action(
            {
                "default_installed_base_id": self.id,
                "default_lot_id": self.lot_id.id,
                "default_partner_id": self.partner_id.id,
                "default_channel": "installed_base",
            }
        )
