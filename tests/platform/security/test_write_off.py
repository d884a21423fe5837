"""Issue 11: a default left the lender stuck. A financed piece of a defaulted obligation stayed in
its programme's exposure for good, so the lender could neither cut the limit below it nor close
the programme. Now the lender writes the piece off: what it has not collected leaves the exposure,
the programme can be closed, and whatever the buyer repays later is still collected for the piece
without touching the exposure again. At the database level, with the chain handlers fed the events
the contract emits (tests/contracts covers the contract itself)."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chain.handlers import event_apply
from chain.models import ChainAction
from factories import (
    ChainEventFactory,
    InvoiceFactory,
    PieceFactory,
    RegisteredOrganisationFactory,
    UserFactory,
)
from financing import selectors
from financing.models import Programme
from financing.services.programmes import programme_set_terms
from financing.services import piece_write_off
from invoices.models import Currency, InvoiceStatus, Piece
from invoices.services import invoice_repay
from organisations.models import Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manifest")]


def _apply(name: str, **args) -> None:
    event_apply(ChainEventFactory(name=name, args=args))


@pytest.fixture
def world():
    """A lender's programme that financed 800.00 of a 1,000.00 invoice, which has defaulted."""
    lender = RegisteredOrganisationFactory(role=Role.LENDER)
    core_firm = RegisteredOrganisationFactory(role=Role.CORE_FIRM)
    invoice = InvoiceFactory(buyer=core_firm, status=InvoiceStatus.DEFAULTED)
    piece = PieceFactory(invoice=invoice, holder=lender, amount=800_000_000, financed=True)
    PieceFactory(invoice=invoice, index=1, parent_index=0, amount=200_000_000)  # the supplier's reserve
    programme = Programme.objects.create(
        lender=lender, core_firm=core_firm, currency=Currency.USDC, limit=10_000_000_000, advance_rate_bps=8_000,
        base_rate_bps=500, max_tenor_days=120, rating_spread_bps=25, min_rating=5, exposure=800_000_000,
    )
    return SimpleNamespace(
        lender=lender, banker=UserFactory(organisation=lender), treasurer=UserFactory(organisation=core_firm),
        core_firm=core_firm, invoice=invoice, piece=piece, programme=programme,
    )


def _close(world) -> ChainAction:
    return programme_set_terms(
        lender_user=world.banker, core_firm_id=world.core_firm.pk, currency="USDC", limit="0",
        advance_rate_bps=8_000, base_rate_bps=500, max_tenor_days=120, rating_spread_bps=25, min_rating=5,
        max_rating_age_days=365, request_key="close",
    )


def _written_off(world, released: int = 800_000_000) -> None:
    action = piece_write_off(piece=world.piece, written_off_by=world.banker)
    assert (action.function, action.args) == ("writeOff", [world.invoice.fingerprint, 0])
    _apply("PieceWrittenOff", fingerprint=world.invoice.fingerprint, piece=0,
           lender=world.lender.chain_account.address, released=released)


def _exposure(world) -> int:
    world.programme.refresh_from_db()
    return world.programme.exposure


def test_before_the_write_off_the_defaulted_piece_keeps_the_programme_open(world):
    with pytest.raises(ValidationError) as refusal:
        _close(world)

    assert "below the programme's current exposure of 800.00 USDC" in refusal.value.message_dict["limit"][0]


def test_the_write_off_releases_the_exposure_and_lets_the_lender_close_the_programme(world):
    _written_off(world)

    assert _exposure(world) == 0
    assert _close(world).function == "setProgrammeTerms"


def test_the_write_off_is_recorded_for_the_lender_and_auditors(world):
    _written_off(world)

    piece = Piece.objects.get(pk=world.piece.pk)
    assert piece.written_off_at is not None
    assert piece.written_off_amount == 800_000_000


def test_a_later_repayment_is_still_collected_for_the_written_off_piece(world):
    _written_off(world)

    repayment = invoice_repay(invoice=world.invoice, repaid_by=world.treasurer, amount="500", request_key="late")
    _apply("ObligationRepaid", fingerprint=world.invoice.fingerprint, amount=500_000_000, totalRepaid=500_000_000)

    assert repayment.function == "repay"
    assert world.piece.pk in [piece.pk for piece in selectors.pieces_with_unclaimed_repayments()]


def test_collecting_a_recovery_leaves_the_released_exposure_alone(world):
    _written_off(world)
    _apply("ObligationRepaid", fingerprint=world.invoice.fingerprint, amount=500_000_000, totalRepaid=500_000_000)

    _apply("PieceClaimed", fingerprint=world.invoice.fingerprint, piece=0,
           holder=world.lender.chain_account.address, amount=400_000_000)

    assert _exposure(world) == 0
    assert Piece.objects.get(pk=world.piece.pk).claimed == 400_000_000


def test_only_the_lender_holding_the_piece_can_write_it_off(world):
    for stranger in (world.treasurer, UserFactory(organisation=world.invoice.seller),
                     UserFactory(organisation=RegisteredOrganisationFactory(role=Role.LENDER))):
        with pytest.raises(PermissionDenied):
            piece_write_off(piece=world.piece, written_off_by=stranger)

    assert not ChainAction.objects.exists()
    assert _exposure(world) == 800_000_000


def test_a_piece_cannot_be_written_off_before_the_default(world):
    world.invoice.status = InvoiceStatus.OVERDUE
    world.invoice.save()

    with pytest.raises(ValidationError):
        piece_write_off(piece=world.piece, written_off_by=world.banker)
    assert not ChainAction.objects.exists()


def test_a_piece_is_written_off_once(world):
    _written_off(world)

    with pytest.raises(ValidationError, match="written off once"):
        piece_write_off(piece=world.piece, written_off_by=world.banker)
    assert _exposure(world) == 0
