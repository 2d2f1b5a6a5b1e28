import secrets
from urllib.parse import urlsplit

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools import frozendict

ADMIN_GROUP = "med_audit_export.group_med_compliance_admin"
MIN_SECRET_LENGTH = 16


def _new_secret():
    return secrets.token_urlsafe(32)


class MedEventSubscription(models.Model):
    """Another system (QMS, LIMS, CRM) that receives the suite's events: its URL,
    the event types it wants, and the secret that signs each delivery. GxP
    configuration: managed by the compliance administrators, audited."""

    _name = "med.event.subscription"
    _inherit = ("mail.thread", "mail.activity.mixin", "med.cached.rule.mixin")
    _description = "Event Subscription"
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    url = fields.Char(
        string="URL",
        required=True,
        tracking=True,
        help="Receives each event as a signed JSON POST, after the change is "
        "committed.",
    )
    event_type_ids = fields.Many2many(
        "med.event.type", string="Event Types", required=True
    )
    secret = fields.Char(
        required=True,
        copy=False,
        default=lambda self: _new_secret(),
        groups=ADMIN_GROUP,
        help="Key of the X-Med-Signature header (HMAC-SHA256 of the timestamp and "
        "the body): share it with the receiver only.",
    )
    date_secret_changed = fields.Datetime(
        string="Secret Changed On",
        readonly=True,
        copy=False,
        default=fields.Datetime.now,
        help="The secret itself is never shown in the audit trail; this date is.",
    )
    active = fields.Boolean(
        default=True,
        tracking=True,
        help="Archived: no new deliveries, and pending ones wait until it is active "
        "again.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        help="Receives the events of this company's records.",
    )
    delivery_ids = fields.One2many("med.event.delivery", "subscription_id")
    pending_count = fields.Integer(compute="_compute_delivery_counts")
    failed_count = fields.Integer(compute="_compute_delivery_counts")

    def _compute_delivery_counts(self):
        counts = {
            (subscription.id, state): count
            for subscription, state, count in self.env[
                "med.event.delivery"
            ]._read_group(
                [("subscription_id", "in", self.ids), ("state", "!=", "sent")],
                ["subscription_id", "state"],
                ["__count"],
            )
        }
        for subscription in self:
            subscription.pending_count = counts.get((subscription.id, "pending"), 0)
            subscription.failed_count = counts.get((subscription.id, "failed"), 0)

    @api.constrains("url")
    def _check_url(self):
        for subscription in self:
            parts = urlsplit(subscription.url or "")
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValidationError(
                    self.env._(
                        "%(url)s is not a web address: give an http:// or https:// "
                        "URL of the receiving system.",
                        url=subscription.url,
                    )
                )

    @api.constrains("secret")
    def _check_secret(self):
        # sudo: the constraint runs for whoever saves; the secret is read to be
        # checked, never shown.
        for subscription in self.sudo():
            if len(subscription.secret or "") < MIN_SECRET_LENGTH:
                raise ValidationError(
                    self.env._(
                        "The secret of %(name)s must have at least %(length)s "
                        "characters.",
                        name=subscription.name,
                        length=MIN_SECRET_LENGTH,
                    )
                )

    def write(self, vals):
        if "secret" in vals:
            vals = dict(vals, date_secret_changed=fields.Datetime.now())
        return super().write(vals)

    def action_new_secret(self):
        self.write({"secret": _new_secret()})

    @api.model
    @tools.ormcache("event_type_id")
    def _med_subscription_ids_by_company(self, event_type_id):
        """{company id: subscription ids} of the active subscriptions to an event
        type (cached: read by every change that may record an event, most often
        to find that nobody subscribed; any change of a subscription clears the
        cache)."""
        # sudo: who causes an event need not read the configuration.
        subscriptions = self.sudo().search([("event_type_ids", "in", event_type_id)])
        by_company = {}
        for subscription in subscriptions:
            by_company.setdefault(subscription.company_id.id, []).append(
                subscription.id
            )
        return frozendict(
            (company_id, tuple(ids)) for company_id, ids in by_company.items()
        )

    def _med_alert_failed(self, delivery):
        """Tell the compliance administrators that a delivery gave up: one open
        activity per subscription and administrator, whatever the number of
        failed deliveries."""
        admins = self.env.ref(ADMIN_GROUP).users.filtered(
            lambda user: user.active and not user.share and user.id != 1
        )
        activity_type = self.env.ref("mail.mail_activity_data_warning")
        open_for = self.activity_ids.filtered(
            lambda activity: activity.activity_type_id == activity_type
        ).user_id
        for admin in admins - open_for:
            self.activity_schedule(
                "mail.mail_activity_data_warning",
                summary=self.env._("Events not delivered to %(name)s", name=self.name),
                note=self.env._(
                    "Event %(event)s (%(type)s) could not be delivered to %(url)s "
                    "after %(attempts)s attempts: %(error)s. Fix the receiving "
                    "system, then resend the failed deliveries.",
                    event=delivery.event_id,
                    type=delivery.event_type_id.code,
                    url=self.url,
                    attempts=delivery.attempt_count,
                    error=delivery.last_error,
                ),
                user_id=admin.id,
            )

    def action_view_deliveries(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "med_integration.med_event_delivery_action"
        )
        action["domain"] = [("subscription_id", "=", self.id)]
        action["context"] = {"search_default_not_sent": 1}
        return action

    def action_resend_failed(self):
        self.env["med.event.delivery"].search(
            [("subscription_id", "in", self.ids), ("state", "=", "failed")]
        ).action_resend()
