"""Financing's scheduled jobs against a real chain and worker: a supplier's rating posted through
the risk oracle and mirrored back; an unpaid obligation marked overdue, then defaulted, as the
chain's clock passes the periods stamped on it at confirmation; repayments collected for the
holder as soon as the indexer sees them, the sweep queuing nothing more; and a lender writing off a financed piece of a defaulted obligation, then
collecting the recovery.

The chain is shared by the whole session and its clock only moves forward (this module moves it
by about eighty days), so due dates are computed from the chain's latest block, never from today."""

from datetime import date, datetime, time, timedelta, timezone as dt_timezone

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from chain import accounts, client, keys
from chain.models import ActionPurpose, ActionStatus, ChainAccount, ChainAction
from chain.services import action_enqueue_next
from financing.risk import NEUTRAL_RATING
from financing.selectors import chain_now
from financing.models import Programme
from financing.services import maturity_sweep, piece_write_off, ratings_post
from invoices.models import Invoice, InvoiceStatus, Piece
from invoices.services import invoice_confirm, invoice_repay, invoice_submit
from organisations.models import Organisation, Role

from localnet import rpc, wait_until
from world import invoice_document, onboard, operator_admin, wait_for_actions, wait_for_registration

USDC = 1
AMOUNT = 1_000_000_000  # 1,000.00 USDC in micro-units, which are also the mock token's units


@pytest.fixture
def parties(platform):
    platform.worker()
    admin = operator_admin()
    supplier, supplier_user = onboard(admin, "sched-supplier", Role.SUPPLIER)
    buyer, buyer_user = onboard(admin, "sched-buyer", Role.CORE_FIRM)
    wait_for_registration(supplier, buyer)
    wait_for_actions()  # the risk oracle's registration and gas too
    supplier.refresh_from_db()
    buyer.refresh_from_db()
    return supplier, supplier_user, buyer, buyer_user


def chain_today() -> date:
    return datetime.fromtimestamp(chain_now(), dt_timezone.utc).date()


def unix(day: date) -> int:
    return int(datetime.combine(day, time(0), dt_timezone.utc).timestamp())


def travel_to(url: str, moment: int) -> None:
    """Moves the chain's clock to at least `moment` and mines a block there."""
    if (ahead := moment - chain_now()) > 0:
        rpc(url, "evm_increaseTime", [ahead])
    rpc(url, "evm_mine")
    assert chain_now() >= moment


def confirmed_invoice(supplier_user, buyer, buyer_user, number: str, due_date: date) -> Invoice:
    document = invoice_document(supplier_user.organisation, number)
    invoice = invoice_submit(
        submitted_by=supplier_user, buyer_id=buyer.pk, number=number, amount=str(AMOUNT / 10**6), currency="USDC",
        issue_date=timezone.now().date(), due_date=due_date, document_ids=[document.pk],
    )
    status_becomes(invoice, InvoiceStatus.REGISTERED)
    invoice_confirm(invoice=invoice, confirmed_by=buyer_user)
    status_becomes(invoice, InvoiceStatus.CONFIRMED)
    return Invoice.objects.get(pk=invoice.pk)


def status_becomes(invoice: Invoice, status: str) -> None:
    wait_until(lambda: Invoice.objects.get(pk=invoice.pk).status == status, 30, message=f"{invoice.number} {status}")


def test_supplier_rating_is_posted_through_the_oracle_and_mirrored(parties):
    supplier, *_ = parties

    [record] = ratings_post()
    wait_for_actions()
    wait_until(lambda: Organisation.objects.get(pk=supplier.pk).rating, 30, message="the rating mirrored")

    onchain_role, _, rating, rating_model, rated_at, _ = client.platform_contract().functions.participant(
        supplier.chain_account.address
    ).call()
    supplier.refresh_from_db()
    assert record.rating == NEUTRAL_RATING
    assert (rating, rating_model) == (record.rating, settings.RISK_MODEL_VERSION)
    assert (supplier.rating, supplier.rating_model_version) == (rating, rating_model)
    assert rated_at > 0
    assert supplier.rated_at == datetime.fromtimestamp(rated_at, dt_timezone.utc)  # the block's time, as the chain's
    assert ChainAction.objects.get(function="postRating").status == ActionStatus.CONFIRMED
    assert ratings_post() == []  # nothing changed: nothing to post


def test_unpaid_obligation_goes_overdue_then_defaults_as_the_chains_clock_passes(platform, parties):
    supplier, supplier_user, buyer, buyer_user = parties
    due_date = chain_today() + timedelta(days=1)
    invoice = confirmed_invoice(supplier_user, buyer, buyer_user, "SCHED-UNPAID", due_date)
    periods = client.manifest()["periods"]
    overdue_at = unix(due_date) + periods["grace_seconds"]
    # The deployment's periods are version 1, mirrored from the constructor's PeriodsChanged.
    assert (invoice.periods_version, invoice.grace_period_seconds, invoice.default_period_seconds) == (
        1, periods["grace_seconds"], periods["default_seconds"]
    )

    assert maturity_sweep()["overdue"] == 0  # due tomorrow: not even due yet

    travel_to(platform.url, overdue_at)
    assert maturity_sweep()["overdue"] == 1
    status_becomes(invoice, InvoiceStatus.OVERDUE)
    assert maturity_sweep()["defaulted"] == 0

    travel_to(platform.url, overdue_at + periods["default_seconds"])
    assert maturity_sweep()["defaulted"] == 1
    status_becomes(invoice, InvoiceStatus.DEFAULTED)
    wait_for_actions()
    assert set(ChainAction.objects.filter(function__startswith="mark").values_list("status", flat=True)) == {
        ActionStatus.CONFIRMED
    }


def send_as(account: ChainAccount, call) -> None:
    """Sends a call from a custodial account outside the outbox (the outbox only calls the
    platform contract; minting and approving are calls to the token). The nonce is taken under
    the account's row lock, as the outbox takes it, so the two never collide."""
    w3 = client.web3()
    with transaction.atomic():
        account = ChainAccount.objects.select_for_update().get(pk=account.pk)
        if account.next_nonce is None:
            account.next_nonce = w3.eth.get_transaction_count(account.address, "pending")
        base_fee = w3.eth.get_block("latest")["baseFeePerGas"]
        signed = keys.unlock(account.encrypted_key).sign_transaction(
            call.build_transaction({
                "from": account.address, "nonce": account.next_nonce, "chainId": client.manifest()["chain_id"],
                "gas": 200_000, "maxFeePerGas": 2 * base_fee + 10**9, "maxPriorityFeePerGas": 10**9,
            })
        )
        account.next_nonce += 1
        account.save(update_fields=["next_nonce"])
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(signed.raw_transaction), timeout=30)
    assert receipt["status"] == 1


def repay(buyer, invoice: Invoice, amount: int, key: str) -> None:
    with transaction.atomic():
        action_enqueue_next(
            purpose=ActionPurpose.REPAY, subject=invoice, request_key=key, signer=accounts.organisation_account(buyer),
            function="repay", args=[invoice.fingerprint, amount],
        )


def test_repayments_are_collected_for_the_holder_without_the_sweep(parties):
    supplier, supplier_user, buyer, buyer_user = parties
    invoice = confirmed_invoice(supplier_user, buyer, buyer_user, "SCHED-REPAID", chain_today() + timedelta(days=30))
    manifest = client.manifest()
    usdc = client.web3().eth.contract(address=manifest["currencies"][str(USDC)], abi=manifest["erc20_abi"])
    buyer_address = accounts.organisation_account(buyer).address
    send_as(accounts.operator_account(), usdc.functions.mint(buyer_address, AMOUNT))
    send_as(accounts.organisation_account(buyer), usdc.functions.approve(client.platform_contract().address, AMOUNT))
    supplier_address = supplier.chain_account.address
    balance_before = usdc.functions.balanceOf(supplier_address).call()
    piece = Piece.objects.get(invoice=invoice, index=0)

    repay(buyer, invoice, AMOUNT // 4, "test-repay-quarter")
    wait_until(lambda: Piece.objects.get(pk=piece.pk).claimed == AMOUNT // 4, 30, message="the first claim")
    assert maturity_sweep()["claims"] == 0  # the indexer queued it with the repayment

    repay(buyer, invoice, AMOUNT - AMOUNT // 4, "test-repay-rest")
    status_becomes(invoice, InvoiceStatus.REPAID)
    wait_until(lambda: Piece.objects.get(pk=piece.pk).claimed == AMOUNT, 30, message="the final claim")

    wait_for_actions()
    assert usdc.functions.balanceOf(supplier_address).call() - balance_before == AMOUNT
    assert client.platform_contract().functions.claimable(invoice.fingerprint, 0).call() == 0
    claims = ChainAction.objects.filter(function="claim").order_by("pk")
    assert [(claim.signer.address, claim.status) for claim in claims] == [
        (supplier_address, ActionStatus.CONFIRMED)
    ] * 2
    assert maturity_sweep()["claims"] == 0


def test_a_lender_writes_off_a_defaulted_piece_and_still_collects_the_recovery(platform, parties):
    """Financing straight through the contract (the platform's own financing flow has its tests):
    a programme at a 100% advance rate finances the whole invoice, which then defaults."""
    supplier, supplier_user, buyer, buyer_user = parties
    lender, banker = onboard(operator_admin(), "sched-lender", Role.LENDER)
    wait_for_registration(lender)
    ratings_post()
    wait_for_actions()  # the lender's gas and token approval, the supplier's rating
    contract, manifest = client.platform_contract(), client.manifest()
    usdc = client.web3().eth.contract(address=manifest["currencies"][str(USDC)], abi=manifest["erc20_abi"])
    bank, buyer_address = accounts.organisation_account(lender), accounts.organisation_account(buyer).address
    send_as(bank, contract.functions.setProgrammeTerms(buyer_address, USDC, (10 * AMOUNT, 10_000, 500, 365, 25, 1, 3650)))
    send_as(accounts.operator_account(), usdc.functions.mint(bank.address, AMOUNT))
    send_as(bank, contract.functions.fundProgramme(buyer_address, USDC, AMOUNT))
    due_date = chain_today() + timedelta(days=1)
    invoice = confirmed_invoice(supplier_user, buyer, buyer_user, "SCHED-WRITE-OFF", due_date)
    send_as(supplier.chain_account, contract.functions.requestFinancing(invoice.fingerprint, 0, bank.address, 0, 2**32 - 1))
    wait_until(lambda: Piece.objects.get(invoice=invoice, index=0).holder_id == lender.pk, 30, message="financing")
    periods = manifest["periods"]
    travel_to(platform.url, unix(due_date) + periods["grace_seconds"])
    maturity_sweep()
    status_becomes(invoice, InvoiceStatus.OVERDUE)
    travel_to(platform.url, unix(due_date) + periods["grace_seconds"] + periods["default_seconds"])
    maturity_sweep()
    status_becomes(invoice, InvoiceStatus.DEFAULTED)

    piece_write_off(piece=Piece.objects.get(invoice=invoice, index=0), written_off_by=banker)
    wait_until(lambda: Piece.objects.get(invoice=invoice, index=0).written_off_at, 30, message="the write-off")

    piece = Piece.objects.get(invoice=invoice, index=0)
    assert piece.written_off_amount == AMOUNT
    assert Programme.objects.get(lender=lender).exposure == 0
    assert contract.functions.programme(bank.address, buyer_address, USDC).call()[1] == 0

    send_as(accounts.operator_account(), usdc.functions.mint(buyer_address, AMOUNT))
    invoice_repay(invoice=invoice, repaid_by=buyer_user, amount="250", request_key="recovery")
    wait_until(lambda: Piece.objects.get(pk=piece.pk).claimed == AMOUNT // 4, 30, message="the lender's claim")
    assert maturity_sweep()["claims"] == 0  # the indexer queued it with the recovery

    wait_for_actions()
    assert Programme.objects.get(lender=lender).exposure == 0
    assert contract.functions.programme(bank.address, buyer_address, USDC).call()[1] == 0
    assert ChainAction.objects.get(function="writeOff").status == ActionStatus.CONFIRMED
