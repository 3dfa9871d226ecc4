"""Chart geometry computed on the server; the templates draw it as SVG (no chart script, strict CSP kept).

Every chart has a title and a description, tells its series apart by pattern or line style as well as
colour, and comes with a table of the same figures; the bar charts also write their figures above the bars.
A bar chart's words are HTML, so they wrap on a phone; its bars are drawn in percent of the row's width.
The pace chart keeps its axis labels in the drawing, inside its margins, at a size that stays readable at
the drawing's narrowest (PACE_MIN_WIDTH px, narrower screens scroll it inside its region).
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from .queries import pace_on

WIDTH = 640
PACE_FONT = 16  # user units: 12 CSS px at the pace chart's narrowest
PACE_MIN_WIDTH = WIDTH * 12 // PACE_FONT  # CSS px, the pace chart's narrowest (allies.css says the same)


@dataclass
class Bar:
    """One row of a bar chart: the allocated track and the used part over it."""

    label: str
    allocated: Decimal
    used: Decimal
    allocated_percent: float
    used_percent: float

    @property
    def share(self):
        return self.used / self.allocated if self.allocated else Decimal(0)


@dataclass
class BarChart:
    """Allocated against used, one row per allocation, member or directorate."""

    bars: list


def bar_chart(rows):
    """Geometry of a bar chart from (label, allocated, used) rows, on one scale, in percent of the widest."""
    rows = list(rows)
    top = max([max(allocated, used) for _, allocated, used in rows] + [Decimal(1)])
    return BarChart([Bar(label, allocated, used, round(float(allocated * 100 / top), 2), round(float(used * 100 / top), 2))
                     for label, allocated, used in rows])


@dataclass
class PaceChart:
    """Cumulative use of an allocation over its period, against the steady pace and the 100 % line."""

    used_points: str
    pace_points: str
    full_y: float
    today_x: float | None
    y_ticks: list = field(default_factory=list)
    x_ticks: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    width: int = WIDTH
    height: int = 280
    left: int = 80
    right: int = WIDTH - 32
    top: int = 36
    bottom: int = 240
    font: int = PACE_FONT

    @property
    def today_anchor(self):
        """Where the word "today" goes from its line: after it, or before it near the right edge."""
        return "start" if self.today_x is None or self.today_x < self.right - 120 else "end"


def _month_starts(start, end):
    """The first day of every month from the start's month to the end's."""
    day = start.replace(day=1)
    while day <= end:
        yield day
        day = (day + timedelta(days=32)).replace(day=1)


def pace_chart(allocation, daily, today):
    """Geometry of the pace chart of an allocation, from [(day, hours)] logged, and its monthly table rows."""
    left, right, top, bottom = PaceChart.left, PaceChart.right, PaceChart.top, PaceChart.bottom
    span = max((allocation.end_date - allocation.start_date).days, 1)
    ceiling = max(allocation.hours, sum((hours for _, hours in daily), Decimal(0)), Decimal(1))

    def x(day):
        return round(left + (right - left) * (day - allocation.start_date).days / span, 1)

    def y(hours):
        return round(bottom - (bottom - top) * float(hours / ceiling), 1)

    points, total = [(x(allocation.start_date), y(0))], Decimal(0)
    for day, hours in daily:
        points.append((x(day), y(total)))
        total += hours
        points.append((x(day), y(total)))
    last = min(today, allocation.end_date)
    if last >= allocation.start_date:
        points.append((x(last), y(total)))
    rows, cumulated = [], Decimal(0)
    for month in _month_starts(allocation.start_date, allocation.end_date):
        month_end = min((month + timedelta(days=32)).replace(day=1) - timedelta(days=1), allocation.end_date)
        cumulated = sum((hours for day, hours in daily if day <= month_end), Decimal(0))
        rows.append({"month": month, "used": cumulated if month <= today else None,
                     "pace": pace_on(allocation, month_end)})
    return PaceChart(
        used_points=" ".join(f"{px},{py}" for px, py in points),
        pace_points=f"{x(allocation.start_date)},{y(0)} {x(allocation.end_date)},{y(allocation.hours)}",
        full_y=y(allocation.hours),
        today_x=x(today) if allocation.start_date <= today <= allocation.end_date else None,
        y_ticks=[(y(allocation.hours * share / 4), allocation.hours * share / 4) for share in range(5)],
        x_ticks=[(x(max(month, allocation.start_date)), month)
                 for month in _month_starts(allocation.start_date, allocation.end_date)],
        rows=rows)

