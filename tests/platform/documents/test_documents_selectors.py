"""documents.selectors: an organisation's documents, and the invoice fields they pre-fill."""

from datetime import date
from decimal import Decimal

import pytest

import samples
from documents.selectors import document_extracted_invoice, documents_for_organisation
from documents.services import document_upload
from factories import UserFactory

pytestmark = pytest.mark.django_db


def upload(user, content: bytes):
    return document_upload(
        organisation=user.organisation, uploaded_by=user, kind="invoice", name="invoice", content=content
    )


def test_documents_for_organisation_lists_only_its_own_newest_first():
    user, other = UserFactory(), UserFactory()
    first = upload(user, samples.pdf_bytes(title="first"))
    second = upload(user, samples.pdf_bytes(title="second"))
    upload(other, samples.pdf_bytes(title="elsewhere"))
    assert list(documents_for_organisation(user.organisation)) == [second, first]


def test_extracted_invoice_comes_back_typed():
    user = UserFactory()
    document = upload(user, samples.ubl_invoice_xml(amount="10.50", issue_date=date(2026, 1, 5)))
    invoice = document_extracted_invoice(document)
    assert (invoice.amount, invoice.issue_date) == (Decimal("10.50"), date(2026, 1, 5))


def test_document_without_structured_data_has_no_extracted_invoice():
    assert document_extracted_invoice(upload(UserFactory(), samples.jpeg_bytes())) is None
