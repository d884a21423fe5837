"""financing.requests at the database level: the request row and the requestFinancing action it
queues for the holder, bound to the quote (payout and deadline); every refusal, a moved price
among them, leaving neither behind; and one open request per piece. No chain: the contract's
quotes come from its decision in Python (contract_quotes.py), and the rows are the output."""

from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from chain.models import ActionPurpose, ChainAction
from financing.models import FinancingRequest, FinancingStatus
from financing.quotes import piece_quote
from financing.services import financing_request
from invoices.models import InvoiceStatus
from organisations.models import KycStatus, Role

from factories import (
    ChainActionFactory,
    FinancingRequestFactory,
    InvoiceFactory,
    PieceFactory,
    ProgrammeFactory,
    RegisteredOrganisationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manifest")]

NOW = datetime(2026, 12, 2, 9, 30, 15, 250_000, tzinfo=dt_timezone.utc)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def piece():
    """The whole of a confirmed invoice of 1,000.00 due in 50 days, held by its seller rated 7."""
    seller = RegisteredOrganisationFactory(role=Role.SUPPLIER, rated=True)
    return PieceFactory(invoice=InvoiceFactory(seller=seller, status=InvoiceStatus.CONFIRMED))


@pytest.fixture
def clerk(piece):
    return UserFactory(organisation=piece.holder)


@pytest.fixture
def programme(piece):
    return ProgrammeFactory(core_firm=piece.invoice.buyer)


@pytest.fixture
def lender(programme):
    return programme.lender


@pytest.fixture
def quoted(piece, lender) -> int:
    """The payout the lender's programme quotes the piece now."""
    return piece_quote(piece=piece, lender=lender).payout


@pytest.fixture
def request_financing(piece, clerk, lender):
    def request_financing(**fields):
        request = {"piece": piece, "requested_by": clerk, "lender_id": lender.pk, "min_payout": None}
        return financing_request(**(request | fields))

    return request_financing


def _assert_nothing_stored() -> None:
    assert not FinancingRequest.objects.exists()
    assert not ChainAction.objects.exists()


def _refused_field(**fields) -> str:
    request_financing = fields.pop("service")
    with pytest.raises(ValidationError) as refusal:
        request_financing(**fields)
    [field] = refusal.value.message_dict
    _assert_nothing_stored()
    return field


DEADLINE = int(NOW.timestamp()) + 3600  # FINANCING_QUOTE_VALIDITY_SECONDS after NOW, in whole seconds


def test_request_is_stored_as_requested_with_its_quote(request_financing, piece, lender, quoted):
    request = request_financing()

    assert (request.piece, request.holder, request.lender) == (piece, piece.holder, lender)
    assert request.status == FinancingStatus.REQUESTED
    assert request.advance is None and request.decided_at is None
    assert request.quoted_payout == quoted
    assert int(request.deadline.timestamp()) == DEADLINE


def test_request_queues_request_financing_bound_to_the_quote(request_financing, piece, lender, quoted):
    request = request_financing()

    [action] = ChainAction.objects.all()
    assert action.function == "requestFinancing"
    assert action.signer == piece.holder.chain_account
    # requestFinancing(fingerprint, piece, lender, minPayout, deadline)
    assert action.args == [piece.invoice.fingerprint, 0, lender.chain_account.address, quoted, DEADLINE]
    assert (action.purpose, action.subject, action.sequence) == (ActionPurpose.FINANCING_REQUEST, request, 0)


def test_the_payout_the_holder_saw_is_the_bound(request_financing, quoted):
    request = request_financing(min_payout=quoted - 1_000)

    assert request.quoted_payout == quoted - 1_000
    assert ChainAction.objects.get().args[3] == quoted - 1_000


def test_a_quote_that_pays_exactly_what_the_holder_saw_is_requested(request_financing, quoted):
    request_financing(min_payout=str(quoted))

    assert ChainAction.objects.get().args[3] == quoted


def test_the_deadline_is_the_quote_validity_from_now(request_financing, settings):
    settings.FINANCING_QUOTE_VALIDITY_SECONDS = 600

    request = request_financing()

    assert ChainAction.objects.get().args[4] == int(NOW.timestamp()) + 600 == int(request.deadline.timestamp())


def test_request_for_a_later_piece_names_its_index(piece, lender):
    holder = RegisteredOrganisationFactory(role=Role.SUPPLIER, rated=True)
    child = PieceFactory(invoice=piece.invoice, index=2, parent_index=0, holder=holder, amount=300_000_000)

    financing_request(piece=child, requested_by=UserFactory(organisation=holder), lender_id=str(lender.pk),
                      min_payout=None)

    [action] = ChainAction.objects.all()
    assert action.args[:3] == [piece.invoice.fingerprint, 2, lender.chain_account.address]
    assert action.signer == holder.chain_account


def test_request_schedules_one_send_after_commit(request_financing, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        request_financing()

    assert len(callbacks) == 1


# One open request per piece, and none while it is being moved


def test_replayed_request_is_refused_while_the_first_awaits_its_decision(request_financing):
    first = request_financing()

    with pytest.raises(ValidationError) as refusal:
        request_financing()
    assert list(refusal.value.message_dict) == ["lender"]
    assert list(FinancingRequest.objects.all()) == [first]
    assert ChainAction.objects.count() == 1


@pytest.mark.parametrize("status", [FinancingStatus.REJECTED, FinancingStatus.FAILED])
def test_piece_can_be_requested_again_after_a_rejection(request_financing, piece, lender, status):
    FinancingRequestFactory(piece=piece, lender=lender, status=status)

    request = request_financing()

    action = ChainAction.objects.get()
    assert (action.purpose, action.subject, action.sequence) == (ActionPurpose.FINANCING_REQUEST, request, 0)


def test_an_open_request_to_another_lender_blocks_too(request_financing, piece):
    other = FinancingRequestFactory(piece=piece, lender=ProgrammeFactory(core_firm=piece.invoice.buyer).lender)

    with pytest.raises(ValidationError) as refusal:
        request_financing()

    assert refusal.value.message_dict == {"piece": [
        f"This piece is already being financed: it awaits the decision of {other.lender.name}."
    ]}
    assert list(FinancingRequest.objects.all()) == [other]


@pytest.mark.parametrize("function", ["splitPiece", "transferPiece"])
def test_a_piece_being_moved_is_not_financed(request_financing, piece, function):
    purpose = ActionPurpose.PIECE_SPLIT if function == "splitPiece" else ActionPurpose.PIECE_TRANSFER
    args = [piece.invoice.fingerprint, 0, "0x" + "ab" * 20] + ([100_000_000] if function == "splitPiece" else [])
    ChainActionFactory(purpose=purpose, subject=piece, signer=piece.holder.chain_account, function=function, args=args)

    with pytest.raises(ValidationError) as refusal:
        request_financing()

    assert refusal.value.message_dict == {"piece": [
        "This piece is being split or transferred: ask for financing once the chain has done it."
    ]}
    assert not FinancingRequest.objects.exists()


# Refusals: the price


def test_a_quote_that_pays_less_than_the_holder_saw_is_refused(request_financing, lender, quoted):
    with pytest.raises(ValidationError) as refusal:
        request_financing(min_payout=quoted + 1)

    # 800.00 advanced at 5.75% a year (rated 7) for 50 days: 6.301369 of discount
    assert quoted == 793_698_631
    [sentence] = refusal.value.message_dict["min_payout"]
    assert sentence == (
        f"The terms changed since your quote: {lender.name} would now pay 793.698631 USDC, less than the "
        "793.698632 USDC you were quoted. Nothing was requested; look at the new quote and ask again."
    )
    _assert_nothing_stored()


def test_terms_raised_after_the_quote_are_refused(request_financing, programme, quoted):
    programme.base_rate_bps = 900
    programme.save()

    with pytest.raises(ValidationError) as refusal:
        request_financing(min_payout=quoted)

    assert list(refusal.value.message_dict) == ["min_payout"]
    _assert_nothing_stored()


def _chain_silent(monkeypatch) -> None:
    from chain import quotes

    def silent(**_asked):
        raise quotes.ChainSilent("ConnectionError: refused")

    monkeypatch.setattr(quotes, "financing_quotes", silent)


def test_a_silent_chain_still_takes_the_request_bound_to_the_payout_the_holder_saw(
    request_financing, monkeypatch, quoted
):
    """The contract checks the bound itself when it runs the request: nothing can move below it."""
    _chain_silent(monkeypatch)

    request = request_financing(min_payout=quoted)

    assert request.quoted_payout == quoted and ChainAction.objects.get().args[3] == quoted


def test_a_silent_chain_refuses_a_request_that_brings_no_bound(request_financing, monkeypatch):
    _chain_silent(monkeypatch)

    with pytest.raises(ValidationError) as refusal:
        request_financing()

    assert refusal.value.message_dict["lender"] == [
        "The chain does not answer just now, so no lender can quote: try again in a minute."
    ]
    _assert_nothing_stored()


def test_a_lender_that_would_reject_the_request_is_refused_with_its_reason(request_financing, piece, programme):
    programme.min_rating = 8
    programme.save()

    with pytest.raises(ValidationError) as refusal:
        request_financing()

    assert refusal.value.message_dict["lender"] == [
        f"{programme.lender.name} would reject this request now: "
        "The supplier's rating is below the minimum the lender accepts."
    ]
    _assert_nothing_stored()


def test_a_lender_without_a_programme_for_the_buyer_is_refused(request_financing):
    other = RegisteredOrganisationFactory(role=Role.LENDER)

    with pytest.raises(ValidationError) as refusal:
        request_financing(lender_id=other.pk)

    assert "no open programme" in refusal.value.message_dict["lender"][0]
    _assert_nothing_stored()


@pytest.mark.parametrize("min_payout", [0, -5, "lots", 1.5, True, 2**64], ids=str)
def test_min_payout_is_a_whole_number_of_micro_units(request_financing, min_payout):
    assert _refused_field(service=request_financing, min_payout=min_payout) == "min_payout"


# Refusals: the piece and the parties


@pytest.mark.parametrize("status", [status for status in InvoiceStatus.values if status != InvoiceStatus.CONFIRMED])
def test_only_pieces_of_a_confirmed_invoice_can_be_financed(request_financing, piece, status):
    piece.invoice.status = status
    piece.invoice.save()

    assert _refused_field(service=request_financing) == "status"


def test_financed_piece_is_refused(request_financing, piece):
    piece.financed = True
    piece.save()

    assert _refused_field(service=request_financing) == "piece"


def test_unknown_lender_is_refused(request_financing, lender):
    assert _refused_field(service=request_financing, lender_id=lender.pk + 1000) == "lender"


def test_lender_id_must_be_a_number(request_financing):
    assert _refused_field(service=request_financing, lender_id="bank") == "lender"


@pytest.mark.parametrize("role", [Role.SUPPLIER, Role.CORE_FIRM, Role.ADMIN, Role.AUDITOR])
def test_lender_must_be_a_lender(request_financing, role):
    other = RegisteredOrganisationFactory(role=role)

    assert _refused_field(service=request_financing, lender_id=other.pk) == "lender"


@pytest.mark.parametrize(
    "fields",
    [
        {"kyc_status": KycStatus.PENDING},
        {"kyc_status": KycStatus.REJECTED},
        {"onchain_id": None},
        {"kyc_expires_at": timezone.now() - timedelta(days=1)},
    ],
    ids=["kyc-pending", "kyc-rejected", "not-on-chain", "kyc-lapsed"],
)
def test_inactive_lender_is_refused(request_financing, fields):
    inactive = RegisteredOrganisationFactory(role=Role.LENDER, **fields)

    assert _refused_field(service=request_financing, lender_id=inactive.pk) == "lender"


@pytest.mark.parametrize("who", ["buyer", "other-supplier", "lender", "no-organisation", "anonymous"])
def test_only_a_user_of_the_holder_can_request(request_financing, piece, lender, who):
    user = {
        "buyer": lambda: UserFactory(organisation=piece.invoice.buyer),
        "other-supplier": lambda: UserFactory(organisation=RegisteredOrganisationFactory(role=Role.SUPPLIER)),
        "lender": lambda: UserFactory(organisation=lender),
        "no-organisation": lambda: UserFactory(organisation=None),
        "anonymous": lambda: None,
    }[who]()

    with pytest.raises(PermissionDenied):
        request_financing(requested_by=user)
    _assert_nothing_stored()


def test_holder_without_current_kyc_cannot_request(request_financing, piece):
    piece.holder.kyc_status = KycStatus.SUSPENDED
    piece.holder.save()

    with pytest.raises(PermissionDenied):
        request_financing()
    _assert_nothing_stored()
