"""Idempotency-Key for API POSTs that lead to a transaction: the key is required and documented,
the first answer is stored and replayed for every retry with the same key, and the same key with
another body is refused. The answers are kept per organisation in the model that
settings.API_IDEMPOTENCY_MODEL names ("app_label.ModelName", with the fields organisation, key,
request_hash, status_code and response, unique on organisation and key)."""

import functools
import hashlib
import json

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

HEADER = "Idempotency-Key"

IDEMPOTENCY_KEY = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="Your token for this one request, up to 64 characters: a retry with the same key and body "
    "acts once and gets the first answer again (header `Idempotent-Replay: true`).",
)


def _answers():
    """The model that keeps the first answers (settings.API_IDEMPOTENCY_MODEL)."""
    return apps.get_model(settings.API_IDEMPOTENCY_MODEL)


def _body_hash(request) -> str:
    """The request as a hash: its address and its body, so a key reused on another object or
    endpoint is a different request, not a replay."""
    body = json.dumps(request.data, sort_keys=True, default=str) if hasattr(request.data, "keys") else ""
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def idempotent(view_method):
    """Wraps a DRF view method (create) so that retries of a POST act once."""

    @functools.wraps(view_method)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER, "").strip()
        if not key or len(key) > 128:
            raise ValidationError({HEADER: "Send an Idempotency-Key header (up to 128 characters) with this request."})
        answers = _answers()
        organisation = request.user.organisation
        body_hash = _body_hash(request)
        previous = answers.objects.filter(organisation=organisation, key=key).first()
        if previous is not None:
            if previous.request_hash != body_hash:
                return Response(
                    {HEADER: "This key was already used for a different request."},
                    status=status.HTTP_422_UNPROCESSABLE_ENTITY,
                )
            return Response(previous.response, status=previous.status_code, headers={"Idempotent-Replay": "true"})
        try:
            with transaction.atomic():
                response = view_method(view, request, *args, **kwargs)
                if response.status_code < 500:
                    answers.objects.create(
                        organisation=organisation, key=key, request_hash=body_hash,
                        status_code=response.status_code, response=response.data,
                    )
        except IntegrityError:  # a concurrent retry got there first: answer as it did
            previous = answers.objects.get(organisation=organisation, key=key)
            return Response(previous.response, status=previous.status_code, headers={"Idempotent-Replay": "true"})
        return response

    return wrapper


def queues_transaction(*, request=None, responses):
    """For a POST that leads to an on-chain transaction: the Idempotency-Key is required (and
    documented), and a retry with the same key is answered from the first answer."""

    def decorate(view_method):
        documented = extend_schema(request=request, responses=responses, parameters=[IDEMPOTENCY_KEY])
        return documented(idempotent(view_method))

    return decorate


def request_key(request) -> str:
    """The Idempotency-Key, which services take as the caller's `request_key`."""
    return request.headers.get(HEADER, "").strip()
