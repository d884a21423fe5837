"""Every dashboard and list of every role, and every API list, issues as many SQL queries when
there are three times as many rows to show: the guard against N+1 queries on all of them at once.
The pages are the ones `make bench-web` loads (tools/web_pages.py finds them), so a new page is
guarded as soon as it is routed."""

import itertools
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chain import quotes
from chain.models import ActionPurpose, ActionStatus, ChainAction, ChainTransaction, TransactionStatus
from chain.quotes import LenderQuote, PieceQuotes
from signin import verified
from factories import (
    ChainActionFactory,
    ChainEventFactory,
    DocumentFactory,
    FinancingRequestFactory,
    InvoiceFactory,
    PieceFactory,
    RegisteredOrganisationFactory,
    UserFactory,
)
from financing.models import FinancingStatus, Programme
from invoices.models import Currency, Invoice, InvoiceStatus
from organisations.models import Organisation, Role
from organisations.tokens import api_token_create
from users.models import User
from web_pages import API_ROLES, Page, all_pages
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manifest")]

CLOSED_PORT = "http://127.0.0.1:9"  # the chain-health page must cope with an unreachable chain
SECOND_FACTOR_ROLES = (Role.LENDER, Role.ADMIN)
TRADES = 2  # N: each trade adds rows to every page
_nonces = itertools.count()


@dataclass
class World:
    """The organisations whose users open the pages (a field per role), their users and API keys."""

    supplier: Organisation
    core_firm: Organisation
    lender: Organisation
    admin: Organisation
    users: dict[str, User]
    api_keys: dict[str, str]


@pytest.fixture
def world(settings) -> World:
    settings.CHAIN_RPC_URL = CLOSED_PORT
    organisations = {str(role): RegisteredOrganisationFactory(role=role)
                     for role in (Role.SUPPLIER, Role.CORE_FIRM, Role.LENDER, Role.ADMIN)}
    users = {role: UserFactory(organisation=organisation) for role, organisation in organisations.items()}
    _programme(organisations[Role.LENDER], organisations[Role.CORE_FIRM])
    keys = {role: api_token_create(created_by=users[role], name="ERP")[1] for role in API_ROLES}
    return World(**organisations, users=users, api_keys=keys)


def _programme(lender, core_firm) -> Programme:
    return Programme.objects.create(lender=lender, core_firm=core_firm, currency=Currency.USDC, limit=10**12,
                                    advance_rate_bps=8_000, base_rate_bps=500, max_tenor_days=120, liquidity=10**11)


def _action(organisation, function: str, purpose: ActionPurpose, subject, status: str = ActionStatus.CONFIRMED,
            **columns) -> ChainAction:
    account, nonce = organisation.chain_account, next(_nonces)
    transaction = ChainTransaction.objects.create(
        signer=account, nonce=nonce, to_address="0x" + "5c" * 20, data="0x", gas=200_000, tx_hash=f"0x{nonce:064x}",
        status=TransactionStatus.REVERTED if status == ActionStatus.FAILED else TransactionStatus.CONFIRMED,
        block_number=100,
    )
    return ChainActionFactory(purpose=purpose, subject=subject, signer=account, function=function, status=status,
                              transaction=transaction, error="refused" if status == ActionStatus.FAILED else "",
                              **columns)


def _financed(world: World, invoice: Invoice, *, lender=None, claimed: bool = False) -> None:
    """A lender (the world's by default) advanced 800 of the invoice's 1,000; the seller keeps a
    reserve piece of 200."""
    lender = lender or world.lender
    piece = PieceFactory(invoice=invoice, holder=lender, amount=800_000_000, financed=True,
                         claimed=800_000_000 if claimed else 0)
    PieceFactory(invoice=invoice, index=1, parent_index=0, holder=world.supplier, amount=200_000_000,
                 claimed=200_000_000 if claimed else 0)
    request = FinancingRequestFactory(
        piece=piece, holder=world.supplier, lender=lender, status=FinancingStatus.APPROVED, advance=800_000_000,
        discount=8_000_000, tenor_days=50, rating=7, decided_at=timezone.now(),
    )
    _action(world.supplier, "requestFinancing", ActionPurpose.FINANCING_REQUEST, request)


def _trade(world: World) -> None:
    """Rows for every page: an invoice for each stage of its life (to confirm, confirmed and split
    down a tier with financing refused, financed and overdue, repaid and collected, refused by the
    chain) with their documents, actions and events; new participants (a supplier a tier down, a
    lender financing the core firm, a core firm with a programme of the world's lender), a
    colleague, an API token, webhook endpoints and deliveries."""
    supplier, core_firm, lender, today = world.supplier, world.core_firm, world.lender, timezone.localdate()
    tier2 = RegisteredOrganisationFactory(role=Role.SUPPLIER)
    trade = {"seller": supplier, "buyer": core_firm}

    registered = InvoiceFactory(**trade, status=InvoiceStatus.REGISTERED)
    PieceFactory(invoice=registered)
    DocumentFactory(organisation=supplier, invoice=registered)
    _action(supplier, "registerInvoice", ActionPurpose.INVOICE_REGISTER, registered)
    ChainEventFactory(name="InvoiceRegistered", args={"fingerprint": registered.fingerprint})

    confirmed = InvoiceFactory(**trade, status=InvoiceStatus.CONFIRMED, due_date=today + timedelta(days=20))
    piece = PieceFactory(invoice=confirmed, amount=600_000_000)
    PieceFactory(invoice=confirmed, index=1, parent_index=0, holder=tier2, amount=400_000_000)
    _action(supplier, "splitPiece", ActionPurpose.PIECE_SPLIT, piece)
    refused = FinancingRequestFactory(piece=piece, holder=supplier, lender=lender, status=FinancingStatus.REJECTED,
                                      reject_reason="over_limit", rating=4, decided_at=timezone.now())
    _action(supplier, "requestFinancing", ActionPurpose.FINANCING_REQUEST, refused)
    _action(core_firm, "confirmInvoice", ActionPurpose.INVOICE_CONFIRM, confirmed)

    _financed(world, InvoiceFactory(**trade, status=InvoiceStatus.OVERDUE, due_date=today - timedelta(days=10)))
    repaid = InvoiceFactory(**trade, status=InvoiceStatus.REPAID, repaid=1_000_000_000, repaid_at=timezone.now(),
                            due_date=today - timedelta(days=5))
    _financed(world, repaid, claimed=True)
    _action(core_firm, "repay", ActionPurpose.REPAY, repaid, request_key="erp")

    failed = InvoiceFactory(**trade, status=InvoiceStatus.FAILED)
    _action(supplier, "registerInvoice", ActionPurpose.INVOICE_REGISTER, failed, status=ActionStatus.FAILED)

    another_lender = RegisteredOrganisationFactory(role=Role.LENDER)
    _programme(another_lender, core_firm)
    _financed(world, InvoiceFactory(**trade, status=InvoiceStatus.CONFIRMED), lender=another_lender)
    _programme(lender, RegisteredOrganisationFactory(role=Role.CORE_FIRM))
    UserFactory(organisation=supplier)
    api_token_create(created_by=world.users[Role.SUPPLIER], name="ERP")
    for organisation in (supplier, core_firm, lender):
        endpoint = WebhookEndpoint.objects.create(organisation=organisation, url="https://erp.example.com/hooks",
                                                  encrypted_secret=b"")
        WebhookDelivery.objects.create(endpoint=endpoint, event="invoice.registered",
                                       payload={"invoice": registered.pk})


def _trades(world: World, count: int) -> None:
    for _ in range(count):
        _trade(world)


def _signed_in(client, world: World, page: Page):
    if page.api:
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {world.api_keys[page.role]}"
    elif page.role in SECOND_FACTOR_ROLES:
        verified(client, world.users[page.role])
    else:
        client.force_login(world.users[page.role])
    return client


def _queries(client, page: Page) -> list[str]:
    client.get(page.path)  # the first request of a session may warm caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page.path)
    assert response.status_code == 200, f"{page.path} answered {response.status_code}"
    return [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize("page", all_pages(), ids=lambda page: page.label)
def test_queries_do_not_grow_with_the_rows_shown(client, world, page):
    client = _signed_in(client, world, page)
    _trades(world, TRADES)
    few = _queries(client, page)
    _trades(world, 2 * TRADES)
    many = _queries(client, page)
    listing = "\n".join(sql[:300] for sql in many)
    assert len(many) == len(few), f"{page.path}: {len(few)} queries with N rows, {len(many)} with 3N:\n{listing}"


# A page with an object id, outside the discovered pages: the supplier's quotes for a piece.


def _chain_approving_every_lender(*, fingerprint, index, lenders, core_firm, currency):
    """chain.quotes.financing_quotes answering every lender with the same price, and no SQL."""
    return PieceQuotes(block=1, holder="", holder_rating=7, quotes=tuple(
        LenderQuote(lender=lender, reason=0, advance=800_000_000, discount=4_000_000, tenor_days=30, min_rating=4)
        for lender in lenders
    ))


def test_piece_quotes_queries_do_not_grow_with_the_lenders(client, world, monkeypatch):
    monkeypatch.setattr(quotes, "financing_quotes", _chain_approving_every_lender)
    invoice = InvoiceFactory(seller=world.supplier, buyer=world.core_firm, status=InvoiceStatus.CONFIRMED,
                             due_date=timezone.localdate() + timedelta(days=30))
    piece = PieceFactory(invoice=invoice)
    page = Page("portal:supplier:piece-quotes", Role.SUPPLIER,
                reverse("portal:supplier:piece-quotes", kwargs={"piece_id": piece.pk}))
    client = _signed_in(client, world, page)
    few = _queries(client, page)
    for _ in range(3):
        _programme(RegisteredOrganisationFactory(role=Role.LENDER), world.core_firm)
    many = _queries(client, page)
    assert len(many) == len(few), "\n".join(sql[:300] for sql in many)


# The pages of one invoice or piece, and what they poll while its actions are on their way: as many
# queries with three actions under way as with one.

IN_FLIGHT_PAGES = {
    "portal:core_firm:invoice": ("core_firm", "invoice"),
    "portal:core_firm:invoice-pending": ("core_firm", "invoice"),
    "portal:supplier:invoice": ("supplier", "invoice"),
    "portal:supplier:invoice-pending": ("supplier", "invoice"),
    "portal:supplier:piece": ("supplier", "piece"),
    "portal:supplier:piece-pending": ("supplier", "piece"),
}


def _under_way(world: World, invoice: Invoice, piece, count: int) -> None:
    for _ in range(count):
        ChainActionFactory(purpose=ActionPurpose.REPAY, subject=invoice, signer=world.core_firm.chain_account,
                           function="repay", args=[invoice.fingerprint, 1_000_000], request_key=f"k{next(_nonces)}")
        ChainActionFactory(purpose=ActionPurpose.PIECE_SPLIT, subject=piece, signer=world.supplier.chain_account,
                           function="splitPiece", args=[invoice.fingerprint, 0, "0x" + "ab" * 20, 1_000_000])
        ChainActionFactory(purpose=ActionPurpose.PIECE_CLAIM, subject=piece, signer=world.supplier.chain_account,
                           function="claim", args=[invoice.fingerprint, 0])


@pytest.mark.parametrize("url_name", IN_FLIGHT_PAGES)
def test_queries_do_not_grow_with_the_actions_under_way(client, world, url_name):
    role, kind = IN_FLIGHT_PAGES[url_name]
    invoice = InvoiceFactory(seller=world.supplier, buyer=world.core_firm, status=InvoiceStatus.CONFIRMED,
                             repaid=100_000_000)
    piece = PieceFactory(invoice=invoice)
    page = Page(url_name, role, reverse(url_name, args=[invoice.pk if kind == "invoice" else piece.pk]))
    client = _signed_in(client, world, page)
    _under_way(world, invoice, piece, 1)
    few = _queries(client, page)
    _under_way(world, invoice, piece, 2)
    many = _queries(client, page)
    assert len(many) == len(few), "\n".join(sql[:300] for sql in many)
