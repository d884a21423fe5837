"""Writes of the documents app: storing an upload's files (all of them or none, each read no further
than DOCUMENT_MAX_BYTES), discarding the ones a refused bulk line stored, and the hash that binds
an invoice's documents on chain."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from eth_utils import keccak

from organisations.models import Organisation
from users.models import User

from .extraction import extract_invoice_fields
from .models import Document, DocumentKind
from .sniffing import sniff_format

READ_CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class DocumentFile:
    """One file of an upload: its document kind, the name the uploader gave it, and its bytes or
    the uploaded file itself (read here, never past DOCUMENT_MAX_BYTES)."""

    kind: str
    name: str
    content: bytes | File


def document_upload(
    *, organisation: Organisation, uploaded_by: User | None, kind: str, name: str, content: bytes | File
) -> Document:
    """Checks, hashes and stores one uploaded file for `organisation` (documents_upload with one
    file; its refusals name `kind`, `file`, or an invoice field such as `amount`).

    The format is decided by the bytes (`name` is kept for display only and never used as a path);
    UBL and Factur-X files also have their invoice fields extracted into `Document.extracted`.
    """
    document, data = _checked(organisation=organisation, uploaded_by=uploaded_by,
                              upload=DocumentFile(kind=kind, name=name, content=content))
    [stored] = _store_all({"file": (document, data)})
    return stored


def documents_upload(
    *, organisation: Organisation, uploaded_by: User | None, files: Mapping[str, DocumentFile]
) -> list[Document]:
    """Stores every file of one upload, in the order given, or none of them.

    `files` is keyed by the caller's name for each file (a form field). Every file is checked
    (size, format, extracted fields, not already uploaded) before any is written; the refusals come
    together in one ValidationError keyed by those names. The rows are inserted in a transaction of
    their own that Django refuses to nest in a caller's (durable): a caller's rollback could
    otherwise drop the rows and keep the files. A failure while storing deletes the files written.
    """
    checked, refusals, seen = {}, {}, set()
    for key, upload in files.items():
        try:
            document, data = _checked(organisation=organisation, uploaded_by=uploaded_by, upload=upload)
        except ValidationError as refusal:
            refusals[key] = refusal.messages
            continue
        if document.keccak in seen:
            refusals[key] = [_("This file is given twice in this upload.")]
            continue
        seen.add(document.keccak)
        checked[key] = (document, data)
    if refusals:
        raise ValidationError(refusals)
    return _store_all(checked)


def documents_discard(documents: Iterable[Document]) -> None:
    """Deletes documents that this request stored and that back no invoice after all (the lines of
    a bulk upload that were refused), rows and files: a refused line leaves nothing behind. A
    document that was attached meanwhile is kept."""
    documents = list(documents)
    with transaction.atomic():
        discarded = list(
            Document.objects.select_for_update().filter(pk__in=[document.pk for document in documents], invoice=None)
        )
        Document.objects.filter(pk__in=[document.pk for document in discarded]).delete()
    for document in discarded:
        document.file.storage.delete(document.file.name)


def document_bundle_hash(documents: Iterable[Document]) -> str:
    """The document hash an invoice registers on chain: keccak256 of its documents' 32-byte
    keccak256 hashes, sorted ascending and concatenated.

    Sorting makes it independent of the order the documents were attached in, and a document
    counts once however often it is passed. Anyone holding the files can recompute it: hash each
    file, sort the hashes, concatenate them and hash the result.
    """
    hashes = sorted({bytes.fromhex(document.keccak.removeprefix("0x")) for document in documents})
    if not hashes:
        raise ValueError("A document hash needs at least one document.")
    return "0x" + keccak(b"".join(hashes)).hex()


def _checked(*, organisation: Organisation, uploaded_by: User | None, upload: DocumentFile) -> tuple[Document, bytes]:
    """The unsaved row for `upload` and its bytes, or the ValidationError that refuses it."""
    _check_kind(upload.kind)
    content = _read_within_limit(upload.content)
    fmt = sniff_format(content)
    extracted = extract_invoice_fields(content, fmt)
    digest = "0x" + keccak(content).hex()
    existing = Document.objects.filter(organisation=organisation, keccak=digest).first()
    if existing is not None:
        raise _already_uploaded(existing)
    return Document(
        organisation=organisation,
        uploaded_by=uploaded_by,
        kind=upload.kind,
        format=fmt,
        original_name=_display_name(upload.name),
        size=len(content),
        keccak=digest,
        extracted=extracted.as_json() if extracted else {},
    ), content


def _store_all(checked: Mapping[str, tuple[Document, bytes]]) -> list[Document]:
    # The files go first, each under the hash-derived path of Document.file's upload_to (the
    # storage adds a suffix if that path is taken), so that a failure deletes exactly the files this
    # call wrote, and a concurrent upload of the same bytes never touches them. The rows follow in
    # one durable transaction: Django refuses to nest it in a caller's, whose rollback would drop
    # the rows and keep the files.
    written: list[Document] = []
    try:
        for document, content in checked.values():
            document.file.save(document.keccak, ContentFile(content), save=False)
            written.append(document)
        with transaction.atomic(durable=True):
            for document in written:
                document.save()
    except BaseException as error:
        for document in written:
            document.file.storage.delete(document.file.name)
        if isinstance(error, IntegrityError):
            for key, (document, _content) in checked.items():
                existing = Document.objects.filter(organisation=document.organisation, keccak=document.keccak).first()
                if existing is not None:  # the same bytes, uploaded at the same moment by someone else
                    raise ValidationError({key: _already_uploaded(existing).messages}) from None
        raise
    return written


def _check_kind(kind: str) -> None:
    if kind not in DocumentKind.values:
        kinds = ", ".join(DocumentKind.values)
        raise ValidationError(
            {
                "kind": _("%(value)s is not a document kind; use one of %(kinds)s.")
                % {"value": repr(kind), "kinds": kinds}
            }
        )


def _read_within_limit(content: bytes | File) -> bytes:
    """The upload's bytes, refused on `file` when empty or over DOCUMENT_MAX_BYTES. An uploaded
    file is refused by its stated size before any of it is read, and read in chunks no further
    than one byte past the limit, in case it holds more than it said."""
    limit = settings.DOCUMENT_MAX_BYTES
    if isinstance(content, File):
        if content.size is not None and content.size > limit:
            raise _too_large(content.size, limit)
        content.seek(0)
        chunks, total = [], 0
        while chunk := content.read(min(READ_CHUNK_BYTES, limit + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise _too_large(total, limit)
        content = b"".join(chunks)
    if not content:
        raise ValidationError({"file": _("The file is empty.")})
    if len(content) > limit:
        raise _too_large(len(content), limit)
    return content


def _too_large(size: int, limit: int) -> ValidationError:
    size_text, limit_text = _readable_size(size), _readable_size(limit)
    if size_text == limit_text:  # rounding would show the same figure twice
        size_text, limit_text = _in_bytes(size), _in_bytes(limit)
    return ValidationError(
        {"file": _("File is %(size)s; the limit is %(limit)s.") % {"size": size_text, "limit": limit_text}}
    )


def _readable_size(size: int) -> str:
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f}".removesuffix(".0") + f" {unit}"
    return _in_bytes(size)


def _in_bytes(size: int) -> str:
    return _("%(count)s bytes") % {"count": size}


def _display_name(name: str) -> str:
    # Browsers may send a full client path; only its last part means anything to a reader.
    return name.replace("\\", "/").rsplit("/", 1)[-1].strip()[:255] or "unnamed"


def _already_uploaded(existing: Document) -> ValidationError:
    return ValidationError(
        {
            "file": _("This document was already uploaded (%(name)s, document %(id)s, on %(day)s).")
            % {"name": existing.original_name, "id": existing.pk, "day": f"{existing.created_at:%Y-%m-%d}"}
        }
    )
