from odoo import api, fields, models
from odoo.exceptions import UserError

STATES = [
    ("to_send", "To Send"),
    ("sent", "Sent"),
    ("acknowledged", "Acknowledged"),
]
LETTER_LANGS = [("zh_CN", "Chinese (Simplified)"), ("en_US", "English")]


class MedRecallNotification(models.Model):
    """The recall letter to one customer: its lots and quantities, in the customer's
    language, sent by email from the recall's chatter, and its acknowledgement."""

    _name = "med.recall.notification"
    _description = "Recall Notification"
    _order = "recall_id, partner_id"
    _med_protected_fields = (
        "state",
        "date_sent",
        "sent_by_id",
        "date_acknowledged",
        "ack_recorded_by_id",
    )

    recall_id = fields.Many2one(
        "med.recall", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="recall_id.company_id", store=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True
    )
    lang = fields.Selection(
        LETTER_LANGS,
        string="Letter Language",
        compute="_compute_lang",
        store=True,
        readonly=False,
    )
    state = fields.Selection(STATES, string="Status", default="to_send", readonly=True)
    line_ids = fields.One2many(
        "med.recall.line", compute="_compute_line_ids", string="Lots"
    )
    date_sent = fields.Datetime(string="Sent On", readonly=True)
    sent_by_id = fields.Many2one("res.users", readonly=True)
    acknowledged_by = fields.Char(
        string="Acknowledged By (Customer)",
        help="The person at the customer who confirmed receipt of the letter.",
    )
    date_acknowledged = fields.Datetime(string="Acknowledged On", readonly=True)
    ack_recorded_by_id = fields.Many2one(
        "res.users", string="Acknowledgement Recorded By", readonly=True
    )

    @api.depends("partner_id.lang")
    def _compute_lang(self):
        for notification in self:
            lang = notification.partner_id.lang or ""
            notification.lang = "zh_CN" if lang.startswith("zh") else "en_US"

    @api.depends("recall_id.line_ids", "partner_id")
    def _compute_line_ids(self):
        for notification in self:
            notification.line_ids = notification.recall_id.line_ids.filtered(
                lambda line, n=notification: line.partner_id == n.partner_id
            )

    def _med_ensure_qa_manager(self):
        self.recall_id._med_ensure_qa_manager()

    def action_send(self):
        """Post each letter (PDF, in the customer's language) on the recall's chatter
        to the customer, which emails it."""
        self._med_ensure_qa_manager()
        for notification in self:
            recall, partner = notification.recall_id, notification.partner_id
            if recall.state != "launched":
                raise UserError(
                    self.env._(
                        "Letters are sent once %(recall)s is launched.",
                        recall=recall.name,
                    )
                )
            if notification.state != "to_send":
                raise UserError(
                    self.env._(
                        "The letter to %(customer)s is already sent.",
                        customer=partner.display_name,
                    )
                )
            if not partner.email:
                raise UserError(
                    self.env._(
                        "%(customer)s has no email address: add it to send the "
                        "recall letter.",
                        customer=partner.display_name,
                    )
                )
            content, _kind = (
                self.env["ir.actions.report"]
                .with_context(lang=notification.lang)
                ._render_qweb_pdf(
                    "med_recall.action_report_recall_letter", notification.ids
                )
            )
            attachment = self.env["ir.attachment"].create(
                {
                    "name": f"{recall.name}-{partner.display_name}.pdf".replace(
                        "/", "-"
                    ),
                    "raw": content,
                    "res_model": recall._name,
                    "res_id": recall.id,
                }
            )
            recall.with_context(lang=notification.lang).message_post(
                subject=recall.with_context(lang=notification.lang).env._(
                    "Recall notice %(recall)s", recall=recall.name
                ),
                body=recall.with_context(lang=notification.lang).env._(
                    "Dear customer, please find attached the recall notice "
                    "%(recall)s for the lots you received. Please confirm its "
                    "receipt and follow its instructions.",
                    recall=recall.name,
                ),
                partner_ids=partner.ids,
                attachment_ids=attachment.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
            notification._med_protected_write().write(
                {
                    "state": "sent",
                    "date_sent": fields.Datetime.now(),
                    "sent_by_id": self.env.uid,
                }
            )
        self.recall_id._med_complete_notification_activity()

    def action_acknowledge(self):
        self._med_ensure_qa_manager()
        for notification in self:
            if notification.state != "sent":
                raise UserError(
                    self.env._(
                        "Only a sent letter is acknowledged (%(customer)s).",
                        customer=notification.partner_id.display_name,
                    )
                )
            if not (notification.acknowledged_by or "").strip():
                raise UserError(
                    self.env._(
                        "Say who at %(customer)s acknowledged the letter.",
                        customer=notification.partner_id.display_name,
                    )
                )
        self._med_protected_write().write(
            {
                "state": "acknowledged",
                "date_acknowledged": fields.Datetime.now(),
                "ack_recorded_by_id": self.env.uid,
            }
        )
        for notification in self:
            notification.recall_id.message_post(
                body=self.env._(
                    "%(customer)s acknowledged the recall letter (%(person)s).",
                    customer=notification.partner_id.display_name,
                    person=notification.acknowledged_by,
                )
            )

    def action_print_letter(self):
        return self.env.ref("med_recall.action_report_recall_letter").report_action(
            self
        )
