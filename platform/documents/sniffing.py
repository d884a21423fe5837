"""Which format a file is, decided by its bytes alone. The uploader's file name, extension and
declared content type never enter the decision: a PNG named invoice.pdf is a PNG, and an HTML page
named invoice.pdf is refused.

A file is accepted only when its signature matches and the matching reader opens it without error:
pypdf for PDFs (and the Factur-X XML inside them), Pillow for scans, the safe XML parser for UBL.
"""

import warnings
from io import BytesIO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image
from pypdf import PdfReader

from .facturx_pdf import embedded_invoice_xml
from .models import DocumentFormat
from .safe_xml import parse_untrusted_xml

UBL_INVOICE_ROOT = "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice"
ACCEPTED = gettext_lazy("a PDF, PNG, JPEG, UBL 2.1 invoice or Factur-X PDF")

PDF_MAGIC = b"%PDF-"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
UTF8_BOM = b"\xef\xbb\xbf"

# Named in the error so that an uploader who picked the wrong file sees what they picked.
KNOWN_OTHER_TYPES = (
    (b"PK\x03\x04", gettext_lazy("a ZIP archive (or an Office document)")),
    (b"MZ", gettext_lazy("a Windows executable")),
    (b"\x7fELF", gettext_lazy("an ELF executable")),
    (b"GIF8", gettext_lazy("a GIF image")),
    (b"\x1f\x8b", gettext_lazy("a gzip archive")),
)


def sniff_format(data: bytes) -> DocumentFormat:
    """The format of `data`, or a ValidationError on `file` saying why it is refused."""
    if data.startswith(PDF_MAGIC):
        return _pdf_format(data)
    if data.startswith(PNG_MAGIC):
        _check_image(data, "PNG")
        return DocumentFormat.PNG
    if data.startswith(JPEG_MAGIC):
        _check_image(data, "JPEG")
        return DocumentFormat.JPEG
    text_start = data.removeprefix(UTF8_BOM).lstrip()
    if text_start[:14].lower().startswith((b"<!doctype html", b"<html")):
        raise _not_accepted(_("it is an HTML page"))
    if text_start.startswith(b"<"):
        _check_ubl_invoice(data)
        return DocumentFormat.UBL
    raise _not_accepted(_describe(data))


def _pdf_format(data: bytes) -> DocumentFormat:
    try:
        reader = PdfReader(BytesIO(data))
        page_count = len(reader.pages)
    except Exception as error:  # pypdf raises many types on damaged files
        raise ValidationError(
            {"file": _("The file starts like a PDF but cannot be read: %(error)s.") % {"error": error}}
        ) from None
    if page_count == 0:
        raise ValidationError({"file": _("The PDF has no pages.")})
    return DocumentFormat.FACTURX if embedded_invoice_xml(reader) is not None else DocumentFormat.PDF


def _check_image(data: bytes, pil_format: str) -> None:
    try:
        # Past Pillow's pixel limit an image is a decompression bomb: refuse it, don't just warn.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data), formats=[pil_format]) as image:
                image.verify()  # PNG: walks every chunk and checks its CRC
            if pil_format == "JPEG":
                # verify() does not read JPEG scan data; decoding at 1/8 scale finds a truncated
                # or corrupt scan without paying for the full bitmap.
                with Image.open(BytesIO(data), formats=[pil_format]) as image:
                    image.draft("RGB", (1, 1))
                    image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ValidationError(
            {"file": _("The image is refused as too large to decode safely: %(error)s") % {"error": error}}
        ) from None
    except Exception as error:  # Pillow raises OSError, SyntaxError, ValueError, ... on damaged files
        raise ValidationError(
            {
                "file": _("The file starts like a %(format)s image but is truncated or corrupt: %(error)s.")
                % {"format": pil_format, "error": error}
            }
        ) from None


def _check_ubl_invoice(data: bytes) -> None:
    root = parse_untrusted_xml(data)
    if root.tag != UBL_INVOICE_ROOT:
        raise _not_accepted(_("it is XML whose root element is %(tag)s, not a UBL 2.1 Invoice") % {"tag": root.tag})


def _describe(data: bytes) -> str:
    for signature, description in KNOWN_OTHER_TYPES:
        if data.startswith(signature):
            return _("it looks like %(description)s") % {"description": description}
    return _("content starts with %(start)s") % {"start": repr(data[:16])}


def _not_accepted(reason: str) -> ValidationError:
    return ValidationError(
        {"file": _("The file is not %(accepted)s (%(reason)s).") % {"accepted": ACCEPTED, "reason": reason}}
    )
