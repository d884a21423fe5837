"""How a refusal becomes the API's answer: DRF's own answers, a service's Django ValidationError
as a 400 naming each field, and a throttled caller told in its language how long to wait."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import views
from rest_framework.exceptions import ErrorDetail, Throttled, ValidationError

from .idempotency import HEADER


def exception_handler(error, context):
    """DRF's answers, plus a service's Django ValidationError as a 400 naming each field. Services
    name the caller's request token `request_key`; over the API that is the Idempotency-Key. A
    throttled caller is told, in its language, how long to wait (also in Retry-After)."""
    if isinstance(error, DjangoValidationError):
        messages = error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
        if "request_key" in messages:
            messages[HEADER] = messages.pop("request_key")
        error = ValidationError(messages)
    if isinstance(error, Throttled) and error.wait is not None:
        error.detail = ErrorDetail(
            _("Too many API requests: wait %(seconds)d s (the Retry-After header) and try again.")
            % {"seconds": error.wait},
            code="throttled",
        )
    return views.exception_handler(error, context)
