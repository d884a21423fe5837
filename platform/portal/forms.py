"""Shared form plumbing: a service's ValidationError shown next to the fields it names."""

from django import forms
from django.core.exceptions import ValidationError


def apply_errors(form: forms.Form, refusal: ValidationError) -> None:
    """Puts the service's messages on the form: on the named field when the form has it, else at
    the top of the form."""
    if hasattr(refusal, "error_dict"):
        for field, errors in refusal.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, refusal.messages)
