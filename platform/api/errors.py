"""How a refusal becomes the API's answer: DRF's own answers, a service's Django ValidationError
as a 400 naming each field, a refusal because the platform is paused as a 503 with its code, and
a throttled caller told in its language how long to wait."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import status, views
from rest_framework.exceptions import APIException, ErrorDetail, Throttled, ValidationError

from .idempotency import HEADER


class PausedRefusal(DjangoValidationError):
    """A service's refusal because a part it needs is paused, not because of the input: forms show
    it as any refusal, the API answers 503 with the refusal's code (e.g. `chain_paused`)."""


class _Paused(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE


def exception_handler(error, context):
    """DRF's answers, plus a service's Django ValidationError as a 400 naming each field. Services
    name the caller's request token `request_key`; over the API that is the Idempotency-Key. A
    throttled caller is told, in its language, how long to wait (also in Retry-After)."""
    if isinstance(error, PausedRefusal):
        response = views.exception_handler(_Paused(error.messages[0], code=error.code), context)
        response.data["code"] = error.code
        return response
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
