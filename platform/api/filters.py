"""Query parameters of the API's lists: `?ordering=` that keeps the pages of a list stable, and
filters on another object's id within the database's range."""

import django_filters
from django import forms
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend

MAX_OBJECT_ID = 2**63 - 1  # ids are 64-bit signed in the database


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
