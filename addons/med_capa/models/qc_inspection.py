from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .med_capa import CAPA_READERS

# A result that passed or failed (approved by QA when it failed) is final: the
# inspection is a GxP record (21 CFR 820.80(e)), corrected by a new inspection.
FINAL_STATES = ("success", "failed")
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

    def _compute_med_nonconformance_count(self):
        for inspection in self:
            inspection.med_nonconformance_count = len(inspection.med_nonconformance_ids)

    def write(self, vals):
        if RESULT_FIELDS.intersection(vals):
            self._med_check_result_open()
        if vals.get("state") in FINAL_STATES:
            self._med_check_approver()
        passing = vals.get("state") == "success"
        if passing and "inspection_lines" not in vals:
            self._med_check_passed()  # before writing: a refusal changes nothing
        # Every way an inspection fails (approval of a failed result, a direct write
        # from code or RPC) passes here: the rules run in the same transaction.
        failing = self.browse()
        if vals.get("state") == "failed":
            failing = self.filtered(lambda i: i.state != "failed")
        result = super().write(vals)
        if passing and "inspection_lines" in vals:
            self._med_check_passed()  # on the lines written with the result
        if failing:
            self.env["med.capa.rule"]._med_fire(
                "inspection_failed", [i._med_failure_event() for i in failing]
            )
        return result

    def _med_check_approver(self):
        """A failed result waits for QA (quality_control_oca's approval): whoever
        recorded it cannot approve it, through the button's method or a write of the
        state over RPC (ISO 13485 8.2.6: release of product by authorised people)."""
        waiting = self.filtered(lambda i: i.state == "waiting")
        if waiting and not (
            self.env.su
            or self.env.user.has_group("med_audit_export.group_med_qa_manager")
        ):
            raise UserError(
                self.env._(
                    "%(inspections)s wait for a QA manager's approval of their failed "
                    "result: an inspector cannot approve them.",
                    inspections=", ".join(waiting.mapped("name")),
                )
            )

    def _med_check_passed(self):
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

    def _med_check_result_open(self):
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
                    "reset or deleted. Record a new inspection to correct it. "
                    "(检验结果已确定，不能修改、重置或删除，请新建检验。)",
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
            "description": self._med_company_lang(company).env._(
                "Inspection %(inspection)s (%(test)s) failed for %(product)s%(lots)s.",
                inspection=inspection.name,
                test=inspection.test.name or "",
                product=(inspection.product_id or lots.product_id[:1]).display_name,
                lots=(" " + ", ".join(lots.mapped("name"))) if lots else "",
            ),
        }
