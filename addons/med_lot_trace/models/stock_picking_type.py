from odoo import api, fields, models
from odoo.exceptions import UserError

from .res_company import GATE_MODES

COMPANY_DEFAULT = "company"


class StockPickingType(models.Model):
    _inherit = "stock.picking.type"

    med_gate_mode = fields.Selection(
        [(COMPANY_DEFAULT, "Company Default")] + GATE_MODES,
        string="Lot Gates",
        default=COMPANY_DEFAULT,
        required=True,
        help="The lot gates' mode for this operation type, a QA manager's decision "
        "like the company's. Switching it to Block waits until the go-live dry run "
        "finds nothing on open documents of this type, or goes through the dry run "
        "with the QA manager's reason.",
    )

    def _med_effective_gate_mode(self, mode=None):
        """The lot gates' mode of this operation type, or the one ``mode`` would
        give it."""
        self.ensure_one()
        mode = mode or self.med_gate_mode
        if mode == COMPANY_DEFAULT:
            mode = self.company_id.med_gate_mode or "block"
        return mode

    @api.model_create_multi
    def create(self, vals_list):
        # A new operation type has no open documents yet: only who decides is
        # checked.
        Gate = self.env["med.gate"]
        if any(
            vals.get("med_gate_mode", COMPANY_DEFAULT) != COMPANY_DEFAULT
            for vals in vals_list
        ):
            Gate._med_ensure_gate_manager({"lot"})
        return super().create(vals_list)

    def write(self, vals):
        if "med_gate_mode" in vals:
            self._med_ensure_gate_mode_change(vals["med_gate_mode"])
        return super().write(vals)

    def _med_ensure_gate_mode_change(self, mode):
        """As the company's modes (``med.gate._med_ensure_mode_changes``): a QA
        manager decides, and switching to block waits until the dry run finds
        nothing on this operation type's open documents (the dry run's switch
        records the QA manager's reason when it does)."""
        Gate = self.env["med.gate"]
        changed = self.filtered(lambda picking_type: picking_type.med_gate_mode != mode)
        if not changed or self.env.su or self._med_trusted():
            return
        Gate._med_ensure_gate_manager({"lot"})
        for picking_type in changed:
            if (
                picking_type._med_effective_gate_mode(mode) != "block"
                or picking_type._med_effective_gate_mode() == "block"
            ):
                continue
            findings = Gate._med_dry_run_operation_type(picking_type)
            if findings:
                raise UserError(
                    self.env._(
                        "The lot gates of the operation type %(type)s cannot be "
                        "switched to Block yet: the go-live dry run finds %(count)s "
                        "problem(s) on its open documents (%(documents)s) that would "
                        "be stopped at once. Clear them, or switch from the dry run "
                        "(Medical Compliance ‣ Go-Live Dry Run) with your reason.",
                        type=picking_type.display_name,
                        count=len(findings),
                        documents=", ".join(
                            sorted({f.document.display_name for f in findings})[:5]
                        ),
                    )
                )
