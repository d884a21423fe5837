"""Query filters of the invoice and receivable lists of the API."""

import django_filters

from api.filters import ObjectIdFilter

from .models import Currency, Invoice, InvoiceStatus, Piece


class CurrencyFilter(django_filters.ChoiceFilter):
    """A currency by its code (USDC, EURT), as the API shows it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, choices=[(code, code) for code in Currency.names], **kwargs)

    def filter(self, queryset, code):
        return super().filter(queryset, Currency[code] if code else code)


class InvoiceFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=InvoiceStatus.choices)
    due_date_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte", help_text="Due on or after.")
    due_date_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte", help_text="Due on or before.")
    buyer = ObjectIdFilter(field_name="buyer_id", help_text="The buyer's organisation id.")
    seller = ObjectIdFilter(field_name="seller_id", help_text="The seller's organisation id.")
    number = django_filters.CharFilter(lookup_expr="icontains", help_text="Part of the invoice number.")
    currency = CurrencyFilter()

    class Meta:
        model = Invoice
        fields = ["status", "due_date_after", "due_date_before", "buyer", "seller", "number", "currency"]


class ReceivableFilter(django_filters.FilterSet):
    financed = django_filters.BooleanFilter()
    invoice_status = django_filters.ChoiceFilter(field_name="invoice__status", choices=InvoiceStatus.choices)
    currency = CurrencyFilter(field_name="invoice__currency")
    due_date_after = django_filters.DateFilter(
        field_name="invoice__due_date", lookup_expr="gte", help_text="Due on or after."
    )
    due_date_before = django_filters.DateFilter(
        field_name="invoice__due_date", lookup_expr="lte", help_text="Due on or before."
    )
    buyer = ObjectIdFilter(field_name="invoice__buyer_id", help_text="The buyer's organisation id.")
    number = django_filters.CharFilter(
        field_name="invoice__number", lookup_expr="icontains", help_text="Part of the invoice number."
    )

    class Meta:
        model = Piece
        fields = ["financed", "invoice_status", "currency", "due_date_after", "due_date_before", "buyer", "number"]
