"""Working time in the French public service: 1,607 h a year full time (decree 2000-815), pro rata."""

from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import holidays
from flask import current_app

MONTHS_IN_YEAR = Decimal(12)
QUARTER = Decimal("0.25")
LONGEST_PERIOD_YEARS = 5  # a call's period; longer is a typing mistake (and hours no column holds)


def annual_hours():
    """Legal annual working hours of a full-time agent (ALLIES_ANNUAL_HOURS, 1,607 by default)."""
    return Decimal(str(current_app.config["ALLIES_ANNUAL_HOURS"]))


def day_hours():
    """Hours in a working day (ALLIES_DAY_HOURS, 7 by default)."""
    return Decimal(str(current_app.config["ALLIES_DAY_HOURS"]))


def is_quarter(hours):
    """Whether the hours are a whole number of quarter hours."""
    return hours % QUARTER == 0


def to_quarter_hours(hours):
    """Round to the nearest quarter of an hour."""
    return (Decimal(hours) / QUARTER).quantize(Decimal(1), rounding=ROUND_HALF_UP) * QUARTER


def period_too_long(start, end):
    """Whether a period lasts more than LONGEST_PERIOD_YEARS years."""
    try:
        return end >= start.replace(year=start.year + LONGEST_PERIOD_YEARS)
    except ValueError:  # 29 February
        return end >= date(start.year + LONGEST_PERIOD_YEARS, 3, 1)


def period_days(start, end):
    """Calendar days in a period, both ends included."""
    return (end - start).days + 1


def year_fraction(start, end):
    """How many years the period makes, each calendar year counted by its own length (365 or 366 days):
    a whole leap year is 1, like a whole common year."""
    fraction = Decimal(0)
    for year in range(start.year, end.year + 1):
        first, last = max(start, date(year, 1, 1)), min(end, date(year, 12, 31))
        fraction += Decimal(period_days(first, last)) / period_days(date(year, 1, 1), date(year, 12, 31))
    return fraction


def working_hours(quotity, start, end):
    """What an agent at `quotity` % works over the period: 1,607 h × quotity × share of the year."""
    return annual_hours() * Decimal(quotity) / 100 * year_fraction(start, end)


def commitment_hours(kind, value, start, end, quotity=100):
    """Hours a commitment means for an agent over the period, in quarter hours.

    percent: that share of the agent's own working time (so pro rata of the quotity);
    hours_per_month, days_per_month: per month of the period; total_hours: as given.
    """
    value = Decimal(value)
    months = year_fraction(start, end) * MONTHS_IN_YEAR
    if kind == "percent":
        hours = working_hours(quotity, start, end) * value / 100
    elif kind == "hours_per_month":
        hours = value * months
    elif kind == "days_per_month":
        hours = value * day_hours() * months
    elif kind == "total_hours":
        hours = value
    else:
        raise ValueError(kind)
    return to_quarter_hours(hours)


def proposed_hours(kind, value, start, end, quotity):
    """The time to propose to an agent: the commitment's hours, at least a quarter, at most what they work."""
    ceiling = (working_hours(quotity, start, end) / QUARTER).to_integral_value(rounding=ROUND_DOWN) * QUARTER
    return max(QUARTER, min(commitment_hours(kind, value, start, end, quotity), ceiling))


def hours_to_propose(call, agent):
    """The time to propose to `agent` when they answer `call` (see proposed_hours)."""
    return proposed_hours(call.commitment_kind, call.commitment_value, call.start_date, call.end_date, agent.quotity)


def working_days_between(start, end):
    """Working days after `start` up to `end` included: Monday to Friday, public holidays excluded."""
    country = current_app.config["ALLIES_HOLIDAYS_COUNTRY"]
    closed = holidays.country_holidays(country, years=range(start.year, end.year + 1))
    days, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in closed:
            days += 1
    return days


def hours_to_days(hours):
    """Working days that many hours make (7 h a day unless configured)."""
    return (Decimal(hours) / day_hours()).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def share_of_working_time(hours, quotity, start, end):
    """The hours as a fraction (0–1) of what the agent works over the period."""
    available = working_hours(quotity, start, end)
    return Decimal(hours) / available if available else Decimal(0)


def proposal(call, agent):
    """What the sign-up form proposes to this agent, for its template: the hours, as working days, and as a share
    of their working time over the call's period."""
    hours = hours_to_propose(call, agent)
    return {"proposed": hours, "proposed_days": hours_to_days(hours),
            "proposed_share": share_of_working_time(hours, agent.quotity, call.start_date, call.end_date)}
