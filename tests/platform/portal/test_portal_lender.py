"""The lender's portal pages: who may open them, programme terms, deposits and withdrawals queued
as chain actions under the form's request key, refusals shown next to their fields, the
portfolio's buckets and yields, its write-off button on defaulted pieces, the decision log, and
query counts that do not grow with rows."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chain.models import ActionPurpose, ChainAction
from chain.services import action_enqueue, action_enqueue_next
from signin import verified
from factories import (
    ChainActionFactory,
    FinancingRequestFactory,
    InvoiceFactory,
    PieceFactory,
    RegisteredOrganisationFactory,
    UserFactory,
)
from financing.models import FinancingStatus, Programme
from invoices.models import Currency, Invoice, InvoiceStatus, Piece
from organisations.models import KycStatus, Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manifest")]

PAGES = ["dashboard", "programmes", "portfolio", "decisions"]


@pytest.fixture
def lender():
    return RegisteredOrganisationFactory(role=Role.LENDER, name="Harbour Bank")


@pytest.fixture
def core_firm():
    return RegisteredOrganisationFactory(role=Role.CORE_FIRM, name="Acme Motors")


@pytest.fixture
def banker(client, lender):
    return verified(client, UserFactory(organisation=lender))


@pytest.fixture
def programme(lender, core_firm):
    return Programme.objects.create(
        lender=lender, core_firm=core_firm, currency=Currency.USDC, limit=100_000_000_000, advance_rate_bps=8_000,
        base_rate_bps=500, max_tenor_days=120, rating_spread_bps=25, min_rating=5, exposure=2_000_000_000,
        liquidity=50_000_000_000,
    )


def _financed(lender, *, due_in_days=50, status=InvoiceStatus.CONFIRMED, claimed=0, buyer=None, number=None):
    """A piece the lender financed: 800.00 advanced on a 1,000.00 invoice, 8.00 discount, 50 days."""
    invoice = InvoiceFactory(
        status=status, due_date=timezone.localdate() + timedelta(days=due_in_days),
        **({"buyer": buyer} if buyer else {}), **({"number": number} if number else {}),
    )
    piece = PieceFactory(invoice=invoice, holder=lender, amount=800_000_000, financed=True, claimed=claimed)
    return FinancingRequestFactory(
        piece=piece, holder=invoice.seller, lender=lender, status=FinancingStatus.APPROVED, advance=800_000_000,
        discount=8_000_000, tenor_days=50, rating=7, decided_at=timezone.now(),
    )


def _terms(**fields) -> dict:
    return {
        "core_firm": "", "currency": "1", "limit": "50000", "advance_rate_bps": "80", "base_rate_bps": "5",
        "max_tenor_days": "120", "rating_spread_bps": "0.25", "min_rating": "6", "max_rating_age_days": "180",
        "request_key": "form-key-1",
    } | fields


# Access


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_for_the_lender(banker, page):
    assert banker.get(reverse(f"portal:lender:{page}")).status_code == 200


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", [Role.SUPPLIER, Role.CORE_FIRM, Role.ADMIN, Role.AUDITOR])
def test_every_page_is_forbidden_to_other_roles(client, page, role):
    verified(client, UserFactory(organisation=RegisteredOrganisationFactory(role=role)))

    assert client.get(reverse(f"portal:lender:{page}")).status_code == 403


def test_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("portal:lender:dashboard"))

    assert response.status_code == 302 and reverse("portal:login") in response["Location"]


# Programme terms


def test_new_terms_queue_set_programme_terms_in_basis_points(banker, lender, core_firm):
    response = banker.post(reverse("portal:lender:programmes"), _terms(core_firm=core_firm.pk))

    assert response.status_code == 302
    action = ChainAction.objects.get()
    assert (action.function, action.signer) == ("setProgrammeTerms", lender.chain_account)
    assert action.args == [
        core_firm.chain_account.address, Currency.USDC, [50_000_000_000, 8_000, 500, 120, 25, 6, 180]
    ]
    assert (action.purpose, action.subject, action.request_key) == (
        ActionPurpose.PROGRAMME_TERMS, lender, "form-key-1"
    )


def test_the_form_offers_a_fresh_request_key_and_only_approved_core_firms(banker, core_firm):
    pending = RegisteredOrganisationFactory(role=Role.CORE_FIRM, kyc_status=KycStatus.PENDING, name="Pending Firm")

    first = banker.get(reverse("portal:lender:programmes"))
    second = banker.get(reverse("portal:lender:programmes"))

    keys = [response.context["form"]["request_key"].value() for response in (first, second)]
    assert keys[0] and keys[0] != keys[1]
    assert core_firm.name in first.content.decode() and pending.name not in first.content.decode()


def test_a_replayed_form_queues_nothing_new(banker, core_firm):
    for _ in range(2):
        banker.post(reverse("portal:lender:programmes"), _terms(core_firm=core_firm.pk))

    assert ChainAction.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"advance_rate_bps": "0"}, "advance_rate_bps", id="advance-zero"),
        pytest.param({"advance_rate_bps": "100.5"}, "advance_rate_bps", id="advance-over-100"),
        pytest.param({"base_rate_bps": "abc"}, "base_rate_bps", id="base-not-a-number"),
        pytest.param({"max_tenor_days": "366"}, "max_tenor_days", id="tenor-over-the-contracts-cap"),
        pytest.param({"rating_spread_bps": "2.56"}, "rating_spread_bps", id="spread-beyond-uint8"),
        pytest.param({"base_rate_bps": "99", "rating_spread_bps": "1"}, "rating_spread_bps", id="worst-rate-100"),
        pytest.param({"base_rate_bps": "97.75", "rating_spread_bps": "0.25"}, "rating_spread_bps",
                     id="worst-rate-exactly-100"),
        pytest.param({"base_rate_bps": "100"}, "base_rate_bps", id="base-rate-100"),
        pytest.param({"min_rating": "0"}, "min_rating", id="rating-zero"),
        pytest.param({"min_rating": "11"}, "min_rating", id="rating-eleven"),
        pytest.param({"max_rating_age_days": "0"}, "max_rating_age_days", id="rating-age-zero"),
        pytest.param({"max_rating_age_days": "3651"}, "max_rating_age_days", id="rating-age-over-ten-years"),
        pytest.param({"limit": "-1"}, "limit", id="limit-negative"),
        pytest.param({"limit": "1.0000001"}, "limit", id="limit-seven-decimals"),
        pytest.param({"limit": "18446744073709.551616"}, "limit", id="limit-beyond-uint64"),
        pytest.param({"currency": "9"}, "currency", id="unknown-currency"),
        pytest.param({"core_firm": "999999"}, "core_firm", id="unknown-core-firm"),
    ],
)
def test_bad_terms_are_shown_next_to_their_field_and_nothing_is_queued(banker, core_firm, fields, field):
    response = banker.post(reverse("portal:lender:programmes"), _terms(core_firm=core_firm.pk) | fields)

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert 'class="field has-error"' in response.content.decode()
    assert not ChainAction.objects.exists()


def test_terms_without_a_request_key_ask_for_a_reload(banker, core_firm):
    response = banker.post(reverse("portal:lender:programmes"), _terms(core_firm=core_firm.pk, request_key=""))

    assert "Reload the page" in response.content.decode()
    assert not ChainAction.objects.exists()


def test_terms_of_a_lender_without_current_kyc_are_refused_at_the_top_of_the_form(client, core_firm):
    lapsed = RegisteredOrganisationFactory(role=Role.LENDER, kyc_expires_at=timezone.now() - timedelta(days=1))
    verified(client, UserFactory(organisation=lapsed))

    response = client.post(reverse("portal:lender:programmes"), _terms(core_firm=core_firm.pk))

    assert "current KYC approval" in response.content.decode()
    assert not ChainAction.objects.exists()


def test_edited_terms_keep_the_programmes_core_firm_and_currency(banker, programme, core_firm):
    other_firm = RegisteredOrganisationFactory(role=Role.CORE_FIRM)
    url = reverse("portal:lender:programme-terms", kwargs={"programme_id": programme.pk})

    response = banker.post(url, _terms(core_firm=other_firm.pk, currency="2", advance_rate_bps="90"))

    assert response.status_code == 302
    action = ChainAction.objects.get()
    assert action.args[:2] == [core_firm.chain_account.address, Currency.USDC]
    assert action.args[2][1] == 9_000


def test_a_limit_below_the_exposure_is_refused(banker, programme, core_firm):
    url = reverse("portal:lender:programme-terms", kwargs={"programme_id": programme.pk})

    response = banker.post(url, _terms(limit="1999.99"))

    assert "current exposure of 2,000.00" in response.content.decode()
    assert not ChainAction.objects.exists()


def test_new_terms_with_a_limit_below_an_existing_programmes_exposure_are_refused(banker, programme, core_firm):
    response = banker.post(reverse("portal:lender:programmes"), _terms(core_firm=core_firm.pk, limit="1999.99"))

    assert response.context["form"].errors["limit"] == [
        "The limit cannot be below the programme's current exposure of 2,000.00 USDC: "
        "the chain refuses a limit below what the programme has financed and not collected."
    ]
    assert not ChainAction.objects.exists()


def test_terms_at_the_contracts_bounds_are_queued(banker, core_firm):
    fields = {"advance_rate_bps": "100", "base_rate_bps": "97.74", "rating_spread_bps": "0.25", "max_tenor_days": "365"}

    response = banker.post(reverse("portal:lender:programmes"), _terms(core_firm=core_firm.pk, **fields))

    assert response.status_code == 302
    assert ChainAction.objects.get().args[2][1:5] == [10_000, 9_774, 365, 25]


def test_the_edit_form_shows_the_current_terms_in_percent(banker, programme):
    response = banker.get(reverse("portal:lender:programme", kwargs={"programme_id": programme.pk}))

    form = response.context["terms_form"]
    assert (form["advance_rate_bps"].value(), form["rating_spread_bps"].value()) == (Decimal(80), Decimal("0.25"))
    assert form["max_rating_age_days"].value() == programme.max_rating_age_days


def test_a_new_programme_offers_a_rating_age_of_a_year(banker):
    response = banker.get(reverse("portal:lender:programmes"))

    assert response.context["form"]["max_rating_age_days"].value() == 365


# Liquidity


def test_a_deposit_queues_fund_programme_in_micro_units(banker, programme, core_firm):
    url = reverse("portal:lender:programme-fund", kwargs={"programme_id": programme.pk})

    response = banker.post(url, {"fund-amount": "2500.5", "fund-request_key": "deposit-1"})

    assert response.status_code == 302
    action = ChainAction.objects.get()
    assert (action.function, action.args) == ("fundProgramme", [core_firm.chain_account.address, 1, 2_500_500_000])
    assert (action.purpose, action.subject, action.request_key) == (
        ActionPurpose.PROGRAMME_FUND, programme.lender, "deposit-1"
    )


def test_a_withdrawal_queues_defund_programme(banker, programme, core_firm):
    url = reverse("portal:lender:programme-withdraw", kwargs={"programme_id": programme.pk})

    banker.post(url, {"withdraw-amount": "100", "withdraw-request_key": "withdrawal-1"})

    action = ChainAction.objects.get()
    assert (action.function, action.args) == ("defundProgramme", [core_firm.chain_account.address, 1, 100_000_000])
    assert (action.purpose, action.subject, action.request_key) == (
        ActionPurpose.PROGRAMME_DEFUND, programme.lender, "withdrawal-1"
    )


@pytest.mark.parametrize("amount", ["0", "-5", "lots", "1.0000001"])
def test_a_bad_amount_is_shown_next_to_the_field(banker, programme, amount):
    url = reverse("portal:lender:programme-fund", kwargs={"programme_id": programme.pk})

    response = banker.post(url, {"fund-amount": amount, "fund-request_key": "deposit-1"})

    assert response.context["fund_form"].errors["amount"]
    assert not ChainAction.objects.exists()


def test_liquidity_can_only_be_moved_with_a_post(banker, programme):
    url = reverse("portal:lender:programme-fund", kwargs={"programme_id": programme.pk})

    assert banker.get(url).status_code == 405


# Other lenders' things


@pytest.mark.parametrize("name", ["programme", "programme-terms", "programme-fund", "programme-withdraw"])
def test_another_lenders_programme_is_not_found(banker, name):
    foreign = Programme.objects.create(
        lender=RegisteredOrganisationFactory(role=Role.LENDER),
        core_firm=RegisteredOrganisationFactory(role=Role.CORE_FIRM), currency=Currency.USDC,
    )
    url = reverse(f"portal:lender:{name}", kwargs={"programme_id": foreign.pk})

    response = banker.get(url) if name == "programme" else banker.post(url, {"fund-amount": "1"})

    assert response.status_code == 404
    assert not ChainAction.objects.exists()


def test_progress_of_an_own_action_polls_until_final(banker, core_firm):
    banker.post(reverse("portal:lender:programmes"), _terms(core_firm=core_firm.pk))
    action = ChainAction.objects.get()
    url = reverse("portal:lender:action", kwargs={"action_id": action.pk})

    response = banker.get(url)

    assert response.status_code == 200
    assert f'hx-get="{url}"' in response.content.decode()


def test_progress_of_another_organisations_action_is_not_found(banker):
    stranger = RegisteredOrganisationFactory(role=Role.LENDER)
    action = action_enqueue_next(purpose=ActionPurpose.PROGRAMME_FUND, subject=stranger, request_key="x",
                                 signer=stranger.chain_account, function="fundProgramme", args=[])

    assert banker.get(reverse("portal:lender:action", kwargs={"action_id": action.pk})).status_code == 404


def test_the_programmes_page_lists_queued_changes_with_their_progress(banker, programme, core_firm):
    banker.post(reverse("portal:lender:programme-fund", kwargs={"programme_id": programme.pk}),
                {"fund-amount": "10", "fund-request_key": "k"})

    content = banker.get(reverse("portal:lender:programmes")).content.decode()

    assert 'data-testid="programme-action"' in content and "Acme Motors" in content
    assert 'data-action-status="queued"' in content


# Portfolio


def test_portfolio_shows_a_claim_under_way(banker, lender):
    financed = _financed(lender)
    Invoice.objects.filter(pk=financed.piece.invoice_id).update(repaid=500_000_000)
    ChainActionFactory(purpose=ActionPurpose.PIECE_CLAIM, subject=financed.piece, signer=lender.chain_account,
                       function="claim", args=[financed.piece.invoice.fingerprint, 0], sequence=500_000_000)

    response = banker.get(reverse("portal:lender:portfolio"))

    assert "400.00 USDC being paid" in response.content.decode()


def test_portfolio_sorts_financed_pieces_into_buckets(banker, lender):
    _financed(lender, due_in_days=60)
    _financed(lender, due_in_days=10)
    _financed(lender, due_in_days=-3)
    _financed(lender, due_in_days=-40, status=InvoiceStatus.DEFAULTED)
    _financed(lender, due_in_days=-20, status=InvoiceStatus.REPAID, claimed=800_000_000)
    _financed(RegisteredOrganisationFactory(role=Role.LENDER))  # another lender's

    response = banker.get(reverse("portal:lender:portfolio"))

    counts = {name: count for name, _label, count in response.context["buckets"]}
    assert counts == {"outstanding": 3, "maturing": 1, "overdue": 1, "defaulted": 1, "repaid": 1}
    assert [row.bucket for row in response.context["page"]] == [
        "defaulted", "repaid", "overdue", "maturing", "outstanding"
    ]


@pytest.mark.parametrize(("bucket", "expected"), [("maturing", 1), ("outstanding", 2), ("repaid", 0)])
def test_portfolio_filters_by_bucket(banker, lender, bucket, expected):
    _financed(lender, due_in_days=10)
    _financed(lender, due_in_days=90)

    response = banker.get(reverse("portal:lender:portfolio"), {"bucket": bucket})

    assert len(response.context["page"].object_list) == expected


def test_portfolio_shows_price_yield_and_totals(banker, lender):
    _financed(lender, due_in_days=50)

    response = banker.get(reverse("portal:lender:portfolio"))

    # 8 / (800 - 8) x 365 / 50 = 7.37% a year
    [row] = response.context["page"]
    assert row.annualised_yield == Decimal("7.37")
    [totals] = response.context["totals"]
    assert (totals["advanced"], totals["uncollected"]) == (800_000_000, 800_000_000)
    assert (totals["discount_earned"], totals["discount_to_earn"]) == (0, 8_000_000)
    assert totals["yield"] == Decimal("7.37")
    assert "7.37%" in response.content.decode()


def test_portfolio_counts_a_discount_earned_only_once_its_piece_is_collected(banker, lender):
    _financed(lender, due_in_days=50)  # open: to be earned
    _financed(lender, due_in_days=-20, status=InvoiceStatus.REPAID, claimed=800_000_000)  # collected: earned
    _financed(lender, due_in_days=-5, status=InvoiceStatus.REPAID)  # repaid, its claim on the way: to be earned
    _financed(lender, due_in_days=-40, status=InvoiceStatus.DEFAULTED)  # neither: it may never be collected

    response = banker.get(reverse("portal:lender:portfolio"))

    [totals] = response.context["totals"]
    assert (totals["discount_earned"], totals["discount_to_earn"]) == (8_000_000, 16_000_000)
    page = response.content.decode()
    assert "Discount earned" in page and "Discount to be earned" in page


def test_maturity_ladder_puts_face_value_on_its_rung(banker, lender):
    _financed(lender, due_in_days=45)
    _financed(lender, due_in_days=-2)

    chart = banker.get(reverse("portal:lender:portfolio")).context["ladder_chart"]

    assert chart["config"]["data"]["datasets"][0]["data"] == [800.0, 0.0, 800.0, 0.0, 0.0, 0.0]


# Write-offs


def _write_off_forms(client) -> int:
    return client.get(reverse("portal:lender:portfolio")).content.decode().count('data-testid="write-off-form"')


def test_a_financed_piece_of_a_defaulted_invoice_has_a_write_off_button(banker, lender):
    defaulted = _financed(lender, due_in_days=-40, status=InvoiceStatus.DEFAULTED)
    for status in (InvoiceStatus.CONFIRMED, InvoiceStatus.OVERDUE, InvoiceStatus.REPAID):
        _financed(lender, due_in_days=-40, status=status)

    content = banker.get(reverse("portal:lender:portfolio")).content.decode()

    assert content.count('data-testid="write-off-form"') == 1
    assert reverse("portal:lender:piece-write-off", kwargs={"piece_id": defaulted.piece.pk}) in content


def test_a_settled_or_handed_on_piece_has_no_write_off_button(banker, lender):
    _financed(lender, due_in_days=-40, status=InvoiceStatus.DEFAULTED, claimed=800_000_000)
    handed_on = _financed(lender, due_in_days=-40, status=InvoiceStatus.DEFAULTED)
    Piece.objects.filter(pk=handed_on.piece.pk).update(holder=RegisteredOrganisationFactory(role=Role.LENDER))

    assert _write_off_forms(banker) == 0


def test_the_button_queues_the_write_off_and_the_row_says_so(banker, lender):
    defaulted = _financed(lender, due_in_days=-40, status=InvoiceStatus.DEFAULTED)

    response = banker.post(reverse("portal:lender:piece-write-off", kwargs={"piece_id": defaulted.piece.pk}),
                           follow=True)

    action = ChainAction.objects.get()
    assert (action.function, action.args) == ("writeOff", [defaulted.piece.invoice.fingerprint, 0])
    assert response.redirect_chain[-1][0] == reverse("portal:lender:portfolio") + "?bucket=defaulted"
    content = response.content.decode()
    assert "Write-off queued: the piece leaves your programme" in content
    assert 'data-testid="write-off-queued"' in content and 'data-testid="write-off-form"' not in content


def test_a_refused_write_off_is_shown_and_queues_nothing(banker, lender):
    overdue = _financed(lender, due_in_days=-10, status=InvoiceStatus.OVERDUE)

    response = banker.post(reverse("portal:lender:piece-write-off", kwargs={"piece_id": overdue.piece.pk}),
                           follow=True)

    assert "Only a piece of a defaulted invoice can be written off; this invoice is Overdue." in response.content.decode()
    assert not ChainAction.objects.exists()


def test_a_written_off_piece_shows_when_and_what_was_released(banker, lender):
    defaulted = _financed(lender, due_in_days=-40, status=InvoiceStatus.DEFAULTED, claimed=100_000_000)
    Piece.objects.filter(pk=defaulted.piece.pk).update(
        written_off_at=timezone.now(), written_off_amount=700_000_000
    )

    content = banker.get(reverse("portal:lender:portfolio")).content.decode()

    assert 'data-testid="written-off"' in content and 'data-testid="write-off-form"' not in content
    assert f"Written off on {timezone.localdate():%Y-%m-%d}: 700.00 USDC released from the exposure" in content


def test_another_lenders_piece_cannot_be_written_off(banker):
    foreign = _financed(RegisteredOrganisationFactory(role=Role.LENDER), due_in_days=-40,
                        status=InvoiceStatus.DEFAULTED)

    response = banker.post(reverse("portal:lender:piece-write-off", kwargs={"piece_id": foreign.piece.pk}))

    assert response.status_code == 404
    assert not ChainAction.objects.exists()


def test_a_write_off_needs_a_post(banker, lender):
    defaulted = _financed(lender, due_in_days=-40, status=InvoiceStatus.DEFAULTED)

    response = banker.get(reverse("portal:lender:piece-write-off", kwargs={"piece_id": defaulted.piece.pk}))

    assert response.status_code == 405


def test_write_off_buttons_cost_no_query_per_row(banker, lender):
    def add_rows():
        _financed(lender, due_in_days=-40, status=InvoiceStatus.DEFAULTED)
        queued = _financed(lender, due_in_days=-40, status=InvoiceStatus.DEFAULTED)
        action_enqueue(purpose=ActionPurpose.PIECE_WRITE_OFF, subject=queued.piece, signer=lender.chain_account,
                       function="writeOff", args=[queued.piece.invoice.fingerprint, queued.piece.index])

    url = reverse("portal:lender:portfolio")
    add_rows()
    few = _queries(banker, url)
    for _ in range(4):
        add_rows()

    assert _queries(banker, url) == few
    assert _write_off_forms(banker) == 5


# Dashboard


def test_dashboard_shows_programme_figures_and_charts(banker, lender, programme, core_firm):
    _financed(lender, buyer=core_firm)

    response = banker.get(reverse("portal:lender:dashboard"))

    [figures] = response.context["figures"]
    assert (figures["limit"], figures["exposure"], figures["liquidity"], figures["outstanding"]) == (
        100_000_000_000, 2_000_000_000, 50_000_000_000, 800_000_000
    )
    assert figures["yield"] == Decimal("7.37")
    assert response.context["exposure_chart"]["config"]["data"]["labels"] == ["Acme Motors"]
    assert response.context["volume_chart"]["config"]["data"]["datasets"][0]["data"] == [800.0]


@pytest.mark.parametrize("period", ["week", "month", "fortnight"])
def test_dashboard_volume_by_week_or_month(banker, lender, period):
    _financed(lender)

    response = banker.get(reverse("portal:lender:dashboard"), {"period": period})

    assert response.context["period"] == ("week" if period == "week" else "month")


# Decision log


def test_decision_log_explains_rejections_in_words(banker, lender):
    _financed(lender)
    FinancingRequestFactory(lender=lender, status=FinancingStatus.REJECTED, reject_reason="rating_too_low")
    FinancingRequestFactory(lender=RegisteredOrganisationFactory(role=Role.LENDER), status=FinancingStatus.REJECTED,
                            reject_reason="over_limit")

    response = banker.get(reverse("portal:lender:decisions"))

    content = response.content.decode()
    assert len(response.context["page"].object_list) == 2
    assert "below the minimum the lender accepts" in content
    assert "limit for this buyer is used up" not in content
    assert "8.00" in content


def test_decision_log_filters_by_decision(banker, lender):
    _financed(lender)
    FinancingRequestFactory(lender=lender, status=FinancingStatus.REJECTED, reject_reason="over_limit")

    response = banker.get(reverse("portal:lender:decisions"), {"status": "rejected"})

    assert [decision.status for decision in response.context["page"]] == ["rejected"]


# Query counts


def _queries(client, url) -> int:
    client.get(url)  # the first request warms the content types' cache (the activity's subjects)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", PAGES)
def test_queries_do_not_grow_with_rows(banker, lender, page):
    def add_rows():
        core_firm = RegisteredOrganisationFactory(role=Role.CORE_FIRM)
        Programme.objects.create(lender=lender, core_firm=core_firm, currency=Currency.USDC, exposure=1)
        _financed(lender, buyer=core_firm)
        FinancingRequestFactory(lender=lender, status=FinancingStatus.REJECTED, reject_reason="over_limit")
        action_enqueue_next(purpose=ActionPurpose.PROGRAMME_FUND, subject=lender, request_key=str(core_firm.pk),
                            signer=lender.chain_account, function="fundProgramme",
                            args=[core_firm.chain_account.address, 1, 5])

    url = reverse(f"portal:lender:{page}")
    add_rows()
    few = _queries(banker, url)
    for _ in range(4):
        add_rows()

    assert _queries(banker, url) == few


def test_the_terms_form_says_a_rating_of_10_is_the_best_and_the_minimum_is_the_lowest_accepted(banker):
    form = banker.get(reverse("portal:lender:programmes")).context["form"]

    assert "10 (the best)" in str(form.fields["min_rating"].help_text)
    assert "lowest rating accepted" in str(form.fields["min_rating"].help_text)
    assert "10 (the best)" in str(form.fields["rating_spread_bps"].help_text)


@pytest.mark.parametrize("page", ["portfolio", "decisions"])
def test_an_invoice_not_verified_from_an_einvoice_is_marked_for_the_lender(banker, lender, page):
    financed = _financed(lender)
    Invoice.objects.filter(pk=financed.piece.invoice_id).update(verified_from_einvoice=False)

    assert 'data-testid="not-verified"' in banker.get(reverse(f"portal:lender:{page}")).content.decode()
