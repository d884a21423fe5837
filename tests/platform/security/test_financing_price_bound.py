"""Financing has a price bound (issue 11): a holder asks for financing at the quote it saw, and
nothing else. The request carries that payout and a deadline to the chain (requestFinancing's
minPayout and deadline); when the lender's terms or the holder's rating moved after the quote, the
platform refuses the request before anything is queued; when they move after it is queued, the
chain rejects it (PayoutBelowMinimum, QuoteExpired), nothing moves, and the holder is told why."""

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from chain.handlers import event_apply
from chain.models import ChainAction
from financing.models import FinancingRequest, FinancingStatus
from invoices.models import InvoiceStatus
from organisations.models import Role
from organisations.tokens import api_token_create

from factories import (
    GANACHE_ACCOUNT_0,
    ChainEventFactory,
    InvoiceFactory,
    PieceFactory,
    ProgrammeFactory,
    RegisteredOrganisationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manifest")]

PAYOUT_BELOW_MINIMUM, QUOTE_EXPIRED = 19, 18  # ICreditDesk.RejectReason


@pytest.fixture
def piece():
    seller = RegisteredOrganisationFactory(role=Role.SUPPLIER, rated=True)
    return PieceFactory(invoice=InvoiceFactory(seller=seller, status=InvoiceStatus.CONFIRMED))


@pytest.fixture
def programme(piece):
    return ProgrammeFactory(core_firm=piece.invoice.buyer)


@pytest.fixture
def holder(client, piece):
    client.force_login(UserFactory(organisation=piece.holder))
    return client


def _shown(holder, piece) -> int:
    """The payout the piece page's quotes show the holder for the programme's lender."""
    quotes = holder.get(reverse("portal:supplier:piece-quotes", kwargs={"piece_id": piece.pk}), HTTP_HX_REQUEST="true")
    [offer] = quotes.context["offers"]
    return offer["quote"].payout


def _ask(holder, piece, programme, payout: int):
    return holder.post(reverse("portal:supplier:piece-finance", kwargs={"piece_id": piece.pk}),
                       {"finance-lender": programme.lender.pk, "finance-min_payout": payout})


def _address(organisation) -> str:
    return organisation.chain_account.address


def _terms_set(programme, **changes) -> None:
    """The lender's new terms, as the indexer applies them from the chain."""
    terms = {"limit": programme.limit, "advanceRateBps": programme.advance_rate_bps,
             "baseRateBps": programme.base_rate_bps, "maxTenorDays": programme.max_tenor_days,
             "ratingSpreadBps": programme.rating_spread_bps, "minRating": programme.min_rating,
             "maxRatingAgeDays": programme.max_rating_age_days}
    event_apply(ChainEventFactory(name="ProgrammeTermsSet", args={
        "lender": _address(programme.lender), "coreFirm": _address(programme.core_firm),
        "currency": programme.currency, "terms": terms | changes,
    }))


def _nothing_requested() -> bool:
    return not FinancingRequest.objects.exists() and not ChainAction.objects.exists()


def test_the_request_carries_the_payout_shown_and_a_deadline(holder, piece, programme, settings):
    shown = _shown(holder, piece)

    _ask(holder, piece, programme, shown)

    [action] = ChainAction.objects.all()
    fingerprint, index, lender, min_payout, deadline = action.args
    assert (fingerprint, index, lender, min_payout) == (piece.invoice.fingerprint, 0, _address(programme.lender), shown)
    assert 0 < deadline - timezone.now().timestamp() <= settings.FINANCING_QUOTE_VALIDITY_SECONDS


def test_terms_raised_after_the_quote_are_refused_before_anything_is_queued(holder, piece, programme):
    shown = _shown(holder, piece)
    _terms_set(programme, baseRateBps=2_000)

    response = _ask(holder, piece, programme, shown)

    [error] = response.context["finance_form"].errors["min_payout"]
    assert error.startswith("The terms changed since your quote:") and "would now pay" in error
    assert _nothing_requested()


def test_a_rating_lowered_after_the_quote_is_refused(holder, piece, programme):
    shown = _shown(holder, piece)
    event_apply(ChainEventFactory(name="RatingPosted", args={
        "supplier": _address(piece.holder), "rating": 2, "modelVersion": 1, "oracle": GANACHE_ACCOUNT_0,
    }))

    response = _ask(holder, piece, programme, shown)

    assert "min_payout" in response.context["finance_form"].errors
    assert _nothing_requested()


def test_liquidity_withdrawn_after_the_quote_is_refused_with_the_reason(holder, piece, programme):
    shown = _shown(holder, piece)
    event_apply(ChainEventFactory(name="ProgrammeDefunded", args={
        "lender": _address(programme.lender), "coreFirm": _address(programme.core_firm),
        "currency": programme.currency, "amount": programme.liquidity,
    }))

    response = _ask(holder, piece, programme, shown)

    [error] = response.context["finance_form"].errors["lender"]
    assert "would reject this request now" in error and "too little money left" in error
    assert _nothing_requested()


def test_a_programme_closed_after_the_quote_cannot_be_asked(holder, piece, programme):
    shown = _shown(holder, piece)
    _terms_set(programme, limit=0)

    response = _ask(holder, piece, programme, shown)

    assert "no open programme" in response.context["finance_form"].errors["lender"][0]
    assert _nothing_requested()


def test_an_api_request_above_the_quote_now_is_refused(piece, programme):
    _, key = api_token_create(created_by=UserFactory(organisation=piece.holder), name="ERP")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    [quote] = api.get(f"/api/receivables/{piece.pk}/quotes/").json()
    _terms_set(programme, advanceRateBps=5_000)

    response = api.post(f"/api/receivables/{piece.pk}/request-financing/",
                        {"lender": quote["lender"], "min_payout": f"{quote['payout'] / 1_000_000:.6f}"},
                        format="json", HTTP_IDEMPOTENCY_KEY="erp-1")

    assert response.status_code == 400 and "terms changed" in response.json()["min_payout"][0]
    assert _nothing_requested()


@pytest.mark.parametrize(("reason", "words"), [
    (PAYOUT_BELOW_MINIMUM, "below the quote you accepted"),
    (QUOTE_EXPIRED, "The quote had expired"),
])
def test_a_price_that_moves_after_the_request_is_rejected_by_the_chain_and_nothing_moves(
    holder, piece, programme, reason, words
):
    _ask(holder, piece, programme, _shown(holder, piece))

    event_apply(ChainEventFactory(name="FinancingRejected", args={
        "fingerprint": piece.invoice.fingerprint, "piece": 0, "lender": _address(programme.lender),
        "holder": _address(piece.holder), "reason": reason,
    }))

    request = FinancingRequest.objects.get()
    assert request.status == FinancingStatus.REJECTED
    piece.refresh_from_db()
    assert (piece.holder_id, piece.financed) == (request.holder_id, False)
    page = holder.get(reverse("portal:supplier:piece", kwargs={"piece_id": piece.pk}))
    assert words in page.content.decode()
