"""Uploads are held to DOCUMENT_MAX_BYTES without being read whole: a file whose size is over the
limit is refused before a byte of it is read, a file that turns out larger than it said is read
no further than one byte past the limit, and the request settings cap what Django buffers."""

import io

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.utils import FileProxyMixin
from django.test.client import BOUNDARY, encode_multipart
from django.urls import reverse
from rest_framework.test import APIClient

import samples
from config.settings import base as base_settings
from documents.models import Document, DocumentKind
from documents.services import document_upload
from organisations.models import Role
from organisations.tokens import api_token_create
from portal.supplier.forms import UploadForm

from factories import RegisteredOrganisationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manifest")]

LIMIT = 1000


class ReadOnlyUpToLimit(File):
    """A file that fails the test when it is read past `readable` bytes, or whole (read())."""

    def __init__(self, content: bytes, *, readable: int, size: int | None = None):
        super().__init__(io.BytesIO(content), name="big.pdf")
        self.readable = readable
        self.size = len(content) if size is None else size
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        assert size is not None and size >= 0, "the upload was read whole"
        chunk = self.file.read(size)
        self.bytes_read += len(chunk)
        assert self.bytes_read <= self.readable, f"read {self.bytes_read} bytes of an upload over the limit"
        return chunk

    def chunks(self, chunk_size=None):
        while chunk := self.read(chunk_size or 64 * 1024):
            yield chunk


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.DOCUMENT_MAX_BYTES = LIMIT


@pytest.fixture
def clerk():
    return UserFactory(organisation=RegisteredOrganisationFactory(role=Role.SUPPLIER))


def _multipart(fields: dict) -> dict:
    """A request body encoded up front, so that the files can be made unreadable before it is sent."""
    return {"data": encode_multipart(BOUNDARY, fields), "content_type": f"multipart/form-data; boundary={BOUNDARY}"}


def _make_uploads_unreadable(monkeypatch):
    """Every Django file refuses to be read: a refusal must come from its size alone."""

    def refuse(self):
        raise AssertionError("the upload was read before its size was checked")

    monkeypatch.setattr(FileProxyMixin, "read", property(refuse))


def _refusal(clerk, content) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        document_upload(organisation=clerk.organisation, uploaded_by=clerk, kind=DocumentKind.INVOICE,
                        name="big.pdf", content=content)
    return caught.value.message_dict


def test_a_file_whose_size_is_over_the_limit_is_refused_before_it_is_read(clerk):
    big = ReadOnlyUpToLimit(b"%PDF-" + b"\x00" * 5000, readable=0)

    assert _refusal(clerk, big) == {"file": ["File is 4.9 KB; the limit is 1000 bytes."]}
    assert big.bytes_read == 0
    assert not Document.objects.exists()


def test_a_file_larger_than_its_stated_size_is_read_no_further_than_the_limit(clerk):
    liar = ReadOnlyUpToLimit(b"%PDF-" + b"\x00" * 5000, readable=LIMIT + 1, size=10)

    assert _refusal(clerk, liar) == {"file": ["File is 1001 bytes; the limit is 1000 bytes."]}
    assert not Document.objects.exists()


def test_a_file_within_the_limit_is_read_in_chunks_and_stored(clerk, settings):
    content = samples.pdf_bytes()
    settings.DOCUMENT_MAX_BYTES = len(content)
    upload = ReadOnlyUpToLimit(content, readable=len(content))

    document = document_upload(organisation=clerk.organisation, uploaded_by=clerk, kind=DocumentKind.INVOICE,
                               name="invoice.pdf", content=upload)

    assert document.size == len(content)
    assert document.file.read() == content


def test_the_portal_refuses_an_oversize_invoice_by_its_size_alone(client, clerk, monkeypatch):
    client.force_login(clerk)
    body = _multipart({"invoice": SimpleUploadedFile("big.pdf", b"%PDF-" + b"\x00" * 5000)})
    _make_uploads_unreadable(monkeypatch)

    response = client.post(reverse("portal:supplier:upload"), **body)

    assert response.status_code == 200
    assert response.context["form"].errors["invoice"] == ["File is 4.9 KB; the limit is 1000 bytes."]
    assert not Document.objects.exists()


def test_the_api_refuses_an_oversize_document_by_its_size_alone(clerk, monkeypatch):
    _, key = api_token_create(created_by=clerk, name="ERP")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    body = _multipart({"kind": "invoice", "file": SimpleUploadedFile("big.pdf", b"\x00" * 5000)})
    _make_uploads_unreadable(monkeypatch)

    response = api.post("/api/documents/", **body)

    assert response.status_code == 400
    assert "File is 4.9 KB; the limit is 1000 bytes." in str(response.json())
    assert not Document.objects.exists()


def test_request_buffers_are_capped_consistently_with_the_document_limit():
    limit = base_settings.DOCUMENT_MAX_BYTES  # the deployment's, not this module's small one
    assert django_settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= limit
    assert django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= limit
    assert django_settings.DATA_UPLOAD_MAX_NUMBER_FILES == len(UploadForm.KINDS)


def test_a_request_with_more_files_than_an_upload_takes_is_refused(client, clerk):
    client.force_login(clerk)
    files = {f"extra{n}": SimpleUploadedFile(f"{n}.pdf", b"%PDF-") for n in range(len(UploadForm.KINDS) + 1)}

    response = client.post(reverse("portal:supplier:upload"), files)

    assert response.status_code == 400
    assert not Document.objects.exists()
