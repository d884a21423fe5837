"""An upload of several files stores all of them or none: every file is checked (format, fields,
size) before any is written, and a failure while storing deletes the files already written. Nothing
is left on disk without a row, however often a refused upload is retried."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction
from django.db.models import Model
from django.urls import reverse
from rest_framework.test import APIClient

import samples
from documents.models import Document, DocumentKind
from documents.services import DocumentFile, documents_upload
from organisations.models import Role
from organisations.tokens import api_token_create

from factories import RegisteredOrganisationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manifest")]

EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


@pytest.fixture
def clerk():
    return UserFactory(organisation=RegisteredOrganisationFactory(role=Role.SUPPLIER))


def stored_files(settings) -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def _post_ubl_and_executable(client):
    return client.post(reverse("portal:supplier:upload"), {
        "invoice": SimpleUploadedFile("invoice.xml", samples.ubl_invoice_xml()),
        "purchase_order": SimpleUploadedFile("po.pdf", EXECUTABLE),
    })


def test_a_valid_invoice_with_an_executable_as_purchase_order_stores_nothing(client, clerk, settings):
    client.force_login(clerk)

    response = _post_ubl_and_executable(client)

    assert list(response.context["form"].errors) == ["purchase_order"]
    assert "a Windows executable" in response.context["form"].errors["purchase_order"][0]
    assert not Document.objects.exists()
    assert stored_files(settings) == []


def test_retrying_the_refused_upload_still_stores_nothing(client, clerk, settings):
    client.force_login(clerk)

    for _ in range(3):
        _post_ubl_and_executable(client)

    assert not Document.objects.exists()
    assert stored_files(settings) == []


def test_after_the_refusal_the_corrected_upload_is_stored(client, clerk, settings):
    client.force_login(clerk)
    _post_ubl_and_executable(client)

    response = client.post(reverse("portal:supplier:upload"), {
        "invoice": SimpleUploadedFile("invoice.xml", samples.ubl_invoice_xml()),
        "purchase_order": SimpleUploadedFile("po.pdf", samples.pdf_bytes("Purchase order")),
    })

    assert response.status_code == 302
    assert Document.objects.count() == 2
    assert len(stored_files(settings)) == 2


def test_a_failing_row_insert_deletes_the_files_already_written(clerk, settings, monkeypatch):
    save = Model.save

    def fail_on_the_second_row(document, *args, **kwargs):
        if document.kind == DocumentKind.PURCHASE_ORDER:
            raise DatabaseError("disk full")
        return save(document, *args, **kwargs)

    monkeypatch.setattr(Document, "save", fail_on_the_second_row)

    with pytest.raises(DatabaseError):
        documents_upload(organisation=clerk.organisation, uploaded_by=clerk, files={
            "invoice": DocumentFile(kind=DocumentKind.INVOICE, name="i.xml", content=samples.ubl_invoice_xml()),
            "purchase_order": DocumentFile(kind=DocumentKind.PURCHASE_ORDER, name="po.pdf",
                                           content=samples.pdf_bytes("PO")),
        })

    assert not Document.objects.exists()
    assert stored_files(settings) == []


def test_the_same_file_twice_in_one_upload_is_refused_before_anything_is_written(clerk, settings):
    content = samples.pdf_bytes("Delivery note")

    with pytest.raises(ValidationError) as caught:
        documents_upload(organisation=clerk.organisation, uploaded_by=clerk, files={
            "invoice": DocumentFile(kind=DocumentKind.INVOICE, name="i.xml", content=samples.ubl_invoice_xml()),
            "purchase_order": DocumentFile(kind=DocumentKind.PURCHASE_ORDER, name="po.pdf", content=content),
            "delivery_note": DocumentFile(kind=DocumentKind.DELIVERY_NOTE, name="dn.pdf", content=content),
        })

    assert list(caught.value.message_dict) == ["delivery_note"]
    assert not Document.objects.exists()
    assert stored_files(settings) == []


def test_an_upload_inside_a_callers_transaction_is_refused_and_leaves_no_file(clerk, settings):
    # A caller's rollback would leave the written files without rows: the upload's own transaction
    # is durable, so Django refuses to nest it.
    with pytest.raises(RuntimeError), transaction.atomic():
        documents_upload(organisation=clerk.organisation, uploaded_by=clerk, files={
            "invoice": DocumentFile(kind=DocumentKind.INVOICE, name="i.xml", content=samples.ubl_invoice_xml()),
        })

    assert not Document.objects.exists()
    assert stored_files(settings) == []


def test_a_refused_api_upload_leaves_no_file(clerk, settings):
    _, key = api_token_create(created_by=clerk, name="ERP")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = api.post("/api/documents/", {"kind": "purchase_order", "file": SimpleUploadedFile("po.pdf", EXECUTABLE)},
                        format="multipart")

    assert response.status_code == 400
    assert "a Windows executable" in str(response.json())
    assert not Document.objects.exists()
    assert stored_files(settings) == []


def test_an_api_upload_whose_row_fails_leaves_no_file(clerk, settings, monkeypatch):
    _, key = api_token_create(created_by=clerk, name="ERP")
    api = APIClient(raise_request_exception=False)
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    monkeypatch.setattr(Document, "save", lambda *args, **kwargs: (_ for _ in ()).throw(DatabaseError("disk full")))

    response = api.post("/api/documents/", {"kind": "invoice", "file": SimpleUploadedFile("i.pdf", samples.pdf_bytes())},
                        format="multipart")

    assert response.status_code == 500
    assert stored_files(settings) == []
