"""Invoices through real workers: submitted in the database, registered and confirmed on chain,
mirrored back by the indexer; refusals decoded into words."""

import time

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from rest_framework.test import APIClient

from eth_utils import keccak
from web3.exceptions import ContractLogicError

from chain import accounts, client, keys
from chain.errors import revert_from
from chain.models import ActionPurpose, ActionStatus, ChainAction, ChainTransaction
from chain.services import action_enqueue
from invoices.models import Invoice, InvoiceStatus, Piece
from invoices.services import invoice_confirm, invoice_submit
from organisations.models import Role
from organisations.tokens import api_token_create

from localnet import wait_until
from world import due_in, invoice_document, onboard, operator_admin, wait_for_actions, wait_for_registration

REGISTERED_ON_CHAIN, CONFIRMED_ON_CHAIN = 1, 2


@pytest.fixture
def parties(platform):
    platform.worker()
    admin = operator_admin()
    supplier, supplier_user = onboard(admin, "acme", Role.SUPPLIER)
    buyer, buyer_user = onboard(admin, "bigco", Role.CORE_FIRM)
    wait_for_registration(supplier, buyer)
    supplier.refresh_from_db()
    buyer.refresh_from_db()
    return supplier, supplier_user, buyer, buyer_user


def submit(user, buyer, number: str, amount="1250.50") -> Invoice:
    document = invoice_document(user.organisation, number)
    return invoice_submit(
        submitted_by=user, buyer_id=buyer.pk, number=number, amount=amount, currency="USDC",
        issue_date=due_in(-3), due_date=due_in(60), document_ids=[document.pk],
    )


def test_submitted_invoices_are_registered_on_chain_and_mirrored(parties):
    supplier, supplier_user, buyer, _ = parties
    invoices = [submit(supplier_user, buyer, f"INV-{n}") for n in range(5)]

    wait_for_actions()

    contract = client.platform_contract()
    for invoice in invoices:
        invoice.refresh_from_db()
        assert invoice.status == InvoiceStatus.REGISTERED
        onchain = contract.functions.invoice(invoice.fingerprint).call()
        assert onchain[0:2] == [supplier.onchain_id, buyer.onchain_id] or REGISTERED_ON_CHAIN in onchain
        assert contract.functions.invoiceOfDocument(invoice.document_hash).call().hex() == invoice.fingerprint[2:]
        assert Piece.objects.get(invoice=invoice, index=0).amount == 1_250_500_000


def test_a_bulk_request_registers_its_invoices_in_a_few_batched_transactions(parties):
    supplier, supplier_user, buyer, _ = parties
    _, key = api_token_create(created_by=supplier_user, name="ERP")
    erp = APIClient()
    erp.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    body = {"invoices": [
        {"buyer": buyer.pk, "number": f"INV-BULK-{n}", "amount": f"{100 + n}.25", "currency": "USDC",
         "issue_date": str(due_in(-3)), "due_date": str(due_in(60)),
         "documents": [invoice_document(supplier, f"INV-BULK-{n}").pk]}
        for n in range(120)
    ]}

    started = time.monotonic()
    response = erp.post("/api/invoices/bulk/", body, format="json", HTTP_IDEMPOTENCY_KEY="erp-month")
    accepted = time.monotonic() - started
    wait_for_actions(timeout=120)
    registered = time.monotonic() - started

    assert response.status_code == 200 and response.json()["created"] == 120
    invoices = Invoice.objects.filter(number__startswith="INV-BULK-")
    assert invoices.filter(status=InvoiceStatus.REGISTERED).count() == 120
    transactions = ChainTransaction.objects.filter(actions__function="registerInvoice").distinct()
    assert 1 <= transactions.count() <= 4
    contract = client.platform_contract()
    for invoice in (invoices.order_by("pk").first(), invoices.order_by("pk").last()):
        assert contract.functions.invoiceOfDocument(invoice.document_hash).call().hex() == invoice.fingerprint[2:]
    print(f"\nbulk: 120 invoices accepted in {accepted:.2f} s, registered on chain after {registered:.1f} s "
          f"in {transactions.count()} transactions")


def test_buyer_confirmation_turns_the_invoice_into_a_receivable(parties):
    _, supplier_user, buyer, buyer_user = parties
    invoice = submit(supplier_user, buyer, "INV-CONFIRM")
    wait_until(lambda: Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.REGISTERED, 30, message="registration")

    invoice_confirm(invoice=invoice, confirmed_by=buyer_user)

    wait_until(lambda: Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.CONFIRMED, 30, message="confirmation")


def test_the_same_invoice_cannot_be_submitted_twice(parties):
    _, supplier_user, buyer, _ = parties
    submit(supplier_user, buyer, "INV-7")

    with pytest.raises(ValidationError) as error:
        submit(supplier_user, buyer, " inv-7 ")

    assert "already on the platform" in error.value.message_dict["number"][0]
    assert Invoice.objects.count() == 1


def test_a_refused_call_fails_with_the_contract_error_in_words_and_spends_no_nonce(parties):
    supplier, supplier_user, buyer, _ = parties
    invoice = submit(supplier_user, buyer, "INV-WRONG-SIGNER")
    wait_until(lambda: Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.REGISTERED, 30, message="registration")
    seller_account = accounts.organisation_account(supplier)
    nonce_before = type(seller_account).objects.get(pk=seller_account.pk).next_nonce

    with transaction.atomic():
        action = action_enqueue(  # the seller confirming its own invoice: only the buyer may
            purpose=ActionPurpose.INVOICE_CONFIRM, subject=invoice, signer=seller_account, function="confirmInvoice",
            args=[invoice.fingerprint],
        )

    wait_until(lambda: ChainAction.objects.get(pk=action.pk).status == ActionStatus.FAILED, 30, message="refusal")
    action.refresh_from_db()
    assert action.error == "This step needs the role core firm; the account has supplier. [ParticipantRoleRequired]"
    assert type(seller_account).objects.get(pk=seller_account.pk).next_nonce == nonce_before


def test_the_chain_itself_refuses_the_same_invoice_with_another_amount_and_document(parties):
    """Straight through web3 with the seller's own key, bypassing the database's check: the same
    key (seller and canonical number) with another amount and another document is refused."""
    supplier, supplier_user, buyer, _ = parties
    invoice = submit(supplier_user, buyer, "INV-D-1")
    wait_until(lambda: Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.REGISTERED, 30, message="registration")
    [registration] = ChainAction.objects.filter(function="registerInvoice").values_list("args", flat=True)
    key, _document, supporting, buyer_address, _amount, currency, issued, due = registration
    seller = keys.unlock(accounts.organisation_account(supplier).encrypted_key)
    contract = client.platform_contract()
    twin = contract.functions.registerInvoice(
        key, "0x" + keccak(b"another document").hex(), supporting, buyer_address, 999_999_990_000, currency, issued, due,
    )

    with pytest.raises(ContractLogicError) as refusal:
        twin.call({"from": seller.address})

    assert revert_from(refusal.value).name == "InvoiceAlreadyRegistered"
    signed = seller.sign_transaction(twin.build_transaction({
        "from": seller.address, "gas": 300_000, "nonce": client.web3().eth.get_transaction_count(seller.address),
    }))
    receipt = client.web3().eth.wait_for_transaction_receipt(client.web3().eth.send_raw_transaction(signed.raw_transaction))
    assert receipt.status == 0
    assert contract.functions.invoice(invoice.fingerprint).call()[2] == invoice.amount
