import io
from collections import defaultdict
from datetime import timedelta

import xlsxwriter

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL, float_compare, float_is_zero, frozendict

from odoo.addons.med_audit_export.models.base import PROTECTED_WRITE
from odoo.addons.med_audit_export.models.med_audit_export import XLSX_OPTIONS
from odoo.addons.med_audit_export.models.med_signable_mixin import QA_MANAGER
from odoo.addons.med_lot_trace.wizards.med_lot_recall_simulate import (
    default_selected_lots,
)

from .med_recall_report import (
    FDA_806_WORK_DAYS,
    NMPA_PROGRESS_DAYS,
    NMPA_SUMMARY_WORK_DAYS,
)

STATES = [
    ("draft", "Draft"),
    ("launched", "Launched"),
    ("closed", "Closed"),
    ("cancelled", "Cancelled"),
]
# NMPA 医疗器械召回管理办法 art. 14: level by the seriousness of the health hazard.
NMPA_LEVELS = [
    ("1", "Level I"),
    ("2", "Level II"),
    ("3", "Level III"),
]
# NMPA 医疗器械召回管理办法 (2017) art. 16: once the recall is decided, the consignees
# are notified within 1 day (level I), 3 days (level II) or 7 days (level III).
NMPA_NOTIFICATION_DAYS = {"1": 1, "2": 3, "3": 7}
# FDA 21 CFR 7.3(m): class by the probability of serious adverse health consequences.
FDA_CLASSES = [("I", "Class I"), ("II", "Class II"), ("III", "Class III")]
INITIATIONS = [
    ("voluntary", "Voluntary"),
    ("ordered", "Ordered by the authority"),
]
# FDA 21 CFR 7.42(b)(1): the level in the distribution chain the recall reaches.
DEPTHS = [
    ("wholesale", "Wholesale (distributors)"),
    ("retail", "Retail (hospitals, pharmacies)"),
    ("user", "User (patients, consumers)"),
]
# What a launch needs filled in: the regulator's report asks for each of them.
LAUNCH_FIELDS = (
    "user_id",
    "date_discovered",
    "nmpa_level",
    "fda_class",
    "reason",
    "health_hazard",
    "depth",
    "date_decision",
    "date_target",
)
OPEN_STATES = ("draft", "launched")


class MedRecall(models.Model):
    """A recall case (召回, 21 CFR 806/7, EU MDR FSCA): the lots recalled, their scope
    frozen at opening (customers, quantities shipped, stock), the signed launch that
    blocks the lots and notifies each customer, the returns and declarations that
    account for every unit, and the signed closure."""

    _name = "med.recall"
    _description = "Recall"
    _inherit = ("mail.thread", "mail.activity.mixin", "med.signable.mixin")
    _order = "id desc"
    _check_company_auto = True
    _med_signature_actions = frozendict(
        {
            "_med_do_launch": ("approval", QA_MANAGER),
            "_med_do_close": ("closure", QA_MANAGER),
        }
    )
    _med_protected_fields = (
        "state",
        "date_scope",
        "date_launched",
        "launched_by_id",
        "date_closed",
        "closed_by_id",
    )

    name = fields.Char(
        string="Number", required=True, readonly=True, copy=False, default="/"
    )
    title = fields.Char(required=True, tracking=True)
    state = fields.Selection(
        STATES,
        string="Status",
        required=True,
        default="draft",
        readonly=True,
        index=True,
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
    )
    capa_id = fields.Many2one("med.capa", string="CAPA", check_company=True, index=True)
    nonconformance_id = fields.Many2one(
        "med.nonconformance", check_company=True, index=True
    )
    lot_ids = fields.Many2many(
        "stock.lot",
        "med_recall_stock_lot_rel",
        "recall_id",
        "lot_id",
        string="Recalled Lots",
        check_company=True,
        help="The lots found defective. The scope adds every lot made from them.",
    )
    # -- classification and decision --
    initiation = fields.Selection(
        INITIATIONS, required=True, default="voluntary", tracking=True
    )
    nmpa_level = fields.Selection(NMPA_LEVELS, string="NMPA Level", tracking=True)
    fda_class = fields.Selection(FDA_CLASSES, string="FDA Class", tracking=True)
    reason = fields.Text(string="Reason for Recall", tracking=True)
    health_hazard = fields.Text(string="Health Hazard Assessment", tracking=True)
    depth = fields.Selection(DEPTHS, string="Recall Depth", tracking=True)
    customer_instructions = fields.Text(
        help="What customers must do (stop use, quarantine, return, destroy): "
        "printed in each letter."
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda s: s.env.user,
        domain=[("share", "=", False)],
        tracking=True,
        index=True,
        check_company=True,
        help="The person the authority and the customers contact about this recall:"
        " named with phone and email in the authority report; reminded of "
        "the notification deadline.",
    )
    date_discovered = fields.Date(
        string="Problem Found On",
        tracking=True,
        help="When the defect was first found, e.g. the complaint or "
        "the out-of-specification result. Required to launch.",
    )
    date_decision = fields.Date(string="Decided On", tracking=True)
    date_target = fields.Date(string="Target Completion", tracking=True)
    target_recovery_percent = fields.Float(
        string="Recovery Target (%)", default=100.0, tracking=True
    )
    # -- frozen scope --
    date_scope = fields.Datetime(string="Scope Frozen On", readonly=True)
    scope_lot_ids = fields.One2many("med.recall.lot", "recall_id", string="Scope Lots")
    line_ids = fields.One2many("med.recall.line", "recall_id", string="Reconciliation")
    stock_ids = fields.One2many("med.recall.stock", "recall_id")
    notification_ids = fields.One2many(
        "med.recall.notification", "recall_id", string="Notifications"
    )
    check_ids = fields.One2many(
        "med.recall.check", "recall_id", string="Effectiveness Checks"
    )
    nonconformance_ids = fields.One2many(
        "med.nonconformance", "recall_id", string="Return Nonconformances"
    )
    return_picking_ids = fields.Many2many(
        "stock.picking",
        string="Returns",
        compute="_compute_reconciliation",
        help="Done receipts from customers of lots in the scope.",
    )
    return_picking_count = fields.Integer(
        string="Return Count", compute="_compute_reconciliation"
    )
    # -- effectiveness --
    customer_count = fields.Integer(string="Customers", compute="_compute_reached")
    notified_count = fields.Integer(string="Notified", compute="_compute_reached")
    acknowledged_count = fields.Integer(
        string="Acknowledged", compute="_compute_reached"
    )
    reached_percent = fields.Float(
        string="Customers Reached (%)",
        compute="_compute_reached",
        help="Customers who acknowledged the recall letter.",
    )
    shipped_qty = fields.Float(
        string="Shipped",
        compute="_compute_reconciliation",
        digits="Product Unit of Measure",
    )
    returned_qty = fields.Float(
        string="Returned",
        compute="_compute_reconciliation",
        digits="Product Unit of Measure",
    )
    destroyed_qty = fields.Float(
        string="Destroyed on Site",
        compute="_compute_reconciliation",
        digits="Product Unit of Measure",
    )
    outstanding_qty = fields.Float(
        string="Outstanding",
        compute="_compute_reconciliation",
        digits="Product Unit of Measure",
    )
    recovered_percent = fields.Float(
        string="Recovered (%)",
        compute="_compute_reconciliation",
        help="Returned and destroyed on site, against shipped.",
    )
    target_met = fields.Boolean(
        string="Recovery Target Met", compute="_compute_reconciliation"
    )
    # -- launch and closure --
    date_launched = fields.Datetime(string="Launched On", readonly=True)
    launched_by_id = fields.Many2one("res.users", readonly=True)
    notification_deadline = fields.Datetime(
        string="Notify Consignees By",
        compute="_compute_notification_deadline",
        store=True,
        help="NMPA recall rules, art. 16: every consignee is notified within 1 day "
        "(level I), 3 days (level II) or 7 days (level III) of the launch.",
    )
    notification_overdue = fields.Boolean(
        compute="_compute_notification_overdue",
        search="_search_notification_overdue",
        help="The notification deadline has passed and some consignee's letter is "
        "not sent yet.",
    )
    date_closed = fields.Datetime(string="Closed On", readonly=True)
    closed_by_id = fields.Many2one("res.users", readonly=True)
    # -- follow-up reports to the authorities --
    report_ids = fields.One2many(
        "med.recall.report", "recall_id", string="Authority Reports"
    )
    progress_report_days = fields.Integer(
        string="Progress Report Every (Days)",
        compute="_compute_progress_report_days",
        store=True,
        readonly=False,
        tracking=True,
        help="How often the NMPA progress report (召回计划实施情况报告) is due while "
        "the recall runs, as the recall plan says; by default the level's "
        "notification period (1, 3 or 7 days).",
    )
    report_overdue = fields.Boolean(
        string="Authority Report Overdue",
        compute="_compute_report_overdue",
        search="_search_report_overdue",
    )
    cancel_reason = fields.Text(
        tracking=True,
        help="Why a draft recall is not launched (e.g. the investigation cleared the "
        "lots). Required to cancel.",
    )
    closure_justification = fields.Text(
        tracking=True,
        help="Required to close with quantities still outstanding: why they cannot "
        "be recovered (used on patients, lost) and why the risk is acceptable.",
    )

    # -- computes --
    @api.depends("date_launched", "nmpa_level")
    def _compute_notification_deadline(self):
        for recall in self:
            days = NMPA_NOTIFICATION_DAYS.get(recall.nmpa_level)
            recall.notification_deadline = (
                recall.date_launched + timedelta(days=days)
                if recall.date_launched and days
                else False
            )

    @api.depends("nmpa_level")
    def _compute_progress_report_days(self):
        for recall in self:
            recall.progress_report_days = NMPA_PROGRESS_DAYS.get(recall.nmpa_level, 7)

    @api.constrains("progress_report_days")
    def _check_progress_report_days(self):
        for recall in self:
            if recall.progress_report_days < 1:
                raise ValidationError(
                    self.env._(
                        "%(recall)s: progress is reported at least every day.",
                        recall=recall.name,
                    )
                )

    def _compute_report_overdue(self):
        overdue = self.env["med.recall.report"].search(
            [("recall_id", "in", self.ids), ("is_overdue", "=", True)]
        )
        for recall in self:
            recall.report_overdue = recall in overdue.recall_id

    def _search_report_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(
                self.env._("Unsupported search on Authority Report Overdue.")
            )
        operator = "in" if (operator == "=") == value else "not in"
        overdue = self.env["med.recall.report"]._search([("is_overdue", "=", True)])
        return [("id", operator, overdue.subselect("recall_id"))]

    def _med_plan_report(self, kind, deadline):
        """Owe the authority a report of ``kind`` by ``deadline`` (a date), with
        its reminder."""
        self.ensure_one()
        report = (
            self.env["med.recall.report"]
            ._med_protected_write()
            .create({"recall_id": self.id, "kind": kind, "date_deadline": deadline})
        )
        report._med_schedule_activity()
        return report

    def _med_plan_launch_reports(self):
        """At launch (which needs the FDA class and the NMPA level): the FDA 806
        report within 10 working days, the first NMPA progress report after the
        progress period."""
        for recall in self:
            launched = fields.Date.context_today(recall, recall.date_launched)
            recall._med_plan_report(
                "fda_806",
                recall.company_id._med_add_working_days(launched, FDA_806_WORK_DAYS),
            )
            recall._med_plan_report(
                "nmpa_progress",
                launched + timedelta(days=recall.progress_report_days),
            )

    def _med_plan_closure_reports(self):
        """At closure: no more progress reports; the NMPA summary assessment
        within 10 working days."""
        for recall in self:
            recall.report_ids.filtered(lambda r: r.kind == "nmpa_progress")._med_cancel(
                self.env._("Recall closed")
            )
            closed = fields.Date.context_today(recall, recall.date_closed)
            recall._med_plan_report(
                "nmpa_summary",
                recall.company_id._med_add_working_days(closed, NMPA_SUMMARY_WORK_DAYS),
            )

    @api.depends("state", "notification_deadline", "notification_ids.state")
    def _compute_notification_overdue(self):
        # not stored: it turns true with time, not with a write
        now = fields.Datetime.now()
        for recall in self:
            recall.notification_overdue = bool(
                recall.state == "launched"
                and recall.notification_deadline
                and recall.notification_deadline < now
                and "to_send" in recall.notification_ids.mapped("state")
            )

    def _search_notification_overdue(self, operator, value):
        if operator not in ("=", "!="):
            raise UserError(self.env._("Unsupported search on Notification Overdue."))
        domain = [
            ("state", "=", "launched"),
            ("notification_deadline", "<", fields.Datetime.now()),
            ("notification_ids.state", "=", "to_send"),
        ]
        if (operator == "=") == bool(value):
            return domain
        return ["!", *expression.normalize_domain(domain)]

    @api.constrains("date_discovered")
    def _check_date_discovered(self):
        today = fields.Date.context_today(self)
        for recall in self:
            if recall.date_discovered and recall.date_discovered > today:
                raise ValidationError(
                    self.env._(
                        "%(recall)s: the problem cannot be found on %(date)s, a date "
                        "in the future.",
                        recall=recall.name,
                        date=recall.date_discovered,
                    )
                )

    @api.depends("notification_ids.state")
    def _compute_reached(self):
        for recall in self:
            notifications = recall.notification_ids
            acknowledged = notifications.filtered(lambda n: n.state == "acknowledged")
            recall.customer_count = len(notifications)
            recall.notified_count = len(notifications.filtered("date_sent"))
            recall.acknowledged_count = len(acknowledged)
            recall.reached_percent = (
                100.0 * len(acknowledged) / len(notifications) if notifications else 0.0
            )

    @api.depends("line_ids.shipped_qty", "line_ids.destroyed_qty")
    def _compute_reconciliation(self):
        returns = self._med_returns()
        for recall in self:
            returned, pickings = returns.get(recall.id, ({}, []))
            shipped = sum(recall.line_ids.mapped("shipped_qty"))
            destroyed = sum(recall.line_ids.mapped("destroyed_qty"))
            back = sum(returned.values())
            recall.return_picking_ids = [Command.set(pickings)]
            recall.return_picking_count = len(pickings)
            recall.shipped_qty = shipped
            recall.returned_qty = back
            recall.destroyed_qty = destroyed
            recall.outstanding_qty = sum(
                max(line.shipped_qty - line.destroyed_qty - returned.get(key, 0.0), 0)
                for line in recall.line_ids
                for key in [(line.partner_id.id, line.lot_id.id)]
            )
            recall.recovered_percent = (
                100.0 * (shipped - recall.outstanding_qty) / shipped if shipped else 0.0
            )
            recall.target_met = bool(
                shipped
                and float_compare(
                    recall.recovered_percent,
                    recall.target_recovery_percent,
                    precision_digits=2,
                )
                >= 0
            )

    def _med_returns(self):
        """{recall id: ({(customer id, lot id): quantity returned}, [picking ids])}:
        the done receipts from customer locations of the lots in each recall's
        scope, per commercial customer, in one query for all recalls."""
        recalls = self.filtered("id")
        if not recalls:
            return {}
        for model in ("stock.move.line", "med.recall.lot"):
            self.env[model].flush_model()
        # Set-based and without record rules: a recall's reconciliation counts every
        # return of its lots, whoever reads it (warehouse, auditor).
        rows = self.env.execute_query(
            SQL(
                """
            SELECT scope.recall_id,
                   COALESCE(partner.commercial_partner_id, partner.id),
                   line.lot_id,
                   sum(line.quantity_product_uom),
                   array_agg(DISTINCT line.picking_id)
                     FILTER (WHERE line.picking_id IS NOT NULL)
              FROM med_recall_lot scope
              JOIN stock_move_line line
                ON line.lot_id = scope.lot_id AND line.state = 'done'
              JOIN stock_location source
                ON source.id = line.location_id AND source.usage = 'customer'
              JOIN stock_location destination
                ON destination.id = line.location_dest_id
               AND destination.usage <> 'customer'
              JOIN res_partner partner ON partner.id = line.med_partner_id
             WHERE scope.recall_id = ANY(%s)
             GROUP BY 1, 2, 3
            """,
                recalls.ids,
            )
        )
        result = {}
        for recall_id, partner_id, lot_id, quantity, picking_ids in rows:
            returned, pickings = result.setdefault(recall_id, ({}, []))
            returned[(partner_id, lot_id)] = quantity
            pickings.extend(p for p in picking_ids or () if p not in pickings)
        return result

    # -- create and write --
    @api.model
    def default_get(self, fields_list):
        # "Open a Recall" on selected lots
        return default_selected_lots(
            self, super().default_get(fields_list), fields_list
        )

    @api.model_create_multi
    def create(self, vals_list):
        trusted = self.env.context.get("med_protected_write") is PROTECTED_WRITE
        for vals in vals_list:
            if not trusted:
                # A new recall is a draft, whoever opens it.
                vals.update(
                    state="draft",
                    date_launched=False,
                    launched_by_id=False,
                    date_closed=False,
                    closed_by_id=False,
                )
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("med.recall")
        recalls = super().create(vals_list)
        recalls.filtered("lot_ids")._med_freeze_scope()
        return recalls

    def write(self, vals):
        if "lot_ids" in vals:
            started = self.filtered(lambda r: r.state != "draft")
            if started:
                raise UserError(
                    self.env._(
                        "%(recalls)s are launched: their lots can no longer change. "
                        "Recompute the scope to add what was delivered since.",
                        recalls=", ".join(started.mapped("name")),
                    )
                )
        closed = self.filtered(lambda r: r.state in ("closed", "cancelled"))
        if closed and set(vals) - {"med_change_reason", "message_main_attachment_id"}:
            raise UserError(
                self.env._(
                    "%(recalls)s are closed or cancelled: they can no longer change.",
                    recalls=", ".join(closed.mapped("name")),
                )
            )
        result = super().write(vals)
        if "lot_ids" in vals:
            # The scope is frozen when the lots are chosen (the recall's opening).
            self._med_freeze_scope()
        return result

    # -- scope --
    def _med_scope_snapshot(self):
        """The scope of the recalled lots now, in one recall-scope query:
        ``lots`` {lot id: selected}, ``shipped`` {(customer id, lot id): quantity},
        ``stock`` {(location id, lot id): quantity}; quantities in product units."""
        self.ensure_one()
        # As the QA manager reads them: the lot trace applies record rules, so a
        # recall never lists another company's deliveries.
        scope = self.lot_ids.med_recall_scope()
        lots = {lot.id: lot in self.lot_ids for lot in scope["lots"]}
        shipped = defaultdict(float)
        delivered = scope["delivered_move_lines"]
        delivered.fetch(["lot_id", "quantity_product_uom", "med_partner_id"])
        for line in delivered:
            # the consignee as the lot trace names it: the move's address, else the
            # transfer's; counted per company (its commercial partner)
            key = (line.med_partner_id.commercial_partner_id.id, line.lot_id.id)
            shipped[key] += line.quantity_product_uom
        stock = defaultdict(float)
        for quant in scope["on_hand"]:
            stock[(quant.location_id.id, quant.lot_id.id)] += quant.quantity
        return {"lots": lots, "shipped": dict(shipped), "stock": dict(stock)}

    def _med_frozen_snapshot(self):
        self.ensure_one()
        return {
            "lots": {line.lot_id.id: line.selected for line in self.scope_lot_ids},
            "shipped": {
                (line.partner_id.id, line.lot_id.id): line.shipped_qty
                for line in self.line_ids
            },
            "stock": {
                (line.location_id.id, line.lot_id.id): line.quantity
                for line in self.stock_ids
            },
        }

    def _med_freeze_scope(self, snapshot=None):
        """Write the scope into the recall's lines. Customer lines keep what was
        declared on them (destroyed on site)."""
        for recall in self:
            scope = snapshot or recall._med_scope_snapshot()
            existing = {
                (line.partner_id.id, line.lot_id.id): line for line in recall.line_ids
            }
            line_commands = []
            for key, quantity in scope["shipped"].items():
                if key in existing:
                    line_commands.append(
                        Command.update(existing.pop(key).id, {"shipped_qty": quantity})
                    )
                else:
                    line_commands.append(
                        Command.create(
                            {
                                "partner_id": key[0],
                                "lot_id": key[1],
                                "shipped_qty": quantity,
                            }
                        )
                    )
            line_commands += [Command.unlink(line.id) for line in existing.values()]
            # sudo: the scope lines are replaced only here (nobody deletes them by
            # hand); the user stays the author of the change in the audit trail.
            recall.sudo()._med_protected_write().write(
                {
                    "date_scope": fields.Datetime.now(),
                    "scope_lot_ids": [Command.clear()]
                    + [
                        Command.create({"lot_id": lot_id, "selected": selected})
                        for lot_id, selected in scope["lots"].items()
                    ],
                    "line_ids": line_commands,
                    "stock_ids": [Command.clear()]
                    + [
                        Command.create(
                            {"location_id": key[0], "lot_id": key[1], "quantity": qty}
                        )
                        for key, qty in scope["stock"].items()
                    ],
                }
            )
            if recall.state == "launched":
                recall._med_apply_launch()

    def _med_scope_changes(self):
        """[(kind, change, key, old, new)] between the frozen scope and the scope now:
        kind is lots, shipped or stock; change is added, removed or changed."""
        self.ensure_one()
        frozen, now = self._med_frozen_snapshot(), self._med_scope_snapshot()
        changes = []
        for kind in ("lots", "shipped", "stock"):
            before, after = frozen[kind], now[kind]
            for key in sorted(before.keys() | after.keys()):
                if key not in before:
                    changes.append((kind, "added", key, None, after[key]))
                elif key not in after:
                    changes.append((kind, "removed", key, before[key], None))
                elif kind != "lots" and not float_is_zero(
                    before[key] - after[key], precision_digits=4
                ):
                    changes.append((kind, "changed", key, before[key], after[key]))
        return changes, now

    def action_recompute_scope(self):
        """Compare the frozen scope with the genealogy and deliveries of today; the
        user decides whether the frozen scope takes the changes."""
        self.ensure_one()
        self._med_ensure_qa_manager()
        if self.state == "closed":
            raise UserError(self.env._("%(recall)s is closed.", recall=self.name))
        wizard = self.env["med.recall.recompute"]._med_build(self)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Scope Changes"),
            "res_model": wizard._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    # -- launch --
    def _med_ensure_qa_manager(self):
        self._med_require_group(
            QA_MANAGER, self.env._("Only a QA manager decides a recall.")
        )

    def _med_ensure_launchable(self):
        self._med_ensure_qa_manager()
        for recall in self:
            if recall.state != "draft":
                raise UserError(
                    self.env._(
                        "%(recall)s is already launched, closed or cancelled: only a "
                        "draft is launched.",
                        recall=recall.name,
                    )
                )
            recall._med_require_fields(LAUNCH_FIELDS, self.env._("the launch"))
            if not recall.scope_lot_ids:
                raise UserError(
                    self.env._(
                        "%(recall)s has no lots in its scope.",
                        recall=recall.name,
                    )
                )
            others = recall._med_other_open_recalls()
            if others:
                raise UserError(
                    self.env._(
                        "%(recall)s: lots %(lots)s are already recalled by "
                        "%(others)s, which is still open: add the new findings to "
                        "that recall.",
                        recall=recall.name,
                        lots=", ".join(others.mapped("lot_id.name")),
                        others=", ".join(others.mapped("recall_id.name")),
                    )
                )

    def _med_other_open_recalls(self):
        """The scope lines of other launched recalls on this recall's lots."""
        self.ensure_one()
        # sudo: a recall of another company's lots blocks this one too.
        return (
            self.env["med.recall.lot"]
            .sudo()
            .search(
                [
                    ("lot_id", "in", self.scope_lot_ids.lot_id.ids),
                    ("recall_id", "!=", self.id),
                    ("recall_id.state", "=", "launched"),
                ]
            )
        )

    def action_launch(self):
        self._med_ensure_launchable()
        return self._med_request_signature(
            "approval", "_med_do_launch", title=self.env._("Approve and Launch")
        )

    def _med_do_launch(self):
        self._med_ensure_launchable()
        for recall in self:
            recall._med_protected_write().write(recall._prepare_launch_vals())
            recall._med_apply_launch()
            recall._med_plan_launch_reports()

    def _prepare_launch_vals(self):
        """Values written on the recall by its signed launch (extension hook)."""
        self.ensure_one()
        return {
            "state": "launched",
            "date_launched": fields.Datetime.now(),
            "launched_by_id": self.env.uid,
        }

    def _med_apply_launch(self):
        """Recall every lot of the scope (held, not reservable, not shipped) and
        prepare one notification per customer; again after the scope grew."""
        self.ensure_one()
        lots = self.scope_lot_ids.lot_id.filtered(
            lambda lot: lot.med_state not in ("recalled", "rejected")
        )
        if lots:
            reason = self.env._(
                "Recall %(recall)s: %(reason)s", recall=self.name, reason=self.reason
            )
            # Lots at customers are recalled too: they come back through returns and
            # must never be shipped again.
            lots.with_context(med_reason=reason)._med_set_state(
                "recalled", {"med_hold_source": "recall", "med_hold_reason": reason}
            )
        notified = self.notification_ids.partner_id
        new = self.line_ids.partner_id - notified
        if new:
            self.env["med.recall.notification"].create(
                [{"recall_id": self.id, "partner_id": partner.id} for partner in new]
            )
        self._med_schedule_notification_activity()

    def _med_notification_activities(self):
        activity_type = self.env.ref("med_recall.mail_activity_type_recall_notify")
        return self.activity_ids.filtered(
            lambda activity: activity.activity_type_id == activity_type
        )

    def _med_schedule_notification_activity(self):
        """Remind the responsible person (else the launcher) of the NMPA deadline
        while letters remain to send: one open reminder per recall, due on the
        deadline's day in that person's time zone."""
        for recall in self:
            pending = "to_send" in recall.notification_ids.mapped("state")
            if (
                not pending
                or not recall.notification_deadline
                or recall._med_notification_activities()
            ):
                continue
            user = recall.user_id or recall.launched_by_id
            deadline = fields.Datetime.context_timestamp(
                recall.with_context(tz=user.tz or "UTC"), recall.notification_deadline
            )
            when = "{:%Y-%m-%d %H:%M} ({})".format(deadline, user.tz or "UTC")
            recall.activity_schedule(
                "med_recall.mail_activity_type_recall_notify",
                date_deadline=deadline.date(),
                summary=self.env._(
                    "Notify every consignee by %(deadline)s", deadline=when
                ),
                note=self.env._(
                    "NMPA recall rules, art. 16: a %(level)s recall is notified to "
                    "every consignee within %(days)s day(s) of the decision.",
                    level=recall._med_selection_label("nmpa_level"),
                    days=NMPA_NOTIFICATION_DAYS[recall.nmpa_level],
                ),
                user_id=user.id,
            )

    def _med_complete_notification_activity(self):
        """The reminder is done once no letter remains to send."""
        for recall in self:
            if "to_send" not in recall.notification_ids.mapped("state"):
                recall._med_notification_activities().action_feedback(
                    feedback=self.env._("Every consignee notified")
                )

    # -- returns --
    def action_open_returns(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Returns of %(recall)s", recall=self.name),
            "res_model": "stock.picking",
            "view_mode": "list,form",
            "domain": [("id", "in", self.return_picking_ids.ids)],
            "context": {"create": False},
        }

    def action_open_return_nonconformance(self):
        """A nonconformance per product for the returned quantity not yet covered by
        one: its disposition (scrap, rework) is decided and signed there."""
        self.ensure_one()
        self._med_ensure_qa_manager()
        if self.state != "launched":
            raise UserError(
                self.env._(
                    "Returned stock is dispositioned while the recall is launched."
                )
            )
        returned, _pickings = self._med_returns().get(self.id, ({}, []))
        per_product = defaultdict(lambda: [self.env["stock.lot"], 0.0])
        per_lot = defaultdict(float)
        for (_partner_id, lot_id), quantity in returned.items():
            lot = self.env["stock.lot"].browse(lot_id)
            entry = per_product[lot.product_id]
            entry[0] |= lot
            entry[1] += quantity
            per_lot[lot] += quantity
        values = []
        for product, (lots, quantity) in per_product.items():
            covered = sum(
                self.nonconformance_ids.filtered(
                    lambda n, p=product: n.product_id == p
                ).mapped("quantity")
            )
            remaining = quantity - covered
            if (
                float_compare(remaining, 0, precision_rounding=product.uom_id.rounding)
                > 0
            ):
                values.append(
                    {
                        "description": self.env._(
                            "Returned under recall %(recall)s: %(reason)s",
                            recall=self.name,
                            reason=self.reason,
                        ),
                        "source": "recall",
                        "severity": "major",
                        "company_id": self.company_id.id,
                        "product_id": product.id,
                        "lot_ids": [Command.set(lots.ids)],
                        "quantity": remaining,
                        "capa_id": self.capa_id.id,
                        "recall_id": self.id,
                        # Several lots: what came back of each, when nothing of
                        # them is dispositioned yet (the disposition moves it).
                        "lot_quantity_ids": [
                            Command.create({"lot_id": lot.id, "quantity": per_lot[lot]})
                            for lot in lots
                        ]
                        if len(lots) > 1 and not covered
                        else [],
                    }
                )
        if not values:
            raise UserError(
                self.env._(
                    "Every returned quantity of %(recall)s already has a "
                    "nonconformance.",
                    recall=self.name,
                )
            )
        nonconformances = self.env["med.nonconformance"].create(values)
        self.message_post(
            body=self.env._(
                "Nonconformances opened for the returned stock: %(records)s",
                records=", ".join(nonconformances.mapped("name")),
            )
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Nonconformances"),
            "res_model": "med.nonconformance",
            "view_mode": "list,form",
            "domain": [("recall_id", "=", self.id)],
            "context": {"create": False},
        }

    def _med_post_return(self, move_lines):
        """Tell the recall's chatter which return brought back which lots."""
        self.ensure_one()
        lines = [
            f"{line.picking_id.name or line.reference}: {line.lot_id.name} "
            f"{line.quantity_product_uom:g} {line.product_id.uom_id.name}"
            for line in move_lines
        ]
        self.message_post(
            body=self.env._(
                "Return received of recalled lots: %(lines)s", lines="; ".join(lines)
            )
        )

    # -- notifications --
    def action_send_notifications(self):
        self.ensure_one()
        to_send = self.notification_ids.filtered(lambda n: n.state == "to_send")
        if not to_send:
            raise UserError(
                self.env._("Every letter of %(recall)s is sent.", recall=self.name)
            )
        to_send.action_send()

    # -- effectiveness and closure --
    def action_record_check(self):
        """Record an effectiveness check: customers reached and quantity recovered
        against the target, as of now."""
        self._med_ensure_qa_manager()
        for recall in self:
            if recall.state != "launched":
                raise UserError(
                    self.env._("Effectiveness is checked on a launched recall.")
                )
            self.env["med.recall.check"].create(
                {
                    "recall_id": recall.id,
                    "reached_percent": recall.reached_percent,
                    "recovered_percent": recall.recovered_percent,
                    "target_recovery_percent": recall.target_recovery_percent,
                    "outstanding_qty": recall.outstanding_qty,
                    "target_met": recall.target_met,
                }
            )

    def _med_ensure_closable(self):
        self._med_ensure_qa_manager()
        for recall in self:
            if recall.state != "launched":
                raise UserError(
                    self.env._(
                        "%(recall)s is not launched: only a launched recall is closed.",
                        recall=recall.name,
                    )
                )
            unsent = recall.notification_ids.filtered(lambda n: n.state == "to_send")
            if unsent:
                raise UserError(
                    self.env._(
                        "%(recall)s: customers %(customers)s have not been notified.",
                        recall=recall.name,
                        customers=", ".join(unsent.mapped("partner_id.display_name")),
                    )
                )
            if (
                recall.outstanding_qty > 0
                and not (recall.closure_justification or "").strip()
            ):
                raise UserError(
                    self.env._(
                        "%(recall)s still has %(quantity)s units outstanding at "
                        "customers: recover them (returns, declarations of "
                        "destruction) or write the closure justification.",
                        recall=recall.name,
                        quantity=recall._med_qty(recall.outstanding_qty),
                    )
                )

    def action_close(self):
        self._med_ensure_closable()
        return self._med_request_signature(
            "closure", "_med_do_close", title=self.env._("Close the Recall")
        )

    def _med_do_close(self):
        self._med_ensure_closable()
        self.activity_ids.action_feedback(feedback=self.env._("Recall closed"))
        self._med_protected_write().write(
            {
                "state": "closed",
                "date_closed": fields.Datetime.now(),
                "closed_by_id": self.env.uid,
            }
        )
        self._med_plan_closure_reports()

    def action_cancel(self):
        """A draft recall that will not be launched (the lots were cleared) is
        cancelled with its reason, never deleted."""
        self._med_ensure_qa_manager()
        for recall in self:
            if recall.state != "draft":
                raise UserError(
                    self.env._(
                        "%(recall)s is launched or finished: only a draft recall is "
                        "cancelled.",
                        recall=recall.name,
                    )
                )
            if not (recall.cancel_reason or "").strip():
                raise UserError(
                    self.env._(
                        "Say why %(recall)s is cancelled.",
                        recall=recall.name,
                    )
                )
        self.with_context(
            med_reason=self.env._("Recall cancelled")
        )._med_protected_write().write({"state": "cancelled"})

    # -- reports --
    def _med_field_label(self, name):
        return self._fields[name]._description_string(self.env)

    def _med_selection_label(self, name):
        return dict(self._fields[name]._description_selection(self.env)).get(
            self[name], ""
        )

    def _med_report_fields(self):
        """[(label, value)] of the authority report: NMPA 召回事件报告表 and FDA
        21 CFR 806.10 ask for these."""
        self.ensure_one()
        company = self.company_id
        products = self.scope_lot_ids.product_id
        date = fields.Date.to_string
        return [
            (self.env._("Recall number"), self.name),
            (self.env._("Title"), self.title),
            (
                self.env._("Manufacturer"),
                ", ".join(
                    filter(
                        None,
                        [
                            company.name,
                            company.partner_id._display_address(
                                without_company=True
                            ).replace("\n", ", "),
                        ],
                    )
                ),
            ),
            (self.env._("Products"), ", ".join(products.mapped("display_name"))),
            (
                self.env._("UDI-DI"),
                ", ".join(filter(None, products.mapped("med_udi_di"))),
            ),
            (
                self.env._("Registration/Filing No."),
                ", ".join(self._med_registration_numbers(products)),
            ),
            (
                self.env._("Lots (recalled and made from them)"),
                ", ".join(self.scope_lot_ids.lot_id.mapped("name")),
            ),
            (self.env._("Initiation"), self._med_selection_label("initiation")),
            (self.env._("NMPA recall level"), self._med_selection_label("nmpa_level")),
            (self.env._("FDA recall class"), self._med_selection_label("fda_class")),
            (self.env._("Reason for recall"), self.reason or ""),
            (self.env._("Health hazard assessment"), self.health_hazard or ""),
            (self.env._("Recall depth"), self._med_selection_label("depth")),
            (self.env._("Instructions to customers"), self.customer_instructions or ""),
            (self.env._("Problem found on"), date(self.date_discovered) or ""),
            (self.env._("Decided on"), date(self.date_decision) or ""),
            (
                self.env._("Launched on (UTC)"),
                fields.Datetime.to_string(self.date_launched) or "",
            ),
            (
                self.env._("Consignees to be notified by (UTC)"),
                fields.Datetime.to_string(self.notification_deadline) or "",
            ),
            (self.env._("Target completion"), date(self.date_target) or ""),
            (self.env._("Responsible person"), self.user_id.name or ""),
            (
                self.env._("Responsible person's phone"),
                self.user_id.phone or self.user_id.mobile or "",
            ),
            (self.env._("Responsible person's email"), self.user_id.email or ""),
            (self.env._("Customers (consignees)"), str(self.customer_count)),
            (self.env._("Customers notified"), str(self.notified_count)),
            (self.env._("Customers reached (%)"), f"{self.reached_percent:.1f}"),
            (
                self.env._("Quantity made or received (per product)"),
                "; ".join(self._med_made_per_product()),
            ),
            (self.env._("Quantity shipped"), f"{self.shipped_qty:g}"),
            (self.env._("Quantity returned"), f"{self.returned_qty:g}"),
            (self.env._("Quantity destroyed on site"), f"{self.destroyed_qty:g}"),
            (self.env._("Quantity outstanding"), f"{self.outstanding_qty:g}"),
            (self.env._("Quantity in stock at opening"), f"{self._med_stock_qty():g}"),
            (self.env._("Recovered (%)"), f"{self.recovered_percent:.1f}"),
            (self.env._("Status"), self._med_selection_label("state")),
            (
                self.env._("Closed on (UTC)"),
                fields.Datetime.to_string(self.date_closed) or "",
            ),
            (self.env._("Closure justification"), self.closure_justification or ""),
        ]

    @api.model
    def _med_registration_numbers(self, products):
        """The distinct registration/filing numbers (注册证编号/备案编号) of the
        products, in the order of the products."""
        return list(
            dict.fromkeys(filter(None, products.mapped("med_registration_number")))
        )

    @api.model
    def _med_qty(self, quantity):
        """A quantity as people write it: 12, 12.5 (not 12.0)."""
        return f"{quantity:g}"

    def _med_stock_qty(self):
        return sum(self.stock_ids.mapped("quantity"))

    def _med_reconciliation_labels(self):
        return [
            self.env._("Customer"),
            self.env._("Lot/Serial"),
            self.env._("Product"),
            self.env._("Unit"),
            self.env._("Shipped"),
            self.env._("Returned"),
            self.env._("Destroyed on site"),
            self.env._("Outstanding"),
            self.env._("Letter"),
            self.env._("Acknowledged by"),
        ]

    def _med_reconciliation_rows(self):
        self.ensure_one()
        states = dict(
            self.env["med.recall.notification"]
            ._fields["state"]
            ._description_selection(self.env)
        )
        notifications = {n.partner_id: n for n in self.notification_ids}
        for line in self.line_ids.sorted(
            lambda line: (line.partner_id.display_name or "", line.lot_id.name)
        ):
            notification = notifications.get(line.partner_id)
            yield [
                line.partner_id.display_name or "",
                line.lot_id.name,
                line.product_id.display_name,
                line.product_uom_id.name,
                f"{line.shipped_qty:g}",
                f"{line.returned_qty:g}",
                f"{line.destroyed_qty:g}",
                f"{line.outstanding_qty:g}",
                states.get(notification.state, "") if notification else "",
                (notification and notification.acknowledged_by) or "",
            ]

    def _med_lot_labels(self):
        return [
            self.env._("Lot/Serial"),
            self.env._("Product"),
            self.env._("UDI-DI"),
            self.env._("Registration/Filing No."),
            self.env._("Production date"),
            self.env._("Expiry date"),
            self.env._("Recalled lot or made from one"),
            self.env._("Status"),
            self.env._("Made or received"),
            self.env._("Shipped"),
            self.env._("In stock at opening"),
        ]

    def _med_made_qty(self):
        """{lot id: quantity}: what each lot of the scope was made (finished in
        production) or received (from a supplier) in, in product units; the
        quantity of the lot that the recall concerns (FDA 806.10(c)(7), NMPA
        生产数量)."""
        self.ensure_one()
        lot_ids = self.scope_lot_ids.lot_id.ids
        if not lot_ids:
            return {}
        self.env["stock.move.line"].flush_model()
        # Set-based and without record rules: the quantity made is a fact of the
        # lot, whoever exports the report (auditor).
        return dict(
            self.env.execute_query(
                SQL(
                    """
            SELECT line.lot_id, sum(line.quantity_product_uom)
              FROM stock_move_line line
              JOIN stock_location source
                ON source.id = line.location_id
               AND source.usage IN ('production', 'supplier')
              JOIN stock_location destination
                ON destination.id = line.location_dest_id
               AND destination.usage = 'internal'
             WHERE line.state = 'done' AND line.lot_id = ANY(%s)
             GROUP BY line.lot_id
            """,
                    lot_ids,
                )
            )
        )

    def _med_made_per_product(self):
        """["product: quantity unit"] made or received, summed over the scope's lots
        of each product."""
        made = self._med_made_qty()
        per_product = defaultdict(float)
        for lot in self.scope_lot_ids.lot_id:
            per_product[lot.product_id] += made.get(lot.id, 0.0)
        return [
            f"{product.display_name}: {self._med_qty(quantity)} {product.uom_id.name}"
            for product, quantity in per_product.items()
            if quantity
        ]

    def _med_lot_rows(self):
        """Each lot of the scope with what NMPA's and FDA's reports ask of it."""
        self.ensure_one()
        states = dict(
            self.env["stock.lot"]._fields["med_state"]._description_selection(self.env)
        )
        made = self._med_made_qty()
        shipped, stock = defaultdict(float), defaultdict(float)
        for line in self.line_ids:
            shipped[line.lot_id] += line.shipped_qty
        for line in self.stock_ids:
            stock[line.lot_id] += line.quantity
        for line in self.scope_lot_ids:
            lot = line.lot_id
            yield [
                lot.name,
                lot.product_id.display_name,
                lot.product_id.med_udi_di or "",
                lot.product_id.med_registration_number or "",
                fields.Date.to_string(lot.med_production_date) or "",
                fields.Datetime.to_string(lot.expiration_date) or "",
                self.env._("Recalled") if line.selected else self.env._("Made from"),
                states.get(lot.med_state, ""),
                self._med_qty(made.get(lot.id, 0.0)),
                self._med_qty(shipped[lot]),
                self._med_qty(stock[lot]),
            ]

    def _med_consignee_rows(self):
        """Each customer, where to reach them, and how far the letter went."""
        self.ensure_one()
        states = dict(
            self.env["med.recall.notification"]
            ._fields["state"]
            ._description_selection(self.env)
        )
        notifications = {n.partner_id: n for n in self.notification_ids}
        for partner in self.line_ids.partner_id.sorted("display_name"):
            notification = notifications.get(partner)
            yield [
                partner.display_name or "",
                partner._display_address(without_company=True).replace("\n", ", "),
                partner.phone or partner.mobile or "",
                partner.email or "",
                states.get(notification.state, "") if notification else "",
                fields.Datetime.to_string(notification.date_sent) or ""
                if notification
                else "",
                (notification and notification.acknowledged_by) or "",
                fields.Datetime.to_string(notification.date_acknowledged) or ""
                if notification
                else "",
            ]

    def _med_stock_rows(self):
        self.ensure_one()
        for line in self.stock_ids:
            yield [
                line.location_id.display_name,
                line.lot_id.name,
                line.product_id.display_name,
                f"{line.quantity:g}",
            ]

    def _med_ensure_exportable(self):
        self.ensure_one()
        self._med_require_group(
            "med_audit_export.group_med_auditor",
            self.env._(
                "Only auditors, QA managers and compliance administrators export "
                "evidence reports."
            ),
        )

    def action_export_report(self):
        """The authority report as xlsx (context ``med_format``: xlsx or pdf) through
        the export engine: recorded, with its verification code."""
        self._med_ensure_exportable()
        file_format = self.env.context.get("med_format") or "xlsx"
        title = self.env._("Recall report %(recall)s", recall=self.name)
        data = {"title": title, "filter_description": self.name}
        Export = self.env["med.audit.export"]
        tables = [
            (
                self.env._("Recall report"),
                [self.env._("Field"), self.env._("Value")],
                [list(pair) for pair in self._med_report_fields()],
            ),
            (
                self.env._("Lots"),
                self._med_lot_labels(),
                list(self._med_lot_rows()),
            ),
            (
                self.env._("Consignees"),
                [
                    self.env._("Customer"),
                    self.env._("Address"),
                    self.env._("Phone"),
                    self.env._("Email"),
                    self.env._("Letter"),
                    self.env._("Sent on (UTC)"),
                    self.env._("Acknowledged by"),
                    self.env._("Acknowledged on (UTC)"),
                ],
                list(self._med_consignee_rows()),
            ),
            (
                self.env._("Reconciliation"),
                self._med_reconciliation_labels(),
                list(self._med_reconciliation_rows()),
            ),
            (
                self.env._("Stock at opening"),
                [
                    self.env._("Location"),
                    self.env._("Lot/Serial"),
                    self.env._("Product"),
                    self.env._("Quantity"),
                ],
                list(self._med_stock_rows()),
            ),
        ]
        if file_format == "pdf":
            content = self._med_render_report_pdf(data, tables)
        else:
            content = self._med_render_xlsx(Export, data, tables)
        count = sum(len(rows) for _label, _labels, rows in tables)
        return self._med_export_action(
            Export._med_record_export(title, file_format, content, self.name, count)
        )

    def action_export_reconciliation(self):
        """The reconciliation sheet (xlsx): per customer and lot, shipped, returned,
        destroyed and outstanding."""
        self._med_ensure_exportable()
        title = self.env._("Recall reconciliation %(recall)s", recall=self.name)
        data = {"title": title, "filter_description": self.name}
        rows = list(self._med_reconciliation_rows())
        Export = self.env["med.audit.export"]
        content = Export._med_render_table(
            "xlsx", data, self._med_reconciliation_labels(), rows
        )
        return self._med_export_action(
            Export._med_record_export(title, "xlsx", content, self.name, len(rows))
        )

    @api.model
    def _med_render_xlsx(self, Export, data, tables):
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, XLSX_OPTIONS)
        for sheet, labels, rows in tables:
            Export._med_write_xlsx_table(workbook, sheet[:31], data, labels, rows)
        workbook.close()
        return buffer.getvalue()

    def _med_render_report_pdf(self, data, tables):
        Export = self.env["med.audit.export"]
        content, _kind = self.env["ir.actions.report"]._render_qweb_pdf(
            "med_audit_export.action_report_dossier",
            data={
                "title": data["title"],
                "header": Export._med_header_lines(data),
                "sections": [
                    {"label": label, "columns": labels, "rows": rows}
                    for label, labels, rows in tables
                ],
                "footer": Export._med_footer(),
            },
        )
        return content

    @api.model
    def _med_export_action(self, export):
        return {
            "type": "ir.actions.act_window",
            "res_model": export._name,
            "res_id": export.id,
            "view_mode": "form",
            "target": "current",
        }
