"""documents.admin: documents can be looked at, never added, edited or deleted there."""

import pytest
from django.urls import reverse

import samples
from documents.services import document_upload
from factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def document():
    user = UserFactory()
    return document_upload(
        organisation=user.organisation, uploaded_by=user, kind="invoice", name="invoice.xml",
        content=samples.ubl_invoice_xml(),
    )


def test_list_and_detail_pages_show_the_document(admin_client, document):
    assert document.original_name in admin_client.get(reverse("admin:documents_document_changelist")).text
    detail = admin_client.get(reverse("admin:documents_document_change", args=[document.pk]))
    assert detail.status_code == 200
    assert document.keccak in detail.text


def test_no_document_is_added_or_deleted_in_the_admin(admin_client, document):
    assert admin_client.get(reverse("admin:documents_document_add")).status_code == 403
    assert admin_client.get(reverse("admin:documents_document_delete", args=[document.pk])).status_code == 403
