from odoo import api, fields, models
from odoo.exceptions import UserError


class MedGateConfirm(models.TransientModel):
    """Every warning of every gate on the documents at once: the user confirms them
    with a reason, which is recorded (``med.gate.override``) and lets exactly these
    findings through; the operation then runs again."""

    _name = "med.gate.confirm"
    _description = "Confirm Gate Warnings"

    payload = fields.Text(readonly=True)
    payload_signature = fields.Char(readonly=True)
    message = fields.Text(compute="_compute_message")
    reason = fields.Text(help="Why the operation goes ahead despite the warnings.")

    @api.depends("payload", "payload_signature")
    def _compute_message(self):
        Gate = self.env["med.gate"]
        labels = dict(Gate._med_gate_selection())
        for wizard in self:
            try:
                findings, _ = Gate._med_signed_findings(
                    wizard.payload, wizard.payload_signature
                )
            except UserError as error:
                wizard.message = str(error)
                continue
            wizard.message = "\n".join(
                f"- {labels.get(f.gate, f.gate)} · {f.document.display_name}: "
                f"{f.message}"
                for f in findings
            )

    def action_confirm(self):
        self.ensure_one()
        if not (self.reason or "").strip():
            raise UserError(
                self.env._("Say why the operation goes ahead despite the warnings.")
            )
        Gate = self.env["med.gate"]
        findings, resume = Gate._med_signed_findings(
            self.payload, self.payload_signature
        )
        by_document = {}
        for finding in findings:
            by_document.setdefault(finding.document, []).append(finding)
        vals_list = [
            {
                "user_id": self.env.uid,
                "company_id": (
                    document.company_id.id
                    if "company_id" in document and document.company_id
                    else self.env.company.id
                ),
                "res_model": document._name,
                "res_id": document.id,
                "document_name": document.display_name,
                "findings": Gate._med_listed(document_findings),
                "finding_keys": "\n".join(Gate._med_key(f) for f in document_findings),
                "reason": self.reason.strip(),
            }
            for document, document_findings in by_document.items()
        ]
        # sudo: nobody creates overrides by hand; this confirmation, of findings the
        # server signed for this user, is the only way in.
        self.env["med.gate.override"].sudo().create(vals_list)
        if not resume:
            return {"type": "ir.actions.act_window_close"}
        method, model, ids = resume
        # The window came with default_* keys meant for itself, not for what the
        # operation creates.
        context = {
            key: value
            for key, value in self.env.context.items()
            if not key.startswith("default_")
        }
        records = self.env[model].browse(ids).exists()
        return getattr(records.with_context(context), method)()  # pylint: disable=context-overridden
