"""The page a locked-out sign-in gets (django-axes' AXES_LOCKOUT_CALLABLE), for the portal's and the
admin's sign-in alike: the same sign-in page, with the time left in words instead of the password
error, answered with 429."""

import math
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _

from users.lockout import lockout_time_left

STATUS = 429


def _time_left_in_words(left: timedelta) -> str:
    # Rounded up: "Try again in 1 minute" must never come before the lock has ended.
    minutes = max(1, math.ceil(left.total_seconds() / 60))
    now = timezone.now()
    return timeuntil(now + timedelta(minutes=minutes), now)


def sign_in_locked_out(request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None) -> HttpResponse:
    left = lockout_time_left(request=request, credentials=credentials)
    message = _("Too many failed sign-ins for this user name from your address. Try again in %(time)s.") % {
        "time": _time_left_in_words(left),
    }
    context = getattr(original_response, "context_data", None) or {}
    form = context.get("form")
    if not isinstance(original_response, TemplateResponse) or form is None:
        return HttpResponse(message, status=STATUS, content_type="text/plain; charset=utf-8")
    # The sign-in view has already said "wrong user name or password": the lock replaces that,
    # since even the right password is refused now.
    form.errors.clear()
    form.add_error(None, ValidationError(message, code="locked_out"))
    return TemplateResponse(request, original_response.template_name, context, status=STATUS).render()
