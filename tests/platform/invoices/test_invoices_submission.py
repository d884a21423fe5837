"""invoices.services.invoices_submit: a batch is checked line by line as a single submission is,
and against its own earlier lines; the accepted lines are stored and queued together, the refused
ones leave nothing; the queries do not grow with the batch."""

import math
import time
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from chain.models import ActionPurpose, ChainAction
from documents.models import DocumentKind
from invoices import services
from invoices.models import Invoice
from invoices.services import InvoiceLine
from organisations.models import Role

from factories import DocumentFactory, InvoiceFactory, RegisteredOrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.now().date()
ISSUED = TODAY - timedelta(days=10)
DUE = TODAY + timedelta(days=50)


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
def line(supplier, buyer):
    """A valid line with a fresh invoice document of its own; keyword arguments replace its fields."""

    def line(n: int = 0, **fields) -> InvoiceLine:
        if "document_ids" not in fields:
            fields["document_ids"] = [DocumentFactory(organisation=supplier).pk]
        values = {"buyer_id": buyer.pk, "number": f"INV-{n}", "amount": "100.00", "currency": "USDC",
                  "issue_date": ISSUED, "due_date": DUE, "reference": f"item {n}"}
        return InvoiceLine(**(values | fields))

    return line


def test_valid_lines_are_stored_and_queued_and_refused_ones_leave_nothing(clerk, line):
    refused_document = DocumentFactory(organisation=clerk.organisation)
    lines = [line(0), line(1, amount="twelve", document_ids=[refused_document.pk]), line(2)]

    outcomes = services.invoices_submit(submitted_by=clerk, lines=lines)

    assert [bool(outcome.invoice) for outcome in outcomes] == [True, False, True]
    assert list(outcomes[1].errors) == ["amount"]
    assert sorted(Invoice.objects.values_list("number", flat=True)) == ["INV-0", "INV-2"]
    actions = ChainAction.objects.filter(purpose=ActionPurpose.INVOICE_REGISTER)
    assert sorted(action.subject.number for action in actions) == ["INV-0", "INV-2"]
    refused_document.refresh_from_db()
    assert refused_document.invoice_id is None
    assert outcomes[0].invoice.documents.get().pk == lines[0].document_ids[0]


def test_a_line_is_refused_with_every_field_that_is_wrong(clerk, line):
    [outcome] = services.invoices_submit(submitted_by=clerk, lines=[
        line(0, number=" ", amount="-1", currency="EUR", due_date=TODAY, buyer_id="bigco", document_ids=[]),
    ])

    assert set(outcome.errors) == {"number", "amount", "currency", "due_date", "buyer", "documents"}
    assert not Invoice.objects.exists()


def test_the_same_number_twice_in_a_batch_refuses_the_second_naming_the_first(clerk, line):
    outcomes = services.invoices_submit(submitted_by=clerk, lines=[line(1, number="INV-7"), line(2, number=" inv 7")])

    assert outcomes[0].invoice is not None
    [message] = outcomes[1].errors["number"]
    assert "INV-7 (item 1)" in message
    assert Invoice.objects.count() == 1


def test_the_same_document_twice_in_a_batch_refuses_the_second_naming_the_first(clerk, line, supplier):
    document = DocumentFactory(organisation=supplier)

    outcomes = services.invoices_submit(submitted_by=clerk, lines=[
        line(1, document_ids=[document.pk]), line(2, document_ids=[document.pk]),
    ])

    assert outcomes[0].invoice is not None
    [message] = outcomes[1].errors["documents"]
    assert "INV-1 (item 1)" in message


def test_a_twin_of_a_refused_line_is_accepted(clerk, line):
    outcomes = services.invoices_submit(submitted_by=clerk, lines=[
        line(1, number="INV-7", amount="0"), line(2, number="INV-7"),
    ])

    assert outcomes[0].errors and outcomes[1].invoice is not None


def test_an_invoice_already_on_the_platform_is_refused_in_a_batch(clerk, line, supplier):
    InvoiceFactory(seller=supplier, number="INV-9", canonical_number="inv9")

    outcomes = services.invoices_submit(submitted_by=clerk, lines=[line(9), line(10)])

    assert "already on the platform" in outcomes[0].errors["number"][0]
    assert outcomes[1].invoice is not None


def test_documents_of_another_organisation_are_refused_in_a_batch(clerk, line):
    foreign = DocumentFactory(organisation=RegisteredOrganisationFactory(role=Role.SUPPLIER))

    [outcome] = services.invoices_submit(submitted_by=clerk, lines=[line(0, document_ids=[foreign.pk])])

    assert list(outcome.errors) == ["documents"]
    foreign.refresh_from_db()
    assert foreign.invoice_id is None


def test_an_invoice_document_backing_another_organisations_invoice_says_nothing_about_it(clerk, line, supplier):
    other = InvoiceFactory(seller=RegisteredOrganisationFactory(role=Role.SUPPLIER), number="SECRET-1")
    document = DocumentFactory(organisation=supplier, keccak=other.document_hash)

    [outcome] = services.invoices_submit(submitted_by=clerk, lines=[line(0, document_ids=[document.pk])])

    [message] = outcome.errors["documents"]
    assert "another organisation" in message and "SECRET-1" not in message


def test_lookalikes_inside_a_batch_point_at_the_first(clerk, line):
    first, second = services.invoices_submit(submitted_by=clerk, lines=[line(1), line(2)])

    second.invoice.refresh_from_db()
    assert first.invoice.possible_duplicate_of_id is None
    assert second.invoice.possible_duplicate_of_id == first.invoice.pk


def test_a_lookalike_of_a_stored_invoice_points_at_the_stored_one(clerk, line, supplier, buyer):
    stored = InvoiceFactory(seller=supplier, buyer=buyer, amount=100_000_000, issue_date=ISSUED)

    [outcome] = services.invoices_submit(submitted_by=clerk, lines=[line(1)])

    assert Invoice.objects.get(pk=outcome.invoice.pk).possible_duplicate_of == stored


def test_supporting_documents_travel_with_their_invoice(clerk, line, supplier):
    note = DocumentFactory(organisation=supplier, kind=DocumentKind.DELIVERY_NOTE)
    invoice_pdf = DocumentFactory(organisation=supplier)

    [outcome] = services.invoices_submit(submitted_by=clerk, lines=[line(0, document_ids=[invoice_pdf.pk, note.pk])])

    assert set(outcome.invoice.documents.values_list("pk", flat=True)) == {invoice_pdf.pk, note.pk}
    [action] = ChainAction.objects.all()
    assert action.args[2] == outcome.invoice.supporting_documents_hash != ""


def test_all_accepted_lines_commit_together_or_not_at_all(clerk, line, monkeypatch):
    def outbox_down(**action):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(services.submission, "actions_enqueue_new", outbox_down)

    with pytest.raises(RuntimeError):
        services.invoices_submit(submitted_by=clerk, lines=[line(0), line(1)])

    assert not Invoice.objects.exists()
    assert not ChainAction.objects.exists()


def test_one_send_is_scheduled_for_the_batch_after_commit(clerk, line, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.invoices_submit(submitted_by=clerk, lines=[line(n) for n in range(5)])

    assert len(callbacks) == 1


@pytest.mark.parametrize("count", [0, services.MAX_BATCH + 1])
def test_an_empty_or_oversized_batch_is_refused_whole(clerk, line, count):
    lines = [line(n, document_ids=[1]) for n in range(count)]

    with pytest.raises(ValidationError) as refusal:
        services.invoices_submit(submitted_by=clerk, lines=lines)

    assert list(refusal.value.message_dict) == ["invoices"]


def test_a_user_of_a_core_firm_cannot_submit_a_batch(line, buyer):
    with pytest.raises(PermissionDenied):
        services.invoices_submit(submitted_by=UserFactory(organisation=buyer), lines=[line(0)])
    assert not Invoice.objects.exists()


def _statements(model, count: int) -> int:
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    return math.ceil(count / connection.ops.bulk_batch_size(fields, [None] * count))


def _queries_for(clerk, lines, django_assert_max_num_queries, limit) -> None:
    with django_assert_max_num_queries(limit):
        outcomes = services.invoices_submit(submitted_by=clerk, lines=lines)
    assert all(outcome.invoice for outcome in outcomes)


@pytest.mark.parametrize("count", [2, 200])
def test_the_queries_do_not_grow_with_the_batch(clerk, line, count, django_assert_max_num_queries):
    lines = [line(n) for n in range(count)]
    # SQLite takes at most 999 parameters a statement, so Django splits the inserts of invoices and
    # actions into several; PostgreSQL takes each whole.
    split = sum(_statements(model, count) - 1 for model in (Invoice, ChainAction))

    _queries_for(clerk, lines, django_assert_max_num_queries, 16 + split)


def test_five_hundred_invoices_are_accepted_in_seconds(clerk, line, capsys):
    lines = [line(n, amount=f"{100 + n}.00") for n in range(services.MAX_BATCH)]

    started = time.perf_counter()
    outcomes = services.invoices_submit(submitted_by=clerk, lines=lines)
    elapsed = time.perf_counter() - started

    assert all(outcome.invoice for outcome in outcomes)
    with capsys.disabled():
        print(f"\ninvoices_submit: {len(lines)} invoices in {elapsed:.2f} s on {connection.vendor}")
    assert elapsed < 10


def test_a_twin_stored_concurrently_after_the_checks_refuses_its_line_only(clerk, line, supplier, monkeypatch):
    """Another request stores INV-1 between this batch's checks and its insert: the unique index
    stops the insert, the batch is checked again and stored without that line."""
    checks = services.submission._check_against_stored

    def twin_arrives_after_the_first_check(seller, candidates):
        accepted = checks(seller, candidates)
        if not Invoice.objects.filter(number="INV-1").exists():
            InvoiceFactory(seller=supplier, number="INV-1", canonical_number="inv1")
        return accepted

    monkeypatch.setattr(services.submission, "_check_against_stored", twin_arrives_after_the_first_check)

    first, second = services.invoices_submit(submitted_by=clerk, lines=[line(1), line(2)])

    assert first.invoice is None and "already on the platform" in first.errors["number"][0]
    assert second.invoice is not None
    assert ChainAction.objects.get().subject == second.invoice
