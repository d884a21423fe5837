"""Each dashboard opens with what needs its user's attention (portal.kit.attention): the count, the
first rows with their links, only the organisation's own rows; and the core firm sees its token
balance and allowance (mirrored, with the time they were read) against its dues."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from chain.holdings import token_holding_store
from chain.services import MAX_ALLOWANCE
from factories import (
    FinancingRequestFactory,
    InvoiceFactory,
    PieceFactory,
    ProgrammeFactory,
    RegisteredOrganisationFactory,
    UserFactory,
)
from financing.models import FinancingStatus
from invoices.models import Currency, InvoiceStatus
from organisations.models import KycStatus, Role
from portal.kit.attention import ATTENTION_ROWS
from signin import verified

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manifest")]

TODAY = timezone.localdate()


@pytest.fixture
def supplier():
    return RegisteredOrganisationFactory(role=Role.SUPPLIER, name="Acme Parts")


@pytest.fixture
def core_firm():
    return RegisteredOrganisationFactory(role=Role.CORE_FIRM, name="Core Manufacturing")


@pytest.fixture
def lender():
    return RegisteredOrganisationFactory(role=Role.LENDER, name="Harbour Bank")


def _lists(client, url) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    return {attention.key: attention for attention in response.context["attention"]}


def _texts(attention) -> list[str]:
    return [row.text for row in attention.rows]


@pytest.fixture
def supplier_client(client, supplier):
    client.force_login(UserFactory(organisation=supplier))
    return client


@pytest.fixture
def core_firm_client(client, core_firm):
    client.force_login(UserFactory(organisation=core_firm))
    return client


# Supplier


def test_the_supplier_sees_the_pieces_it_could_finance_now(supplier_client, supplier, core_firm):
    def held(**fields):
        return PieceFactory(invoice=InvoiceFactory(seller=supplier, buyer=core_firm, **fields))

    financeable = held(number="INV-OK", status=InvoiceStatus.CONFIRMED, due_date=TODAY + timedelta(days=20))
    held(status=InvoiceStatus.REGISTERED)
    held(status=InvoiceStatus.DISPUTED)
    held(status=InvoiceStatus.OVERDUE, due_date=TODAY - timedelta(days=3))
    held(status=InvoiceStatus.CONFIRMED, due_date=TODAY - timedelta(days=1))  # past due, not marked yet
    financed = held(status=InvoiceStatus.CONFIRMED)
    financed.financed = True
    financed.save()
    FinancingRequestFactory(piece=held(status=InvoiceStatus.CONFIRMED), status=FinancingStatus.REQUESTED)
    PieceFactory(invoice=InvoiceFactory(status=InvoiceStatus.CONFIRMED))  # someone else's

    lists = _lists(supplier_client, reverse("portal:supplier:dashboard"))

    assert lists["financeable"].count == 1
    assert _texts(lists["financeable"]) == [f"INV-OK from Core Manufacturing: 1,000.00 USDC, due {financeable.invoice.due_date}"]
    assert lists["financeable"].rows[0].url == reverse("portal:supplier:piece", args=[financeable.pk])


def test_the_supplier_sees_its_disputed_invoices(supplier_client, supplier, core_firm):
    disputed = InvoiceFactory(seller=supplier, buyer=core_firm, number="INV-D", status=InvoiceStatus.DISPUTED)
    InvoiceFactory(seller=supplier, buyer=core_firm, status=InvoiceStatus.CONFIRMED)
    InvoiceFactory(status=InvoiceStatus.DISPUTED)  # someone else's

    lists = _lists(supplier_client, reverse("portal:supplier:dashboard"))

    assert lists["disputed"].count == 1
    assert _texts(lists["disputed"]) == ["INV-D to Core Manufacturing: 1,000.00 USDC"]
    assert lists["disputed"].rows[0].url == reverse("portal:supplier:invoice", args=[disputed.pk])


def test_a_long_list_shows_its_first_rows_its_count_and_a_link_to_all(supplier_client, supplier):
    InvoiceFactory.create_batch(ATTENTION_ROWS + 2, seller=supplier, status=InvoiceStatus.DISPUTED)

    response = supplier_client.get(reverse("portal:supplier:dashboard"))
    disputed = {attention.key: attention for attention in response.context["attention"]}["disputed"]

    assert disputed.count == ATTENTION_ROWS + 2 and len(disputed.rows) == ATTENTION_ROWS
    assert f'href="{reverse("portal:supplier:invoices")}?status=disputed"' in response.content.decode()


# Core firm


def test_the_core_firm_sees_invoices_to_confirm(core_firm_client, core_firm, supplier):
    InvoiceFactory(seller=supplier, buyer=core_firm, number="INV-NEW", status=InvoiceStatus.REGISTERED,
                   due_date=TODAY + timedelta(days=30))
    InvoiceFactory(seller=supplier, buyer=core_firm, status=InvoiceStatus.CONFIRMED)

    lists = _lists(core_firm_client, reverse("portal:core_firm:dashboard"))

    assert lists["to-confirm"].count == 1
    assert _texts(lists["to-confirm"]) == [f"INV-NEW from Acme Parts: 1,000.00 USDC, due {TODAY + timedelta(days=30)}"]


def test_the_core_firm_sees_what_it_owes_within_a_week(core_firm_client, core_firm, supplier):
    InvoiceFactory(seller=supplier, buyer=core_firm, number="INV-SOON", status=InvoiceStatus.CONFIRMED,
                   repaid=400_000_000, due_date=TODAY + timedelta(days=7))
    InvoiceFactory(seller=supplier, buyer=core_firm, status=InvoiceStatus.CONFIRMED, due_date=TODAY + timedelta(days=8))
    InvoiceFactory(seller=supplier, buyer=core_firm, status=InvoiceStatus.REPAID, due_date=TODAY + timedelta(days=2))

    lists = _lists(core_firm_client, reverse("portal:core_firm:dashboard"))

    assert _texts(lists["due-soon"]) == [
        f"INV-SOON to Acme Parts: 600.00 USDC still owed, due {TODAY + timedelta(days=7)}"
    ]


def test_payables_are_in_the_core_firm_s_menu(core_firm_client):
    response = core_firm_client.get(reverse("portal:core_firm:dashboard"))

    assert reverse("portal:core_firm:payables") in [item["url"] for item in response.context["menu"]]


def test_the_core_firm_sees_its_balance_and_allowance_against_its_dues(core_firm_client, core_firm, supplier):
    InvoiceFactory(seller=supplier, buyer=core_firm, status=InvoiceStatus.CONFIRMED, amount=3_000_000_000,
                   due_date=TODAY + timedelta(days=10))
    InvoiceFactory(seller=supplier, buyer=core_firm, status=InvoiceStatus.OVERDUE, amount=1_000_000_000,
                   due_date=TODAY - timedelta(days=10))
    InvoiceFactory(seller=supplier, buyer=core_firm, status=InvoiceStatus.CONFIRMED, amount=2_000_000_000,
                   due_date=TODAY + timedelta(days=60))
    read_at = timezone.now().replace(hour=9, minute=41)
    token_holding_store(account=core_firm.chain_account, currency=Currency.USDC, balance=5_000_000_000,
                        allowance=MAX_ALLOWANCE, read_at=read_at)

    response = core_firm_client.get(reverse("portal:core_firm:dashboard"))

    [usdc] = response.context["cover"]
    assert (usdc.currency, usdc.owed, usdc.owed_soon, usdc.balance) == ("USDC", 6_000_000_000, 4_000_000_000, 5_000_000_000)
    content = response.content.decode()
    assert "5,000.00 USDC" in content and "without limit" in content and "6,000.00 USDC" in content
    assert f"{timezone.localtime(read_at):%H:%M}" in content
    short = {attention.key: attention for attention in response.context["attention"]}["cover"]
    assert _texts(short) == [
        "USDC: you owe 6,000.00 USDC; your account holds 5,000.00 USDC and lets the platform collect without limit"
    ]


def test_an_allowance_below_the_dues_is_short_even_with_tokens_enough(core_firm_client, core_firm, supplier):
    InvoiceFactory(seller=supplier, buyer=core_firm, status=InvoiceStatus.CONFIRMED, amount=1_000_000_000)
    token_holding_store(account=core_firm.chain_account, currency=Currency.USDC, balance=9_000_000_000,
                        allowance=500_000_000, read_at=timezone.now())

    lists = _lists(core_firm_client, reverse("portal:core_firm:dashboard"))

    assert lists["cover"].count == 1


def test_holdings_that_cover_the_dues_need_no_attention(core_firm_client, core_firm, supplier):
    InvoiceFactory(seller=supplier, buyer=core_firm, status=InvoiceStatus.CONFIRMED, amount=1_000_000_000)
    token_holding_store(account=core_firm.chain_account, currency=Currency.USDC, balance=1_000_000_000,
                        allowance=MAX_ALLOWANCE, read_at=timezone.now())

    lists = _lists(core_firm_client, reverse("portal:core_firm:dashboard"))

    assert lists["cover"].count == 0


# Lender


def test_the_lender_sees_programmes_near_their_limit_or_short_of_liquidity(client, lender, core_firm):
    ProgrammeFactory(lender=lender, core_firm=core_firm, limit=1_000_000_000, exposure=900_000_000,
                     liquidity=500_000_000)
    other = RegisteredOrganisationFactory(role=Role.CORE_FIRM, name="Dry Goods")
    ProgrammeFactory(lender=lender, core_firm=other, limit=1_000_000_000, exposure=0, liquidity=99_000_000)
    ProgrammeFactory(lender=lender, core_firm=other, currency=Currency.EURT, limit=1_000_000_000,
                     exposure=899_000_000, liquidity=100_000_000)
    ProgrammeFactory(lender=lender, core_firm=RegisteredOrganisationFactory(role=Role.CORE_FIRM), limit=0)  # closed
    ProgrammeFactory(core_firm=core_firm, limit=1_000_000_000, exposure=1_000_000_000)  # another lender's

    lists = _lists(verified(client, UserFactory(organisation=lender)), reverse("portal:lender:dashboard"))

    assert _texts(lists["near-limit"]) == [
        "Core Manufacturing: exposure 900.00 USDC of 1,000.00 USDC, liquidity 500.00 USDC",
        "Dry Goods: exposure 0.00 USDC of 1,000.00 USDC, liquidity 99.00 USDC",
    ]


def test_the_lender_sees_the_requests_awaiting_a_decision(client, lender, supplier):
    piece = PieceFactory(invoice=InvoiceFactory(seller=supplier, number="INV-ASK", status=InvoiceStatus.CONFIRMED))
    FinancingRequestFactory(piece=piece, lender=lender, status=FinancingStatus.REQUESTED, quoted_payout=790_000_000)
    FinancingRequestFactory(lender=lender, status=FinancingStatus.APPROVED)
    FinancingRequestFactory(status=FinancingStatus.REQUESTED)  # to another lender

    lists = _lists(verified(client, UserFactory(organisation=lender)), reverse("portal:lender:dashboard"))

    assert _texts(lists["awaiting"]) == ["Acme Parts asks for piece 0 of INV-ASK: 790.00 USDC at least"]


# Operator


def test_the_operator_sees_kyc_to_review_and_approvals_lapsing(client):
    operator = RegisteredOrganisationFactory(role=Role.ADMIN)
    RegisteredOrganisationFactory(name="Newcomer", role=Role.SUPPLIER, kyc_status=KycStatus.PENDING)
    lapsing = RegisteredOrganisationFactory(name="Lapsing", kyc_expires_at=timezone.now() + timedelta(days=10))

    lists = _lists(verified(client, UserFactory(organisation=operator)), reverse("portal:operator:dashboard"))

    assert _texts(lists["kyc-review"]) == ["Newcomer (Supplier)"]
    assert _texts(lists["kyc-lapsing"]) == [f"Lapsing: lapses on {lapsing.kyc_expires_at.date()}"]
