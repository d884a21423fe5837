"""invoices.services at the database level: what a submission stores and queues, that every refusal
names its field and stores nothing, the buyer's confirmation and dispute, and the fingerprint.
No chain: the queued ChainAction rows are the output."""

import calendar
import json
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from eth_abi import encode
from eth_utils import keccak

from chain.hashing import salted_hash
from chain.models import ActionPurpose, ChainAction
from documents.models import DocumentKind
from invoices import services
from invoices.models import Currency, Invoice, InvoiceStatus
from organisations.models import KycStatus, Organisation, Role

from chain_events import apply_event
from factories import (
    DocumentFactory,
    InvoiceFactory,
    RegisteredOrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.now().date()
ISSUED = TODAY - timedelta(days=10)
DUE = TODAY + timedelta(days=50)


def _midnight_utc(day: date) -> int:
    return calendar.timegm(day.timetuple())


@pytest.fixture
def supplier():
    return RegisteredOrganisationFactory(role=Role.SUPPLIER, legal_id="LEI-SUPPLIER")


@pytest.fixture
def buyer():
    return RegisteredOrganisationFactory(role=Role.CORE_FIRM, legal_id="LEI-BUYER")


@pytest.fixture
def clerk(supplier):
    return UserFactory(organisation=supplier)


@pytest.fixture
def documents(supplier):
    invoice_pdf = DocumentFactory(organisation=supplier)
    return [invoice_pdf, DocumentFactory(organisation=supplier, kind=DocumentKind.DELIVERY_NOTE)]


@pytest.fixture
def submit(clerk, buyer, documents):
    """invoice_submit with a valid request; keyword arguments replace its fields."""

    def submit(**fields):
        request = {
            "submitted_by": clerk,
            "buyer_id": buyer.pk,
            "number": "INV-2026-001",
            "amount": "1234.56",
            "currency": "USDC",
            "issue_date": ISSUED,
            "due_date": DUE,
            "document_ids": [document.pk for document in documents],
        }
        return services.invoice_submit(**(request | fields))

    return submit


def _assert_nothing_stored(documents) -> None:
    assert not Invoice.objects.exists()
    assert not ChainAction.objects.exists()
    for document in documents:
        document.refresh_from_db()
        assert document.invoice_id is None


def _refused_field(submit, **fields) -> str:
    with pytest.raises(ValidationError) as refusal:
        submit(**fields)
    [field] = refusal.value.message_dict
    return field


# Submission: the happy path


def test_submission_stores_the_invoice_in_micro_units_under_its_identity(submit, supplier, buyer):
    invoice = submit(number="  INV-2026-001 ")

    assert (invoice.seller, invoice.buyer, invoice.number) == (supplier, buyer, "INV-2026-001")
    assert (invoice.amount, invoice.currency) == (1_234_560_000, Currency.USDC)
    assert (invoice.issue_date, invoice.due_date, invoice.status) == (ISSUED, DUE, InvoiceStatus.SUBMITTED)
    assert invoice.canonical_number == "inv20261"
    assert invoice.invoice_key == salted_hash("invoice", "LEI-SUPPLIER", "inv20261")
    assert invoice.fingerprint == "0x" + keccak(encode(["uint32", "bytes32"], [
        supplier.onchain_id, bytes.fromhex(invoice.invoice_key[2:])])).hex()


def test_submission_binds_the_invoice_document_and_the_others_by_their_sorted_hashes(submit, documents):
    invoice = submit()

    assert {document.pk for document in invoice.documents.all()} == {document.pk for document in documents}
    invoice_pdf, delivery_note = documents
    assert invoice.document_hash == invoice_pdf.keccak
    assert invoice.supporting_documents_hash == "0x" + keccak(bytes.fromhex(delivery_note.keccak[2:])).hex()


def test_submission_queues_the_registration_signed_by_the_seller(submit, supplier, buyer):
    invoice = submit()

    [action] = ChainAction.objects.all()
    assert action.function == "registerInvoice"
    assert action.signer == supplier.chain_account
    assert (action.purpose, action.subject, action.sequence) == (ActionPurpose.INVOICE_REGISTER, invoice, 0)
    assert action.args == [
        invoice.invoice_key,
        invoice.document_hash,
        invoice.supporting_documents_hash,
        buyer.chain_account.address,
        1_234_560_000,
        Currency.USDC,
        _midnight_utc(ISSUED),
        _midnight_utc(DUE),
    ]


def test_an_invoice_without_supporting_documents_registers_a_zero_hash_for_them(submit, documents):
    submit(document_ids=[documents[0].pk])

    [action] = ChainAction.objects.all()
    assert action.args[2] == "0x" + "00" * 32


def test_submission_schedules_one_send_after_commit(submit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        submit()

    assert len(callbacks) == 1


def test_submission_that_fails_while_queueing_leaves_nothing(submit, documents, monkeypatch):
    def outbox_down(**action):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(services.submission, "actions_enqueue_new", outbox_down)

    with pytest.raises(RuntimeError):
        submit()

    _assert_nothing_stored(documents)


# Submission: refused fields


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"amount": "0"}, "amount", id="zero-amount"),
        pytest.param({"amount": "-10"}, "amount", id="negative-amount"),
        pytest.param({"amount": "twelve"}, "amount", id="non-numeric-amount"),
        pytest.param({"amount": "1.0000001"}, "amount", id="seven-decimals"),
        pytest.param({"amount": "18446744073709.551616"}, "amount", id="beyond-uint64"),
        pytest.param({"currency": "EUR"}, "currency", id="unknown-currency"),
        pytest.param({"due_date": TODAY}, "due_date", id="due-today"),
        pytest.param({"due_date": TODAY - timedelta(days=1)}, "due_date", id="due-in-the-past"),
        pytest.param({"issue_date": TODAY + timedelta(days=1)}, "issue_date", id="issued-in-the-future"),
        pytest.param({"due_date": ISSUED + timedelta(days=367)}, "due_date", id="tenor-over-a-year"),
        pytest.param({"number": ""}, "number", id="empty-number"),
        pytest.param({"number": "   "}, "number", id="blank-number"),
        pytest.param({"document_ids": []}, "documents", id="no-documents"),
    ],
)
def test_bad_field_is_named_and_nothing_is_stored(submit, documents, fields, field):
    assert _refused_field(submit, **fields) == field
    _assert_nothing_stored(documents)


def test_unknown_buyer_is_refused(submit, documents, buyer):
    assert _refused_field(submit, buyer_id=buyer.pk + 1000) == "buyer"
    _assert_nothing_stored(documents)


def test_buyer_that_is_not_a_core_firm_is_refused(submit, documents):
    lender = RegisteredOrganisationFactory(role=Role.LENDER)

    assert _refused_field(submit, buyer_id=lender.pk) == "buyer"
    _assert_nothing_stored(documents)


@pytest.mark.parametrize(
    "buyer_fields",
    [{"kyc_status": KycStatus.PENDING}, {"kyc_status": KycStatus.SUSPENDED}, {"onchain_id": None}],
    ids=["kyc-pending", "kyc-suspended", "not-on-chain-yet"],
)
def test_buyer_without_approved_kyc_and_registration_is_refused(submit, documents, buyer_fields):
    buyer = RegisteredOrganisationFactory(role=Role.CORE_FIRM, **buyer_fields)

    assert _refused_field(submit, buyer_id=buyer.pk) == "buyer"
    _assert_nothing_stored(documents)


def test_buyer_whose_kyc_has_lapsed_is_refused(submit, documents):
    lapsed = RegisteredOrganisationFactory(role=Role.CORE_FIRM, kyc_expires_at=timezone.now() - timedelta(days=1))

    assert _refused_field(submit, buyer_id=lapsed.pk) == "buyer"


def test_buyer_id_that_is_not_a_number_is_refused(submit, documents):
    assert _refused_field(submit, buyer_id="core-firm") == "buyer"


def test_documents_of_another_organisation_are_refused(submit, documents):
    foreign = DocumentFactory(organisation=RegisteredOrganisationFactory(role=Role.SUPPLIER))

    assert _refused_field(submit, document_ids=[documents[0].pk, foreign.pk]) == "documents"
    _assert_nothing_stored([*documents, foreign])


def test_unknown_document_is_refused(submit, documents):
    assert _refused_field(submit, document_ids=[documents[0].pk, documents[1].pk + 1000]) == "documents"
    _assert_nothing_stored(documents)


def test_documents_without_the_invoice_itself_are_refused(submit, documents):
    assert _refused_field(submit, document_ids=[documents[1].pk]) == "documents"
    _assert_nothing_stored(documents)


def test_document_already_attached_to_another_invoice_is_refused(submit, supplier, documents):
    earlier = InvoiceFactory(seller=supplier)
    attached = DocumentFactory(organisation=supplier, invoice=earlier)

    assert _refused_field(submit, document_ids=[documents[0].pk, attached.pk]) == "documents"
    assert list(Invoice.objects.all()) == [earlier]
    assert not ChainAction.objects.exists()
    documents[0].refresh_from_db()
    assert documents[0].invoice_id is None


def test_same_invoice_with_other_spacing_and_case_is_a_duplicate(submit, supplier):
    first = submit(number="INV-2026-001")
    again = [DocumentFactory(organisation=supplier)]

    assert _refused_field(submit, number=" inv-2026 -001 ", document_ids=[again[0].pk]) == "number"
    assert list(Invoice.objects.all()) == [first]
    assert ChainAction.objects.count() == 1
    again[0].refresh_from_db()
    assert again[0].invoice_id is None


def test_number_longer_than_the_column_is_refused(submit, documents):
    assert _refused_field(submit, number="INV-" + "9" * 80) == "number"


# Submission: who may submit


@pytest.mark.parametrize("role", [Role.CORE_FIRM, Role.LENDER, Role.ADMIN, Role.AUDITOR])
def test_user_of_an_organisation_that_is_not_a_supplier_cannot_submit(submit, documents, role):
    other = UserFactory(organisation=RegisteredOrganisationFactory(role=role))

    with pytest.raises(PermissionDenied):
        submit(submitted_by=other)
    _assert_nothing_stored(documents)


@pytest.mark.parametrize("user", ["without-organisation", "anonymous"])
def test_user_without_an_organisation_cannot_submit(submit, documents, user):
    submitted_by = UserFactory(organisation=None) if user == "without-organisation" else None

    with pytest.raises(PermissionDenied):
        submit(submitted_by=submitted_by)
    _assert_nothing_stored(documents)


@pytest.mark.parametrize(
    "seller_fields", [{"kyc_status": KycStatus.PENDING}, {"onchain_id": None}], ids=["kyc-pending", "not-on-chain-yet"]
)
def test_supplier_not_yet_approved_and_registered_cannot_submit(submit, supplier, documents, seller_fields):
    for name, value in seller_fields.items():
        setattr(supplier, name, value)
    supplier.save()

    with pytest.raises(PermissionDenied):
        submit()
    _assert_nothing_stored(documents)


def test_supplier_whose_kyc_has_lapsed_cannot_submit(submit, supplier, documents):
    supplier.kyc_expires_at = timezone.now() - timedelta(days=1)
    supplier.save()

    with pytest.raises(PermissionDenied):
        submit()


# Confirmation and dispute by the buyer


@pytest.fixture
def invoice(supplier, buyer):
    return InvoiceFactory(seller=supplier, buyer=buyer, status=InvoiceStatus.REGISTERED)


@pytest.fixture
def buyer_clerk(buyer):
    return UserFactory(organisation=buyer)


def test_buyer_confirmation_queues_confirm_invoice(invoice, buyer, buyer_clerk):
    services.invoice_confirm(invoice=invoice, confirmed_by=buyer_clerk)

    [action] = ChainAction.objects.all()
    assert (action.function, action.args) == ("confirmInvoice", [invoice.fingerprint])
    assert action.signer == buyer.chain_account
    assert (action.purpose, action.subject, action.sequence) == (ActionPurpose.INVOICE_CONFIRM, invoice, 0)


def test_confirmation_waits_for_the_chain_to_change_the_status(invoice, buyer_clerk):
    services.invoice_confirm(invoice=invoice, confirmed_by=buyer_clerk)

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.REGISTERED


def test_repeated_confirmation_queues_one_action(invoice, buyer_clerk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.invoice_confirm(invoice=invoice, confirmed_by=buyer_clerk)
        services.invoice_confirm(invoice=invoice, confirmed_by=buyer_clerk)

    assert ChainAction.objects.count() == 1
    assert len(callbacks) == 1


def _users_who_are_not_the_buyer(invoice):
    return {
        "seller": UserFactory(organisation=invoice.seller),
        "other-core-firm": UserFactory(organisation=RegisteredOrganisationFactory(role=Role.CORE_FIRM)),
        "no-organisation": UserFactory(organisation=None),
        "anonymous": None,
    }


@pytest.mark.parametrize("who", ["seller", "other-core-firm", "no-organisation", "anonymous"])
def test_only_a_user_of_the_buyer_can_confirm(invoice, who):
    user = _users_who_are_not_the_buyer(invoice)[who]

    with pytest.raises(PermissionDenied):
        services.invoice_confirm(invoice=invoice, confirmed_by=user)
    assert not ChainAction.objects.exists()


@pytest.mark.parametrize("who", ["seller", "other-core-firm", "no-organisation", "anonymous"])
def test_only_a_user_of_the_buyer_can_dispute(invoice, who):
    user = _users_who_are_not_the_buyer(invoice)[who]

    with pytest.raises(PermissionDenied):
        services.invoice_dispute(invoice=invoice, disputed_by=user, reason="Goods never arrived")
    assert not ChainAction.objects.exists()


NOT_REGISTERED = [InvoiceStatus.SUBMITTED, InvoiceStatus.CONFIRMED, InvoiceStatus.DISPUTED, InvoiceStatus.FAILED]


@pytest.mark.parametrize("status", NOT_REGISTERED)
def test_only_a_registered_invoice_can_be_confirmed(invoice, buyer_clerk, status):
    Invoice.objects.filter(pk=invoice.pk).update(status=status)

    with pytest.raises(ValidationError) as refusal:
        services.invoice_confirm(invoice=invoice, confirmed_by=buyer_clerk)
    assert list(refusal.value.message_dict) == ["status"]
    assert not ChainAction.objects.exists()


@pytest.mark.parametrize("status", NOT_REGISTERED)
def test_only_a_registered_invoice_can_be_disputed(invoice, buyer_clerk, status):
    Invoice.objects.filter(pk=invoice.pk).update(status=status)

    with pytest.raises(ValidationError) as refusal:
        services.invoice_dispute(invoice=invoice, disputed_by=buyer_clerk, reason="Wrong quantity")
    assert list(refusal.value.message_dict) == ["status"]
    assert not ChainAction.objects.exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_dispute_needs_a_reason(invoice, buyer_clerk, reason):
    with pytest.raises(ValidationError) as refusal:
        services.invoice_dispute(invoice=invoice, disputed_by=buyer_clerk, reason=reason)
    assert list(refusal.value.message_dict) == ["reason"]
    assert not ChainAction.objects.exists()


def test_dispute_queues_only_a_salted_hash_of_the_reason(invoice, buyer, buyer_clerk):
    reason = "Goods never arrived at the Rotterdam depot"

    services.invoice_dispute(invoice=invoice, disputed_by=buyer_clerk, reason=f"  {reason} ")

    [action] = ChainAction.objects.all()
    assert action.function == "disputeInvoice"
    assert action.signer == buyer.chain_account
    assert (action.purpose, action.subject, action.sequence) == (ActionPurpose.INVOICE_DISPUTE, invoice, 0)
    assert action.args == [invoice.fingerprint, salted_hash("dispute", invoice.pk, reason)]
    assert "Rotterdam" not in json.dumps(action.args)


def test_dispute_stores_the_reason_whose_hash_it_queues(invoice, buyer_clerk):
    services.invoice_dispute(invoice=invoice, disputed_by=buyer_clerk, reason="  Only 40 of the 50 pallets arrived\n")

    invoice.refresh_from_db()
    [action] = ChainAction.objects.all()
    assert invoice.dispute_reason == "Only 40 of the 50 pallets arrived"
    assert (invoice.disputed_by, invoice.disputed_at is not None) == (buyer_clerk, True)
    # The stored text, hashed as the service hashes it, is what goes on chain.
    assert salted_hash("dispute", invoice.pk, invoice.dispute_reason) == invoice.dispute_reason_hash == action.args[1]


def test_the_stored_reason_matches_the_hash_in_the_chain_event(invoice, buyer_clerk):
    services.invoice_dispute(invoice=invoice, disputed_by=buyer_clerk, reason="Invoiced twice for one delivery")
    [action] = ChainAction.objects.all()

    apply_event("InvoiceDisputed", fingerprint=action.args[0], buyer=buyer_clerk.organisation.chain_account.address,
                reasonHash=action.args[1])

    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.DISPUTED
    assert salted_hash("dispute", invoice.pk, invoice.dispute_reason) == invoice.dispute_reason_hash == action.args[1]


def test_a_replayed_dispute_keeps_the_reason_that_went_on_chain(invoice, buyer_clerk):
    services.invoice_dispute(invoice=invoice, disputed_by=buyer_clerk, reason="Wrong goods delivered")
    services.invoice_dispute(invoice=invoice, disputed_by=buyer_clerk, reason="Second thoughts, other words")

    invoice.refresh_from_db()
    [action] = ChainAction.objects.all()
    assert invoice.dispute_reason == "Wrong goods delivered"
    assert action.args[1] == invoice.dispute_reason_hash


# The buyer must itself be current to confirm or dispute


@pytest.mark.parametrize(
    "buyer_fields",
    [{"kyc_status": KycStatus.SUSPENDED}, {"kyc_expires_at": timezone.now() - timedelta(days=1)}],
    ids=["suspended", "kyc-lapsed"],
)
@pytest.mark.parametrize("decide", ["confirm", "dispute"])
def test_a_buyer_without_current_kyc_cannot_confirm_or_dispute(invoice, buyer, buyer_clerk, buyer_fields, decide):
    Organisation.objects.filter(pk=buyer.pk).update(**buyer_fields)

    with pytest.raises(PermissionDenied) as refusal:
        if decide == "confirm":
            services.invoice_confirm(invoice=invoice, confirmed_by=buyer_clerk)
        else:
            services.invoice_dispute(invoice=invoice, disputed_by=buyer_clerk, reason="Wrong goods")
    assert "no current KYC approval" in str(refusal.value)
    assert not ChainAction.objects.exists()


# Near-duplicates: accepted, flagged, confirmed only with an acknowledgement


def test_same_seller_buyer_amount_and_issue_date_under_another_number_is_flagged(submit, supplier):
    first = submit(number="INV-2026-001")
    second = submit(number="INV-2026-002", document_ids=[DocumentFactory(organisation=supplier).pk])

    assert second.possible_duplicate_of == first
    assert first.possible_duplicate_of is None


@pytest.mark.parametrize(
    "difference",
    [{"amount": "1234.57"}, {"issue_date": ISSUED - timedelta(days=1)}],
    ids=["other-amount", "other-issue-date"],
)
def test_another_amount_or_issue_date_is_not_flagged(submit, supplier, difference):
    submit(number="INV-2026-001")
    second = submit(number="INV-2026-002", document_ids=[DocumentFactory(organisation=supplier).pk], **difference)

    assert second.possible_duplicate_of is None


@pytest.fixture
def lookalike(supplier, buyer, invoice):
    return InvoiceFactory(seller=supplier, buyer=buyer, amount=invoice.amount, issue_date=invoice.issue_date,
                          possible_duplicate_of=invoice, status=InvoiceStatus.REGISTERED)


def test_confirming_a_possible_duplicate_needs_an_acknowledgement(lookalike, invoice, buyer_clerk):
    with pytest.raises(ValidationError) as refusal:
        services.invoice_confirm(invoice=lookalike, confirmed_by=buyer_clerk)

    [message] = refusal.value.message_dict["acknowledge_duplicate"]
    assert invoice.number in message and invoice.issue_date.isoformat() in message
    assert not ChainAction.objects.exists()
    lookalike.refresh_from_db()
    assert lookalike.duplicate_acknowledged_at is None


def test_the_acknowledgement_is_recorded_with_the_confirmation(lookalike, buyer_clerk):
    services.invoice_confirm(invoice=lookalike, confirmed_by=buyer_clerk, acknowledge_duplicate=True)

    lookalike.refresh_from_db()
    assert lookalike.duplicate_acknowledged_by == buyer_clerk
    assert lookalike.duplicate_acknowledged_at is not None
    assert ChainAction.objects.get().function == "confirmInvoice"


# Dates are the seller's, in its own time zone


SHANGHAI_MORNING = datetime(2026, 12, 2, 23, 30, tzinfo=dt_timezone.utc)  # 07:30 on 3 December in Shanghai


@pytest.fixture
def in_shanghai(supplier):
    supplier.time_zone = "Asia/Shanghai"
    supplier.save()


def test_an_invoice_dated_today_in_shanghai_is_accepted_before_eight_in_the_morning(submit, in_shanghai):
    with time_machine.travel(SHANGHAI_MORNING, tick=False):
        invoice = submit(issue_date=date(2026, 12, 3), due_date=date(2027, 3, 3))

    [action] = ChainAction.objects.all()
    assert invoice.issue_date == date(2026, 12, 3)
    # midnight in Shanghai, 16:00 UTC the day before: not in the future for the chain either
    assert action.args[6] == _midnight_utc(date(2026, 12, 2)) + 16 * 3600
    assert action.args[6] <= SHANGHAI_MORNING.timestamp()


def test_the_same_date_is_in_the_future_for_a_seller_in_utc(submit, documents):
    with time_machine.travel(SHANGHAI_MORNING, tick=False):
        assert _refused_field(submit, issue_date=date(2026, 12, 3), due_date=date(2027, 3, 3)) == "issue_date"
    _assert_nothing_stored(documents)
