"""invoices.receivables at the database level: the splitPiece and transferPiece actions queued for
a piece's holder, every refusal (naming its field, or PermissionDenied) leaving no action behind,
and what a replay queues. No chain: the queued ChainAction rows are the output."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from chain.models import ActionPurpose, ActionStatus, ChainAction
from invoices.models import InvoiceStatus
from invoices.services import pieces
from organisations.models import KycStatus, Role

from factories import FinancingRequestFactory, InvoiceFactory, PieceFactory, RegisteredOrganisationFactory, UserFactory
from in_flight import mined

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manifest")]


@pytest.fixture
def piece():
    return PieceFactory(invoice=InvoiceFactory(status=InvoiceStatus.CONFIRMED))


@pytest.fixture
def clerk(piece):
    return UserFactory(organisation=piece.holder)


@pytest.fixture
def recipient():
    return RegisteredOrganisationFactory(role=Role.SUPPLIER)


@pytest.fixture
def split(piece, clerk, recipient):
    def split(**fields):
        request = {"piece": piece, "split_by": clerk, "to_organisation_id": recipient.pk, "amount": "250.5"}
        return pieces.piece_split(**(request | fields))

    return split


@pytest.fixture
def transfer(piece, clerk, recipient):
    def transfer(**fields):
        request = {"piece": piece, "transferred_by": clerk, "to_organisation_id": recipient.pk}
        return pieces.piece_transfer(**(request | fields))

    return transfer


@pytest.fixture(params=["split", "transfer"])
def move(request, split, transfer):
    """Either service, for the checks they share."""
    service = {"split": split, "transfer": transfer}[request.param]

    def move(**fields):
        if "user" in fields:
            fields["split_by" if service is split else "transferred_by"] = fields.pop("user")
        return service(**fields)

    return move


def _refused_field(service, **fields) -> str:
    with pytest.raises(ValidationError) as refusal:
        service(**fields)
    [field] = refusal.value.message_dict
    assert not ChainAction.objects.exists()
    return field


# What is queued


def test_split_queues_split_piece_signed_by_the_holder(split, piece, recipient):
    action = split()

    assert action.function == "splitPiece"
    assert action.signer == piece.holder.chain_account
    assert action.args == [piece.invoice.fingerprint, 0, recipient.chain_account.address, 250_500_000]
    assert (action.purpose, action.subject, action.sequence) == (ActionPurpose.PIECE_SPLIT, piece, 0)


def test_split_of_a_later_piece_names_its_index(piece, clerk, recipient):
    child = PieceFactory(invoice=piece.invoice, index=3, parent_index=0, holder=piece.holder, amount=400_000_000)

    action = pieces.piece_split(piece=child, split_by=clerk, to_organisation_id=str(recipient.pk), amount=100)

    assert action.args == [piece.invoice.fingerprint, 3, recipient.chain_account.address, 100_000_000]


def test_transfer_queues_transfer_piece_signed_by_the_holder(transfer, piece, recipient):
    action = transfer()

    assert action.function == "transferPiece"
    assert action.signer == piece.holder.chain_account
    assert action.args == [piece.invoice.fingerprint, 0, recipient.chain_account.address]
    assert (action.purpose, action.subject, action.sequence) == (ActionPurpose.PIECE_TRANSFER, piece, 0)


def test_nothing_changes_in_the_pieces_until_the_chain_says_so(split, piece):
    split()

    piece.refresh_from_db()
    assert piece.amount == 1_000_000_000


# Replays


def test_replay_of_a_split_in_flight_queues_nothing_new(split, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first = split()
        again = split()

    assert again == first
    assert ChainAction.objects.count() == 1
    assert len(callbacks) == 1


@pytest.mark.parametrize("settled", [ActionStatus.CONFIRMED, ActionStatus.FAILED])
def test_same_split_after_the_chain_settled_the_first_is_a_new_split(split, piece, settled):
    first = split()
    ChainAction.objects.filter(pk=first.pk).update(status=settled)

    second = split()

    assert second != first
    assert (second.purpose, second.subject, second.sequence) == (ActionPurpose.PIECE_SPLIT, piece, 1)
    assert second.args == first.args


def test_another_split_while_the_first_is_in_flight_is_a_new_split(split, piece):
    first = split()

    second = split(amount="100")

    assert second != first
    assert (second.sequence, second.args[3]) == (1, 100_000_000)


def test_replay_of_a_transfer_in_flight_queues_nothing_new(transfer):
    assert transfer() == transfer()
    assert ChainAction.objects.count() == 1


def test_transfer_after_the_chain_settled_an_earlier_one_is_a_new_transfer(transfer, piece):
    first = transfer()
    ChainAction.objects.filter(pk=first.pk).update(status=ActionStatus.FAILED)

    second = transfer()

    assert (second.purpose, second.subject, second.sequence) == (ActionPurpose.PIECE_TRANSFER, piece, 1)
    assert second.args == first.args


# Refusals: amounts


@pytest.mark.parametrize(
    "amount",
    ["0", "-1", "ten", "0.0000001", "1000", "1000.000001", "18446744073709.551616"],
    ids=["zero", "negative", "non-numeric", "seven-decimals", "whole-piece", "more-than-the-piece", "beyond-uint64"],
)
def test_split_amount_must_be_above_zero_and_below_the_piece(split, amount):
    assert _refused_field(split, amount=amount) == "amount"


# The invoice's minimum piece: 1,000.00 / 16,384 = 0.061035..., rounded up to 0.061036.
MINIMUM = 61_036


def test_the_minimum_piece_is_a_16384th_of_the_invoice_rounded_up():
    assert [pieces.minimum_piece(amount) for amount in (1_000_000_000, 16_384, 16_385, 1)] == [MINIMUM, 1, 2, 1]


def test_split_that_leaves_the_holder_the_minimum_is_accepted(split):
    assert split(amount="999.938964").args[3] == 1_000_000_000 - MINIMUM


def test_split_of_the_minimum_is_accepted(split):
    assert split(amount="0.061036").args[3] == MINIMUM


@pytest.mark.parametrize("amount", ["0.061035", "999.938965", "999.999999"],
                         ids=["split-off-below", "rest-below", "rest-of-one-micro-unit"])
def test_split_that_leaves_either_piece_below_the_minimum_is_refused_with_the_minimum(split, amount):
    with pytest.raises(ValidationError) as refusal:
        split(amount=amount)

    assert refusal.value.message_dict == {"amount": [
        "Both pieces of a split must be at least 0.061036 USDC, 1/16,384 of the invoice (rounded up)."
    ]}
    assert not ChainAction.objects.exists()


def test_the_minimum_is_the_invoices_not_the_pieces(piece, clerk, recipient):
    child = PieceFactory(invoice=piece.invoice, index=3, parent_index=0, holder=piece.holder, amount=100_000)

    with pytest.raises(ValidationError, match="at least 0.061036 USDC"):
        pieces.piece_split(piece=child, split_by=clerk, to_organisation_id=recipient.pk, amount="0.05")
    assert not ChainAction.objects.exists()


# Refusals: the piece and its invoice


@pytest.mark.parametrize("status", [status for status in InvoiceStatus.values if status != InvoiceStatus.CONFIRMED])
def test_only_pieces_of_a_confirmed_invoice_move(move, piece, status):
    piece.invoice.status = status
    piece.invoice.save()

    assert _refused_field(move) == "status"


@pytest.mark.parametrize("lock", [{"financed": True}, {"claimed": 1}], ids=["financed", "claimed"])
def test_locked_piece_does_not_move(move, piece, lock):
    for name, value in lock.items():
        setattr(piece, name, value)
    piece.save()

    assert _refused_field(move) == "piece"


# Refusals: the recipient


def test_recipient_must_be_known(move, recipient):
    assert _refused_field(move, to_organisation_id=recipient.pk + 1000) == "to_organisation"


def test_recipient_id_must_be_a_number(move):
    assert _refused_field(move, to_organisation_id="acme") == "to_organisation"


@pytest.mark.parametrize("role", [Role.CORE_FIRM, Role.LENDER, Role.ADMIN, Role.AUDITOR])
def test_recipient_must_be_a_supplier(move, role):
    other = RegisteredOrganisationFactory(role=role)

    assert _refused_field(move, to_organisation_id=other.pk) == "to_organisation"


def test_recipient_must_not_be_the_holder(move, piece):
    assert _refused_field(move, to_organisation_id=piece.holder_id) == "to_organisation"


@pytest.mark.parametrize(
    "fields",
    [
        {"kyc_status": KycStatus.PENDING},
        {"kyc_status": KycStatus.SUSPENDED},
        {"onchain_id": None},
        {"kyc_expires_at": timezone.now() - timedelta(days=1)},
    ],
    ids=["kyc-pending", "kyc-suspended", "not-on-chain", "kyc-lapsed"],
)
def test_recipient_must_be_active(move, fields):
    inactive = RegisteredOrganisationFactory(role=Role.SUPPLIER, **fields)

    assert _refused_field(move, to_organisation_id=inactive.pk) == "to_organisation"


# Refusals: who may move a piece


def _users_who_do_not_hold(piece):
    return {
        "buyer": UserFactory(organisation=piece.invoice.buyer),
        "other-supplier": UserFactory(organisation=RegisteredOrganisationFactory(role=Role.SUPPLIER)),
        "lender": UserFactory(organisation=RegisteredOrganisationFactory(role=Role.LENDER)),
        "no-organisation": UserFactory(organisation=None),
        "anonymous": None,
    }


@pytest.mark.parametrize("who", ["buyer", "other-supplier", "lender", "no-organisation", "anonymous"])
def test_only_a_user_of_the_holder_moves_a_piece(move, piece, who):
    with pytest.raises(PermissionDenied):
        move(user=_users_who_do_not_hold(piece)[who])
    assert not ChainAction.objects.exists()


def test_seller_cannot_move_a_piece_it_passed_on(move, piece, clerk, recipient):
    piece.holder = recipient
    piece.save()

    with pytest.raises(PermissionDenied):
        move(to_organisation_id=RegisteredOrganisationFactory(role=Role.SUPPLIER).pk)
    assert not ChainAction.objects.exists()


def test_holder_without_current_kyc_cannot_move_a_piece(move, piece):
    piece.holder.kyc_expires_at = timezone.now() - timedelta(days=1)
    piece.holder.save()

    with pytest.raises(PermissionDenied):
        move()
    assert not ChainAction.objects.exists()


# Refusals: what queued actions already cover (two tabs, two clicks)


def test_a_split_beyond_what_is_left_after_the_splits_in_flight_is_refused_with_the_amounts(split):
    first = split(amount="600")

    with pytest.raises(ValidationError) as refusal:
        split(amount="400")

    assert refusal.value.message_dict == {"amount": [
        "600.00 USDC of this piece is already being split off: a split must leave part of the 400.00 USDC left "
        "with its holder."
    ]}
    assert list(ChainAction.objects.all()) == [first]


def test_a_split_within_what_is_left_after_the_splits_in_flight_is_queued(split):
    split(amount="600")

    assert split(amount="399").args[3] == 399_000_000


def test_the_rest_after_the_splits_in_flight_must_stay_above_the_minimum(split):
    split(amount="600")

    with pytest.raises(ValidationError, match="at least 0.061036 USDC"):
        split(amount="399.99")


def test_a_split_the_indexer_has_applied_is_in_the_piece_already(split, piece):
    mined(split(amount="600"), indexed=True)
    piece.amount = 400_000_000  # what the mirror made of it
    piece.save()

    assert split(amount="300").args[3] == 300_000_000


def test_a_transfer_while_a_split_is_in_flight_is_refused(split, transfer):
    first = split(amount="600")

    with pytest.raises(ValidationError) as refusal:
        transfer()

    assert refusal.value.message_dict == {"piece": [
        "600.00 USDC of this piece is being split off: transfer the rest once the chain has done the split."
    ]}
    assert list(ChainAction.objects.all()) == [first]


def test_a_split_or_another_transfer_while_a_transfer_is_in_flight_is_refused(split, transfer):
    first = transfer()
    elsewhere = RegisteredOrganisationFactory(role=Role.SUPPLIER).pk

    for attempt in (split, lambda: transfer(to_organisation_id=elsewhere)):
        with pytest.raises(ValidationError) as refusal:
            attempt()
        assert refusal.value.message_dict == {"piece": ["This piece is already being transferred."]}
    assert list(ChainAction.objects.all()) == [first]


def test_a_move_while_a_financing_request_awaits_its_decision_is_refused(move, piece):
    FinancingRequestFactory(piece=piece, lender=RegisteredOrganisationFactory(role=Role.LENDER))

    with pytest.raises(ValidationError) as refusal:
        move()

    assert refusal.value.message_dict == {"piece": [
        "This piece is being financed: it stays where it is until the lender's decision."
    ]}
    assert not ChainAction.objects.exists()
