"""The operator's forms: a KYC approval's validity, and the search for an invoice."""

from datetime import datetime, time, timedelta, timezone as dt_timezone

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KYC_VALIDITY = timedelta(days=365)


class KycApprovalForm(forms.Form):
    valid_until = forms.DateField(
        label=_("KYC valid until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The approval lapses at the end of this day (UTC); the organisation cannot transact after it."),
    )

    @classmethod
    def fresh(cls) -> "KycApprovalForm":
        return cls(initial={"valid_until": timezone.localdate() + KYC_VALIDITY})

    def valid_until_moment(self) -> datetime:
        return datetime.combine(self.cleaned_data["valid_until"], time(23, 59, 59), tzinfo=dt_timezone.utc)


class InvoiceSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Invoice number or fingerprint"), max_length=100, required=False,
        widget=forms.TextInput(attrs={"type": "search", "autofocus": True}),
    )
