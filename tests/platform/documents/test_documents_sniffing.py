"""documents.sniffing (and the XML safety and Factur-X modules it relies on): the format comes from
the bytes, and everything else is refused with a reason."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

import samples
from documents.models import DocumentFormat
from documents.safe_xml import HOSTILE_DTD
from documents.sniffing import sniff_format


def file_error(data: bytes) -> str:
    with pytest.raises(ValidationError) as caught:
        sniff_format(data)
    assert set(caught.value.message_dict) == {"file"}
    return caught.value.message_dict["file"][0]


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (samples.pdf_bytes, DocumentFormat.PDF),
        (samples.png_bytes, DocumentFormat.PNG),
        (samples.jpeg_bytes, DocumentFormat.JPEG),
        (samples.ubl_invoice_xml, DocumentFormat.UBL),
        (samples.facturx_pdf, DocumentFormat.FACTURX),
    ],
)
def test_each_accepted_format_is_recognised(make, expected):
    assert sniff_format(make()) == expected


def test_ubl_with_a_byte_order_mark_is_recognised():
    assert sniff_format(b"\xef\xbb\xbf" + samples.ubl_invoice_xml()) == DocumentFormat.UBL


def test_ubl_without_declaration_after_blank_lines_is_recognised():
    without_declaration = samples.ubl_invoice_xml().split(b"?>", 1)[1]
    assert sniff_format(b"\n\n  " + without_declaration) == DocumentFormat.UBL


def test_pdf_with_an_unrelated_attachment_is_a_plain_pdf():
    assert sniff_format(samples.pdf_with_attachment("notes.txt", b"call the buyer")) == DocumentFormat.PDF


def test_plain_text_is_refused_showing_its_start():
    message = file_error(b"hello, this is my invoice")
    assert message.startswith("The file is not a PDF, PNG, JPEG, UBL 2.1 invoice or Factur-X PDF")
    assert "content starts with b'hello, this is m'" in message


def test_zip_archive_is_refused_by_name():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("invoice.pdf", samples.pdf_bytes())
    assert "it looks like a ZIP archive" in file_error(archive.getvalue())


def test_executable_header_is_refused():
    assert "it looks like a Windows executable" in file_error(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64)


def test_html_page_is_refused_as_html_not_as_hostile_xml():
    message = file_error(b"<!DOCTYPE html>\n<html><body>Invoice</body></html>")
    assert "it is an HTML page" in message


@pytest.mark.parametrize("cut", [0.5, 0.9])
def test_truncated_pdf_is_refused(cut):
    data = samples.pdf_bytes()
    assert "starts like a PDF but cannot be read" in file_error(data[: int(len(data) * cut)])


def test_pdf_magic_followed_by_garbage_is_refused():
    assert "starts like a PDF but cannot be read" in file_error(b"%PDF-1.7\n" + b"\x00garbage" * 50)


@pytest.mark.parametrize(("make", "kind"), [(samples.png_bytes, "PNG"), (samples.jpeg_bytes, "JPEG")])
def test_truncated_image_is_refused(make, kind):
    data = make()
    assert f"starts like a {kind} image but is truncated or corrupt" in file_error(data[: len(data) // 2])


def test_png_with_a_corrupt_chunk_is_refused():
    data = bytearray(samples.png_bytes())
    data[40] ^= 0xFF  # inside the image data: its chunk CRC no longer matches
    assert "starts like a PNG image but is truncated or corrupt" in file_error(bytes(data))


def test_image_past_the_pixel_limit_is_refused_as_a_decompression_bomb(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    assert "too large to decode safely" in file_error(samples.png_bytes(size=(64, 48)))


def test_malformed_xml_is_refused():
    assert "The XML is not well-formed" in file_error(b"<Invoice><cbc:ID>1</Invoice>")


def test_xml_that_is_not_a_ubl_invoice_is_refused():
    message = file_error(samples.cii_invoice_xml())
    assert "root element is {urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}" in message


def test_billion_laughs_is_refused():
    assert file_error(samples.billion_laughs_xml()) == HOSTILE_DTD


def test_external_entity_is_refused_without_reading_the_target():
    message = file_error(samples.xxe_xml("file:///etc/passwd"))
    assert message == HOSTILE_DTD
    assert "root:" not in message


def test_external_dtd_is_refused():
    xml = b'<?xml version="1.0"?>\n<!DOCTYPE Invoice SYSTEM "http://attacker.invalid/x.dtd">\n<Invoice/>'
    assert file_error(xml) == HOSTILE_DTD


@pytest.mark.parametrize("filename", ["factur-x.xml", "ZUGFeRD-invoice.xml"])
def test_billion_laughs_embedded_in_a_facturx_looking_pdf_is_refused(filename):
    message = file_error(samples.pdf_with_attachment(filename, samples.billion_laughs_xml()))
    assert message == f"The PDF's embedded {filename}: {HOSTILE_DTD}"


def test_external_entity_embedded_in_a_facturx_looking_pdf_is_refused():
    message = file_error(samples.pdf_with_attachment("factur-x.xml", samples.xxe_xml()))
    assert message == f"The PDF's embedded factur-x.xml: {HOSTILE_DTD}"


def test_malformed_xml_embedded_in_a_pdf_is_refused():
    message = file_error(samples.pdf_with_attachment("factur-x.xml", b"<rsm:CrossIndustryInvoice>"))
    assert message.startswith("The PDF's embedded factur-x.xml: The XML is not well-formed")


def test_embedded_invoice_invalid_against_the_facturx_schema_is_refused():
    invalid = samples.cii_invoice_xml().replace(b"<ram:TypeCode>380</ram:TypeCode>", b"")
    message = file_error(samples.pdf_with_attachment("factur-x.xml", invalid))
    assert message.startswith("The PDF's embedded factur-x.xml is not a valid Factur-X invoice")
    assert "TypeCode" in message


def test_embedded_zugferd_1_invoice_is_refused_as_unsupported():
    zugferd_1 = b'<rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0"/>'
    message = file_error(samples.pdf_with_attachment("ZUGFeRD-invoice.xml", zugferd_1))
    assert "is a zugferd document; only Factur-X / ZUGFeRD 2 (CII) invoices are read" in message


def test_embedded_invoice_that_inflates_past_the_limit_is_refused(settings):
    settings.DOCUMENT_MAX_BYTES = 1000
    message = file_error(samples.pdf_with_attachment("factur-x.xml", samples.cii_invoice_xml()))
    assert "inflates to" in message and "the limit is 1000" in message
