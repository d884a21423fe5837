"""Moments as pages show them: in the time zone active for the request (the user's organisation's,
portal.middleware.OrganisationTimeZone), always followed by that zone's offset from UTC, so that a
reader never has to guess which clock a time is on. Dates without a time carry no zone."""

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

FORMATS = {"minutes": "Y-m-d H:i", "seconds": "Y-m-d H:i:s"}  # as Django's date format writes them


def zone_label(offset: timedelta) -> str:
    """timedelta(hours=8) -> 'UTC+08:00'; no offset -> 'UTC'."""
    if not offset:
        return _("UTC")
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes > 0 else "-"
    hours, minutes = divmod(abs(minutes), 60)
    return _("UTC%(offset)s") % {"offset": f"{sign}{hours:02d}:{minutes:02d}"}


def moment_text(value: datetime, precision: str = "minutes") -> str:
    """An aware datetime in the active zone: '2026-12-03 20:15 UTC+08:00'."""
    local = timezone.localtime(value)
    return f"{_clock(local, precision)} {zone_label(local.utcoffset())}"


def _clock(local: datetime, precision: str) -> str:
    """FORMATS written directly: Django's date format interprets its format string on every call,
    which costs ten times as much (lists show a moment a row)."""
    text = f"{local.year:04d}-{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d}"
    if precision not in FORMATS:
        raise KeyError(precision)
    return f"{text}:{local.second:02d}" if precision == "seconds" else text
