"""Idempotency-Key for API POSTs that lead to a transaction: the first answer is stored and
replayed for every retry with the same key; the same key with another body is refused."""

import functools
import hashlib
import json

from django.db import IntegrityError, transaction
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from organisations.models import IdempotentRequest

HEADER = "Idempotency-Key"


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
        organisation = request.user.organisation
        body_hash = _body_hash(request)
        previous = IdempotentRequest.objects.filter(organisation=organisation, key=key).first()
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
                    IdempotentRequest.objects.create(
                        organisation=organisation, key=key, request_hash=body_hash,
                        status_code=response.status_code, response=response.data,
                    )
        except IntegrityError:  # a concurrent retry got there first: answer as it did
            previous = IdempotentRequest.objects.get(organisation=organisation, key=key)
            return Response(previous.response, status=previous.status_code, headers={"Idempotent-Replay": "true"})
        return response

    return wrapper
