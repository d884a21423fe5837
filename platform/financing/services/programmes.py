"""A lender's credit programmes: the terms it offers for one core firm and currency, and the
liquidity it deposits and withdraws. Each service checks roles and fields and queues the on-chain
action, signed by the lender's account; the contract keeps the programme's book.

Every call carries `request_key`, the caller's token for this one request (the API's
Idempotency-Key, a form's token): a replay of a request queues nothing new, while a later
deliberate change, with a new token, is queued as its own action."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chain import accounts
from chain.models import ActionPurpose, ChainAction
from chain.services import action_enqueue_next, request_key_checked
from invoices import validation
from invoices.models import Currency
from organisations.models import Organisation, Role
from organisations.checks import party_named, require_current, require_member

from ..models import Programme

# The bounds CreditDesk._validateTerms enforces, checked here so that the chain never refuses
# terms the platform has accepted and queued.
MAX_BPS = 10_000  # 100%
MAX_BASE_RATE_BPS = MAX_BPS - 1  # the worst yearly rate must stay below 100%, so the base does too
MAX_TENOR_DAYS = 365  # CreditDesk.MAX_TENOR_DAYS
MAX_RATING_AGE_DAYS = 3650  # CreditDesk.MAX_RATING_AGE_DAYS
DEFAULT_MAX_RATING_AGE_DAYS = 365  # what the forms and the API offer
MAX_RATING_SPREAD_BPS = 255  # the contract stores it as uint8
RATINGS = (1, 10)  # the contract's scale (Pricing.BEST_RATING): 1 the worst, 10 the best
WORST_NOTCHES = RATINGS[1] - RATINGS[0]  # the spread a holder rated 1 pays on top of the base rate
MAX_LIMIT = 2**56 - 1  # ICreditDesk.Programme keeps the limit (and so the exposure) in 56 bits


def _lender_of(user, action: str, *, active: bool) -> Organisation:
    organisation = getattr(user, "organisation", None)
    if organisation is None:
        raise PermissionDenied(_("Only a user of a lender can %(action)s.") % {"action": action})
    require_member(user, organisation, Role.LENDER, action)
    if active:
        require_current(organisation)
    return organisation


def _core_firm(core_firm_id: object, *, active: bool) -> Organisation:
    return party_named(
        core_firm_id, role=Role.CORE_FIRM, field="core_firm", active=active,
        unknown=_("Unknown core firm: no core firm with this id is on the platform."),
    )


def _percent(bps: int) -> str:
    return f"{bps / 100:.2f}%"


def _terms(
    *, advance_rate_bps, base_rate_bps, max_tenor_days, rating_spread_bps, min_rating, max_rating_age_days
) -> list[int]:
    """The rates, tenor and ratings of the terms, each within the bounds the contract enforces, in
    ICreditDesk.Terms order (after the limit)."""
    advance = validation.whole_number(advance_rate_bps, "advance_rate_bps", 1, MAX_BPS, _(
        "The advance rate is in basis points of a piece's face value, from 1 to 10000 (all of it)."
    ))
    base = validation.whole_number(base_rate_bps, "base_rate_bps", 0, MAX_BASE_RATE_BPS, _(
        "The base rate is a yearly rate in basis points, from 0 to 9999: the chain refuses a yearly rate of 10000 "
        "basis points or more."
    ))
    tenor = validation.whole_number(max_tenor_days, "max_tenor_days", 1, MAX_TENOR_DAYS, _(
        "The maximum tenor is in days, from 1 to 365: the chain finances no piece for more than a year."
    ))
    spread = validation.whole_number(rating_spread_bps, "rating_spread_bps", 0, MAX_RATING_SPREAD_BPS, _(
        "The rating spread is in basis points a year per notch below 10 (the best), from 0 to 255."
    ))
    rating = validation.whole_number(min_rating, "min_rating", *RATINGS, _(
        "The minimum rating is the lowest rating accepted, from 1 (the worst) to 10 (the best)."
    ))
    rating_age = validation.whole_number(max_rating_age_days, "max_rating_age_days", 1, MAX_RATING_AGE_DAYS, _(
        "The maximum rating age is in days, from 1 to 3650: a supplier whose rating was posted longer ago is "
        "refused until it is rated again."
    ))
    worst_rate = base + spread * WORST_NOTCHES  # Pricing.yearlyRateBps for a holder rated 1
    if worst_rate >= MAX_BPS:
        raise ValidationError({"rating_spread_bps": _(
            "The yearly rate for a supplier rated 1 (the worst), the base rate plus 9 notches of spread, "
            "must stay below 100%%; these terms make it %(rate)s."
        ) % {"rate": _percent(worst_rate)}})
    return [advance, base, tenor, spread, rating, rating_age]


def _check_limit_covers_exposure(limit: int, *, lender: Organisation, core_firm: Organisation, currency_id: int):
    """The chain refuses a limit below the programme's exposure; this checks it against the
    exposure the indexer has mirrored."""
    programme = Programme.objects.filter(lender=lender, core_firm=core_firm, currency=currency_id).first()
    if programme is not None and limit < programme.exposure:
        raise ValidationError({"limit": _(
            "The limit cannot be below the programme's current exposure of %(exposure)s %(currency)s: "
            "the chain refuses a limit below what the programme has financed and not collected."
        ) % {"exposure": validation.units_text(programme.exposure), "currency": Currency(currency_id).name}})


def _micro(raw: object, field: str) -> int:
    try:
        return validation.micro_amount(raw)
    except ValidationError as refusal:
        raise ValidationError({field: refusal.message_dict["amount"]}) from None


def _limit(raw: object) -> int:
    """The limit in micro-units; zero is allowed: it closes the programme to new financing."""
    try:
        if Decimal(str(raw).strip()) == 0:
            return 0
    except InvalidOperation:
        pass  # micro_amount names what is wrong with it
    limit = _micro(raw, "limit")
    if limit > MAX_LIMIT:
        raise ValidationError({"limit": _(
            "The limit is at most %(highest)s currency units: the chain keeps a programme's limit in 56 bits."
        ) % {"highest": validation.units_text(MAX_LIMIT)}})
    return limit


@transaction.atomic
def programme_set_terms(
    *,
    lender_user,
    core_firm_id: object,
    currency: object,
    limit: object,
    advance_rate_bps: object,
    base_rate_bps: object,
    max_tenor_days: object,
    rating_spread_bps: object,
    min_rating: object,
    max_rating_age_days: object,
    request_key: str,
) -> ChainAction:
    """Queues setProgrammeTerms for the lender's programme with the core firm in the currency.
    `limit` is in currency units; a limit of 0 closes the programme to new financing. Every bound
    the contract puts on the terms is checked first, so that nothing it would refuse is queued:
    rates in basis points, the worst yearly rate (a holder rated 1) below 100%, a tenor of at most
    a year, a minimum rating from 1 to 10 (the best), a maximum rating age of 1 to 3650 days, a limit
    not below the programme's exposure."""
    lender = _lender_of(lender_user, _("set programme terms"), active=True)
    currency_id = validation.currency_id(currency)
    terms = [_limit(limit), *_terms(
        advance_rate_bps=advance_rate_bps, base_rate_bps=base_rate_bps, max_tenor_days=max_tenor_days,
        rating_spread_bps=rating_spread_bps, min_rating=min_rating, max_rating_age_days=max_rating_age_days,
    )]
    core_firm = _core_firm(core_firm_id, active=True)
    _check_limit_covers_exposure(terms[0], lender=lender, core_firm=core_firm, currency_id=currency_id)
    key = request_key_checked(request_key)
    return action_enqueue_next(
        purpose=ActionPurpose.PROGRAMME_TERMS,
        subject=lender,
        signer=accounts.organisation_account(lender),
        function="setProgrammeTerms",
        args=[accounts.organisation_account(core_firm).address, currency_id, terms],  # terms in ICreditDesk.Terms order
        request_key=key,
    )


def _liquidity_move(
    *, purpose: ActionPurpose, function: str, lender: Organisation, core_firm_id: object, currency: object,
    amount: object, request_key: str, active: bool,
) -> ChainAction:
    currency_id = validation.currency_id(currency)
    micro = validation.micro_amount(amount)
    core_firm = _core_firm(core_firm_id, active=active)
    key = request_key_checked(request_key)
    return action_enqueue_next(
        purpose=purpose,
        subject=lender,
        signer=accounts.organisation_account(lender),
        function=function,
        args=[accounts.organisation_account(core_firm).address, currency_id, micro],
        request_key=key,
    )


@transaction.atomic
def programme_fund(
    *, lender_user, core_firm_id: object, currency: object, amount: object, request_key: str
) -> ChainAction:
    """Queues fundProgramme: a deposit of `amount` (currency units) into the lender's programme.
    The contract pulls the tokens from the lender's account, which approved it on registration."""
    return _liquidity_move(
        purpose=ActionPurpose.PROGRAMME_FUND, function="fundProgramme", active=True,
        lender=_lender_of(lender_user, _("fund programmes"), active=True),
        core_firm_id=core_firm_id, currency=currency, amount=amount, request_key=request_key,
    )


@transaction.atomic
def programme_defund(
    *, lender_user, core_firm_id: object, currency: object, amount: object, request_key: str
) -> ChainAction:
    """Queues defundProgramme: a withdrawal of `amount` (currency units) of undeployed liquidity.
    As on chain, a lender may withdraw its own money after its or the core firm's KYC lapsed; the
    chain refuses more than the programme's liquidity."""
    return _liquidity_move(
        purpose=ActionPurpose.PROGRAMME_DEFUND, function="defundProgramme", active=False,
        lender=_lender_of(lender_user, _("withdraw programme liquidity"), active=False),
        core_firm_id=core_firm_id, currency=currency, amount=amount, request_key=request_key,
    )
