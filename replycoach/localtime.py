"""Times as a person reads them: in their own time zone (``User.time_zone``), never as raw UTC.

The database and the facade keep aware UTC datetimes; pages convert at the last moment with these helpers.
Pure functions, no Streamlit.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

#: Offered first when a user picks a time zone: where ReplyCoach's users mostly are.
COMMON_TIME_ZONES = ("UTC", "Europe/Berlin", "Europe/Vienna", "Europe/Zurich", "Europe/Moscow", "Europe/Sofia")


@cache
def zone(name: str | None) -> ZoneInfo:
    """The time zone called ``name``; UTC for an empty or unknown name (a page must never fail on it)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local(moment: datetime, zone_name: str | None) -> datetime:
    """``moment`` (aware; naive is taken as UTC) in the time zone ``zone_name``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone(zone_name))


def local_text(moment: datetime | None, zone_name: str | None, *, with_zone: bool = False) -> str:
    """ "2025-03-01 14:30" in the user's time zone ("" for None); ``with_zone`` adds its abbreviation."""
    if moment is None:
        return ""
    shown = local(moment, zone_name)
    text = f"{shown:%Y-%m-%d %H:%M}"
    return f"{text} {shown:%Z}" if with_zone else text


def local_naive(moment: datetime, zone_name: str | None) -> datetime:
    """The local wall-clock time without a zone (for charts, which would otherwise draw UTC)."""
    return local(moment, zone_name).replace(tzinfo=None)


def local_today(zone_name: str | None, now: datetime | None = None) -> date:
    """Today's date where the user is."""
    return local(now or datetime.now(UTC), zone_name).date()


def day_range_utc(first: date, last: date, zone_name: str | None) -> tuple[datetime, datetime]:
    """[start of ``first``, start of the day after ``last``) in the user's time zone, as aware UTC datetimes
    (for date filters: "1-31 March" means March where the user is)."""
    tz = zone(zone_name)
    since = datetime.combine(first, time.min, tz).astimezone(UTC)
    until = datetime.combine(last + timedelta(days=1), time.min, tz).astimezone(UTC)
    return since, until


def time_zone_choices() -> list[str]:
    """Every IANA time zone this machine knows, the common ones first."""
    rest = sorted(available_timezones() - set(COMMON_TIME_ZONES) - {"localtime", "Factory"})
    return [*COMMON_TIME_ZONES, *rest]
