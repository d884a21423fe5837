"""financing.programmes at the database level: the setProgrammeTerms, fundProgramme and
defundProgramme actions queued for a lender, the bounds of each term, refusals leaving no action
behind, and replays under the caller's request key. No chain."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from chain.models import ActionPurpose, ChainAction
from financing.services import programmes
from financing.models import Programme
from invoices.models import Currency
from organisations.models import KycStatus, Role

from factories import RegisteredOrganisationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manifest")]


@pytest.fixture
def lender():
    return RegisteredOrganisationFactory(role=Role.LENDER)


@pytest.fixture
def banker(lender):
    return UserFactory(organisation=lender)


@pytest.fixture
def core_firm():
    return RegisteredOrganisationFactory(role=Role.CORE_FIRM)


@pytest.fixture
def set_terms(banker, core_firm):
    def set_terms(**fields):
        request = {
            "lender_user": banker,
            "core_firm_id": core_firm.pk,
            "currency": "USDC",
            "limit": "5000000",
            "advance_rate_bps": 9000,
            "base_rate_bps": 500,
            "max_tenor_days": 120,
            "rating_spread_bps": 50,
            "min_rating": 6,
            "max_rating_age_days": 180,
            "request_key": "terms-1",
        }
        return programmes.programme_set_terms(**(request | fields))

    return set_terms


@pytest.fixture
def fund(banker, core_firm):
    def fund(**fields):
        request = {"lender_user": banker, "core_firm_id": core_firm.pk, "currency": "EURT", "amount": "250000.5"}
        return programmes.programme_fund(**(request | {"request_key": "fund-1"} | fields))

    return fund


@pytest.fixture
def defund(banker, core_firm):
    def defund(**fields):
        request = {"lender_user": banker, "core_firm_id": core_firm.pk, "currency": "EURT", "amount": "1000"}
        return programmes.programme_defund(**(request | {"request_key": "defund-1"} | fields))

    return defund


@pytest.fixture(params=["terms", "fund", "defund"])
def service(request, set_terms, fund, defund):
    return {"terms": set_terms, "fund": fund, "defund": defund}[request.param]


def _refused_field(service, **fields) -> str:
    with pytest.raises(ValidationError) as refusal:
        service(**fields)
    [field] = refusal.value.message_dict
    assert not ChainAction.objects.exists()
    return field


# What is queued


def test_terms_are_queued_in_the_order_of_icreditdesk_terms(set_terms, lender, core_firm):
    action = set_terms()

    assert action.function == "setProgrammeTerms"
    assert action.signer == lender.chain_account
    # Terms{limit, advanceRateBps, baseRateBps, maxTenorDays, ratingSpreadBps, minRating, maxRatingAgeDays}
    assert action.args == [
        core_firm.chain_account.address, Currency.USDC, [5_000_000_000_000, 9000, 500, 120, 50, 6, 180]
    ]
    assert (action.purpose, action.subject, action.request_key) == (ActionPurpose.PROGRAMME_TERMS, lender, "terms-1")


def test_terms_from_a_form_are_read_as_whole_numbers(set_terms, core_firm):
    action = set_terms(
        core_firm_id=str(core_firm.pk), currency="2", advance_rate_bps="10000", base_rate_bps="0",
        max_tenor_days="365", rating_spread_bps="255", min_rating="10", max_rating_age_days="3650",
    )

    assert action.args[1:] == [Currency.EURT, [5_000_000_000_000, 10_000, 0, 365, 255, 10, 3650]]


@pytest.mark.parametrize("limit", ["0", 0, "0.00"])
def test_a_zero_limit_closes_the_programme(set_terms, limit):
    assert set_terms(limit=limit).args[2][0] == 0


def test_fund_queues_fund_programme_in_micro_units(fund, lender, core_firm):
    action = fund()

    assert action.function == "fundProgramme"
    assert action.signer == lender.chain_account
    assert action.args == [core_firm.chain_account.address, Currency.EURT, 250_000_500_000]
    assert (action.purpose, action.subject, action.request_key) == (ActionPurpose.PROGRAMME_FUND, lender, "fund-1")


def test_defund_queues_defund_programme_in_micro_units(defund, lender, core_firm):
    action = defund()

    assert action.function == "defundProgramme"
    assert action.signer == lender.chain_account
    assert action.args == [core_firm.chain_account.address, Currency.EURT, 1_000_000_000]
    assert (action.purpose, action.subject, action.request_key) == (ActionPurpose.PROGRAMME_DEFUND, lender, "defund-1")


# Replays


def test_replay_with_the_same_request_key_queues_nothing_new(service, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first = service()
        again = service()

    assert again == first
    assert ChainAction.objects.count() == 1
    assert len(callbacks) == 1


def test_a_later_change_with_a_new_request_key_is_queued(set_terms):
    set_terms()
    changed = set_terms(advance_rate_bps=8000, request_key="terms-2")

    assert changed.args[2][1] == 8000
    assert ChainAction.objects.count() == 2


@pytest.mark.parametrize("request_key", ["", "  ", None, "k" * 65], ids=["empty", "blank", "none", "too-long"])
def test_request_key_is_required_and_bounded(service, request_key):
    assert _refused_field(service, request_key=request_key) == "request_key"


# Refusals: the terms


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"advance_rate_bps": 0}, "advance_rate_bps", id="advance-zero"),
        pytest.param({"advance_rate_bps": 10_001}, "advance_rate_bps", id="advance-over-100%"),
        pytest.param({"advance_rate_bps": 90.5}, "advance_rate_bps", id="advance-fraction"),
        pytest.param({"advance_rate_bps": True}, "advance_rate_bps", id="advance-boolean"),
        pytest.param({"base_rate_bps": -1}, "base_rate_bps", id="base-negative"),
        pytest.param({"base_rate_bps": 10_001}, "base_rate_bps", id="base-over-100%"),
        pytest.param({"base_rate_bps": "five"}, "base_rate_bps", id="base-non-numeric"),
        pytest.param({"max_tenor_days": 0}, "max_tenor_days", id="tenor-zero"),
        pytest.param({"max_tenor_days": 367}, "max_tenor_days", id="tenor-over-a-year"),
        pytest.param({"rating_spread_bps": 256}, "rating_spread_bps", id="spread-beyond-uint8"),
        pytest.param({"rating_spread_bps": -1}, "rating_spread_bps", id="spread-negative"),
        pytest.param({"min_rating": 0}, "min_rating", id="rating-zero"),
        pytest.param({"min_rating": 11}, "min_rating", id="rating-eleven"),
        pytest.param({"max_rating_age_days": 0}, "max_rating_age_days", id="rating-age-zero"),
        pytest.param({"max_rating_age_days": 3651}, "max_rating_age_days", id="rating-age-over-ten-years"),
        pytest.param({"max_rating_age_days": "a year"}, "max_rating_age_days", id="rating-age-non-numeric"),
        pytest.param({"limit": "-1"}, "limit", id="limit-negative"),
        pytest.param({"limit": "1.0000001"}, "limit", id="limit-seven-decimals"),
        pytest.param({"limit": "18446744073709.551616"}, "limit", id="limit-beyond-uint64"),
        pytest.param({"limit": "72057594037.927936"}, "limit", id="limit-beyond-56-bits"),
        pytest.param({"limit": "plenty"}, "limit", id="limit-non-numeric"),
        pytest.param({"currency": "GBP"}, "currency", id="unknown-currency"),
    ],
)
def test_bad_term_is_named_and_nothing_is_queued(set_terms, fields, field):
    assert _refused_field(set_terms, **fields) == field


# Refusals: the bounds CreditDesk._validateTerms enforces, refused before anything is queued


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"max_tenor_days": 366}, "max_tenor_days", id="tenor-366-days"),
        pytest.param({"base_rate_bps": 10_000}, "base_rate_bps", id="base-rate-100%"),
        pytest.param({"base_rate_bps": 9_775, "rating_spread_bps": 25}, "rating_spread_bps", id="worst-rate-100%"),
        pytest.param({"base_rate_bps": 9_100, "rating_spread_bps": 100}, "rating_spread_bps",
                     id="worst-rate-100%-from-the-spread"),
        pytest.param({"base_rate_bps": 9_999, "rating_spread_bps": 1}, "rating_spread_bps", id="worst-rate-over-100%"),
    ],
)
def test_terms_the_contract_refuses_are_refused_naming_the_field(set_terms, fields, field):
    assert _refused_field(set_terms, **fields) == field


def test_the_worst_rate_refusal_says_the_rule_and_the_rate(set_terms):
    with pytest.raises(ValidationError) as refusal:
        set_terms(base_rate_bps=9_775, rating_spread_bps=25)

    [sentence] = refusal.value.message_dict["rating_spread_bps"]
    assert "rated 1" in sentence and "below 100%" in sentence and "100.00%" in sentence


def test_terms_at_the_contracts_bounds_are_queued(set_terms):
    # The worst yearly rate 9,774 + 9 x 25 = 9,999 bps, just below 100%; a year's tenor; all advanced;
    # the largest limit 56 bits hold.
    action = set_terms(advance_rate_bps=10_000, base_rate_bps=9_774, rating_spread_bps=25, max_tenor_days=365,
                       limit="72057594037.927935")

    assert action.args[2][:5] == [2**56 - 1, 10_000, 9_774, 365, 25]


@pytest.mark.parametrize("days", [1, 3650])
def test_the_maximum_rating_age_runs_from_a_day_to_ten_years(set_terms, days):
    assert set_terms(max_rating_age_days=days).args[2][6] == days


def test_the_rating_age_refusal_says_the_rule(set_terms):
    with pytest.raises(ValidationError) as refusal:
        set_terms(max_rating_age_days=0)

    [sentence] = refusal.value.message_dict["max_rating_age_days"]
    assert "from 1 to 3650" in sentence and "rated again" in sentence


def test_the_56_bit_limit_refusal_says_the_largest_limit(set_terms):
    with pytest.raises(ValidationError) as refusal:
        set_terms(limit="72057594038")

    [sentence] = refusal.value.message_dict["limit"]
    assert "72,057,594,037.927935" in sentence and "56 bits" in sentence


@pytest.fixture
def exposed_programme(lender, core_firm):
    return Programme.objects.create(
        lender=lender, core_firm=core_firm, currency=Currency.USDC, limit=10_000_000_000, advance_rate_bps=9_000,
        base_rate_bps=500, max_tenor_days=120, exposure=2_000_000_000,
    )


@pytest.mark.parametrize("limit", ["1999.999999", "0"], ids=["just-below", "closing"])
def test_a_limit_below_the_programmes_exposure_is_refused(set_terms, exposed_programme, limit):
    with pytest.raises(ValidationError) as refusal:
        set_terms(limit=limit)

    assert refusal.value.message_dict["limit"] == [
        "The limit cannot be below the programme's current exposure of 2,000.00 USDC: "
        "the chain refuses a limit below what the programme has financed and not collected."
    ]
    assert not ChainAction.objects.exists()


def test_a_limit_equal_to_the_exposure_is_queued(set_terms, exposed_programme):
    assert set_terms(limit="2000").args[2][0] == 2_000_000_000


def test_the_exposure_of_another_currency_does_not_bound_the_limit(set_terms, exposed_programme):
    assert set_terms(currency="EURT", limit="1").args[2][0] == 1_000_000


@pytest.mark.parametrize(
    "amount",
    ["0", "-1", "some", "1.0000001", "18446744073709.551616"],
    ids=["zero", "negative", "non-numeric", "seven-decimals", "beyond-uint64"],
)
def test_liquidity_amount_must_be_a_positive_micro_amount(fund, defund, amount):
    assert _refused_field(fund, amount=amount) == "amount"
    assert _refused_field(defund, amount=amount) == "amount"


def test_unknown_currency_is_refused(service):
    assert _refused_field(service, currency="GBP") == "currency"


# Refusals: the core firm


def test_core_firm_must_be_known(service, core_firm):
    assert _refused_field(service, core_firm_id=core_firm.pk + 1000) == "core_firm"


def test_core_firm_id_must_be_a_number(service):
    assert _refused_field(service, core_firm_id="acme") == "core_firm"


@pytest.mark.parametrize("role", [Role.SUPPLIER, Role.LENDER])
def test_core_firm_must_be_a_core_firm(service, role):
    assert _refused_field(service, core_firm_id=RegisteredOrganisationFactory(role=role).pk) == "core_firm"


INACTIVE = pytest.mark.parametrize(
    "fields",
    [{"kyc_status": KycStatus.SUSPENDED}, {"onchain_id": None}, {"kyc_expires_at": timezone.now() - timedelta(days=1)}],
    ids=["kyc-suspended", "not-on-chain", "kyc-lapsed"],
)


@INACTIVE
def test_inactive_core_firm_gets_no_new_terms_or_funds(set_terms, fund, fields):
    inactive = RegisteredOrganisationFactory(role=Role.CORE_FIRM, **fields)

    assert _refused_field(set_terms, core_firm_id=inactive.pk) == "core_firm"
    assert _refused_field(fund, core_firm_id=inactive.pk) == "core_firm"


@INACTIVE
def test_liquidity_can_be_withdrawn_from_an_inactive_core_firm_programme(defund, fields):
    inactive = RegisteredOrganisationFactory(role=Role.CORE_FIRM, **fields)

    assert defund(core_firm_id=inactive.pk).args[0] == inactive.chain_account.address


# Refusals: who may act


@pytest.mark.parametrize("role", [Role.SUPPLIER, Role.CORE_FIRM, Role.ADMIN, Role.AUDITOR])
def test_only_a_user_of_a_lender_can_act(service, role):
    with pytest.raises(PermissionDenied):
        service(lender_user=UserFactory(organisation=RegisteredOrganisationFactory(role=role)))
    assert not ChainAction.objects.exists()


@pytest.mark.parametrize("user", ["no-organisation", "anonymous"])
def test_user_without_an_organisation_cannot_act(service, user):
    with pytest.raises(PermissionDenied):
        service(lender_user=UserFactory(organisation=None) if user == "no-organisation" else None)
    assert not ChainAction.objects.exists()


@INACTIVE
def test_inactive_lender_cannot_set_terms_or_fund(set_terms, fund, lender, fields):
    for name, value in fields.items():
        setattr(lender, name, value)
    lender.save()

    for service in (set_terms, fund):
        with pytest.raises(PermissionDenied):
            service()
    assert not ChainAction.objects.exists()


@INACTIVE
def test_inactive_lender_can_still_withdraw_its_liquidity(defund, lender, fields):
    for name, value in fields.items():
        setattr(lender, name, value)
    lender.save()

    assert defund().signer == lender.chain_account
