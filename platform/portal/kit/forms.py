"""Shared form plumbing: a service's ValidationError shown next to the fields it names, and
run_service, which calls a service with a valid form's data and shows its refusal on the form; the
form of an organisation's time zone, which its own users and the platform's admins fill in."""

import zoneinfo
from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from .fields import LongSelect

T = TypeVar("T")


def apply_errors(form: forms.Form, refusal: ValidationError) -> None:
    """Puts the service's messages on the form: on the named field when the form has it, else at
    the top of the form."""
    if hasattr(refusal, "error_dict"):
        for field, errors in refusal.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, refusal.messages)


def run_service(form: forms.Form, act: Callable[[dict], T]) -> T | None:
    """Calls the service `act` with a valid form's data and returns what it returns; None, with
    the refusal on the form (next to the field it names), when the form or the service refuses."""
    if not form.is_valid():
        return None
    try:
        return act(form.cleaned_data)
    except ValidationError as refusal:
        apply_errors(form, refusal)
    except PermissionDenied as refusal:
        form.add_error(None, str(refusal))
    return None


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=[(zone, zone) for zone in sorted(zoneinfo.available_timezones())], widget=LongSelect,
        help_text=_("Invoice dates and \"today\" are judged in this time zone, and pages show times in it."),
    )
