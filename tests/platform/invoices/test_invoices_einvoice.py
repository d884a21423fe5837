"""The e-invoice is the source of truth, and an invoice document backs one invoice only.

For a UBL 2.1 and a Factur-X invoice, each field the supplier submits differently from the
document is refused, naming the field and both values, with nothing stored: no invoice, no new
file, no outbox action, the document left unattached. A plain PDF is accepted as typed and marked
"not verified from an e-invoice"."""

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

import samples
from chain.models import ChainAction
from documents.models import Document, DocumentKind
from documents.services import document_upload
from invoices import services
from invoices.models import Invoice
from organisations.models import Role
from organisations.tokens import api_token_create

from factories import RegisteredOrganisationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manifest")]

TODAY = timezone.now().date()
ISSUED = TODAY - timedelta(days=10)
DUE = TODAY + timedelta(days=60)
MATCHING = {"number": "INV-2026-001", "amount": "1200.00", "currency": "EURT", "issue_date": ISSUED, "due_date": DUE}
EINVOICES = {"ubl": samples.ubl_invoice_xml, "facturx": samples.facturx_pdf}


@pytest.fixture
def supplier():
    return RegisteredOrganisationFactory(role=Role.SUPPLIER, name="Acme Supplies Ltd", legal_id="LEI-SELLER-1")


@pytest.fixture
def buyer():
    return RegisteredOrganisationFactory(role=Role.CORE_FIRM, name="Core Manufacturing plc", legal_id="LEI-BUYER-1")


@pytest.fixture
def other_buyer():
    return RegisteredOrganisationFactory(role=Role.CORE_FIRM, name="Third Party Holdings", legal_id="LEI-THIRD-9")


@pytest.fixture
def clerk(supplier):
    return UserFactory(organisation=supplier)


def _upload(organisation, content: bytes) -> Document:
    return document_upload(organisation=organisation, uploaded_by=None, kind=DocumentKind.INVOICE, name="invoice",
                           content=content)


def _stored_files() -> set[Path]:
    return {path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()}


def _submit(clerk, buyer, document, **fields):
    return services.invoice_submit(submitted_by=clerk, buyer_id=buyer.pk, document_ids=[document.pk],
                                   **(MATCHING | fields))


def _assert_nothing_stored(document, files_before) -> None:
    assert not Invoice.objects.exists()
    assert not ChainAction.objects.exists()
    document.refresh_from_db()
    assert document.invoice_id is None
    assert _stored_files() == files_before


# Each field, in each e-invoice format

WRONG_FIELDS = {
    "number": ({"number": "INV-2026-002"}, "INV-2026-001", "INV-2026-002"),
    "amount": ({"amount": "1200.01"}, "1200.00", "1200.01"),
    "currency": ({"currency": "USDC"}, "EUR", "USD"),
    "issue_date": ({"issue_date": ISSUED - timedelta(days=1)}, ISSUED.isoformat(),
                   (ISSUED - timedelta(days=1)).isoformat()),
    "due_date": ({"due_date": DUE + timedelta(days=1)}, DUE.isoformat(), (DUE + timedelta(days=1)).isoformat()),
}


@pytest.mark.parametrize("field", WRONG_FIELDS)
@pytest.mark.parametrize("fmt", EINVOICES)
def test_a_field_that_differs_from_the_einvoice_is_refused_with_both_values(clerk, supplier, buyer, fmt, field):
    document = _upload(supplier, EINVOICES[fmt]())
    files_before = _stored_files()
    submitted, in_document, in_submission = WRONG_FIELDS[field]

    with pytest.raises(ValidationError) as refusal:
        _submit(clerk, buyer, document, **submitted)

    [message] = refusal.value.message_dict[field]
    assert in_document in message and in_submission in message
    assert list(refusal.value.message_dict) == [field]
    _assert_nothing_stored(document, files_before)


@pytest.mark.parametrize("fmt", EINVOICES)
def test_another_buyer_than_the_einvoice_names_is_refused(clerk, supplier, other_buyer, fmt):
    document = _upload(supplier, EINVOICES[fmt]())
    files_before = _stored_files()

    with pytest.raises(ValidationError) as refusal:
        _submit(clerk, other_buyer, document)

    [message] = refusal.value.message_dict["buyer"]
    assert "LEI-BUYER-1" in message and "LEI-THIRD-9" in message
    _assert_nothing_stored(document, files_before)


@pytest.mark.parametrize("fmt", EINVOICES)
def test_an_einvoice_issued_by_another_seller_is_refused(clerk, supplier, buyer, fmt):
    document = _upload(supplier, EINVOICES[fmt](seller_id="LEI-SOMEONE-ELSE", seller_name="Someone Else SA"))
    files_before = _stored_files()

    with pytest.raises(ValidationError) as refusal:
        _submit(clerk, buyer, document)

    [message] = refusal.value.message_dict["seller"]
    assert "LEI-SOMEONE-ELSE" in message and "LEI-SELLER-1" in message
    _assert_nothing_stored(document, files_before)


@pytest.mark.parametrize("fmt", EINVOICES)
def test_an_einvoice_that_matches_is_accepted_and_marked_verified(clerk, supplier, buyer, fmt):
    invoice = _submit(clerk, buyer, _upload(supplier, EINVOICES[fmt]()))

    assert invoice.verified_from_einvoice


def test_registration_ids_compare_without_case_spaces_or_separators(clerk, supplier, buyer):
    document = _upload(supplier, samples.ubl_invoice_xml(seller_id="lei seller-1", buyer_id="LEI.BUYER.1"))

    assert _submit(clerk, buyer, document).verified_from_einvoice


def test_a_plain_pdf_is_accepted_as_typed_and_marked_not_verified(clerk, supplier, other_buyer):
    invoice = _submit(clerk, other_buyer, _upload(supplier, samples.pdf_bytes()), amount="9999999.99",
                      currency="USDC")

    assert not invoice.verified_from_einvoice


def test_the_reported_mismatch_names_every_field_at_once(clerk, supplier, other_buyer):
    """The finding: a 1,200.00 EUR UBL invoice of another seller to another buyer, attached to an
    invoice submitted as 9,999,999.99 USDC to a third party."""
    document = _upload(supplier, samples.ubl_invoice_xml(seller_id="LEI-SOMEONE-ELSE", number="X-77"))
    files_before = _stored_files()

    with pytest.raises(ValidationError) as refusal:
        _submit(clerk, other_buyer, document, number="INV-D-1", amount="9999999.99", currency="USDC")

    assert set(refusal.value.message_dict) == {"number", "seller", "buyer", "amount", "currency"}
    _assert_nothing_stored(document, files_before)


# The same refusals through the API (400) and the portal form (next to the field)


def test_the_api_answers_400_naming_each_field_and_both_values(clerk, supplier, other_buyer):
    document = _upload(supplier, samples.ubl_invoice_xml())
    _, key = api_token_create(created_by=clerk, name="ERP")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.post("/api/invoices/", {
        "buyer": other_buyer.pk, "number": "INV-2026-001", "amount": "9999999.99", "currency": "USDC",
        "issue_date": ISSUED.isoformat(), "due_date": DUE.isoformat(), "documents": [document.pk],
    }, format="json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)

    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"buyer", "amount", "currency"}
    assert "1200.00" in errors["amount"][0] and "9999999.99" in errors["amount"][0]
    assert not Invoice.objects.exists() and not ChainAction.objects.exists()


def test_the_portal_shows_each_difference_next_to_its_field(client, clerk, supplier, buyer):
    document = _upload(supplier, samples.facturx_pdf())
    client.force_login(clerk)

    response = client.post(reverse("portal:supplier:review", args=[document.pk]), {
        "buyer": buyer.pk, **MATCHING, "amount": "1300.00", "due_date": DUE + timedelta(days=5),
    })

    errors = response.context["form"].errors
    assert set(errors) == {"amount", "due_date"}
    assert "1200.00" in errors["amount"][0] and "1300" in errors["amount"][0]
    assert not Invoice.objects.exists() and not ChainAction.objects.exists()


# The invoice document backs one invoice only, whichever organisation uploads it


def test_the_same_invoice_document_uploaded_by_another_supplier_is_refused(clerk, supplier, buyer):
    content = samples.pdf_bytes("One invoice, two claimants")
    _submit(clerk, buyer, _upload(supplier, content), currency="USDC")
    other = UserFactory(organisation=RegisteredOrganisationFactory(role=Role.SUPPLIER))
    copy = _upload(other.organisation, content)

    with pytest.raises(ValidationError) as refusal:
        _submit(other, buyer, copy, number="OTHER-1", currency="USDC")

    [message] = refusal.value.message_dict["documents"]
    assert message == "This invoice document already backs an invoice of another organisation."
    assert Invoice.objects.count() == 1 and ChainAction.objects.count() == 1
    copy.refresh_from_db()
    assert copy.invoice_id is None


def test_only_one_invoice_document_may_back_an_invoice(clerk, supplier, buyer):
    first, second = _upload(supplier, samples.pdf_bytes("a")), _upload(supplier, samples.pdf_bytes("b"))

    with pytest.raises(ValidationError) as refusal:
        services.invoice_submit(submitted_by=clerk, buyer_id=buyer.pk, document_ids=[first.pk, second.pk],
                                **(MATCHING | {"currency": "USDC"}))

    assert list(refusal.value.message_dict) == ["documents"]
    assert not Invoice.objects.exists()
