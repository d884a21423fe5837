"""Query filters of the organisations directory of the API."""

import django_filters

from .models import Organisation
from .selectors import COUNTERPARTY_ROLES


class CounterpartyFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", help_text="Part of the organisation's name.")
    role = django_filters.ChoiceFilter(choices=[(role.value, role.label) for role in COUNTERPARTY_ROLES])

    class Meta:
        model = Organisation
        fields = ["name", "role"]
