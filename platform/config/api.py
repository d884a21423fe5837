"""Building blocks shared by every app's REST API: which roles may call an action, how a service's
refusal becomes an answer, the decorator for POSTs that lead to a transaction, and ordering that
keeps pages stable."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import views
from rest_framework.exceptions import ErrorDetail, Throttled, ValidationError
from rest_framework.filters import BaseFilterBackend
from rest_framework.permissions import BasePermission

from organisations.models import Role

from .idempotency import HEADER, idempotent

MAX_OBJECT_ID = 2**63 - 1  # ids are 64-bit signed in the database

IDEMPOTENCY_KEY = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="Your token for this one request, up to 64 characters: a retry with the same key and body "
    "acts once and gets the first answer again (header `Idempotent-Replay: true`).",
)


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


def _role_names(roles) -> str:
    return _(" or ").join(str(Role(role).label).lower() for role in roles)


class OrganisationRole(BasePermission):
    """Lets through the roles the view allows for the action at hand; the others get a 403 that
    says who may call it."""

    def has_permission(self, request, view) -> bool:
        allowed = view.allowed_roles()
        if allowed is None or request.user.role in allowed:
            return True
        self.message = _("Only a %(allowed)s can do this; your organisation is a %(role)s.") % {
            "allowed": _role_names(allowed),
            "role": _role_names([request.user.role]),
        }
        return False


class RolesByAction:
    """Viewset mixin: `roles` may call every action (None: any role), `action_roles` overrides it
    for single actions."""

    roles: tuple[str, ...] | None = None
    action_roles: dict[str, tuple[str, ...]] = {}

    def allowed_roles(self) -> tuple[str, ...] | None:
        return self.action_roles.get(self.action, self.roles)

    def get_permissions(self):
        return [*super().get_permissions(), OrganisationRole()]


class StableOrderingFilter(BaseFilterBackend):
    """`?ordering=due_date,-amount` among the view's `ordering_fields` (a list, or a dict of public
    names to model paths), then by id, so that the pages of a list never repeat or miss a row."""

    parameter = "ordering"

    @staticmethod
    def _fields(view) -> dict[str, str]:
        fields = getattr(view, "ordering_fields", None) or {}
        return fields if isinstance(fields, dict) else {name: name for name in fields}

    def filter_queryset(self, request, queryset, view):
        fields = self._fields(view)
        terms = [term.strip() for term in request.query_params.get(self.parameter, "").split(",") if term.strip()]
        unknown = [term for term in terms if term.removeprefix("-") not in fields]
        if unknown:
            raise ValidationError({self.parameter: _("Cannot sort by %(unknown)s; sort by %(known)s.") % {
                "unknown": ", ".join(unknown), "known": ", ".join(fields) or _("nothing here"),
            }})
        if not terms:
            return queryset
        ordering = [("-" if term.startswith("-") else "") + fields[term.removeprefix("-")] for term in terms]
        return queryset.order_by(*ordering, "-pk")

    def get_schema_operation_parameters(self, view):
        fields = self._fields(view)
        if not fields:
            return []
        return [{
            "name": self.parameter,
            "required": False,
            "in": "query",
            "description": f"Comma-separated fields to sort by, `-` first for descending: {', '.join(fields)}.",
            "schema": {"type": "string"},
        }]


class ObjectIdFilter(django_filters.Filter):
    """A filter on another object's id: a whole number within the database's range, else 400."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=MAX_OBJECT_ID, **kwargs)
