"""financing.requests at the database level: the request row and the requestFinancing action it
queues for the holder, every refusal leaving neither behind, and one open request per piece and
lender. No chain: the rows are the output."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from chain.models import ChainAction
from financing.models import FinancingRequest, FinancingStatus
from financing.requests import financing_request
from invoices.models import InvoiceStatus
from organisations.models import KycStatus, Role

from factories import (
    FinancingRequestFactory,
    InvoiceFactory,
    PieceFactory,
    RegisteredOrganisationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manifest")]


@pytest.fixture
def piece():
    return PieceFactory(invoice=InvoiceFactory(status=InvoiceStatus.CONFIRMED))


@pytest.fixture
def clerk(piece):
    return UserFactory(organisation=piece.holder)


@pytest.fixture
def lender():
    return RegisteredOrganisationFactory(role=Role.LENDER)


@pytest.fixture
def request_financing(piece, clerk, lender):
    def request_financing(**fields):
        return financing_request(**({"piece": piece, "requested_by": clerk, "lender_id": lender.pk} | fields))

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


def test_request_is_stored_as_requested(request_financing, piece, lender):
    request = request_financing()

    assert (request.piece, request.holder, request.lender) == (piece, piece.holder, lender)
    assert request.status == FinancingStatus.REQUESTED
    assert request.advance is None and request.decided_at is None


def test_request_queues_request_financing_signed_by_the_holder(request_financing, piece, lender):
    request = request_financing()

    [action] = ChainAction.objects.all()
    assert action.function == "requestFinancing"
    assert action.signer == piece.holder.chain_account
    assert action.args == [piece.invoice.fingerprint, 0, lender.chain_account.address]
    assert action.idempotency_key == f"financing-request:{request.pk}"


def test_request_for_a_later_piece_names_its_index(piece, lender):
    holder = RegisteredOrganisationFactory(role=Role.SUPPLIER)
    child = PieceFactory(invoice=piece.invoice, index=2, parent_index=0, holder=holder, amount=300_000_000)

    financing_request(piece=child, requested_by=UserFactory(organisation=holder), lender_id=str(lender.pk))

    [action] = ChainAction.objects.all()
    assert action.args == [piece.invoice.fingerprint, 2, lender.chain_account.address]
    assert action.signer == holder.chain_account


def test_request_schedules_one_send_after_commit(request_financing, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        request_financing()

    assert len(callbacks) == 1


# One open request per piece and lender


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

    assert ChainAction.objects.get().idempotency_key == f"financing-request:{request.pk}"


def test_an_open_request_to_another_lender_does_not_block(request_financing, piece):
    FinancingRequestFactory(piece=piece)

    request_financing()

    assert FinancingRequest.objects.count() == 2


# Refusals


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
