"""invoices.repayments at the database level: the repay action queued for the buyer, refusals
leaving no action behind, and replays under the caller's request key. No chain."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chain.models import ActionPurpose, ActionStatus, ChainAction
from invoices.models import InvoiceStatus
from invoices.services import invoice_repay
from organisations.models import Role

from factories import InvoiceFactory, RegisteredOrganisationFactory, UserFactory
from in_flight import mined

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manifest")]


@pytest.fixture
def invoice():
    return InvoiceFactory(status=InvoiceStatus.CONFIRMED, repaid=400_000_000)


@pytest.fixture
def treasurer(invoice):
    return UserFactory(organisation=invoice.buyer)


@pytest.fixture
def repay(invoice, treasurer):
    def repay(**fields):
        request = {"invoice": invoice, "repaid_by": treasurer, "amount": "600", "request_key": "pay-1"}
        return invoice_repay(**(request | fields))

    return repay


def _refused_field(repay, **fields) -> str:
    with pytest.raises(ValidationError) as refusal:
        repay(**fields)
    [field] = refusal.value.message_dict
    assert not ChainAction.objects.exists()
    return field


REPAYABLE = (InvoiceStatus.CONFIRMED, InvoiceStatus.OVERDUE, InvoiceStatus.DEFAULTED)


@pytest.mark.parametrize("status", REPAYABLE)
def test_repayment_queues_repay_signed_by_the_buyer(repay, invoice, status):
    invoice.status = status
    invoice.save()

    action = repay()

    assert action.function == "repay"
    assert action.signer == invoice.buyer.chain_account
    assert action.args == [invoice.fingerprint, 600_000_000]
    assert (action.purpose, action.subject, action.request_key) == (ActionPurpose.REPAY, invoice, "pay-1")


def test_part_payment_in_micro_units(repay, invoice):
    assert repay(amount="0.000001").args == [invoice.fingerprint, 1]


def test_repayment_waits_for_the_chain_to_change_the_invoice(repay, invoice):
    repay()

    invoice.refresh_from_db()
    assert (invoice.repaid, invoice.status) == (400_000_000, InvoiceStatus.CONFIRMED)


def test_replay_with_the_same_request_key_queues_nothing_new(repay, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first = repay(amount="100")
        again = repay(amount="100")

    assert again == first
    assert ChainAction.objects.count() == 1
    assert len(callbacks) == 1


def test_another_instalment_needs_another_request_key(repay, invoice):
    repay(amount="100")
    second = repay(amount="100", request_key="pay-2")

    assert (second.purpose, second.subject, second.request_key) == (ActionPurpose.REPAY, invoice, "pay-2")
    assert ChainAction.objects.count() == 2


@pytest.mark.parametrize(
    "amount",
    ["0", "-5", "lots", "1.0000001", "600.000001", "18446744073709.551616"],
    ids=["zero", "negative", "non-numeric", "seven-decimals", "more-than-owed", "beyond-uint64"],
)
def test_amount_must_be_above_zero_and_within_what_is_owed(repay, amount):
    assert _refused_field(repay, amount=amount) == "amount"


@pytest.mark.parametrize("request_key", ["", "   ", None, "k" * 65], ids=["empty", "blank", "none", "too-long"])
def test_request_key_is_required_and_bounded(repay, request_key):
    assert _refused_field(repay, request_key=request_key) == "request_key"


NOT_REPAYABLE = [status for status in InvoiceStatus.values if status not in REPAYABLE]


@pytest.mark.parametrize("status", NOT_REPAYABLE)
def test_only_a_confirmed_overdue_or_defaulted_invoice_can_be_repaid(repay, invoice, status):
    invoice.status = status
    invoice.save()

    assert _refused_field(repay) == "status"


@pytest.mark.parametrize("who", ["seller", "other-core-firm", "lender", "no-organisation", "anonymous"])
def test_only_a_user_of_the_buyer_can_repay(repay, invoice, who):
    user = {
        "seller": lambda: UserFactory(organisation=invoice.seller),
        "other-core-firm": lambda: UserFactory(organisation=RegisteredOrganisationFactory(role=Role.CORE_FIRM)),
        "lender": lambda: UserFactory(organisation=RegisteredOrganisationFactory(role=Role.LENDER)),
        "no-organisation": lambda: UserFactory(organisation=None),
        "anonymous": lambda: None,
    }[who]()

    with pytest.raises(PermissionDenied):
        repay(repaid_by=user)
    assert not ChainAction.objects.exists()


# Repayments already queued: what they cover is refused (two tabs, two clicks)


def test_a_repayment_beyond_what_is_owed_after_those_in_flight_is_refused_with_the_amounts(repay):
    first = repay(amount="600")

    with pytest.raises(ValidationError) as refusal:
        repay(amount="600", request_key="pay-2")

    assert refusal.value.message_dict == {"amount": [
        "This invoice is already being repaid in full: 600.00 USDC in queued repayments. Nothing more is owed."
    ]}
    assert list(ChainAction.objects.all()) == [first]


def test_a_part_beyond_what_is_owed_after_those_in_flight_names_what_is_left(repay):
    repay(amount="200")

    with pytest.raises(ValidationError) as refusal:
        repay(amount="400.01", request_key="pay-2")

    assert refusal.value.message_dict == {"amount": [
        "400.01 USDC is more than the 400.00 USDC still owed after the 200.00 USDC already being repaid."
    ]}
    assert ChainAction.objects.count() == 1


def test_a_part_within_what_is_owed_after_those_in_flight_is_queued(repay):
    repay(amount="200")

    assert repay(amount="400", request_key="pay-2").args[1] == 400_000_000


def test_a_refused_repayment_no_longer_counts(repay):
    first = repay(amount="600")
    ChainAction.objects.filter(pk=first.pk).update(status=ActionStatus.FAILED)

    assert repay(amount="600", request_key="pay-2").sequence == 1


def test_a_mined_repayment_counts_until_the_indexer_has_applied_it(repay, invoice):
    first = mined(repay(amount="600"), indexed=False)
    with pytest.raises(ValidationError):
        repay(amount="600", request_key="pay-2")

    ChainAction.objects.filter(pk=first.pk).update(transaction=None)
    mined(first, indexed=True)
    invoice.repaid = invoice.amount  # the mirror has it now
    invoice.save()
    with pytest.raises(ValidationError) as refusal:
        repay(amount="0.01", request_key="pay-3")
    assert refusal.value.message_dict == {"amount": ["The amount is more than the 0.00 USDC still owed."]}


def test_a_repaid_invoice_is_refused_saying_nothing_more_is_owed(repay, invoice):
    invoice.status, invoice.repaid = InvoiceStatus.REPAID, invoice.amount
    invoice.save()

    with pytest.raises(ValidationError) as refusal:
        repay()

    assert refusal.value.message_dict == {"status": ["This invoice is Repaid: it is repaid in full and nothing more is owed."]}
