"""invoices.sheets: invoice lines from CSV and XLSX sheets; cells that cannot be read refuse their
row only, a sheet that cannot be read is refused whole on `sheet`."""

import io
import zipfile
from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from invoices.services import MAX_BATCH
from invoices.sheets import sheet_rows

HEADER = "number,buyer,amount,currency,issue_date,due_date,invoice_file,delivery_note_file\n"


def _csv(*lines: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return (header + "\n".join(lines) + "\n").encode(encoding)


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _refusal(data) -> str:
    with pytest.raises(ValidationError) as refusal:
        sheet_rows(data)
    [message] = refusal.value.message_dict["sheet"]
    return message


def test_a_csv_line_becomes_an_invoice_line():
    [row] = sheet_rows(SimpleUploadedFile("march.csv", _csv(
        "INV-1,LEI-BIGCO,\"1,234.50\",USDC,2026-03-01,2026/05/30,INV-1.pdf,notes/DN-1.pdf")))

    assert (row.row, row.number, row.buyer, row.amount, row.currency) == (2, "INV-1", "LEI-BIGCO", "1234.50", "USDC")
    assert (row.issue_date, row.due_date) == (date(2026, 3, 1), date(2026, 5, 30))
    assert row.files == {"invoice_file": "INV-1.pdf", "delivery_note_file": "notes/DN-1.pdf"}
    assert row.errors == {}


def test_a_csv_with_semicolons_and_a_chinese_excel_encoding_is_read():
    header = "number;buyer;amount;currency;issue_date;due_date;invoice_file\n"
    [row] = sheet_rows(_csv("发票-1;大公司;100;USDC;2026-03-01;2026-05-30;发票-1.pdf", header=header, encoding="gb18030"))

    assert (row.number, row.buyer, row.files["invoice_file"]) == ("发票-1", "大公司", "发票-1.pdf")


def test_an_xlsx_sheet_is_read_with_its_typed_cells():
    data = _xlsx([
        ["Number", "Buyer", "Amount", "Currency", "Issue date", "Due date", "Invoice file"],
        ["INV-2", "LEI-BIGCO", 2500.75, "EURT", datetime(2026, 3, 2), date(2026, 6, 1), "INV-2.pdf"],
        [None] * 7,
        [1003, "LEI-BIGCO", 10, "USDC", "2026-03-03", "2026-06-02", "1003.pdf"],
    ])

    first, second = sheet_rows(data)

    assert (first.row, first.amount, first.issue_date, first.due_date) == (2, "2500.75", date(2026, 3, 2), date(2026, 6, 1))
    assert (second.row, second.number, second.amount) == (4, "1003", "10")


def test_bad_dates_and_amounts_refuse_their_row_naming_the_cells():
    good, bad = sheet_rows(_csv(
        "INV-1,LEI-B,10,USDC,2026-03-01,2026-05-30,a.pdf,",
        "INV-2,LEI-B,,USDC,31/02/2026,2026-02-30,,",
    ))

    assert good.errors == {}
    assert set(bad.errors) == {"issue_date", "due_date", "invoice_file"}
    assert "'31/02/2026' is not a date" in bad.errors["issue_date"][0]
    assert bad.amount == ""  # left to the submission, which names it


def test_a_boolean_amount_cell_is_refused():
    [row] = sheet_rows(_xlsx([
        ["number", "buyer", "amount", "currency", "issue_date", "due_date", "invoice_file"],
        ["INV-1", "B", True, "USDC", "2026-03-01", "2026-05-30", "a.pdf"],
    ]))

    assert list(row.errors) == ["amount"]


def test_a_missing_column_is_named():
    message = _refusal(b"number,buyer,amount\nINV-1,B,10\n")

    assert "currency, issue_date, due_date, invoice_file" in message


def test_a_sheet_with_no_lines_is_refused():
    assert "no invoice lines" in _refusal(_csv(",,,,,,,"))


def test_more_lines_than_a_batch_are_refused():
    lines = [f"INV-{n},B,10,USDC,2026-03-01,2026-05-30,{n}.pdf," for n in range(MAX_BATCH + 1)]

    assert f"more than {MAX_BATCH} invoices" in _refusal(_csv(*lines))


def test_a_sheet_larger_than_its_limit_is_refused_by_its_size(settings):
    settings.SHEET_MAX_BYTES = 100

    assert "the limit is 100 bytes" in _refusal(SimpleUploadedFile("big.csv", b"x" * 101))


def test_an_xlsx_that_unpacks_into_a_bomb_is_refused_before_openpyxl_reads_it(settings):
    settings.SHEET_MAX_BYTES = 1024 * 1024
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as workbook:
        workbook.writestr("xl/sharedStrings.xml", b" " * (50 * 1024 * 1024))

    assert "larger than" in _refusal(buffer.getvalue())


def test_a_damaged_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as workbook:
        workbook.writestr("hello.txt", b"not a workbook")

    assert "The XLSX workbook cannot be read" in _refusal(buffer.getvalue())


def test_a_binary_file_that_is_no_sheet_is_refused():
    assert "neither an XLSX workbook nor a CSV" in _refusal(b"\xff\xfe\x00\x81\x9f" * 10)
