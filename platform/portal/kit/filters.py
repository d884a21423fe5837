"""The invoice search of every invoice and receivable list (the supplier's invoices and
receivables, the core firm's payables and inbox), submitted by GET and shown by
templates/portal/components/invoice_search.html: an invoice's number or counterparty, its status,
an amount range and date ranges. Each list says where its rows keep the invoice, their amount and
the counterparties (SearchFields)."""

import re
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from invoices import validation
from invoices.models import InvoiceStatus

from .fields import DATE_INPUT

OUTSTANDING = "outstanding"  # the filter value for confirmed and overdue invoices together
# "250,000.00": digits grouped by thousands with commas, as the pages show amounts.
GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?", re.ASCII)
RANGES = (("amount_min", "amount_max"), ("issued_from", "issued_to"), ("due_from", "due_to"))


@dataclass(frozen=True)
class SearchFields:
    """Where a list's rows keep what the search looks at: the invoice ("" for invoices themselves,
    "invoice__" for pieces), the amount shown, and the counterparties' organisations."""

    invoice: str
    amount: str
    counterparties: tuple[str, ...]


INVOICES_SOLD = SearchFields(invoice="", amount="amount", counterparties=("buyer",))
INVOICES_BOUGHT = SearchFields(invoice="", amount="amount", counterparties=("seller",))
PIECES_HELD = SearchFields(invoice="invoice__", amount="amount", counterparties=("invoice__buyer", "invoice__seller"))


class AmountBoundField(forms.CharField):
    """An amount in currency units, written as "250000", "250000.5" or "250,000.00"; returned in
    micro-units."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 12})

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        text = value.strip().replace(" ", "")
        if GROUPED.fullmatch(text):
            text = text.replace(",", "")
        try:
            return validation.micro_amount(text)
        except ValidationError as refusal:
            raise ValidationError(refusal.message_dict["amount"]) from None


class InvoiceSearchForm(forms.Form):
    text = forms.CharField(
        label=_("Number or counterparty"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. INV-1042 or Acme")}),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("Any status")), (OUTSTANDING, _("Outstanding (confirmed or overdue)")), *InvoiceStatus.choices],
    )
    amount_min = AmountBoundField(label=_("Amount from"), required=False)
    amount_max = AmountBoundField(label=_("Amount up to"), required=False)
    issued_from = forms.DateField(label=_("Issued from"), required=False, widget=DATE_INPUT)
    issued_to = forms.DateField(label=_("Issued until"), required=False, widget=DATE_INPUT)
    due_from = forms.DateField(label=_("Due from"), required=False, widget=DATE_INPUT)
    due_to = forms.DateField(label=_("Due until"), required=False, widget=DATE_INPUT)

    def __init__(self, data=None, *, fields: SearchFields, statuses: bool = True):
        super().__init__(data)
        self.search_fields = fields
        if not statuses:
            del self.fields["status"]

    def clean(self):
        cleaned = super().clean()
        for low, high in RANGES:
            if cleaned.get(low) is not None and cleaned.get(high) is not None and cleaned[low] > cleaned[high]:
                self.add_error(high, _("This is below the start of the range (%(start)s).") % {
                    "start": self.data.get(low),
                })
        return cleaned

    def search(self, rows: QuerySet) -> QuerySet:
        """The rows that match the search; none while the search is invalid (its errors say why)."""
        if not self.is_bound:
            return rows
        if not self.is_valid():
            return rows.none()
        where = self.search_fields
        invoice = where.invoice
        fields = self.cleaned_data
        if text := fields["text"].strip():
            matches = Q(**{f"{invoice}number__icontains": text})
            for counterparty in where.counterparties:
                matches |= Q(**{f"{counterparty}__name__icontains": text})
            rows = rows.filter(matches)
        status = fields.get("status")
        if status == OUTSTANDING:
            rows = rows.filter(**{f"{invoice}status__in": (InvoiceStatus.CONFIRMED, InvoiceStatus.OVERDUE)})
        elif status:
            rows = rows.filter(**{f"{invoice}status": status})
        bounds = {
            f"{where.amount}__gte": fields["amount_min"], f"{where.amount}__lte": fields["amount_max"],
            f"{invoice}issue_date__gte": fields["issued_from"], f"{invoice}issue_date__lte": fields["issued_to"],
            f"{invoice}due_date__gte": fields["due_from"], f"{invoice}due_date__lte": fields["due_to"],
        }
        return rows.filter(**{lookup: value for lookup, value in bounds.items() if value is not None})
