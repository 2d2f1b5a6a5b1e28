from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.med_audit_export.models.med_signable_mixin import QA_MANAGER

from ..models.med_gate import GATE_MODES


class MedGateDryRun(models.TransientModel):
    """Going live in a running company: what each gate would stop today over the
    open documents, the product categories involved, and the switch of a gate from
    warn to block once its list is clean (or with the QA manager's reason)."""

    _name = "med.gate.dry.run"
    _description = "Gate Go-Live Dry Run"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    line_ids = fields.One2many("med.gate.dry.run.line", "wizard_id", readonly=True)
    summary = fields.Text(readonly=True)
    category_ids = fields.Many2many(
        "product.category",
        compute="_compute_category_ids",
        string="Product Categories Found",
        help="The categories of the products found: mark those without GxP relevance "
        "exempt from the qualification gates.",
    )
    gate = fields.Selection(
        selection="_selection_gate",
        string="Gate to Switch to Block",
    )
    picking_type_id = fields.Many2one(
        "stock.picking.type",
        string="Operation Type to Switch to Block",
        domain="[('company_id', '=', company_id)]",
        help="Switch the lot gates of this operation type only (its own mode) "
        "instead of the company's gate.",
    )
    reason = fields.Text(
        help="Needed to switch a gate to block while its dry run still finds "
        "problems: why the company goes live anyway.",
    )
    date_run = fields.Datetime(string="Run On", readonly=True)

    @api.model
    def _selection_gate(self):
        return self.env["med.gate"]._med_gate_selection()

    @api.depends("line_ids.product_ids")
    def _compute_category_ids(self):
        for wizard in self:
            wizard.category_ids = wizard.line_ids.product_ids.categ_id

    def _med_ensure_qa_manager(self):
        self.env["med.signable.mixin"]._med_require_group(
            QA_MANAGER,
            self.env._("Only a QA manager runs the go-live dry run of the gates."),
        )

    def action_run(self):
        """List what every gate finds today. Reads only: nothing is changed."""
        self.ensure_one()
        self._med_ensure_qa_manager()
        Gate = self.env["med.gate"]
        company = self.company_id
        findings = Gate._med_dry_run(company)
        gates = Gate._med_gates()
        order = {code: index for index, code in enumerate(gates)}
        findings.sort(
            key=lambda f: (order.get(f.gate, 99), f.document.display_name, f.message)
        )
        self.line_ids.unlink()
        self.write(
            {
                "date_run": fields.Datetime.now(),
                "line_ids": [
                    fields.Command.create(
                        {
                            "gate": f.gate,
                            "current_mode": Gate._med_mode(company, f.gate),
                            "document_ref": f"{f.document._name},{f.document.id}",
                            "document_name": f.document.display_name,
                            "reason": f.message,
                            "product_ids": [
                                fields.Command.set(f.products.ids if f.products else [])
                            ],
                        }
                    )
                    for f in findings
                ],
                "summary": self._med_summary(company, findings),
            }
        )
        return self._med_reopen()

    def _med_summary(self, company, findings):
        Gate = self.env["med.gate"]
        modes = dict(GATE_MODES)
        lines = []
        for code, gate in Gate._med_gates().items():
            found = [f for f in findings if f.gate == code]
            mode = modes[Gate._med_mode(company, code)]
            if found:
                lines.append(
                    self.env._(
                        "%(gate)s (now %(mode)s): %(count)s problem(s) on "
                        "%(documents)s open document(s); not ready for block mode",
                        gate=gate.label,
                        mode=mode,
                        count=len(found),
                        documents=len({f.document for f in found}),
                    )
                )
            else:
                lines.append(
                    self.env._(
                        "%(gate)s (now %(mode)s): clean, ready for block mode",
                        gate=gate.label,
                        mode=mode,
                    )
                )
        return "\n".join(lines)

    def _med_reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [[False, "form"]],
            "target": "current",
        }

    def action_open_lines(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Dry Run Findings"),
            "res_model": "med.gate.dry.run.line",
            "view_mode": "list",
            "views": [[False, "list"]],
            "domain": [("wizard_id", "=", self.id)],
            "context": {"group_by": "gate"},
        }

    def action_switch_to_block(self):
        """Switch the chosen gate of the company to block mode: at once when its dry
        run is clean, otherwise only with the QA manager's reason, which the audit
        trail of the company's setting keeps."""
        self.ensure_one()
        self._med_ensure_qa_manager()
        if self.picking_type_id:
            return self._med_switch_operation_type_to_block()
        if not self.gate:
            raise UserError(self.env._("Choose the gate to switch to block mode."))
        Gate = self.env["med.gate"]
        gate = Gate._med_gates()[self.gate]
        company = self.company_id
        findings = Gate._med_dry_run(company, self.gate)
        reason = (self.reason or "").strip()
        if findings and not reason:
            raise UserError(
                self.env._(
                    "%(gate)s still find %(count)s problem(s) on open documents "
                    "(%(documents)s): block mode would stop them at once. Clear them "
                    "and run the dry run again, or give your reason to switch anyway.",
                    gate=gate.label,
                    count=len(findings),
                    documents=", ".join(
                        sorted({f.document.display_name for f in findings})[:5]
                    ),
                )
            )
        reason = reason or self.env._("Go-live dry run clean")
        # sudo: the gate's mode is the QA manager's decision, while only
        # administrators write companies; the dry run just checked the gate (or the
        # QA manager gave the reason), and the setting's audit trail keeps the user
        # (sudo keeps it) and the reason.
        company.sudo().with_context(med_reason=reason).write({gate.mode_field: "block"})
        return self.action_run()

    def _med_switch_operation_type_to_block(self):
        """Switch the lot gates of the chosen operation type to block mode, on the
        same terms as a company's gate: at once when the dry run finds nothing on
        its open documents, otherwise only with the QA manager's reason, which the
        audit trail of the operation type keeps."""
        picking_type = self.picking_type_id
        if self.gate and self.gate != "lot":
            raise UserError(
                self.env._(
                    "An operation type has a mode of its own for the lot gates only: "
                    "choose the Lot Gates, or no operation type."
                )
            )
        if picking_type.company_id != self.company_id:
            raise UserError(
                self.env._(
                    "The operation type %(type)s is not one of %(company)s.",
                    type=picking_type.display_name,
                    company=self.company_id.name,
                )
            )
        findings = self.env["med.gate"]._med_dry_run_operation_type(picking_type)
        reason = (self.reason or "").strip()
        if findings and not reason:
            raise UserError(
                self.env._(
                    "The lot gates still find %(count)s problem(s) on open documents "
                    "of the operation type %(type)s (%(documents)s): block mode "
                    "would stop them at once. Clear them and run the dry run again, "
                    "or give your reason to switch anyway.",
                    count=len(findings),
                    type=picking_type.display_name,
                    documents=", ".join(
                        sorted({f.document.display_name for f in findings})[:5]
                    ),
                )
            )
        reason = reason or self.env._("Go-live dry run clean")
        # sudo: the gate's mode is the QA manager's decision, while only inventory
        # managers write operation types; the dry run just checked the operation
        # type (or the QA manager gave the reason), and its audit trail keeps the
        # user (sudo keeps it) and the reason.
        picking_type.sudo().with_context(med_reason=reason).write(
            {"med_gate_mode": "block"}
        )
        return self.action_run()
