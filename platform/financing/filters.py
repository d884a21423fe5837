"""Query filters of the financing-request and programme lists of the API."""

import django_filters

from config.api import ObjectIdFilter
from invoices.filters import CurrencyFilter

from .models import FinancingRequest, FinancingStatus, Programme


class FinancingRequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=FinancingStatus.choices)
    lender = ObjectIdFilter(field_name="lender_id", help_text="The lender's organisation id.")
    holder = ObjectIdFilter(field_name="holder_id", help_text="The holder's organisation id.")
    created_at = django_filters.IsoDateTimeFromToRangeFilter(
        help_text="`created_at_after` and `created_at_before`, ISO 8601 moments, inclusive."
    )

    class Meta:
        model = FinancingRequest
        fields = ["status", "lender", "holder", "created_at"]


class ProgrammeFilter(django_filters.FilterSet):
    core_firm = ObjectIdFilter(field_name="core_firm_id", help_text="The core firm's organisation id.")
    currency = CurrencyFilter()

    class Meta:
        model = Programme
        fields = ["core_firm", "currency"]
