"""The invoice list's filters, submitted by GET: the supplier's invoices and the core firm's
payables (templates/portal/components/filters.html)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from invoices.models import InvoiceStatus

from .fields import DATE_INPUT

OUTSTANDING = "outstanding"  # the filter value for confirmed and overdue invoices together


class InvoiceFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("Any status")), (OUTSTANDING, _("Outstanding (confirmed or overdue)")), *InvoiceStatus.choices],
    )
    due_from = forms.DateField(label=_("Due from"), required=False, widget=DATE_INPUT)
    due_to = forms.DateField(label=_("Due until"), required=False, widget=DATE_INPUT)

    def filter(self, invoices):
        """The invoices that pass the filters; all of them when the filters are invalid."""
        if not self.is_valid():
            return invoices
        status, due_from, due_to = (self.cleaned_data[name] for name in ("status", "due_from", "due_to"))
        if status == OUTSTANDING:
            invoices = invoices.filter(status__in=(InvoiceStatus.CONFIRMED, InvoiceStatus.OVERDUE))
        elif status:
            invoices = invoices.filter(status=status)
        if due_from:
            invoices = invoices.filter(due_date__gte=due_from)
        if due_to:
            invoices = invoices.filter(due_date__lte=due_to)
        return invoices
