"""Query filters of the financing-request and programme lists of the API."""

import django_filters

from api.filters import ObjectIdFilter
from invoices.filters import CurrencyFilter

from .models import FinancingRequest, FinancingStatus, Programme


class FinancingRequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=FinancingStatus.choices)
    lender = ObjectIdFilter(field_name="lender_id", help_text="The lender's organisation id.")
    holder = ObjectIdFilter(field_name="holder_id", help_text="The holder's organisation id.")
    created_after = django_filters.IsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte", help_text="Made at or after this ISO 8601 moment."
    )
    created_before = django_filters.IsoDateTimeFilter(
        field_name="created_at", lookup_expr="lte", help_text="Made at or before this ISO 8601 moment."
    )

    class Meta:
        model = FinancingRequest
        fields = ["status", "lender", "holder", "created_after", "created_before"]


class ProgrammeFilter(django_filters.FilterSet):
    core_firm = ObjectIdFilter(field_name="core_firm_id", help_text="The core firm's organisation id.")
    currency = CurrencyFilter()

    class Meta:
        model = Programme
        fields = ["core_firm", "currency"]
