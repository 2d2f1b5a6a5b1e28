from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column

from .med_gate import GATE_MODES


class ResCompany(models.Model):
    _inherit = "res.company"

    med_gate_mode = fields.Selection(
        GATE_MODES,
        string="Lot Gates",
        default="block",
        required=True,
        help="What happens when a transfer or a manufacturing order moves a lot that "
        "is not released, expired or too short-dated. Installed into a running "
        "company, the gates start in warn mode: see the go-live dry run.",
    )
    med_release_segregation = fields.Boolean(
        string="Segregation of Duties at Release",
        default=True,
        help="The user who received or produced a lot cannot release it.",
    )

    def _auto_init(self):
        # Installed into a running company, the lot gates start in warn mode: its open
        # transfers and orders would otherwise stop at once. The go-live dry run lists
        # what block mode would stop; companies created later start in block mode.
        self._med_start_gate_in_warn_mode("med_gate_mode")
        return super()._auto_init()

    def _med_start_gate_in_warn_mode(self, column):
        cr = self.env.cr
        if not column_exists(cr, "res_company", column):
            create_column(cr, "res_company", column, "varchar")
            cr.execute(
                SQL("UPDATE res_company SET %s = 'warn'", SQL.identifier(column))
            )

    @api.model_create_multi
    def create(self, vals_list):
        Gate = self.env["med.gate"]
        Gate._med_ensure_gate_manager(
            {
                code
                for code, gate in Gate._med_gates().items()
                for vals in vals_list
                if gate.mode_field in vals
                and vals[gate.mode_field] != self._fields[gate.mode_field].default(self)
            }
        )
        return super().create(vals_list)

    def write(self, vals):
        Gate = self.env["med.gate"]
        Gate._med_ensure_mode_changes(Gate._med_mode_changes(self, vals))
        return super().write(vals)

    # -- working days of the authorities' deadlines --
    def _med_public_holidays(self, start, end):
        """The dates from ``start`` to ``end`` (dates) that are public holidays of
        this company: Odoo's global leaves (without a resource) of its working-time
        calendar, or of every calendar, read in that calendar's time zone."""
        self.ensure_one()
        calendar = self.resource_calendar_id
        tz = pytz.timezone(calendar.tz or self.partner_id.tz or "UTC")
        # sudo: the deadline is the law's, whoever opens the record that computes it
        leaves = (
            self.env["resource.calendar.leaves"]
            .sudo()
            .search(
                [
                    ("resource_id", "=", False),
                    ("company_id", "in", [self.id, False]),
                    ("calendar_id", "in", [calendar.id, False]),
                    ("date_from", "<", datetime.combine(end, time.max)),
                    ("date_to", ">", datetime.combine(start, time.min)),
                ]
            )
        )
        holidays = set()
        for leave in leaves:
            day = pytz.utc.localize(leave.date_from).astimezone(tz).date()
            last = pytz.utc.localize(leave.date_to).astimezone(tz).date()
            while day <= last:
                holidays.add(day)
                day += timedelta(days=1)
        return holidays

    def _med_is_working_day(self, day, holidays=None):
        """Monday to Friday, and not one of the company's public holidays."""
        if holidays is None:
            holidays = self._med_public_holidays(day, day)
        return day.weekday() < 5 and day not in holidays

    def _med_add_working_days(self, start, days):
        """``start`` (a date) plus ``days`` working days of this company (21 CFR
        806.10, 803.53, the NMPA recall reports)."""
        self.ensure_one()
        # days calendar days hold at most days working days plus weekends and
        # holidays: read a generous window once, widen it if it ran out
        span = days * 2 + 14
        while True:
            holidays = self._med_public_holidays(start, start + timedelta(days=span))
            current, left = start, days
            while left and current < start + timedelta(days=span):
                current += timedelta(days=1)
                if self._med_is_working_day(current, holidays):
                    left -= 1
            if not left:
                return current
            span *= 2

    def _med_next_working_day(self, day):
        """``day``, or the first working day after it: a period in days whose last
        day is a Saturday, Sunday or public holiday ends with the following working
        day (EU Regulation 1182/71 art. 3(4), for the EU MDR vigilance periods)."""
        self.ensure_one()
        holidays = self._med_public_holidays(day, day + timedelta(days=31))
        while not self._med_is_working_day(day, holidays):
            day += timedelta(days=1)
        return day
