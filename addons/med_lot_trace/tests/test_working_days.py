from datetime import date, datetime, time

import pytz

from odoo.tests import TransactionCase, tagged


def add_public_holiday(company, day, name="Public holiday"):
    """A global leave (no resource) on the company's calendar, the whole ``day`` in
    the calendar's time zone, as Odoo's public holidays are entered."""
    company = company.sudo()  # an administrator's setting, whoever's record it is
    calendar = company.resource_calendar_id
    tz = pytz.timezone(calendar.tz or "UTC")

    def utc(moment):
        return tz.localize(moment).astimezone(pytz.utc).replace(tzinfo=None)

    return company.env["resource.calendar.leaves"].create(
        {
            "name": name,
            "company_id": company.id,
            "calendar_id": calendar.id,
            "date_from": utc(datetime.combine(day, time.min)),
            "date_to": utc(datetime.combine(day, time(23, 59, 59))),
        }
    )


@tagged("post_install", "-at_install")
class TestWorkingDays(TransactionCase):
    """One definition of the authorities' working days: Monday to Friday, without
    the company's public holidays (global leaves of its working-time calendar)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["res.company"].create({"name": "Working days Co"})
        cls.other = cls.env["res.company"].create({"name": "Other holidays Co"})

    def test_weekends_skipped(self):
        # Friday 20 November 2026 + 10 working days: Friday 4 December
        self.assertEqual(
            self.company._med_add_working_days(date(2026, 11, 20), 10),
            date(2026, 12, 4),
        )

    def test_public_holiday_skipped(self):
        add_public_holiday(self.company, date(2026, 11, 26))
        self.assertFalse(self.company._med_is_working_day(date(2026, 11, 26)))
        self.assertEqual(
            self.company._med_add_working_days(date(2026, 11, 20), 10),
            date(2026, 12, 7),
        )
        # a period ending on the holiday ends the next working day
        self.assertEqual(
            self.company._med_next_working_day(date(2026, 11, 26)),
            date(2026, 11, 27),
        )
        # and on a Saturday, the Monday
        self.assertEqual(
            self.company._med_next_working_day(date(2026, 11, 28)),
            date(2026, 11, 30),
        )

    def test_other_company_holiday_ignored(self):
        add_public_holiday(self.other, date(2026, 11, 26))
        self.assertTrue(self.company._med_is_working_day(date(2026, 11, 26)))
        self.assertEqual(
            self.company._med_add_working_days(date(2026, 11, 20), 10),
            date(2026, 12, 4),
        )

    def test_leave_of_a_resource_is_no_holiday(self):
        employee_leave = add_public_holiday(self.company, date(2026, 11, 26))
        employee_leave.resource_id = self.env["resource.resource"].create(
            {"name": "Technician", "calendar_id": self.company.resource_calendar_id.id}
        )
        self.assertTrue(self.company._med_is_working_day(date(2026, 11, 26)))

    def test_long_holiday_period(self):
        # a closure of three weeks: the search window widens
        for offset in range(21):
            add_public_holiday(self.company, date(2026, 12, 7 + offset))
        self.assertEqual(
            self.company._med_add_working_days(date(2026, 12, 4), 3),
            date(2026, 12, 30),
        )
