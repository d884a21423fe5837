"""Writes of the documents app: storing an uploaded file, all or nothing, and the hash that binds
an invoice's documents on chain."""

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from eth_utils import keccak

from organisations.models import Organisation
from users.models import User

from .extraction import extract_invoice_fields
from .models import Document, DocumentKind
from .sniffing import sniff_format


def document_upload(
    *, organisation: Organisation, uploaded_by: User | None, kind: str, name: str, content: bytes
) -> Document:
    """Checks, hashes and stores one uploaded file for `organisation`.

    The format is decided by the bytes (`name` is kept for display only and never used as a path);
    UBL and Factur-X files also have their invoice fields extracted into `Document.extracted`.
    Every refusal is a ValidationError naming the field (`kind`, `file`, or an invoice field such
    as `amount`), and leaves neither a row nor a file behind. When this runs inside a caller's
    transaction that later rolls back, the written file stays behind without a row: it is
    unreferenced, and a new upload of the same bytes is stored under a fresh name.
    """
    _check_kind(kind)
    _check_size(content)
    fmt = sniff_format(content)
    extracted = extract_invoice_fields(content, fmt)
    digest = "0x" + keccak(content).hex()
    existing = Document.objects.filter(organisation=organisation, keccak=digest).first()
    if existing is not None:
        raise _already_uploaded(existing)
    document = Document(
        organisation=organisation,
        uploaded_by=uploaded_by,
        kind=kind,
        format=fmt,
        original_name=_display_name(name),
        size=len(content),
        keccak=digest,
        extracted=extracted.as_json() if extracted else {},
    )
    _store(document, content)
    return document


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


def _store(document: Document, content: bytes) -> None:
    # The file goes first, under the hash-derived path of Document.file's upload_to (the storage
    # adds a suffix if that path is taken), so that a failing insert can delete exactly the file
    # this call wrote, and a concurrent upload of the same bytes never touches it.
    document.file.save(document.keccak, ContentFile(content), save=False)
    try:
        with transaction.atomic():
            document.save()
    except BaseException as error:
        document.file.storage.delete(document.file.name)
        if isinstance(error, IntegrityError):
            existing = Document.objects.filter(organisation=document.organisation, keccak=document.keccak).first()
            if existing is not None:  # the same bytes, uploaded at the same moment by someone else
                raise _already_uploaded(existing) from None
        raise


def _check_kind(kind: str) -> None:
    if kind not in DocumentKind.values:
        kinds = ", ".join(DocumentKind.values)
        raise ValidationError(
            {
                "kind": _("%(value)s is not a document kind; use one of %(kinds)s.")
                % {"value": repr(kind), "kinds": kinds}
            }
        )


def _check_size(content: bytes) -> None:
    if not content:
        raise ValidationError({"file": _("The file is empty.")})
    limit = settings.DOCUMENT_MAX_BYTES
    if len(content) > limit:
        size, limit_text = _readable_size(len(content)), _readable_size(limit)
        if size == limit_text:  # rounding would show the same figure twice
            size, limit_text = _in_bytes(len(content)), _in_bytes(limit)
        raise ValidationError(
            {"file": _("File is %(size)s; the limit is %(limit)s.") % {"size": size, "limit": limit_text}}
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
