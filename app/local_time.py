"""Time as residents read it: stored as aware UTC, shown and entered in Dutch time (Europe/Amsterdam).

Pure Python: services, forms and the election record share this one idea of "the day in the Netherlands".
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Europe/Amsterdam")


class NonexistentLocalTime(ValueError):
    """A wall-clock time skipped when the clocks go forward (e.g. 02:30 on the last Sunday of March)."""


def local_date(moment: datetime) -> date:
    """The calendar day in the Netherlands at `moment` (an aware datetime)."""
    return moment.astimezone(LOCAL_TZ).date()


def local_datetime(moment: datetime) -> datetime:
    """`moment` on Dutch wall-clock time (aware, Europe/Amsterdam)."""
    return moment.astimezone(LOCAL_TZ)


def from_local(naive: datetime) -> datetime:
    """A Dutch wall-clock time (naive) as aware UTC; raises NonexistentLocalTime for a skipped hour."""
    local = naive.replace(tzinfo=LOCAL_TZ)
    if local.astimezone(UTC).astimezone(LOCAL_TZ).replace(tzinfo=None) != naive:
        raise NonexistentLocalTime(naive.isoformat())
    return local.astimezone(UTC)
