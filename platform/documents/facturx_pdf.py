"""The invoice XML inside a Factur-X / ZUGFeRD PDF: found among the PDF's attachments, parsed
safely, then recognised and checked against the official XSD by the factur-x library.

The library's own `get_facturx_xml_from_pdf` parses each attachment with lxml's default parser and
skips any it cannot use with only a log line. So this module walks the same pypdf attachment list,
under the library's own file names, parses through `safe_xml`, and hands the library the tree:
hostile XML is refused before any other parser sees it, and a broken e-invoice gets a reason
instead of passing silently as a plain PDF.
"""

import facturx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from facturx.facturx import FACTURX_FILENAME, ZUGFERD_FILENAME
from lxml import etree
from pypdf import PdfReader

from .safe_xml import parse_untrusted_xml

INVOICE_XML_NAMES = frozenset({FACTURX_FILENAME.lower(), ZUGFERD_FILENAME.lower()})


def embedded_invoice_xml(reader: PdfReader) -> etree._Element | None:
    """The root of the Factur-X (CII) invoice embedded in the PDF, valid against its level's XSD;
    None when the PDF embeds no invoice XML. An embedded invoice XML that is hostile, malformed or
    invalid raises a ValidationError on `file`."""
    invoices = [(name, _parse(name, content)) for name, content in _invoice_attachments(reader)]
    if not invoices:
        return None
    name, root = invoices[0]
    _check_with_facturx(name, root)
    return root


def _invoice_attachments(reader: PdfReader) -> list[tuple[str, bytes]]:
    try:
        return [
            (attachment.name, attachment.content)
            for attachment in reader.attachment_list
            if attachment.name.lower() in INVOICE_XML_NAMES
        ]
    except Exception as error:  # pypdf raises many types on damaged structures
        raise ValidationError(
            {"file": _("The PDF's attachments cannot be read: %(error)s.") % {"error": error}}
        ) from None


def _parse(name: str, content: bytes) -> etree._Element:
    where = _("The PDF's embedded %(name)s: ") % {"name": name}
    # The PDF limit applies to what a compressed attachment inflates to as well.
    if len(content) > settings.DOCUMENT_MAX_BYTES:
        raise ValidationError(
            {
                "file": where
                + _("it inflates to %(size)s bytes; the limit is %(limit)s.")
                % {"size": len(content), "limit": settings.DOCUMENT_MAX_BYTES}
            }
        )
    return parse_untrusted_xml(content, where=where)


def _check_with_facturx(name: str, root: etree._Element) -> None:
    try:
        flavor = facturx.get_flavor(root)
        if flavor != "factur-x":
            raise ValidationError(
                {
                    "file": _(
                        "The PDF's embedded %(name)s is a %(flavor)s document; "
                        "only Factur-X / ZUGFeRD 2 (CII) invoices are read."
                    )
                    % {"name": name, "flavor": flavor}
                }
            )
        level = facturx.get_level(root, flavor)
        facturx.xml_check_xsd(root, flavor=flavor, level=level)
    except ValidationError:
        raise
    except Exception as error:  # the library raises bare Exception and ValueError
        raise ValidationError(
            {
                "file": _("The PDF's embedded %(name)s is not a valid Factur-X invoice: %(error)s")
                % {"name": name, "error": error}
            }
        ) from None
