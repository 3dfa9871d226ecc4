"""The 1,607 h rule: commitments turned into hours for an agent's quotity and a period."""

from datetime import date
from decimal import Decimal

import pytest

from app.budgets.working_time import commitment_hours, hours_to_days, share_of_working_time, working_hours

YEAR = (date(2027, 1, 1), date(2027, 12, 31))


@pytest.mark.parametrize("kind, value, quotity, expected", [
    ("percent", 10, 100, Decimal("160.75")),      # 10 % of 1,607 h
    ("percent", 10, 80, Decimal("128.50")),       # 80 %: 1,285.6 h a year, 10 % of it
    ("percent", 100, 80, Decimal("1285.50")),     # the whole part-time year, to the quarter
    ("hours_per_month", 4, 100, Decimal("48")),
    ("days_per_month", 1, 100, Decimal("84")),    # 7 h days
    ("total_hours", Decimal("12.5"), 50, Decimal("12.5")),
])
def test_commitment_over_a_year(app, kind, value, quotity, expected):
    assert commitment_hours(kind, value, *YEAR, quotity=quotity) == expected


def test_pro_rata_of_the_period(app):
    half = commitment_hours("percent", 10, date(2027, 1, 1), date(2027, 6, 30))
    assert half == Decimal("79.75")  # 181 days of 365


def test_days_and_share(app):
    assert hours_to_days(Decimal(21)) == Decimal("3.0")
    assert working_hours(80, *YEAR) == Decimal("1285.6")
    assert share_of_working_time(Decimal("128.56"), 80, *YEAR) == Decimal("0.1")


def test_annual_hours_are_configurable(app_factory):
    application = app_factory(ALLIES_ANNUAL_HOURS=1600, ALLIES_DAY_HOURS=8)
    with application.app_context():
        assert commitment_hours("days_per_month", 1, *YEAR) == Decimal("96")
        assert commitment_hours("percent", 10, *YEAR) == Decimal("160")


@pytest.mark.parametrize("start, end, quotity, expected", [
    (date(2028, 1, 1), date(2028, 12, 31), 100, Decimal(1607)),            # a leap year is still 1,607 h
    (date(2028, 2, 1), date(2028, 2, 29), 100, Decimal(1607) * 29 / 366),  # February of a leap year
    (date(2027, 1, 1), date(2028, 12, 31), 80, Decimal("2571.2")),         # two years at 80 %
    (date(2027, 7, 1), date(2028, 6, 30), 100,                             # across a year end
     Decimal(1607) * 184 / 365 + Decimal(1607) * 182 / 366),
])
def test_working_hours_count_each_year_by_its_own_length(app, start, end, quotity, expected):
    assert working_hours(quotity, start, end) == expected


def test_commitments_stay_exact_decimals_across_years(app):
    hours = commitment_hours("percent", 10, date(2027, 7, 1), date(2028, 6, 30), quotity=50)
    assert isinstance(hours, Decimal) and hours % Decimal("0.25") == 0
    assert hours == Decimal("80.50")  # 10 % of 803.5 h plus a leap day's share, to the quarter
    assert commitment_hours("hours_per_month", 4, date(2028, 1, 1), date(2028, 12, 31)) == Decimal(48)
