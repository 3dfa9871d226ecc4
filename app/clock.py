"""Time: now in UTC for timestamps, and the local day and time (ALLIES_TIMEZONE) the users live in."""

from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow():
    """Timezone-aware now, for timestamps."""
    return datetime.now(timezone.utc)


def local_zone():
    """The time zone the users live in (ALLIES_TIMEZONE)."""
    return ZoneInfo(current_app.config["ALLIES_TIMEZONE"])


def local_now():
    """Now in local time (ALLIES_TIMEZONE), not the server's."""
    return utcnow().astimezone(local_zone())


def local_today():
    """Today in local time (ALLIES_TIMEZONE), not the server's: the day and the month the users live in."""
    return local_now().date()


def local_day(moment):
    """The local day (ALLIES_TIMEZONE) a timestamp falls on."""
    return moment.astimezone(local_zone()).date()


def local_midnight(day):
    """The moment `day` starts in local time (ALLIES_TIMEZONE), in UTC: a bound for timestamp filters that
    holds on SQLite (which drops offsets) as on PostgreSQL."""
    return datetime.combine(day, time(), tzinfo=local_zone()).astimezone(timezone.utc)
