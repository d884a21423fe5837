"""contract_quotes: the unit tests' chain, the contract's decision in Python, held to the
contract's rules (CreditDesk._decide, in its order) and its pricing (Pricing.sol, through the
reference model in tests/contracts/unit/pricing_model.py). The decision reads the objects it is
given: the tests build them unsaved, with no database."""

import importlib.util
from datetime import date, datetime, timedelta, timezone as dt_timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings, strategies as st

from contract_quotes import programme_quote
from financing.models import Programme
from financing.quotes import Quote
from invoices.models import Currency, Invoice, InvoiceStatus, Piece
from organisations.models import KycStatus, Organisation, Role

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=dt_timezone.utc)
DAY = timedelta(days=1)
DUE = date(2026, 7, 1)  # 29 days and 14 hours after NOW, at 00:00 UTC: a tenor of 30 days


def _load_pricing_model():
    path = Path(__file__).resolve().parents[2] / "contracts" / "unit" / "pricing_model.py"
    spec = importlib.util.spec_from_file_location("pricing_model", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pricing_model = _load_pricing_model()


def _organisation(role: str, **fields) -> Organisation:
    """An organisation the chain knows with current KYC, in UTC."""
    return Organisation(**{
        "name": f"A {role}", "role": role, "kyc_status": KycStatus.APPROVED, "kyc_expires_at": NOW + 365 * DAY,
        "onchain_id": 7, "time_zone": "UTC",
    } | fields)


def _world(**programme_fields) -> SimpleNamespace:
    """A supplier rated 7 ten days ago holding the whole of a confirmed invoice of 1,000.00 USDC due
    on DUE, and a lender whose programme advances 80% at 5% a year plus 0.5% per notch below 10."""
    holder = _organisation(Role.SUPPLIER, rating=7, rated_at=NOW - 10 * DAY)
    invoice = Invoice(seller=holder, buyer=_organisation(Role.CORE_FIRM), amount=1_000_000_000,
                      currency=Currency.USDC, due_date=DUE, status=InvoiceStatus.CONFIRMED)
    programme = Programme(**{
        "limit": 10**12, "advance_rate_bps": 8_000, "base_rate_bps": 500, "rating_spread_bps": 50,
        "max_tenor_days": 90, "min_rating": 5, "max_rating_age_days": 365, "liquidity": 10**11, "exposure": 0,
    } | programme_fields)
    return SimpleNamespace(
        holder=holder, invoice=invoice, piece=Piece(invoice=invoice, holder=holder, amount=invoice.amount, index=0),
        lender=_organisation(Role.LENDER), programme=programme,
    )


def _quote(world, now: datetime = NOW) -> Quote:
    return programme_quote(piece=world.piece, lender=world.lender, programme=world.programme, now=now)


def _reason(world, now: datetime = NOW) -> str:
    return _quote(world, now).reason


# The price


def test_an_approved_quote_has_the_contracts_price():
    quote = _quote(_world())

    # advance 80% of 1,000.00; 6.5% a year (5% + 3 notches of 0.5%) over 30 days, rounded down
    assert (quote.reason, quote.advance, quote.tenor_days) == ("", 800_000_000, 30)
    assert quote.discount == 800_000_000 * 650 * 30 // (10_000 * 365) == 4_273_972
    assert quote.payout == 795_726_028
    assert quote.approved and quote.reason_sentence == ""


def test_a_started_day_counts_as_a_whole_day_of_tenor():
    world = _world()
    due = datetime(2026, 7, 1, tzinfo=dt_timezone.utc)

    assert _quote(world, due - 30 * DAY).tenor_days == 30
    assert _quote(world, due - 30 * DAY + timedelta(seconds=1)).tenor_days == 30
    assert _quote(world, due - 30 * DAY - timedelta(seconds=1)).tenor_days == 31


def test_the_due_date_is_the_start_of_the_day_where_the_seller_is():
    world = _world()
    world.holder.time_zone = "Asia/Shanghai"  # 2026-07-01 00:00 there is 2026-06-30 16:00 UTC

    assert _quote(world, datetime(2026, 6, 29, 17, 0, tzinfo=dt_timezone.utc)).tenor_days == 1


@settings(max_examples=200, deadline=None)
@given(
    face=st.integers(1, 2**64 - 1),
    advance_rate=st.integers(1, 10_000),
    base_rate=st.integers(0, 5_000),
    spread=st.integers(0, 255),
    rating=st.integers(1, 10),
    seconds_to_due=st.integers(1, 365 * 86_400),
)
def test_prices_match_the_reference_model_of_pricing(face, advance_rate, base_rate, spread, rating, seconds_to_due):
    world = _world(advance_rate_bps=advance_rate, base_rate_bps=base_rate, rating_spread_bps=spread, min_rating=1,
                   max_tenor_days=365, limit=2**64, liquidity=2**64)
    world.holder.rating = rating
    world.piece.amount = face
    due = int(datetime(2026, 7, 1, tzinfo=dt_timezone.utc).timestamp())
    now = due - seconds_to_due
    terms = (world.programme.limit, advance_rate, base_rate, 365, spread, 1, 365)

    quote = _quote(world, datetime.fromtimestamp(now, dt_timezone.utc))
    expected = pricing_model.quote(face, terms, rating, due, now)

    if expected.advance == 0:
        assert quote.reason == "advance_too_small"
    else:
        assert (quote.reason, quote.advance, quote.discount, quote.tenor_days) == (
            "", expected.advance, expected.discount, expected.tenor_days
        )


# Each rejection the platform can foresee, as the contract names it


def _with(world, thing: str, **fields):
    for name, value in fields.items():
        setattr(getattr(world, thing), name, value)
    return world


REJECTIONS = {
    "no-programme": (lambda w: _with(w, "programme", limit=0), "no_programme"),
    "holder-not-supplier": (lambda w: _with(w, "holder", role=Role.CORE_FIRM), "holder_not_supplier"),
    "holder-kyc-lapsed": (lambda w: _with(w, "holder", kyc_expires_at=NOW), "holder_kyc_expired"),
    "holder-suspended": (lambda w: _with(w, "holder", kyc_status=KycStatus.SUSPENDED), "holder_kyc_expired"),
    "lender-not-lender": (lambda w: _with(w, "lender", role=Role.SUPPLIER), "lender_not_lender"),
    "lender-kyc-lapsed": (lambda w: _with(w, "lender", kyc_expires_at=NOW - DAY), "lender_kyc_expired"),
    "obligor-kyc-lapsed": (lambda w: _with(w.invoice, "buyer", kyc_expires_at=NOW - DAY), "obligor_kyc_expired"),
    "obligor-not-core-firm": (lambda w: _with(w.invoice, "buyer", role=Role.SUPPLIER), "obligor_kyc_expired"),
    "registered": (lambda w: _with(w, "invoice", status=InvoiceStatus.REGISTERED), "not_confirmed"),
    "disputed": (lambda w: _with(w, "invoice", status=InvoiceStatus.DISPUTED), "disputed"),
    "repaid": (lambda w: _with(w, "invoice", status=InvoiceStatus.REPAID), "settled"),
    "partly-repaid": (lambda w: _with(w, "invoice", repaid=1), "settled"),
    "overdue": (lambda w: _with(w, "invoice", status=InvoiceStatus.OVERDUE), "overdue"),
    "defaulted": (lambda w: _with(w, "invoice", status=InvoiceStatus.DEFAULTED), "overdue"),
    "due-today": (lambda w: _with(w, "invoice", due_date=NOW.date()), "overdue"),
    "already-financed": (lambda w: _with(w, "piece", financed=True), "already_financed"),
    "partly-claimed": (lambda w: _with(w, "piece", claimed=1), "settled"),
    "tenor-too-long": (lambda w: _with(w, "programme", max_tenor_days=29), "tenor_too_long"),
    "not-rated": (lambda w: _with(w, "holder", rating=None), "rating_too_low"),
    "rated-too-low": (lambda w: _with(w, "programme", min_rating=8), "rating_too_low"),
    "rating-stale": (lambda w: _with(w, "holder", rated_at=NOW - 366 * DAY), "rating_stale"),
    "rating-time-unknown": (lambda w: _with(w, "holder", rated_at=None), "rating_stale"),
    "advance-too-small": (lambda w: _with(w, "piece", amount=1), "advance_too_small"),
    "over-limit": (lambda w: _with(w, "programme", limit=10**12, exposure=10**12 - 799_999_999), "over_limit"),
    "too-little-liquidity": (lambda w: _with(w, "programme", liquidity=795_726_027), "insufficient_liquidity"),
}


@pytest.mark.parametrize("case", REJECTIONS)
def test_each_rejection_the_chain_would_make_is_foreseen(case):
    change, reason = REJECTIONS[case]
    world = _world()
    change(world)

    quote = _quote(world)

    assert quote.reason == reason and not quote.approved
    assert quote.reason_sentence and "reason:" not in quote.reason_sentence  # a sentence of its own


def test_a_lender_without_a_programme_would_reject():
    world = _world()

    assert programme_quote(piece=world.piece, lender=world.lender, programme=None, now=NOW).reason == "no_programme"


@pytest.mark.parametrize(
    "fields",
    [
        {"rated_at": NOW - 365 * DAY},
        {"rating": 5},
    ],
    ids=["rated-exactly-the-maximum-age-ago", "rated-exactly-the-minimum"],
)
def test_the_rating_bounds_are_inclusive(fields):
    world = _with(_world(), "holder", **fields)

    assert _quote(world).approved


def test_a_limit_and_liquidity_exactly_used_up_still_approve():
    world = _world(limit=800_000_000, liquidity=795_726_028)

    assert _quote(world).approved


# The order: the first rule that fails is the reason, as in CreditDesk._decide


ORDER = [
    ("no-programme", "holder-not-supplier"),
    ("holder-not-supplier", "holder-kyc-lapsed"),
    ("holder-kyc-lapsed", "lender-not-lender"),
    ("lender-not-lender", "lender-kyc-lapsed"),
    ("lender-kyc-lapsed", "obligor-kyc-lapsed"),
    ("obligor-kyc-lapsed", "disputed"),
    ("disputed", "tenor-too-long"),
    ("already-financed", "tenor-too-long"),
    ("tenor-too-long", "rated-too-low"),
    ("rated-too-low", "rating-stale"),
    ("rating-stale", "advance-too-small"),
    ("over-limit", "too-little-liquidity"),
]


@pytest.mark.parametrize(("first", "then"), ORDER, ids=[f"{first}-before-{then}" for first, then in ORDER])
def test_rules_run_in_the_contracts_order(first, then):
    world = _world()
    REJECTIONS[then][0](world)
    REJECTIONS[first][0](world)

    assert _reason(world) == REJECTIONS[first][1]
