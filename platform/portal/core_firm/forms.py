"""The core firm's forms: confirming or disputing an invoice, and repaying one in full or in part."""

import uuid
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from invoices import validation
from portal.kit.fields import AmountField


def units(micro: int) -> str:
    """Micro-units as the decimal string a person types: 1234500000 -> '1234.50'."""
    value = Decimal(micro).scaleb(-validation.MICRO_DECIMALS)
    cents = value.quantize(Decimal("0.01"))
    return format(cents if cents == value else value.normalize(), "f")


class ConfirmForm(forms.Form):
    """Confirm is a single button, with an acknowledgement to tick when the invoice may duplicate
    an earlier one (the service refuses without it)."""

    acknowledge_duplicate = forms.BooleanField(
        label=_("I have compared it with the earlier invoice: this is a different invoice."), required=False,
    )

    def __init__(self, *args, possible_duplicate: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not possible_duplicate:
            del self.fields["acknowledge_duplicate"]


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you dispute this invoice?"), max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why you dispute the invoice.")},
    )


class RepayForm(forms.Form):
    """`request_key` is made when the form is shown: a replay of the same payment pays once."""

    amount = AmountField(label=_("Amount to pay"))
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    @classmethod
    def for_invoice(cls, invoice, *, owed: int) -> "RepayForm":
        """Prefilled with `owed`, what is left once the repayments already queued are paid."""
        return cls(prefix="repay", initial={"amount": units(owed), "request_key": uuid.uuid4().hex})
