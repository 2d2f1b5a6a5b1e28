import hashlib
import json
from collections import defaultdict, namedtuple
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import hmac

from odoo.addons.med_audit_export.models.med_signable_mixin import QA_MANAGER

from ..exceptions import GateConfirmationRequired

GATE_MODES = [("off", "Off"), ("warn", "Warn and confirm"), ("block", "Block")]
# One thing a gate found on one document: ``mode`` is the gate's mode for it (off /
# warn / block), ``products`` and ``lots`` what it concerns (the dry run lists the
# products' categories; the lot gates record their overrides on the lots).
GateFinding = namedtuple(
    "GateFinding", "gate mode document message products lots", defaults=(None, None)
)
# A gate of the registry: the res.company field holding each company's mode, and
# the method of ``med.gate`` that words its refusal.
Gate = namedtuple("Gate", "label mode_field refusal")
# The confirmation wizard carries the findings it shows signed with this scope: only
# findings the server found are confirmed.
PAYLOAD_SCOPE = "med.gate.confirm"
# How long a user's confirmation covers the findings it names on its documents: long
# enough to save a form again or to answer the backorder question.
CONFIRMATION_VALIDITY = timedelta(hours=1)


class MedGate(models.AbstractModel):
    """The gates of the suite in one framework.

    A gate looks at a document (transfer, purchase order, manufacturing order) and
    finds what breaks its rule; each company runs each gate off, in warn mode (the user
    confirms, with a reason, exactly the findings shown) or in block mode. Addons add
    their gates to ``_med_gates`` and their findings to the documents'
    ``_med_gate_findings``; ``_med_enforce`` decides, wherever the document passes.
    """

    _name = "med.gate"
    _description = "Compliance Gates"

    # -- registry --
    @api.model
    def _med_gates(self):
        """{code: Gate}, in the order refusals list them; each addon adds its own."""
        return {
            "lot": Gate(self.env._("Lot Gates"), "med_gate_mode", "_med_refusal_lot"),
        }

    @api.model
    def _med_gate_selection(self):
        return [(code, gate.label) for code, gate in self._med_gates().items()]

    @api.model
    def _med_mode(self, company, gate):
        """The mode of ``gate`` in ``company``."""
        return company[self._med_gates()[gate].mode_field] or "block"

    @api.model
    def _med_finding(self, gate, document, message, mode=None, **what):
        """A finding of ``gate`` on ``document``, in the company's mode unless the
        gate decides it (e.g. per operation type)."""
        company = document.company_id if "company_id" in document else self.env.company
        mode = mode or self._med_mode(company or self.env.company, gate)
        return GateFinding(gate, mode, document, message, **what)

    # -- evaluation --
    @api.model
    def _med_evaluate(self, documents):
        """What every gate finds today on ``documents`` (transfers, purchase orders,
        manufacturing orders, moves): ``{"block": [...], "warn": [...]}`` of
        findings, each with its gate, document and reason (``message``); the
        findings of gates that are off are left out. Reads only."""
        result = {"block": [], "warn": []}
        for finding in documents._med_gate_findings():
            if finding.mode in result:
                result[finding.mode].append(finding)
        return result

    # -- decision --
    @api.model
    def _med_enforce(self, findings, subject=None):
        """Let the operation through, or refuse it: a finding in block mode refuses;
        findings in warn mode pass when the user confirmed each of them (see
        ``med.gate.override``), and the override goes to the audit trail; otherwise
        the refusal offers the confirmation. Nothing is changed by a refusal."""
        findings = [finding for finding in findings if finding.mode != "off"]
        if not findings:
            return
        message = self._med_refusal(findings, subject)
        if any(finding.mode == "block" for finding in findings):
            raise UserError(message)
        overrides = self._med_confirmed(findings)
        uncovered = [f for f in findings if self._med_key(f) not in overrides]
        if uncovered:
            raise GateConfirmationRequired(
                message,
                self._med_confirm_action(uncovered, create=False),
                self.env._("Review and Confirm"),
            )
        self._med_log_overrides(findings, overrides)

    @api.model
    def _med_warnings_to_confirm(self, findings):
        """The findings a user must confirm before the operation, when all of them
        are warnings; empty when nothing is found, everything is confirmed already,
        or a gate blocks (the operation then refuses by itself)."""
        findings = [finding for finding in findings if finding.mode != "off"]
        if not findings or any(finding.mode == "block" for finding in findings):
            return []
        overrides = self._med_confirmed(findings)
        return [f for f in findings if self._med_key(f) not in overrides]

    @api.model
    def _med_refusal(self, findings, subject=None):
        by_gate = defaultdict(list)
        for finding in findings:
            by_gate[finding.gate].append(finding)
        return "\n".join(
            getattr(self, gate.refusal)(by_gate[code], subject)
            for code, gate in self._med_gates().items()
            if code in by_gate
        )

    @api.model
    def _med_listed(self, findings):
        messages = []
        for finding in findings:
            if finding.message not in messages:
                messages.append(finding.message)
        return "\n".join(f"- {message}" for message in messages)

    @api.model
    def _med_refusal_lot(self, findings, subject):
        refusal = self.env._(
            "This operation is refused:\n%(messages)s",
            messages=self._med_listed(findings),
        )
        return f"{subject}\n{refusal}" if subject else refusal

    # -- confirmations --
    @api.model
    def _med_key(self, finding):
        """What a confirmation names: this gate's message on this document."""
        text = "\x1f".join(
            (finding.gate, finding.document._name, str(finding.document.id))
            + (finding.message,)
        )
        return hashlib.sha256(text.encode()).hexdigest()

    @api.model
    def _med_confirmed(self, findings):
        """{key: override} of the current user's recent confirmations that name
        these findings' documents."""
        documents = defaultdict(set)
        for finding in findings:
            documents[finding.document._name].add(finding.document.id)
        domain = [
            ("user_id", "=", self.env.uid),
            ("create_date", ">=", fields.Datetime.now() - CONFIRMATION_VALIDITY),
        ]
        by_model = [
            ["&", ("res_model", "=", model), ("res_id", "in", sorted(ids))]
            for model, ids in documents.items()
        ]
        domain += ["|"] * (len(by_model) - 1) + [term for t in by_model for term in t]
        # sudo: a user may not read the overrides (auditors do); the gate reads the
        # user's own confirmations to decide, and shows nothing of them.
        overrides = self.env["med.gate.override"].sudo().search(domain)
        return {
            key: override
            for override in overrides
            for key in (override.finding_keys or "").split()
        }

    @api.model
    def _med_log_overrides(self, findings, overrides):
        """The trail of every document (and lot) an override let through."""
        by_document = defaultdict(list)
        for finding in findings:
            by_document[finding.document].append(finding)
        for document, document_findings in by_document.items():
            override = overrides[self._med_key(document_findings[0])]
            reason = self.env._(
                "Confirmed by %(user)s despite the gate warnings: %(reason)s",
                user=override.user_id.name,
                reason=override.reason,
            )
            details = self._med_listed(document_findings)
            document._med_log_event("gate_override", reason=reason, details=details)
            by_lot = defaultdict(list)
            for finding in document_findings:
                for lot in finding.lots or ():
                    by_lot[lot].append(finding)
            for lot, lot_findings in by_lot.items():
                lot._med_log_event(
                    "gate_override",
                    reason=reason,
                    details=self._med_listed(lot_findings),
                )

    @api.model
    def _med_confirm_action(self, findings, resume=None, records=None, create=True):
        """The window where the user confirms ``findings`` (all warnings), then the
        method ``resume`` of ``records`` runs again. ``create=False`` when the
        transaction is about to roll back: the window then starts from its
        context."""
        payload = json.dumps(
            {
                "resume": [resume, records._name, records.ids] if resume else None,
                "findings": [
                    [f.gate, f.mode, f.document._name, f.document.id, f.message]
                    for f in findings
                ],
            },
            sort_keys=True,
        )
        values = {
            "payload": payload,
            "payload_signature": hmac(self.env(su=True), PAYLOAD_SCOPE, payload),
        }
        action = {
            "type": "ir.actions.act_window",
            "name": self.env._("Gate Warnings"),
            "res_model": "med.gate.confirm",
            "view_mode": "form",
            "views": [[False, "form"]],
            "target": "new",
        }
        if create:
            action["res_id"] = self.env["med.gate.confirm"].create(values).id
        else:
            action["context"] = {f"default_{name}": v for name, v in values.items()}
        return action

    @api.model
    def _med_signed_findings(self, payload, signature):
        """The findings of a confirmation window and what to run after it, when
        the server signed them; refused otherwise (a window made up by a caller)."""
        expected = hmac(self.env(su=True), PAYLOAD_SCOPE, payload or "")
        data = json.loads(payload) if payload and signature == expected else None
        if not data:
            raise UserError(
                self.env._(
                    "These gate warnings were not found by the application: run the "
                    "operation again to see what the gates find now."
                )
            )
        findings = []
        for gate, mode, model, res_id, message in data["findings"]:
            document = self.env[model].browse(res_id).exists()
            if document:
                findings.append(GateFinding(gate, mode, document, message))
        return findings, data["resume"]

    # -- go-live --
    @api.model
    def _med_open_documents(self, company):
        """The open documents of ``company`` the gates look at in a dry run; each
        addon adds its own."""
        pickings = self.env["stock.picking"].search(
            [
                ("company_id", "=", company.id),
                ("state", "in", ("confirmed", "waiting", "assigned")),
            ]
        )
        productions = self.env["mrp.production"].search(
            [
                ("company_id", "=", company.id),
                ("state", "in", ("confirmed", "progress", "to_close")),
            ]
        )
        return [pickings, productions]

    @api.model
    def _med_dry_run(self, company, gate=None):
        """What every gate (or ``gate``) would find today over the open documents of
        ``company``, whatever its mode. Reads only."""
        company = company.with_company(company)
        Gate = self.with_company(company)
        findings = []
        for documents in Gate._med_open_documents(company):
            findings += documents.with_company(company)._med_gate_findings(dry_run=True)
        return [f for f in findings if gate is None or f.gate == gate]

    @api.model
    def _med_dry_run_operation_type(self, picking_type):
        """What the lot gates, the gates an operation type has its own mode of,
        would find today on the open documents of ``picking_type``. Reads only."""
        return [
            finding
            for finding in self._med_dry_run(picking_type.company_id, "lot")
            if finding.document.picking_type_id == picking_type
        ]

    @api.model
    def _med_ensure_gate_manager(self, codes):
        if not codes or self.env.su or self._med_trusted():
            return
        gates = self._med_gates()
        self.env["med.signable.mixin"]._med_require_group(
            QA_MANAGER,
            self.env._(
                "Only a QA manager changes the mode of the %(gates)s.",
                gates=", ".join(str(gates[code].label) for code in sorted(codes)),
            ),
        )

    @api.model
    def _med_mode_changes(self, companies, vals):
        """[(company, gate, new mode)] that ``vals`` brings to ``companies``."""
        return [
            (company, code, vals[gate.mode_field])
            for code, gate in self._med_gates().items()
            if gate.mode_field in vals
            for company in companies
            if company[gate.mode_field] != vals[gate.mode_field]
        ]

    @api.model
    def _med_ensure_mode_changes(self, changes):
        """A gate's mode is a QA decision; switching to block waits until the dry run
        of that gate is clean (the dry run's switch records the QA manager's reason
        when it is not)."""
        if not changes or self.env.su or self._med_trusted():
            return
        self._med_ensure_gate_manager({code for _, code, _ in changes})
        gates = self._med_gates()
        for company, code, mode in changes:
            if mode != "block":
                continue
            findings = self._med_dry_run(company, code)
            if findings:
                raise UserError(
                    self.env._(
                        "%(gate)s of %(company)s cannot be switched to Block yet: the "
                        "go-live dry run finds %(count)s problem(s) on open documents "
                        "(%(documents)s) that would be stopped at once. Clear them, "
                        "or switch from the dry run (Medical Compliance ‣ "
                        "Go-Live Dry Run) with your reason.",
                        gate=gates[code].label,
                        company=company.name,
                        count=len(findings),
                        documents=", ".join(
                            sorted({f.document.display_name for f in findings})[:5]
                        ),
                    )
                )
