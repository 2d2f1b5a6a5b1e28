from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import frozendict
from odoo.tools.float_utils import float_compare, float_is_zero

from odoo.addons.med_audit_export.models.base import PROTECTED_WRITE
from odoo.addons.med_audit_export.models.med_signable_mixin import QA_MANAGER

from .med_capa_rule import (
    ORIGIN_FIELDS,
    RULE_RUN,
    SEVERITIES,
    check_origin_write,
    origin_trusted,
)

SOURCES = [
    ("inspection", "Inspection"),
    ("complaint", "Complaint"),
    ("audit", "Audit Finding"),
    ("supplier", "Supplier Issue"),
    ("expiry", "Expiry Found in Stock"),
    ("manual", "Manual"),
]
# Recording a nonconformance of these sources by hand fires the rules of the trigger.
SOURCE_TRIGGERS = {"complaint": "complaint", "manual": "manual"}
STATES = [("open", "Open"), ("dispositioned", "Dispositioned")]
DISPOSITIONS = [
    ("use_as_is", "Use as Is"),
    ("rework", "Rework"),
    ("return", "Return to Supplier"),
    ("scrap", "Scrap"),
    ("concession", "Concession"),
]
# The dispositions the signature carries out in stock; the others are recorded only.
STOCK_DISPOSITIONS = ("scrap", "return", "rework")
# What an inspector records; once dispositioned, the record is the evidence.
FROZEN_FIELDS = {
    "date",
    "user_id",
    "description",
    "source",
    "severity",
    "product_id",
    "lot_ids",
    "lot_quantity_ids",
    "quantity",
    "partner_id",
    "disposition",
    "disposition_note",
}
# Who found the nonconformance and when: evidence (ALCOA+, attributable). Whoever
# records it is its reporter and may date the finding back (found on the floor,
# recorded later), never ahead; afterwards only a QA manager corrects them, with a
# reason kept in the audit trail, and never once dispositioned (FROZEN_FIELDS). The
# CAPA rules name the inspector who recorded a failed result (trusted code).
FINDING_FIELDS = ("user_id", "date")


class MedNonconformance(models.Model):
    """Nonconforming product (ISO 13485 8.3, 不合格品控制): identified, segregated,
    evaluated and dispositioned; the disposition is signed by a QA manager and
    carried out through Odoo's stock flows in the signature's transaction: a scrap
    validated from where the lot lies, a return to the supplier of the lot's receipt
    made ready for the warehouse, a rework manufacturing order that takes the lot
    into production. With several lots, the quantity of each lot is given."""

    _name = "med.nonconformance"
    _description = "Nonconformance"
    _inherit = ("mail.thread", "mail.activity.mixin", "med.signable.mixin")
    _order = "id desc"
    _check_company_auto = True
    _med_signature_actions = frozendict(
        {"_med_do_disposition": ("disposition", QA_MANAGER)}
    )
    _med_protected_fields = (
        "state",
        "recall_risk",
        "disposition_date",
        "disposition_user_id",
        "scrap_ids",
        "return_picking_ids",
        "rework_production_ids",
    )

    name = fields.Char(
        string="Number", required=True, readonly=True, copy=False, default="/"
    )
    description = fields.Text(required=True, tracking=True)
    source = fields.Selection(SOURCES, required=True, default="manual", tracking=True)
    state = fields.Selection(
        STATES,
        string="Status",
        required=True,
        default="open",
        readonly=True,
        tracking=True,
        group_expand=True,
    )
    severity = fields.Selection(
        SEVERITIES, required=True, default="major", tracking=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
    )
    # A copy is a new finding: reported by whoever copies it, now.
    user_id = fields.Many2one(
        "res.users",
        string="Reported By",
        default=lambda self: self.env.user,
        readonly=True,
        copy=False,
    )
    date = fields.Datetime(
        string="Detected On",
        default=fields.Datetime.now,
        required=True,
        readonly=True,
        copy=False,
    )
    product_id = fields.Many2one(
        "product.product", check_company=True, index=True, tracking=True
    )
    lot_ids = fields.Many2many(
        "stock.lot",
        string="Lots",
        check_company=True,
        domain="[('product_id', '=?', product_id)]",
    )
    quantity = fields.Float(
        string="Nonconforming Quantity", digits="Product Unit of Measure", tracking=True
    )
    product_uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    partner_id = fields.Many2one(
        "res.partner", string="Supplier", check_company=True, index=True, tracking=True
    )
    # The inspection behind a finding stays: deleting it is refused, the link is
    # never nulled behind the trail's back.
    inspection_id = fields.Many2one(
        "qc.inspection", check_company=True, index=True, ondelete="restrict"
    )
    picking_id = fields.Many2one("stock.picking", string="Transfer", check_company=True)
    production_id = fields.Many2one(
        "mrp.production", string="Manufacturing Order", check_company=True
    )
    capa_id = fields.Many2one(
        "med.capa", string="CAPA", check_company=True, index=True, tracking=True
    )
    rule_id = fields.Many2one("med.capa.rule", string="Opened by Rule", readonly=True)
    origin_ref = fields.Char(
        string="Origin",
        readonly=True,
        index=True,
        help="The record whose event opened this nonconformance.",
    )
    recall_risk = fields.Boolean(
        readonly=True,
        tracking=True,
        help="Lots of this nonconformance, or lots made from them, were delivered to "
        "customers.",
    )
    # A copy is a new finding: QA decides its disposition again.
    disposition = fields.Selection(DISPOSITIONS, tracking=True, copy=False)
    disposition_note = fields.Text(string="Disposition Justification", copy=False)
    disposition_date = fields.Datetime(readonly=True)
    disposition_user_id = fields.Many2one(
        "res.users", string="Dispositioned By", readonly=True
    )
    scrap_ids = fields.Many2many(
        "stock.scrap",
        string="Scraps",
        readonly=True,
        copy=False,
        help="The scraps validated by the signed disposition.",
    )
    return_picking_ids = fields.Many2many(
        "stock.picking",
        string="Returns to Supplier",
        readonly=True,
        copy=False,
        help="The returns to the supplier made ready by the signed disposition; the "
        "warehouse ships them.",
    )
    rework_production_ids = fields.Many2many(
        "mrp.production",
        string="Rework Orders",
        readonly=True,
        copy=False,
        help="The rework manufacturing orders made by the signed disposition: they "
        "take the nonconforming lots into production.",
    )
    lot_quantity_ids = fields.One2many(
        "med.nonconformance.lot",
        "nonconformance_id",
        string="Quantity per Lot",
        copy=True,
        help="With several lots: how much of each is nonconforming. The signed "
        "scrap, return or rework moves these quantities.",
    )
    scrap_count = fields.Integer(compute="_compute_stock_operation_counts")
    return_picking_count = fields.Integer(compute="_compute_stock_operation_counts")
    rework_production_count = fields.Integer(compute="_compute_stock_operation_counts")

    def _compute_stock_operation_counts(self):
        for record in self:
            record.scrap_count = len(record.scrap_ids)
            record.return_picking_count = len(record.return_picking_ids)
            record.rework_production_count = len(record.rework_production_ids)

    @api.model_create_multi
    def create(self, vals_list):
        trusted = self.env.context.get("med_protected_write") is PROTECTED_WRITE
        rule_run = self.env.context.get("med_capa_rule_run") is RULE_RUN
        model = self
        if not origin_trusted(self.env):
            model, vals_list = self._med_guard_finding_create(vals_list)
        for vals in vals_list:
            if not trusted:
                # A new nonconformance is open and undecided, whoever records it.
                vals.update(
                    state="open",
                    recall_risk=False,
                    disposition_date=False,
                    disposition_user_id=False,
                )
            if not origin_trusted(self.env):
                # Values, defaults and copies alike: a record that claims to come
                # from a rule's event would make the rule skip that event.
                vals.update(dict.fromkeys(ORIGIN_FIELDS, False))
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code(
                    "med.nonconformance"
                )
        records = super(MedNonconformance, model).create(vals_list)
        if not rule_run:  # the engine's own records do not fire the rules again
            for record in records.filtered(lambda r: r.source in SOURCE_TRIGGERS):
                record._med_fire_rules()
        return records

    def write(self, vals):
        check_origin_write(self, vals)
        frozen = FROZEN_FIELDS.intersection(vals)
        decided = self.filtered(lambda r: r.state != "open")
        if frozen and decided:
            raise UserError(
                self.env._(
                    "%(records)s are dispositioned: their findings and disposition "
                    "can no longer change.",
                    records=", ".join(decided.mapped("name")),
                )
            )
        if not origin_trusted(self.env):
            self._med_ensure_finding_change(vals)
        return super().write(vals)

    @api.model
    def _med_guard_finding_create(self, vals_list):
        """(model, vals_list) of a create outside trusted code: a ``default_*``
        context key of the finding's reporter or date counts as given (a context
        key is never authority), and another reporter than the recorder is refused
        unless a QA manager names them with a reason; a date ahead is refused."""
        keys = {f"default_{name}" for name in FINDING_FIELDS}
        given = keys.intersection(self.env.context)
        model = self
        if given:
            defaults = {key[len("default_") :]: self.env.context[key] for key in given}
            vals_list = [dict(defaults, **vals) for vals in vals_list]
            # Keys are removed, not overridden: a context replaced as a whole.
            model = self.with_context(  # pylint: disable=context-overridden
                {k: v for k, v in self.env.context.items() if k not in keys}
            )
        for vals in vals_list:
            if "user_id" in vals and vals["user_id"] != self.env.uid:
                if not self.env.user.has_group(QA_MANAGER) or not self._med_reason():
                    raise UserError(
                        self.env._(
                            "A nonconformance is reported by whoever records it: "
                            "only a QA manager names another reporter, and gives "
                            "the reason. Nothing was recorded."
                        )
                    )
            if vals.get("date"):
                model._med_ensure_detected_before_now(vals["date"])
        return model, vals_list

    def _med_ensure_detected_before_now(self, value):
        detected = fields.Datetime.to_datetime(value)
        if detected > fields.Datetime.now():
            raise UserError(
                self.env._(
                    "A nonconformance cannot be detected in the future "
                    "(%(date)s UTC). Nothing was changed.",
                    date=fields.Datetime.to_string(detected),
                )
            )

    def _med_ensure_finding_change(self, vals):
        """Who reported a nonconformance and when it was detected change only by a
        QA manager, with a reason (kept in the audit trail with the change)."""
        given = [name for name in FINDING_FIELDS if name in vals]
        moved = given and self.filtered(
            lambda record: any(
                not record._med_same_value(name, vals[name], record[name])
                for name in given
            )
        )
        if not moved:
            return
        labels = self._med_field_labels(given)
        moved._med_require_group(
            QA_MANAGER,
            self.env._(
                "%(records)s: only a QA manager changes %(fields)s of a "
                "nonconformance. Nothing was changed.",
                records=", ".join(moved.mapped("name")),
                fields=labels,
            ),
        )
        reason = (vals.get("med_change_reason") or "").strip() or self._med_reason()
        if not reason:
            raise UserError(
                self.env._(
                    "%(records)s: give the reason for changing %(fields)s (kept in "
                    "the audit trail with the change). Nothing was changed.",
                    records=", ".join(moved.mapped("name")),
                    fields=labels,
                )
            )
        if vals.get("date"):
            self._med_ensure_detected_before_now(vals["date"])
        elif "date" in vals:
            raise UserError(
                self.env._(
                    "%(records)s: a nonconformance keeps its detection date: give "
                    "the corrected one instead.",
                    records=", ".join(moved.mapped("name")),
                )
            )

    def _med_fire_rules(self):
        self.ensure_one()
        self.env["med.capa.rule"]._med_fire(
            SOURCE_TRIGGERS[self.source],
            [
                {
                    "origin": self,
                    "nonconformance": self,
                    "lots": self.lot_ids,
                    "product": self.product_id,
                    "partner": self.partner_id,
                    "quantity": self.quantity,
                    "description": self.description,
                    "severity": self.severity,
                    "company": self.company_id,
                }
            ],
        )

    def _med_attach_recall_scope(self, lots):
        """Attach the recall scope of ``lots`` and flag a recall risk if shipped."""
        shipped = self.env["med.capa"]._med_recall_scope_file(lots, self)
        if shipped:
            self._med_protected_write().write({"recall_risk": True})

    # -- disposition --
    def _med_ensure_disposition(self):
        self._med_require_group(
            QA_MANAGER,
            self.env._(
                "Only a QA manager decides the disposition of nonconforming product."
            ),
        )
        for record in self:
            if record.state != "open":
                raise UserError(
                    self.env._(
                        "%(record)s is already dispositioned.",
                        record=record.name,
                    )
                )
            record._med_require_fields(["disposition"], self.env._("signing"))
            if record.quantity <= 0:
                raise UserError(
                    self.env._(
                        "%(record)s: give a nonconforming quantity above zero before "
                        "the disposition.",
                        record=record.display_name,
                    )
                )
            if record._med_carried_out_in_stock():
                record._med_ensure_stock_disposition()

    def _med_carried_out_in_stock(self):
        """A scrap, return or rework of lots is carried out by the signature; without
        lots it is recorded only."""
        self.ensure_one()
        return self.disposition in STOCK_DISPOSITIONS and bool(self.lot_ids)

    def _med_lot_split(self):
        """[(lot, quantity)] the disposition moves: the quantity of the one lot, or
        the quantity given for each of several lots."""
        self.ensure_one()
        if len(self.lot_ids) == 1:
            return [(self.lot_ids, self.quantity)]
        return [(line.lot_id, line.quantity) for line in self.lot_quantity_ids]

    def _med_ensure_lot_split(self):
        if len(self.lot_ids) == 1:
            return
        given = sum(self.lot_quantity_ids.mapped("quantity"))
        rounding = self.product_id.uom_id.rounding or 0.001
        if float_compare(given, self.quantity, precision_rounding=rounding):
            raise UserError(
                self.env._(
                    "%(record)s has several lots: give the nonconforming quantity of "
                    "each lot (Quantity per Lot), %(given)s in all, so that they add "
                    "up to %(quantity)s. Nothing was changed.",
                    record=self.name,
                    given=given,
                    quantity=self.quantity,
                )
            )

    def _med_ensure_stock_disposition(self):
        """Refuse a scrap, return or rework that stock cannot carry out, before
        anything is signed or moved."""
        self.ensure_one()
        self._med_ensure_lot_split()
        for lot, quantity in self._med_lot_split():
            self._med_ensure_lot_disposition(lot, quantity)
        if self.disposition == "rework" and not self._med_rework_operation_type():
            raise UserError(
                self.env._(
                    "%(record)s: %(company)s has no manufacturing operation type for "
                    "the rework order. Nothing was changed.",
                    record=self.name,
                    company=self.company_id.name,
                )
            )

    def _med_ensure_lot_disposition(self, lot, quantity):
        on_hand = sum(self._med_lot_quants(lot).mapped("quantity"))
        rounding = lot.product_id.uom_id.rounding
        if float_compare(on_hand, quantity, precision_rounding=rounding) < 0:
            raise UserError(
                self.env._(
                    "%(record)s: only %(on_hand)s %(unit)s of lot %(lot)s are in "
                    "stock, less than the %(quantity)s %(unit)s to dispose of. Nothing "
                    "was changed.",
                    record=self.name,
                    on_hand=on_hand,
                    quantity=quantity,
                    unit=lot.product_id.uom_id.name,
                    lot=lot.name,
                )
            )
        if self.disposition == "return" and not self._med_receipt_line(lot):
            raise UserError(
                self.env._(
                    "%(record)s: lot %(lot)s was not received from a supplier (no "
                    "validated receipt brought it in), so it cannot be returned. "
                    "Choose another disposition.",
                    record=self.name,
                    lot=lot.name,
                )
            )

    def _med_rework_operation_type(self):
        return self.env["stock.picking.type"].search(
            [("code", "=", "mrp_operation"), ("company_id", "=", self.company_id.id)],
            order="sequence, id",
            limit=1,
        )

    def _med_lot_quants(self, lot=None):
        """The stock of the nonconformance's lots (or of ``lot``) in internal
        locations of its company, oldest first."""
        return self.env["stock.quant"].search(
            [
                ("lot_id", "in", (lot or self.lot_ids).ids),
                ("location_id.usage", "=", "internal"),
                ("company_id", "=", self.company_id.id),
                ("quantity", ">", 0),
            ],
            order="in_date, id",
        )

    def _med_receipt_line(self, lot=None):
        """The last validated receipt line that brought the lot in from a supplier."""
        return self.env["stock.move.line"].search(
            [
                ("lot_id", "in", (lot or self.lot_ids).ids),
                ("state", "=", "done"),
                ("location_id.usage", "=", "supplier"),
                ("picking_id", "!=", False),
                ("company_id", "=", self.company_id.id),
            ],
            order="date desc, id desc",
            limit=1,
        )

    def action_disposition(self):
        self._med_ensure_disposition()
        return self._med_request_signature(
            "disposition",
            "_med_do_disposition",
            title=self.env._("Sign the Disposition"),
        )

    def _med_do_disposition(self):
        self._med_ensure_disposition()
        self._med_protected_write().write(
            {
                "state": "dispositioned",
                "disposition_date": fields.Datetime.now(),
                "disposition_user_id": self.env.uid,
            }
        )
        # In the signature's transaction: if stock refuses, nothing is signed.
        for record in self:
            if not record._med_carried_out_in_stock():
                continue
            carry_out = {
                "scrap": record._med_scrap,
                "return": record._med_return_to_supplier,
                "rework": record._med_rework,
            }[record.disposition]
            for lot, quantity in record._med_lot_split():
                carry_out(lot, quantity)

    def _med_scrap(self, lot, quantity):
        """Scrap the quantity from the locations where the lot lies; reject the lot
        when none of it is left in stock."""
        self.ensure_one()
        rounding = lot.product_id.uom_id.rounding
        remaining = quantity
        scraps = self.env["stock.scrap"]
        for quant in self._med_lot_quants(lot):
            if float_is_zero(remaining, precision_rounding=rounding):
                break
            quantity = min(remaining, quant.quantity)
            scrap = scraps.create(
                {
                    "product_id": lot.product_id.id,
                    "product_uom_id": lot.product_id.uom_id.id,
                    "lot_id": lot.id,
                    "package_id": quant.package_id.id,
                    "owner_id": quant.owner_id.id,
                    "location_id": quant.location_id.id,
                    "scrap_qty": quantity,
                    "origin": self.name,
                    "company_id": self.company_id.id,
                }
            )
            # Odoo answers a shortage with a window instead of scrapping; the
            # quantity read back is the one its done move took.
            done = scrap.action_validate() is True and scrap.state == "done"
            if not done or float_compare(
                scrap.scrap_qty, quantity, precision_rounding=rounding
            ):
                raise UserError(
                    self.env._(
                        "%(record)s: %(quantity)s of lot %(lot)s could not be scrapped "
                        "from %(location)s. Nothing was signed.",
                        record=self.name,
                        quantity=quantity,
                        lot=lot.name,
                        location=quant.location_id.display_name,
                    )
                )
            scraps |= scrap
            remaining -= quantity
        self._med_protected_write().write(
            {"scrap_ids": [fields.Command.link(scrap.id) for scrap in scraps]}
        )
        # A recalled lot keeps its status: the recall tracks it to its closure.
        if not self._med_lot_quants(lot) and lot.med_state not in (
            "rejected",
            "recalled",
        ):
            lot.with_context(
                med_reason=self.env._(
                    "Scrapped in full by nonconformance %(record)s",
                    record=self.name,
                )
            )._med_set_state("rejected")

    def _med_return_to_supplier(self, lot, quantity):
        """A return of the quantity of the lot to the supplier of its receipt,
        through Odoo's return wizard, reserved on the lot and left for the warehouse
        to ship."""
        self.ensure_one()
        receipt_line = self._med_receipt_line(lot)
        receipt = receipt_line.picking_id
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=receipt.id, active_model="stock.picking")
            .create({"picking_id": receipt.id})
        )
        for line in wizard.product_return_moves:
            line.quantity = quantity if line.move_id == receipt_line.move_id else 0
        action = wizard.action_create_returns()
        picking = self.env["stock.picking"].browse(action["res_id"])
        picking.origin = f"{self.name}: {picking.origin}"
        # The wizard reserves whatever the receipt brought, released lots only for an
        # outgoing type; the return is of the nonconforming lot, wherever it lies.
        move = picking.move_ids
        move._do_unreserve()
        rounding = lot.product_id.uom_id.rounding
        remaining = quantity
        line_vals = []
        quants = self._med_lot_quants(lot).filtered(
            lambda q: q.location_id._child_of(picking.location_id)
        )
        for quant in quants:
            free = quant.quantity - quant.reserved_quantity
            if float_is_zero(remaining, precision_rounding=rounding) or free <= 0:
                continue
            quantity = min(remaining, free)
            vals = move._prepare_move_line_vals(quantity=quantity)
            vals.update(
                location_id=quant.location_id.id,
                lot_id=lot.id,
                package_id=quant.package_id.id,
                owner_id=quant.owner_id.id,
            )
            line_vals.append(vals)
            remaining -= quantity
        self.env["stock.move.line"].create(line_vals)
        self._med_protected_write().write(
            {"return_picking_ids": [fields.Command.link(picking.id)]}
        )

    def _med_rework(self, lot, quantity):
        """A rework manufacturing order of the lot's product, confirmed, its one
        component move reserved on the nonconforming lot where it lies: production
        reworks it and makes the reworked lot, released as any other (the gates let
        this order, and only it, take the nonconforming lot)."""
        self.ensure_one()
        product = lot.product_id
        # sudo: the signed disposition makes the rework order whoever signs it (a
        # QA manager does not plan production). The link makes the order the rework
        # of this nonconformance: trusted code only (the consumption gate reads it).
        productions = self.env["mrp.production"].sudo()
        production = (
            productions._med_protected_write()
            .create(
                {
                    "product_id": product.id,
                    "product_qty": quantity,
                    "product_uom_id": product.uom_id.id,
                    "bom_id": False,
                    "picking_type_id": self._med_rework_operation_type().id,
                    "company_id": self.company_id.id,
                    "origin": self.name,
                    "med_rework_nonconformance_id": self.id,
                }
            )
            .with_env(productions.env)
        )
        production.move_raw_ids = [
            Command.create(
                production._get_move_raw_values(product, quantity, product.uom_id)
            )
        ]
        production.action_confirm()
        move = production.move_raw_ids
        move._do_unreserve()
        rounding = product.uom_id.rounding
        remaining = quantity
        line_vals = []
        for quant in self._med_lot_quants(lot):
            free = quant.quantity - quant.reserved_quantity
            if float_is_zero(remaining, precision_rounding=rounding) or free <= 0:
                continue
            taken = min(remaining, free)
            vals = move._prepare_move_line_vals(quantity=taken)
            vals.update(
                location_id=quant.location_id.id,
                lot_id=lot.id,
                package_id=quant.package_id.id,
                owner_id=quant.owner_id.id,
            )
            line_vals.append(vals)
            remaining -= taken
        productions.env["stock.move.line"].create(line_vals)
        self._med_protected_write().write(
            {"rework_production_ids": [Command.link(production.id)]}
        )

    def action_open_capa(self):
        """Open a CAPA for these nonconformances (QA decides one is needed)."""
        records = self.filtered(lambda r: not r.capa_id)
        if not records:
            raise UserError(self.env._("These nonconformances already have a CAPA."))
        capa = self.env["med.capa"].create(records._prepare_capa_vals())
        return capa._med_form_action()

    def _prepare_capa_vals(self):
        """Values of the CAPA that QA opens for these nonconformances (extension
        hook; the CAPA rules have their own, ``med.capa.rule._prepare_capa_vals``)."""
        first = self[0]
        return {
            "title": first.description.splitlines()[0][:120],
            "source": first.source,
            "severity": first.severity,
            "company_id": first.company_id.id,
            "product_id": first.product_id.id,
            "partner_id": first.partner_id.id,
            "lot_ids": [fields.Command.set(self.lot_ids.ids)],
            "description": "\n".join(self.mapped("description")),
            "nonconformance_ids": [fields.Command.set(self.ids)],
        }

    def action_open_inspection(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "qc.inspection",
            "res_id": self.inspection_id.id,
            "view_mode": "form",
        }

    def action_open_scraps(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Scraps"),
            "res_model": "stock.scrap",
            "view_mode": "list,form",
            "domain": [("id", "in", self.scrap_ids.ids)],
            "context": {"create": False},
        }

    def action_open_rework_productions(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Rework Orders"),
            "res_model": "mrp.production",
            "view_mode": "list,form",
            "domain": [("id", "in", self.rework_production_ids.ids)],
            "context": {"create": False},
        }

    def action_open_return_pickings(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Returns to Supplier"),
            "res_model": "stock.picking",
            "view_mode": "list,form",
            "domain": [("id", "in", self.return_picking_ids.ids)],
            "context": {"create": False},
        }
