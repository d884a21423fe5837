"""The sign-in lockout's rules that django-axes asks us for (settings: AXES_*): which user name a
failure counts against, and how long a locked name must still wait."""

from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone


def lockout_username(request: HttpRequest, credentials: dict | None) -> str:
    """The name as typed, trimmed and in lower case: user names are unique whatever their case
    (users.services), so "Ningbo " and "ningbo" are one name to guess and one count."""
    typed = (credentials or {}).get("username")
    if typed is None:
        typed = request.POST.get("username", "")
    return str(typed).strip().lower()


def lockout_time_left(*, request: HttpRequest, credentials: dict | None) -> timedelta:
    """How long this user name, from this client address, stays locked: the lock ends one cool-off
    after the last failure that counted."""
    attempts = AxesDatabaseHandler().get_user_attempts(request, credentials)
    last_failures = [last for queryset in attempts if (last := queryset.aggregate(last=Max("attempt_time"))["last"])]
    if not last_failures:
        return timedelta(0)
    return max(timedelta(0), max(last_failures) + get_cool_off(request) - timezone.now())
