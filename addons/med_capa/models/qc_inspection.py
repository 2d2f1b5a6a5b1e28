from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, formatLang

from odoo.addons.med_audit_export.models.med_signable_mixin import QA_MANAGER

from .med_capa import CAPA_READERS

# A result that passed or failed (approved by QA when it failed) is final: the
# inspection is a GxP record (21 CFR 820.80(e)), corrected by a new inspection.
FINAL_STATES = ("success", "failed")
# The states a result is recorded in (quality_control_oca's action_confirm).
RECORDED_STATES = ("success", "waiting")
# Not finished: planned ahead of the operation, draft, ready to fill in, or waiting
# for QA's approval of a failure. Its result is not known, so it blocks the release
# of its lot (the release check open_quality_records).
OPEN_STATES = ("plan", "draft", "ready", "waiting")
# The states a new inspection starts in: no result is recorded yet.
START_STATES = ("plan", "draft", "ready")
# What changes the release checks' findings on the inspected lots.
RECONCILED_FIELDS = {"state", "qty", "lot_id", "object_id"}
APPROVAL_ACTIVITY = "med_capa.mail_activity_type_inspection_approval"
# What the result is made of. The notes stay open to comments.
RESULT_FIELDS = {
    "name",
    "state",
    "success",
    "date",
    "date_done",
    "object_id",
    "product_id",
    "lot_id",
    "picking_id",
    "qty",
    "test",
    "user",
    "company_id",
    "inspection_lines",
    "med_equipment_ids",
    "med_lab_ref",
    "med_result_user_id",
}


class QcInspection(models.Model):
    _inherit = "qc.inspection"

    # Only for the roles that may read nonconformances.
    med_nonconformance_ids = fields.One2many(
        "med.nonconformance",
        "inspection_id",
        string="Nonconformances",
        groups=CAPA_READERS,
    )
    med_nonconformance_count = fields.Integer(
        string="Nonconformance Count",
        compute="_compute_med_nonconformance_count",
        groups=CAPA_READERS,
    )

    # A copy is a new inspection: it starts without the original's result.
    state = fields.Selection(copy=False)
    med_result_user_id = fields.Many2one(
        "res.users",
        string="Result Recorded By",
        readonly=True,
        copy=False,
        help="Who recorded the result: the nonconformance of a failed result names "
        "this inspector as its reporter, not the QA manager who approved it.",
    )

    def _compute_med_nonconformance_count(self):
        for inspection in self:
            inspection.med_nonconformance_count = len(inspection.med_nonconformance_ids)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._med_ensure_result_user_not_given(vals)
            # Over a ``default_med_result_user_id`` context key too: nobody has
            # recorded the result of a new inspection.
            vals["med_result_user_id"] = False
        for state in self._med_start_states(vals_list):
            self._med_ensure_start_state(state)
        inspections = super().create(vals_list)
        inspections._med_reconcile_lots()
        return inspections

    def _med_ensure_start_state(self, state):
        """A new inspection has no result yet, whoever creates it and however (values,
        ``default_state`` context key, copy, import): its result is recorded through
        write(), which names who recorded it, lets QA approve a failure and runs the
        CAPA rules."""
        if state not in START_STATES:
            states = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "A new inspection cannot start as %(state)s: create it, then "
                    "record its result.",
                    state=states.get(state, state),
                )
            )

    def _med_ensure_result_user_not_given(self, vals):
        if "med_result_user_id" in vals:
            raise UserError(
                self.env._(
                    "Who recorded an inspection result is set when the result is "
                    "recorded; it cannot be written."
                )
            )

    def write(self, vals):
        self._med_ensure_result_user_not_given(vals)
        if vals.get("state") in RECORDED_STATES:
            vals = dict(vals, med_result_user_id=self.env.uid)
        if RESULT_FIELDS.intersection(vals):
            self._med_ensure_result_open()
        if vals.get("state") in FINAL_STATES:
            self._med_ensure_approver()
        passing = vals.get("state") == "success"
        if passing and "inspection_lines" not in vals:
            self._med_ensure_passed()  # before writing: a refusal changes nothing
        # Every way an inspection fails (approval of a failed result, a direct write
        # from code or RPC) passes here: the rules run in the same transaction.
        failing = self.browse()
        if vals.get("state") == "failed":
            failing = self.filtered(lambda i: i.state != "failed")
        waiting = self.browse()
        if vals.get("state") == "waiting":
            waiting = self.filtered(lambda i: i.state != "waiting")
        result = super().write(vals)
        if passing and "inspection_lines" in vals:
            self._med_ensure_passed()  # on the lines written with the result
        if waiting:
            waiting._med_ask_qa_approval()
        if failing:
            nonconformances, capas = self.env["med.capa.rule"]._med_fire(
                "inspection_failed", [i._med_failure_event() for i in failing]
            )
            failing._med_tell_failure_outcome(nonconformances, capas)
        if RECONCILED_FIELDS.intersection(vals):
            self._med_reconcile_lots()
        return result

    def _med_reconcile_lots(self):
        """An inspection started, finished or cancelled: the checks of its lots."""
        # sudo: the lots behind the inspection, whatever the inspector may read.
        lots = self.env["stock.lot"].union(
            *(inspection.sudo()._med_inspected_lots() for inspection in self)
        )
        lots = self.env["stock.lot"]._med_pending_lots(lots)
        self.env["med.release.result"]._med_reconcile(lots)

    def _med_qa_managers(self):
        self.ensure_one()
        company = self.company_id or self.env.company
        return self.env["res.users"].search(
            [
                ("groups_id", "in", self.env.ref(QA_MANAGER).id),
                ("share", "=", False),
                ("company_ids", "in", company.id),
            ]
        )

    def _med_ask_qa_approval(self):
        """A failed result waits for a QA manager: each one gets an activity, or
        nobody knows it is there."""
        for inspection in self:
            note = self.env._(
                "%(inspection)s failed (%(lines)s) and waits for your approval.",
                inspection=inspection.name,
                lines=inspection._med_failed_characteristics(),
            )
            for manager in inspection._med_qa_managers():
                inspection.activity_schedule(
                    APPROVAL_ACTIVITY, user_id=manager.id, note=note
                )

    def _med_tell_failure_outcome(self, nonconformances, capas):
        """Once QA approved the failure: say on the inspection (and to the inspector
        who recorded it) which nonconformance and CAPA it opened and which lots are
        on hold, and close the approval activities."""
        for inspection in self:
            own = nonconformances.filtered(
                lambda nc, i=inspection: nc.inspection_id == i
            )
            own_capas = own.capa_id | capas.filtered(
                lambda capa, i=inspection: capa.origin_ref == f"qc.inspection,{i.id}"
            )
            held = inspection._med_inspected_lots().filtered(
                lambda lot: lot.med_state == "hold"
            )
            none = self.env._("none")
            body = self.env._(
                "Failed result approved by %(approver)s. Nonconformance: "
                "%(nonconformances)s. CAPA: %(capas)s. Lots on hold: %(lots)s.",
                approver=self.env.user.name,
                nonconformances=", ".join(own.mapped("name")) or none,
                capas=", ".join(own_capas.mapped("name")) or none,
                lots=", ".join(held.mapped("name")) or none,
            )
            recorder = inspection.med_result_user_id.partner_id
            inspection.message_post(
                body=body,
                partner_ids=recorder.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
            inspection.activity_feedback([APPROVAL_ACTIVITY])

    def _med_failed_characteristics(self):
        """The failed lines: characteristic, measured value and specification."""
        self.ensure_one()
        parts = []
        for line in self.inspection_lines.filtered(lambda line: not line.success):
            if line.question_type == "qualitative":
                value = line.qualitative_value.name or ""
            else:
                value = " ".join(
                    filter(
                        None,
                        [
                            formatLang(self.env, line.quantitative_value),
                            line.uom_id.name,
                        ],
                    )
                )
            parts.append(
                self.env._(
                    "%(characteristic)s: %(value)s, specification %(specification)s",
                    characteristic=line.name,
                    value=value,
                    specification=line.valid_values or "",
                )
            )
        return "; ".join(parts)

    def _med_ensure_approver(self):
        """A failed result waits for QA (quality_control_oca's approval): whoever
        recorded it cannot approve it, through the button's method or a write of the
        state over RPC (ISO 13485 8.2.6: release of product by authorised people)."""
        waiting = self.filtered(lambda i: i.state == "waiting")
        if waiting and not self.env.su:
            self.env["med.signable.mixin"]._med_require_group(
                QA_MANAGER,
                self.env._(
                    "%(inspections)s wait for a QA manager's approval of their failed "
                    "result: an inspector cannot approve them.",
                    inspections=", ".join(waiting.mapped("name")),
                ),
            )

    def _med_ensure_passed(self):
        """Passed means every line passed: a failed result is never written as a
        success, whoever writes it."""
        failed = self.filtered(lambda i: not i.success)
        if failed:
            raise UserError(
                self.env._(
                    "%(inspections)s failed: their result cannot be recorded as "
                    "passed. Approve the failed result, or record a new inspection.",
                    inspections=", ".join(failed.mapped("name")),
                )
            )

    def _med_ensure_result_open(self):
        if not self:
            return
        # Locked: an approval committed meanwhile makes this transaction retry
        # and see the final result (REPEATABLE READ).
        self.env.cr.execute(
            SQL("SELECT id FROM qc_inspection WHERE id = ANY(%s) FOR SHARE", self.ids)
        )
        final = self.filtered(lambda i: i.state in FINAL_STATES)
        if final:
            raise UserError(
                self.env._(
                    "%(inspections)s have a final result: it can no longer be changed, "
                    "reset or deleted. Record a new inspection to correct it.",
                    inspections=", ".join(final.mapped("name")),
                )
            )

    def _med_inspected_lots(self):
        self.ensure_one()
        if self.lot_id:
            return self.lot_id
        target = self.object_id
        if target and target._name in ("stock.move", "stock.picking"):
            lines = target.move_line_ids
            if self.product_id:
                lines = lines.filtered(lambda line: line.product_id == self.product_id)
            return lines.lot_id
        return self.env["stock.lot"]

    def _med_failure_event(self):
        self.ensure_one()
        # sudo: the event describes the documents behind the inspection (receipt,
        # manufacturing order, supplier) whatever the inspector may read of them.
        inspection = self.sudo()
        lots = inspection._med_inspected_lots()
        target = inspection.object_id
        move = target if target and target._name == "stock.move" else None
        production = (
            (move.production_id or move.raw_material_production_id)
            if move
            else self.env["mrp.production"]
        )
        picking = inspection.picking_id
        company = inspection.company_id or self.env.company
        partner = (
            picking.partner_id
            if picking.picking_type_code == "incoming"
            else lots._med_suppliers()
        )
        return {
            "origin": self,
            "inspection": self,
            "lots": lots.with_env(self.env),
            "product": inspection.product_id or lots.product_id[:1],
            "partner": partner[:1],
            "quantity": inspection.qty,
            "picking": picking,
            "production": production,
            "company": company,
            "reporter": inspection.med_result_user_id,
            "description": self._med_company_lang(company).env._(
                "Inspection %(inspection)s (%(test)s) failed for %(product)s%(lots)s.",
                inspection=inspection.name,
                test=inspection.test.name or "",
                product=(inspection.product_id or lots.product_id[:1]).display_name,
                lots=(" " + ", ".join(lots.mapped("name"))) if lots else "",
            )
            + self._med_company_lang(company)._med_found_by_text(),
        }

    def _med_found_by_text(self):
        failed = self._med_failed_characteristics()
        if not failed:
            return ""
        return " " + self.env._(
            "Failed: %(characteristics)s. Found by %(user)s.",
            characteristics=failed,
            user=self.med_result_user_id.name or self.env._("unknown"),
        )
