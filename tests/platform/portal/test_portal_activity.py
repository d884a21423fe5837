"""Recent activity in words (portal.kit.activity): each kind of action an organisation signs is
said with its invoice number, amount with currency and counterparty, the dashboards show the
sentences with the transaction's hash beside them, and the subjects cost a query per kind of
subject, not per row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chain.models import ActionPurpose, ActionStatus, ChainTransaction, TransactionStatus
from factories import ChainActionFactory, FinancingRequestFactory, InvoiceFactory, PieceFactory, RegisteredOrganisationFactory, UserFactory
from invoices.models import Currency, InvoiceStatus
from organisations.models import Role
from portal.kit.activity import recent_activity
from signin import verified

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manifest")]


@pytest.fixture
def supplier():
    return RegisteredOrganisationFactory(role=Role.SUPPLIER, name="Acme Parts")


@pytest.fixture
def core_firm():
    return RegisteredOrganisationFactory(role=Role.CORE_FIRM, name="Core Manufacturing")


@pytest.fixture
def tier2():
    return RegisteredOrganisationFactory(role=Role.SUPPLIER, name="Tier Two Ltd")


@pytest.fixture
def lender():
    return RegisteredOrganisationFactory(role=Role.LENDER, name="Harbour Bank")


@pytest.fixture
def invoice(supplier, core_firm):
    return InvoiceFactory(seller=supplier, buyer=core_firm, number="INV-1042", amount=250_000_000_000,
                          status=InvoiceStatus.CONFIRMED)


def _signed(organisation, purpose, subject, function, args=(), **columns):
    return ChainActionFactory(purpose=purpose, subject=subject, signer=organisation.chain_account, function=function,
                              args=list(args), status=ActionStatus.CONFIRMED, **columns)


def _sentences(organisation) -> list[str]:
    return [activity.sentence for activity in recent_activity(organisation, 10)]


def test_a_confirmation_names_the_invoice_its_seller_and_amount(core_firm, invoice):
    _signed(core_firm, ActionPurpose.INVOICE_CONFIRM, invoice, "confirmInvoice", [invoice.fingerprint])

    assert _sentences(core_firm) == ["Confirmed invoice INV-1042 from Acme Parts, 250,000.00 USDC"]


def test_a_repayment_says_the_amount_paid(core_firm, invoice):
    _signed(core_firm, ActionPurpose.REPAY, invoice, "repay", [invoice.fingerprint, 100_000_000_000])

    assert _sentences(core_firm) == ["Repaid 100,000.00 USDC on invoice INV-1042 to Acme Parts"]


def test_a_split_says_how_much_went_to_whom(supplier, tier2, invoice):
    piece = PieceFactory(invoice=invoice)
    _signed(supplier, ActionPurpose.PIECE_SPLIT, piece, "splitPiece",
            [invoice.fingerprint, 0, tier2.chain_account.address, 40_000_000_000])

    assert _sentences(supplier) == ["Split 40,000.00 USDC of invoice INV-1042 to Tier Two Ltd"]


def test_a_registration_names_the_buyer(supplier, invoice):
    _signed(supplier, ActionPurpose.INVOICE_REGISTER, invoice, "registerInvoice")

    assert _sentences(supplier) == ["Registered invoice INV-1042 to Core Manufacturing, 250,000.00 USDC"]


def test_a_financing_request_names_the_lender_and_the_payout(supplier, lender, invoice):
    request = FinancingRequestFactory(piece=PieceFactory(invoice=invoice), lender=lender)
    _signed(supplier, ActionPurpose.FINANCING_REQUEST, request, "requestFinancing",
            [invoice.fingerprint, 0, lender.chain_account.address, 198_000_000_000, 0])

    assert _sentences(supplier) == [
        "Asked Harbour Bank to finance piece 0 of invoice INV-1042, for at least 198,000.00 USDC"
    ]


def test_a_deposit_names_the_programme_s_core_firm(lender, core_firm):
    _signed(lender, ActionPurpose.PROGRAMME_FUND, lender, "fundProgramme",
            [core_firm.chain_account.address, Currency.EURT, 5_000_000_000], request_key="deposit")

    assert _sentences(lender) == ["Deposited 5,000.00 EURT into the programme with Core Manufacturing"]


def test_only_the_organisation_s_own_actions_are_told_newest_first(supplier, core_firm, invoice):
    _signed(supplier, ActionPurpose.INVOICE_REGISTER, invoice, "registerInvoice")
    _signed(core_firm, ActionPurpose.INVOICE_CONFIRM, invoice, "confirmInvoice")
    _signed(supplier, ActionPurpose.PIECE_TRANSFER, PieceFactory(invoice=invoice), "transferPiece")

    assert _sentences(supplier) == [
        "Transferred piece 0 of invoice INV-1042, 250,000.00 USDC, to another account",
        "Registered invoice INV-1042 to Core Manufacturing, 250,000.00 USDC",
    ]


def test_the_dashboard_shows_the_sentence_and_the_hash_beside_it(client, core_firm, invoice):
    transaction = ChainTransaction.objects.create(
        signer=core_firm.chain_account, nonce=0, to_address="0x" + "5c" * 20, data="0x", gas=1,
        tx_hash="0x" + "ab" * 32, status=TransactionStatus.CONFIRMED,
    )
    _signed(core_firm, ActionPurpose.INVOICE_CONFIRM, invoice, "confirmInvoice", transaction=transaction)
    client.force_login(UserFactory(organisation=core_firm))

    content = client.get(reverse("portal:core_firm:dashboard")).content.decode()

    assert "Confirmed invoice INV-1042 from Acme Parts, 250,000.00 USDC" in content
    assert "0xabababab…ababab" in content


def test_the_lender_dashboard_tells_its_programme_changes(client, lender, core_firm):
    _signed(lender, ActionPurpose.PROGRAMME_DEFUND, lender, "defundProgramme",
            [core_firm.chain_account.address, Currency.USDC, 1_500_000_000], request_key="withdrawal")

    content = verified(client, UserFactory(organisation=lender)).get(reverse("portal:lender:dashboard")).content

    assert "Withdrew 1,500.00 USDC from the programme with Core Manufacturing" in content.decode()


def _activity_queries(organisation) -> int:
    recent_activity(organisation, 10)  # warms the content types' cache
    with CaptureQueriesContext(connection) as queries:
        recent_activity(organisation, 10)
    return len(queries)


def test_the_subjects_cost_a_query_per_kind_not_per_row(supplier, core_firm, tier2, lender):
    def trade():
        invoice = InvoiceFactory(seller=supplier, buyer=core_firm)
        piece = PieceFactory(invoice=invoice)
        _signed(supplier, ActionPurpose.INVOICE_REGISTER, invoice, "registerInvoice")
        _signed(supplier, ActionPurpose.PIECE_SPLIT, piece, "splitPiece",
                [invoice.fingerprint, 0, tier2.chain_account.address, 1_000_000])
        request = FinancingRequestFactory(piece=piece, lender=lender)
        _signed(supplier, ActionPurpose.FINANCING_REQUEST, request, "requestFinancing")

    trade()
    few = _activity_queries(supplier)
    trade()
    trade()

    assert _activity_queries(supplier) == few
