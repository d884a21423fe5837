"""The lender's forms: programme terms, deposits and withdrawals. Rates are typed in percent and
leave as basis points, named as the services name them, so a service's refusal lands next to
the field it is about. The fields carry the contract's bounds for the browser; the rules across
fields (the worst rate, the limit against the exposure) are the service's, shown as its refusal.
Each form carries the hidden request key that makes a replay harmless."""

import uuid
from decimal import Decimal

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from chain.models import ChainAction
from financing.models import Programme
from financing.services.programmes import (
    DEFAULT_MAX_RATING_AGE_DAYS, MAX_BASE_RATE_BPS, MAX_BPS, MAX_RATING_AGE_DAYS, MAX_RATING_SPREAD_BPS, MAX_TENOR_DAYS,
    RATINGS,
)
from invoices.models import Currency
from organisations.models import KycStatus, Organisation, Role
from portal.kit.forms import apply_errors

BPS_PER_PERCENT = 100
MICRO = 1_000_000


def new_request_key() -> str:
    return uuid.uuid4().hex


class PercentField(forms.DecimalField):
    """A rate typed in percent with up to two decimals, cleaned to whole basis points."""

    def __init__(self, *, min_bps: int, max_bps: int, **kwargs):
        super().__init__(
            min_value=Decimal(min_bps) / BPS_PER_PERCENT, max_value=Decimal(max_bps) / BPS_PER_PERCENT,
            max_digits=5, decimal_places=2, **kwargs,
        )

    def clean(self, value):
        percent = super().clean(value)
        return None if percent is None else int(percent * BPS_PER_PERCENT)


class ChainRequestForm(forms.Form):
    """A form that queues an on-chain action under the request key generated when it was shown."""

    request_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("request_key"):
            raise ValidationError(_("This form has expired. Reload the page and send it again."))
        return cleaned

    def queue(self, service, **arguments) -> ChainAction | None:
        """Calls the service with the form's request key; its refusal is shown on the form."""
        try:
            return service(request_key=self.cleaned_data["request_key"], **arguments)
        except ValidationError as refusal:
            apply_errors(self, refusal)
        except PermissionDenied as refusal:
            self.add_error(None, str(refusal))
        return None


class TermsForm(ChainRequestForm):
    core_firm = forms.ModelChoiceField(
        label=_("Core firm"),
        queryset=Organisation.objects.filter(role=Role.CORE_FIRM, kyc_status=KycStatus.APPROVED).order_by("name"),
        empty_label=_("Choose a core firm"),
    )
    currency = forms.TypedChoiceField(label=_("Currency"), choices=Currency.choices, coerce=int)
    limit = forms.DecimalField(
        label=_("Limit"), min_value=0, max_digits=20, decimal_places=6,
        help_text=_("The most you will have financed at once, in the currency. 0 closes the programme to new financing."),
    )
    advance_rate_bps = PercentField(
        label=_("Advance rate (%)"), min_bps=1, max_bps=MAX_BPS,
        help_text=_("The share of a piece's face value you finance."),
    )
    base_rate_bps = PercentField(
        label=_("Base rate (% a year)"), min_bps=0, max_bps=MAX_BASE_RATE_BPS,
        help_text=_("The yearly discount rate for suppliers rated 10 (the best)."),
    )
    max_tenor_days = forms.IntegerField(
        label=_("Maximum tenor (days)"), min_value=1, max_value=MAX_TENOR_DAYS,
        help_text=_("At most 365 days: the chain finances no piece for more than a year."),
    )
    rating_spread_bps = PercentField(
        label=_("Rating spread (% a year per notch)"), min_bps=0, max_bps=MAX_RATING_SPREAD_BPS,
        help_text=_(
            "Added to the base rate for each notch a supplier's rating is below 10 (the best). A supplier rated 1 "
            "(the worst) pays the base rate plus 9 notches, which must stay below 100% a year."
        ),
    )
    min_rating = forms.IntegerField(
        label=_("Minimum rating"), min_value=RATINGS[0], max_value=RATINGS[1],
        help_text=_("The lowest rating accepted, from 1 (the worst) to 10 (the best); suppliers rated lower "
                    "are refused."),
    )
    max_rating_age_days = forms.IntegerField(
        label=_("Maximum rating age (days)"), min_value=1, max_value=MAX_RATING_AGE_DAYS,
        initial=DEFAULT_MAX_RATING_AGE_DAYS,
        help_text=_("The oldest rating accepted, in days since it was posted (1 to 3650); a supplier rated longer "
                    "ago is refused until it is rated again."),
    )

    def __init__(self, *args, programme: Programme | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if programme is not None:  # editing: the programme's core firm and currency are fixed
            self.fields["core_firm"].disabled = True
            self.fields["currency"].disabled = True

    @classmethod
    def initial_for(cls, programme: Programme) -> dict:
        return {
            "core_firm": programme.core_firm_id,
            "currency": programme.currency,
            "limit": Decimal(programme.limit) / MICRO,
            "advance_rate_bps": Decimal(programme.advance_rate_bps) / BPS_PER_PERCENT,
            "base_rate_bps": Decimal(programme.base_rate_bps) / BPS_PER_PERCENT,
            "max_tenor_days": programme.max_tenor_days,
            "rating_spread_bps": Decimal(programme.rating_spread_bps) / BPS_PER_PERCENT,
            "min_rating": programme.min_rating,
            "max_rating_age_days": programme.max_rating_age_days,
            "request_key": new_request_key(),
        }

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "core_firm_id": data["core_firm"].pk,
            "currency": data["currency"],
            "limit": str(data["limit"]),
            **{name: data[name] for name in (
                "advance_rate_bps", "base_rate_bps", "max_tenor_days", "rating_spread_bps", "min_rating",
                "max_rating_age_days",
            )},
        }


ONE_MICRO = Decimal("0.000001")


class DepositForm(ChainRequestForm):
    amount = forms.DecimalField(label=_("Amount to deposit"), min_value=ONE_MICRO, max_digits=20, decimal_places=6)


class WithdrawalForm(ChainRequestForm):
    amount = forms.DecimalField(label=_("Amount to withdraw"), min_value=ONE_MICRO, max_digits=20, decimal_places=6)
