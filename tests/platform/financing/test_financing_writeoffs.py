"""financing.writeoffs at the database level: the writeOff queued for the lender holding a
financed piece of a defaulted invoice, each refusal naming its rule and leaving no action behind,
and replays that send nothing twice. No chain."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from chain.models import ActionPurpose, ActionStatus, ChainAction
from financing.services import piece_write_off, write_off_refusal
from invoices.models import InvoiceStatus
from organisations.models import Role

from factories import InvoiceFactory, PieceFactory, RegisteredOrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lender():
    return RegisteredOrganisationFactory(role=Role.LENDER)


@pytest.fixture
def piece(lender):
    """800.00 of a defaulted 1,000.00 invoice, financed and held by the lender, 100.00 collected."""
    invoice = InvoiceFactory(status=InvoiceStatus.DEFAULTED, repaid=125_000_000)
    return PieceFactory(invoice=invoice, index=1, holder=lender, amount=800_000_000, financed=True, claimed=100_000_000)


@pytest.fixture
def banker(lender):
    return UserFactory(organisation=lender)


def _refused(piece, user) -> str:
    with pytest.raises(ValidationError) as refusal:
        piece_write_off(piece=piece, written_off_by=user)
    assert not ChainAction.objects.exists()
    [(field, [message])] = refusal.value.message_dict.items()
    return f"{field}: {message}"


def test_write_off_queues_write_off_signed_by_the_lender(piece, banker, lender):
    action = piece_write_off(piece=piece, written_off_by=banker)

    assert action.function == "writeOff"
    assert action.signer == lender.chain_account
    assert action.args == [piece.invoice.fingerprint, 1]
    assert (action.purpose, action.subject, action.sequence) == (ActionPurpose.PIECE_WRITE_OFF, piece, 0)


def test_a_replayed_write_off_returns_the_first_action(piece, banker):
    first = piece_write_off(piece=piece, written_off_by=banker)

    assert piece_write_off(piece=piece, written_off_by=banker) == first
    assert ChainAction.objects.count() == 1


def test_a_write_off_the_chain_refused_can_be_asked_again(piece, banker):
    first = piece_write_off(piece=piece, written_off_by=banker)
    ChainAction.objects.filter(pk=first.pk).update(status=ActionStatus.FAILED)

    again = piece_write_off(piece=piece, written_off_by=banker)

    assert again != first
    assert (again.purpose, again.subject, again.sequence) == (ActionPurpose.PIECE_WRITE_OFF, piece, 1)


@pytest.mark.parametrize(
    "status", [status for status in InvoiceStatus.values if status != InvoiceStatus.DEFAULTED]
)
def test_only_a_piece_of_a_defaulted_invoice_can_be_written_off(piece, banker, status):
    piece.invoice.status = status
    piece.invoice.save()

    refusal = _refused(piece, banker)

    assert refusal.startswith("status: Only a piece of a defaulted invoice can be written off; this invoice is ")


def test_a_piece_that_was_never_financed_cannot_be_written_off(piece, banker):
    piece.financed = False
    piece.save()

    assert _refused(piece, banker) == "piece: Only a financed piece can be written off; this one was never financed."


def test_a_piece_is_written_off_once(piece, banker):
    piece.written_off_at = timezone.now()
    piece.written_off_amount = 700_000_000
    piece.save()

    refusal = _refused(piece, banker)

    assert refusal == (
        f"piece: This piece was written off on {piece.written_off_at.date().isoformat()}: a piece is written off once."
    )


def test_a_settled_piece_has_nothing_left_to_write_off(piece, banker):
    piece.claimed = piece.amount
    piece.save()

    assert _refused(piece, banker) == (
        "piece: This piece is settled: all of it was collected, nothing is left to write off."
    )


@pytest.mark.parametrize("who", ["other-lender", "supplier", "core-firm", "no-organisation", "anonymous"])
def test_only_a_user_of_the_lender_holding_the_piece_can_write_it_off(piece, who):
    user = {
        "other-lender": lambda: UserFactory(organisation=RegisteredOrganisationFactory(role=Role.LENDER)),
        "supplier": lambda: UserFactory(organisation=piece.invoice.seller),
        "core-firm": lambda: UserFactory(organisation=piece.invoice.buyer),
        "no-organisation": lambda: UserFactory(organisation=None),
        "anonymous": lambda: None,
    }[who]()

    with pytest.raises(PermissionDenied, match="Only a user of the lender can write off its financed pieces."):
        piece_write_off(piece=piece, written_off_by=user)
    assert not ChainAction.objects.exists()


def test_a_supplier_cannot_write_off_its_own_piece(piece):
    supplier_piece = PieceFactory(invoice=piece.invoice, index=2, amount=200_000_000)

    with pytest.raises(PermissionDenied):
        piece_write_off(piece=supplier_piece, written_off_by=UserFactory(organisation=supplier_piece.holder))
    assert not ChainAction.objects.exists()


def test_the_refusal_of_a_writable_piece_is_none(piece):
    assert write_off_refusal(piece) is None
