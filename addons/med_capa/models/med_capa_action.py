from odoo import api, fields, models
from odoo.exceptions import UserError

ACTION_TYPES = [("corrective", "Corrective"), ("preventive", "Preventive")]
STATES = [("open", "Open"), ("done", "Done")]


class MedCapaAction(models.Model):
    """A corrective or preventive action of a CAPA: who does what by when. Its owner
    gets an activity on the CAPA until the action is done."""

    _name = "med.capa.action"
    _description = "CAPA Action"
    # Set by action_done only: an action is done when its result is recorded.
    _med_protected_fields = ("state", "date_done")
    _order = "date_deadline, id"
    _check_company_auto = True

    capa_id = fields.Many2one(
        "med.capa", string="CAPA", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="capa_id.company_id", store=True, index=True)
    name = fields.Char(string="Action", required=True)
    action_type = fields.Selection(
        ACTION_TYPES, string="Type", required=True, default="corrective"
    )
    user_id = fields.Many2one(
        "res.users", string="Owner", required=True, domain=[("share", "=", False)]
    )
    date_deadline = fields.Date(string="Due Date", required=True)
    state = fields.Selection(
        STATES, string="Status", required=True, default="open", readonly=True
    )
    date_done = fields.Date(string="Done On", readonly=True)
    result = fields.Text(help="What was done, with the evidence.")
    activity_id = fields.Many2one("mail.activity", readonly=True, ondelete="set null")
    is_overdue = fields.Boolean(
        string="Overdue", compute="_compute_is_overdue", search="_search_is_overdue"
    )

    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for action in self:
            action.is_overdue = action.state == "open" and action.date_deadline < today

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on Overdue."))
        today = fields.Date.context_today(self)
        overdue = [("state", "=", "open"), ("date_deadline", "<", today)]
        return overdue if (operator == "=") == value else ["!"] + overdue

    @api.model_create_multi
    def create(self, vals_list):
        today = fields.Date.context_today(self)
        for vals in vals_list:
            vals.update(state="open", date_done=False)
            deadline = vals.get("date_deadline")
            if deadline and fields.Date.to_date(deadline) < today:
                self.env["med.capa"]._med_raise_past_date(
                    self._fields["date_deadline"]._description_string(self.env),
                    deadline,
                )
        actions = super().create(vals_list)
        closed = actions.capa_id.filtered(lambda c: c.state in ("closed", "cancelled"))
        if closed:
            raise UserError(
                self.env._(
                    "%(capas)s are closed or cancelled: no new actions.",
                    capas=", ".join(closed.mapped("name")),
                )
            )
        for action in actions:
            action._med_schedule_activity()
        return actions

    def write(self, vals):
        finished = self.capa_id.filtered(lambda c: c.state in ("closed", "cancelled"))
        if finished:
            raise UserError(
                self.env._(
                    "%(capas)s are closed or cancelled: their actions can no longer "
                    "change.",
                    capas=", ".join(finished.mapped("name")),
                )
            )
        result = super().write(vals)
        if {"user_id", "date_deadline", "name"}.intersection(vals):
            for action in self.filtered(lambda a: a.state == "open"):
                action._med_schedule_activity()
        return result

    def _med_schedule_activity(self):
        self.ensure_one()
        # sudo: the activity lives on the CAPA, which the owner of an action may only
        # read; it is the owner's to-do, not a change of the CAPA.
        old = self.activity_id.sudo()
        self.activity_id = (
            self.capa_id.sudo()
            .activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=self.date_deadline,
                summary=self.name,
                note=self.env._(
                    "%(type)s action of %(capa)s",
                    type=dict(
                        self._fields["action_type"]._description_selection(self.env)
                    )[self.action_type],
                    capa=self.capa_id.name,
                ),
                user_id=self.user_id.id,
            )
            .id
        )
        old.unlink()

    def action_done(self):
        missing = self.filtered(lambda a: not (a.result or "").strip())
        if missing:
            raise UserError(
                self.env._(
                    "Say what was done for %(actions)s before marking it done.",
                    actions=", ".join(missing.mapped("name")),
                )
            )
        late = self.capa_id.filtered(lambda c: c.state != "implementation")
        if late:
            raise UserError(
                self.env._(
                    "Actions are done during the implementation of %(capas)s.",
                    capas=", ".join(late.mapped("name")),
                )
            )
        for action in self.filtered(lambda a: a.state == "open"):
            activity = action.activity_id
            action._med_protected_write().write(
                {"state": "done", "date_done": fields.Date.context_today(self)}
            )
            # sudo: see _med_schedule_activity.
            activity.sudo().action_feedback(feedback=action.result)
