from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.med_audit_export.models.base import PROTECTED_WRITE

TRIGGERS = [
    ("inspection_failed", "Inspection failed"),
    ("lot_expired", "Expired lot found with stock"),
    ("certificate_expired", "Supplier certificate expired"),
    ("complaint", "Complaint registered"),
    ("manual", "Nonconformance recorded by hand"),
]
# The nonconformance source of the records each trigger opens.
TRIGGER_SOURCES = {
    "inspection_failed": "inspection",
    "lot_expired": "expiry",
    "certificate_expired": "supplier",
    "complaint": "complaint",
    "manual": "manual",
}
SEVERITIES = [("minor", "Minor"), ("major", "Major"), ("critical", "Critical")]
SEVERITY_RANK = {"minor": 1, "major": 2, "critical": 3}
REPEAT_POLICIES = [
    ("link", "Link to the open CAPA (once per event)"),
    ("new", "Open new records every time"),
]
# Context value of the rule engine's own records: an object, not a string, so that a
# JSON-RPC caller cannot send it (see PROTECTED_WRITE in med_audit_export).
RULE_RUN = object()
# Fields that say which rule and which event opened a record: the repeat policy
# decides on them, so only the engine sets them.
ORIGIN_FIELDS = ("rule_id", "origin_ref")


def origin_trusted(env):
    """Whether ``env`` is the rule engine's or other trusted code's: only they set
    the ``ORIGIN_FIELDS``."""
    return (
        env.context.get("med_capa_rule_run") is RULE_RUN
        or env.context.get("med_protected_write") is PROTECTED_WRITE
    )


def check_origin_write(records, vals):
    """Refuse a caller's change of the rule and event that opened ``records``."""
    if records and not origin_trusted(records.env) and set(ORIGIN_FIELDS) & set(vals):
        raise UserError(
            records.env._(
                "%(records)s: the rule and the event that opened a record are set by "
                "the CAPA rules only, never edited. Nothing was changed.",
                records=", ".join(records.mapped("display_name")),
            )
        )


ACTION_FIELDS = (
    "open_nonconformance",
    "open_capa",
    "hold_lots",
    "compute_recall_scope",
    "notify_group_ids",
    "notify_user_ids",
)


class MedCapaRule(models.Model):
    """What happens, by itself, when a quality event occurs: which records are
    opened, which lots are held, who is told. Configured by QA in the UI.

    Events are dicts built by the code that detects them (see ``_med_fire``)."""

    _name = "med.capa.rule"
    _description = "CAPA Rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", help="Leave empty for a rule that applies to every company."
    )
    trigger = fields.Selection(TRIGGERS, required=True, index=True)
    # -- filters --
    categ_ids = fields.Many2many(
        "product.category",
        string="Product Categories",
        help="Only events about products of these categories (or their "
        "subcategories). Empty: every product.",
    )
    partner_ids = fields.Many2many(
        "res.partner",
        string="Suppliers",
        help="Only events about these suppliers. Empty: every supplier.",
    )
    min_severity = fields.Selection(
        SEVERITIES,
        string="Minimum Severity",
        help="Only events at least this severe. Events that carry no severity of "
        "their own (an inspection, an expiry) take the severity below.",
    )
    severity = fields.Selection(
        SEVERITIES,
        required=True,
        default="major",
        help="The severity of the nonconformances and CAPAs this rule opens, when "
        "the event carries none.",
    )
    # -- actions --
    open_nonconformance = fields.Boolean(string="Open a Nonconformance")
    open_capa = fields.Boolean(string="Open a CAPA")
    capa_user_id = fields.Many2one(
        "res.users",
        string="CAPA Owner",
        domain=[("share", "=", False)],
        help="Who owns the CAPAs this rule opens.",
    )
    hold_lots = fields.Boolean(
        string="Put the Lots on Hold",
        help="Released or quarantined lots of the event go on hold (source CAPA).",
    )
    compute_recall_scope = fields.Boolean(
        string="Assess the Recall Risk",
        help="Attach the recall scope of the lots (every lot made from them and "
        "every delivery to customers), and flag a recall risk when any has shipped.",
    )
    notify_group_ids = fields.Many2many(
        "res.groups",
        string="Notify Groups",
        help="Each user of these groups gets an activity on the opened record.",
    )
    notify_user_ids = fields.Many2many(
        "res.users",
        string="Notify Users",
        domain=[("share", "=", False)],
    )
    repeat_policy = fields.Selection(
        REPEAT_POLICIES,
        string="When It Happens Again",
        required=True,
        default="link",
        help="Link: the same event (e.g. the same inspection failed again) opens "
        "nothing new, and a new event on a lot or supplier that already has an open "
        "CAPA of this rule is added to that CAPA. New: every event opens its own "
        "records.",
    )

    @api.constrains(*ACTION_FIELDS)
    def _check_actions(self):
        for rule in self:
            if not any(rule[name] for name in ACTION_FIELDS):
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s does nothing: choose at least one action (open "
                        "a nonconformance or a CAPA, hold the lots, assess the recall "
                        "risk, or notify someone).",
                        rule=rule.name,
                    )
                )

    # -- engine --
    @api.model
    def _med_fire(self, trigger, events):
        """Apply the active rules of ``trigger`` to each event, in the caller's
        transaction. An event is a dict: ``origin`` (the record that happened: an
        inspection, a lot, a certificate, a nonconformance), and optionally
        ``lots``, ``product``, ``partner``, ``quantity``, ``description``,
        ``severity``, ``inspection``, ``picking``, ``production``,
        ``nonconformance`` (already recorded), ``company``.

        Returns the nonconformances and CAPAs opened or linked."""
        # sudo: rules act for the company. The user whose action fired them (an
        # inspector failing an inspection, the expiry cron) may not open CAPAs, hold
        # lots or read the rules; records still name that user as creator, and the
        # audit trail as author.
        rules = self.sudo().search([("trigger", "=", trigger)])
        touched = self.env["med.nonconformance"], self.env["med.capa"]
        for rule in rules:
            to_tell = []
            for event in events:
                event = dict(event, company=event.get("company") or self.env.company)
                if rule.company_id and rule.company_id != event["company"]:
                    continue
                if not rule._med_matches(event):
                    continue
                # titles and reasons written in the company's language
                in_lang = rule._med_company_lang(event["company"])
                nonconformance, capa, told = in_lang._med_apply(event)
                touched = (touched[0] | nonconformance, touched[1] | capa)
                if told:
                    to_tell.append((told, event))
            if to_tell:
                rule._med_notify(to_tell)
        return touched

    def _med_matches(self, event):
        self.ensure_one()
        product = event.get("product")
        if self.categ_ids:
            paths = self.categ_ids.mapped("parent_path")
            product_path = product.categ_id.parent_path if product else None
            if not product_path or not any(
                product_path.startswith(path) for path in paths
            ):
                return False
        if self.partner_ids:
            partner = event.get("partner")
            if not partner or partner.commercial_partner_id not in self.partner_ids:
                return False
        severity = event.get("severity") or self.severity
        return not self.min_severity or (
            SEVERITY_RANK[severity] >= SEVERITY_RANK[self.min_severity]
        )

    def _med_apply(self, event):
        self.ensure_one()
        origin = event["origin"]
        ref = f"{origin._name},{origin.id}"
        Nonconformance = self.env["med.nonconformance"].with_context(
            med_capa_rule_run=RULE_RUN
        )
        Capa = self.env["med.capa"].with_context(med_capa_rule_run=RULE_RUN)
        recorded = event.get("nonconformance")
        nonconformance = (recorded or Nonconformance).with_env(Nonconformance.env)
        new_nonconformance = Nonconformance
        if self.repeat_policy == "link" and (
            self.open_nonconformance or self.open_capa
        ):
            self._med_lock_for_link()
        if (
            self.open_nonconformance
            and not nonconformance
            and self.repeat_policy == "link"
            and Nonconformance.search_count(
                [("rule_id", "=", self.id), ("origin_ref", "=", ref)], limit=1
            )
        ):
            return Nonconformance, Capa, None  # this very event was handled already
        if self.open_nonconformance and not nonconformance:
            new_nonconformance = nonconformance = Nonconformance.create(
                self._prepare_nonconformance_vals(event, ref)
            )
        capa = new_capa = Capa
        if self.open_capa:
            capa = self._med_linked_capa(event, ref)
            if capa:
                capa._med_link_event(nonconformance, event)
            else:
                new_capa = capa = Capa.create(
                    self._prepare_capa_vals(event, nonconformance, ref)
                )
        if nonconformance and capa and not nonconformance.capa_id:
            nonconformance.capa_id = capa
        subject = new_capa or new_nonconformance or capa or nonconformance
        lots = (event.get("lots") or self.env["stock.lot"]).with_env(self.env)
        if self.hold_lots and lots:
            self._med_hold(lots, subject or self)
        if self.compute_recall_scope and lots and subject:
            subject._med_attach_recall_scope(lots)
        # Told once per event: when the rule opened something for it, when it was
        # recorded by hand, or when telling is all the rule does.
        told = None
        opens = self.open_nonconformance or self.open_capa
        if new_capa or new_nonconformance or recorded or not opens:
            told = subject.with_env(self.env) or event["origin"]
        return nonconformance, capa, told

    def _med_lock_for_link(self):
        """Serialize the firings of this rule: whether an event was handled already,
        or which open CAPA it joins, is read from records that a concurrent firing
        may be creating. Odoo's transactions are REPEATABLE READ: a firing that
        started before another one committed fails here with a serialization error,
        which Odoo retries, and the retry sees the other's records."""
        # A write of the rule's row, not a mere lock: only a concurrent update makes
        # the later transaction fail instead of going on with its old snapshot.
        self.env.cr.execute(
            SQL(
                "UPDATE med_capa_rule SET write_date = write_date WHERE id = %s",
                self.id,
            )
        )

    def _med_linked_capa(self, event, ref):
        """The open CAPA of this rule that the event belongs to (link policy)."""
        if self.repeat_policy != "link":
            return self.env["med.capa"]
        domain = [
            ("rule_id", "=", self.id),
            ("state", "not in", ("closed", "cancelled")),
            ("company_id", "=", event["company"].id),
        ]
        lots, partner = event.get("lots"), event.get("partner")
        if lots:
            domain.append(("lot_ids", "in", lots.ids))
        elif partner:
            domain.append(("partner_id", "=", partner.commercial_partner_id.id))
        else:
            domain.append(("origin_ref", "=", ref))
        return self.env["med.capa"].search(domain, limit=1, order="id")

    def _med_common_vals(self, event, ref):
        lots = event.get("lots") or self.env["stock.lot"]
        product = event.get("product") or lots.product_id[:1]
        partner = event.get("partner")
        return {
            "rule_id": self.id,
            "origin_ref": ref,
            "company_id": event["company"].id,
            "product_id": product.id,
            "lot_ids": [fields.Command.set(lots.ids)],
            "partner_id": partner.commercial_partner_id.id if partner else False,
            "severity": event.get("severity") or self.severity,
            "description": event.get("description") or self.name,
        }

    def _prepare_nonconformance_vals(self, event, ref):
        vals = self._med_common_vals(event, ref)
        vals.update(
            source=TRIGGER_SOURCES[self.trigger],
            quantity=event.get("quantity") or 0.0,
            inspection_id=event.get("inspection", self.env["qc.inspection"]).id,
            picking_id=event.get("picking", self.env["stock.picking"]).id,
            production_id=event.get("production", self.env["mrp.production"]).id,
        )
        if event.get("reporter"):  # who found it, not who approved the finding
            vals["user_id"] = event["reporter"].id
        return vals

    def _prepare_capa_vals(self, event, nonconformance, ref):
        vals = self._med_common_vals(event, ref)
        vals.update(
            title=self.env._(
                "%(rule)s: %(subject)s",
                rule=self.name,
                subject=nonconformance.name or event["origin"].display_name,
            ),
            source=TRIGGER_SOURCES[self.trigger],
            user_id=self.capa_user_id.id,
            nonconformance_ids=[fields.Command.set(nonconformance.ids)],
        )
        return vals

    def _med_hold(self, lots, subject):
        free = lots.filtered(lambda lot: lot.med_state in ("quarantine", "released"))
        if free:
            free._med_put_on_hold(
                "capa",
                self.env._(
                    "%(record)s opened by rule %(rule)s",
                    record=subject.display_name,
                    rule=self.name,
                ),
            )

    def _med_notify(self, to_tell):
        """One activity per user told, on the first record to look at: a daily job
        that finds many expired lots tells each user once, not once per lot."""
        record, event = to_tell[0]
        users = self.notify_user_ids | self.notify_group_ids.users
        users = users.filtered(
            lambda user: not user.share and event["company"] in user.company_ids
        )
        summary = self.env._("%(rule)s: check and act", rule=self.name)
        note = event.get("description") or record.display_name
        if len(to_tell) > 1:
            names = [told.display_name for told, _event in to_tell]
            note = self.env._(
                "%(count)s records to check: %(records)s",
                count=len(names),
                records=", ".join(names[:50]) + (" …" if len(names) > 50 else ""),
            )
        for user in users:
            record.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=user.id,
                summary=summary,
                note=note,
            )
