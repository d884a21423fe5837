"""documents.services: uploads are checked, hashed and stored all or nothing; bundles hash the
same whatever the order."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import DatabaseError
from eth_utils import keccak

import samples
from documents.models import Document, DocumentFormat, DocumentKind
from documents.services import document_bundle_hash, document_upload
from factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory()


def upload(user, content: bytes, name: str = "invoice.pdf", kind: str = DocumentKind.INVOICE) -> Document:
    return document_upload(organisation=user.organisation, uploaded_by=user, kind=kind, name=name, content=content)


def stored_files(settings) -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def refusal(user, content: bytes, **kwargs) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        upload(user, content, **kwargs)
    return {field: messages[0] for field, messages in caught.value.message_dict.items()}


def zip_bytes() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("invoice.xml", samples.ubl_invoice_xml())
    return archive.getvalue()


@pytest.mark.parametrize(
    ("make", "fmt"),
    [
        (samples.pdf_bytes, DocumentFormat.PDF),
        (samples.png_bytes, DocumentFormat.PNG),
        (samples.jpeg_bytes, DocumentFormat.JPEG),
        (samples.ubl_invoice_xml, DocumentFormat.UBL),
        (samples.facturx_pdf, DocumentFormat.FACTURX),
    ],
)
def test_each_format_is_stored_byte_for_byte(user, settings, make, fmt):
    content = make()
    document = upload(user, content)
    document.refresh_from_db()
    assert document.format == fmt
    assert document.size == len(content)
    assert document.uploaded_by == user
    assert document.organisation == user.organisation
    with document.file.open("rb") as stored:
        assert stored.read() == content
    assert stored_files(settings) == [Path(settings.MEDIA_ROOT) / document.file.name]


def test_storage_backend_comes_from_settings(user, settings):
    # Production switches to S3 the same way (DOCUMENT_STORAGE=s3 sets STORAGES["default"]).
    settings.STORAGES = settings.STORAGES | {"default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    content = samples.jpeg_bytes()
    document = upload(user, content)
    with document.file.open("rb") as stored:
        assert stored.read() == content
    assert stored_files(settings) == []


def test_keccak_is_that_of_the_exact_bytes(user):
    content = samples.pdf_bytes()
    assert upload(user, content).keccak == "0x" + keccak(content).hex()


def test_stored_path_comes_from_the_hash_never_the_uploaders_name(user):
    document = upload(user, samples.png_bytes(), name="../../etc/evil name.pdf")
    digest = document.keccak[2:]
    assert document.file.name == f"documents/{user.organisation_id}/{digest[:2]}/{digest}.png"


def test_uploaders_name_is_kept_for_display_without_its_folders(user):
    assert upload(user, samples.pdf_bytes(), name="C:\\Users\\ana\\invoice 42.pdf").original_name == "invoice 42.pdf"


def test_png_named_pdf_is_stored_as_png(user):
    assert upload(user, samples.png_bytes(), name="invoice.pdf").format == DocumentFormat.PNG


def test_ubl_fields_are_kept_as_strings(user):
    content = samples.ubl_invoice_xml(number="INV-9", amount="250.10", issue_date="2026-01-02", due_date="2026-02-01")
    extracted = upload(user, content, name="invoice.xml").extracted
    assert extracted == {
        "number": "INV-9",
        "seller_name": "Acme Supplies Ltd",
        "seller_id": "LEI-SELLER-1",
        "buyer_name": "Core Manufacturing plc",
        "buyer_id": "LEI-BUYER-1",
        "amount": "250.10",
        "currency": "EUR",
        "issue_date": "2026-01-02",
        "due_date": "2026-02-01",
    }


def test_facturx_fields_are_kept(user):
    extracted = upload(user, samples.facturx_pdf(number="FX-1", amount="99.99")).extracted
    assert (extracted["number"], extracted["amount"]) == ("FX-1", "99.99")


def test_plain_pdf_has_no_extracted_fields(user):
    assert upload(user, samples.pdf_bytes()).extracted == {}


def html_named_pdf() -> bytes:
    return b"<!DOCTYPE html><html><body>pay here</body></html>"


def ubl_without_amount() -> bytes:
    return samples.ubl_invoice_xml().replace(b"<cbc:PayableAmount", b"<cbc:PrepaidAmount").replace(
        b"</cbc:PayableAmount>", b"</cbc:PrepaidAmount>"
    )


@pytest.mark.parametrize(
    ("make", "field", "words"),
    [
        (lambda: b"just some text", "file", "content starts with"),
        (zip_bytes, "file", "ZIP archive"),
        (lambda: b"MZ\x90\x00" + b"\x00" * 60, "file", "Windows executable"),
        (html_named_pdf, "file", "HTML page"),
        (lambda: samples.pdf_bytes()[:200], "file", "starts like a PDF"),
        (lambda: samples.png_bytes()[:70], "file", "starts like a PNG"),
        (lambda: b"<Invoice><unclosed></Invoice>", "file", "not well-formed"),
        (samples.billion_laughs_xml, "file", "entity-expansion"),
        (samples.xxe_xml, "file", "external-entity"),
        (lambda: samples.pdf_with_attachment("factur-x.xml", samples.billion_laughs_xml()), "file", "embedded"),
        (ubl_without_amount, "amount", "no amount payable"),
        (lambda: samples.ubl_invoice_xml(amount="-10.00"), "amount", "above zero"),
        (lambda: samples.ubl_invoice_xml(issue_date="2026-13-01"), "issue_date", "not a calendar date"),
    ],
)
def test_refused_upload_stores_nothing(user, settings, make, field, words):
    errors = refusal(user, make())
    assert list(errors) == [field]
    assert words in errors[field]
    assert not Document.objects.exists()
    assert stored_files(settings) == []


def test_empty_file_is_refused(user, settings):
    assert refusal(user, b"") == {"file": "The file is empty."}
    assert stored_files(settings) == []


def test_oversize_file_is_refused_before_it_is_read(user, settings):
    settings.DOCUMENT_MAX_BYTES = 100
    content = samples.pdf_bytes()
    assert refusal(user, content) == {"file": f"File is {len(content)} bytes; the limit is 100 bytes."}
    assert not Document.objects.exists()
    assert stored_files(settings) == []


def test_oversize_message_speaks_megabytes(user, settings):
    settings.DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
    assert refusal(user, b"\x00" * (25 * 512 * 1024)) == {"file": "File is 12.5 MB; the limit is 10 MB."}


def test_oversize_by_a_byte_shows_exact_sizes(user, settings):
    settings.DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
    assert refusal(user, b"\x00" * (10 * 1024 * 1024 + 1)) == {
        "file": "File is 10485761 bytes; the limit is 10485760 bytes."
    }


def test_file_at_the_limit_is_accepted(user, settings):
    content = samples.pdf_bytes()
    settings.DOCUMENT_MAX_BYTES = len(content)
    assert upload(user, content).size == len(content)


def test_unknown_kind_is_refused(user):
    errors = refusal(user, samples.pdf_bytes(), kind="receipt")
    assert errors == {"kind": "'receipt' is not a document kind; use one of invoice, purchase_order, delivery_note, kyc."}


def test_same_bytes_twice_for_one_organisation_is_refused(user, settings):
    content = samples.pdf_bytes()
    first = upload(user, content, name="first.pdf")
    errors = refusal(user, content, name="again.pdf")
    assert errors["file"].startswith(f"This document was already uploaded (first.pdf, document {first.pk}, on ")
    assert Document.objects.count() == 1
    assert len(stored_files(settings)) == 1


def test_same_bytes_for_another_organisation_is_accepted(user):
    content = samples.pdf_bytes()
    upload(user, content)
    upload(UserFactory(organisation=OrganisationFactory()), content)
    assert Document.objects.count() == 2


def test_failed_insert_removes_the_written_file(user, settings, monkeypatch):
    def failing_save(self, *args, **kwargs):
        raise DatabaseError("disk I/O error")

    monkeypatch.setattr(Document, "save", failing_save)
    with pytest.raises(DatabaseError):
        upload(user, samples.pdf_bytes())
    assert stored_files(settings) == []


def test_concurrent_duplicate_is_refused_and_keeps_the_other_uploads_file(user, settings, monkeypatch):
    content = samples.pdf_bytes()
    save_file = FileSystemStorage.save

    def save_while_another_upload_commits(self, name, file, max_length=None):
        stored_name = save_file(self, name, file, max_length=max_length)
        # Another request stored the same bytes between this upload's duplicate check and its insert.
        Document.objects.create(
            organisation=user.organisation, kind=DocumentKind.INVOICE, format=DocumentFormat.PDF,
            original_name="other.pdf", size=len(content), keccak="0x" + keccak(content).hex(), file="other/path.pdf",
        )
        return stored_name

    monkeypatch.setattr(FileSystemStorage, "save", save_while_another_upload_commits)
    errors = refusal(user, content)
    assert errors["file"].startswith("This document was already uploaded (other.pdf")
    assert list(Document.objects.values_list("original_name", flat=True)) == ["other.pdf"]
    assert stored_files(settings) == []


def bundle(*contents: bytes) -> list[Document]:
    return [Document(keccak="0x" + keccak(content).hex()) for content in contents]


def test_bundle_hash_is_keccak_of_the_sorted_document_hashes():
    contents = (b"invoice", b"delivery note", b"purchase order")
    documents = bundle(*contents)
    expected = keccak(b"".join(sorted(keccak(content) for content in contents)))
    assert document_bundle_hash(documents) == "0x" + expected.hex()


def test_bundle_hash_does_not_depend_on_order():
    documents = bundle(b"a", b"b", b"c")
    assert document_bundle_hash(documents) == document_bundle_hash(reversed(documents))


def test_bundle_hash_counts_a_document_once():
    assert document_bundle_hash(bundle(b"a", b"b", b"a")) == document_bundle_hash(bundle(b"a", b"b"))


def test_bundle_hash_changes_with_any_document():
    assert document_bundle_hash(bundle(b"a", b"b")) != document_bundle_hash(bundle(b"a", b"c"))


def test_bundle_hash_needs_a_document():
    with pytest.raises(ValueError, match="at least one document"):
        document_bundle_hash([])
