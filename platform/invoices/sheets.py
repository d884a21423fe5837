"""Invoice lines from a supplier's sheet, CSV or XLSX (told apart by their bytes): one invoice a
row under a header row naming the columns. Each row comes back with its values typed, or with the
refusals of the cells that could not be read; a sheet that cannot be read at all is refused on
`sheet`. Nothing here knows the database: buyers, amounts and documents are checked by the
submission itself."""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from documents.archives import SafeArchive

from .validation import MAX_BATCH

REQUIRED = ("number", "buyer", "amount", "currency", "issue_date", "due_date", "invoice_file")
OPTIONAL = ("purchase_order_file", "delivery_note_file")
FILE_COLUMNS = ("invoice_file", *OPTIONAL)
DAY = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", re.ASCII)
GROUPED_THOUSANDS = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?", re.ASCII)
XLSX_MAX_PARTS = 200  # an invoice sheet needs a dozen; styles and drawings add a few


@dataclass
class SheetRow:
    """One invoice line: `row` is its number in the sheet (the header is row 1)."""

    row: int
    number: str = ""
    buyer: str = ""
    amount: str = ""
    currency: str = ""
    issue_date: date | None = None
    due_date: date | None = None
    files: dict[str, str] = field(default_factory=dict)  # column -> file name in the ZIP
    errors: dict[str, list[str]] = field(default_factory=dict)


def sheet_rows(upload: bytes | File) -> list[SheetRow]:
    """The invoice lines of the sheet, blank rows left out; refused on `sheet` when it is empty,
    too large, unreadable, misses a column, or has more than MAX_BATCH lines."""
    data = _read(upload)
    table = _xlsx_table(data) if data.startswith(b"PK\x03\x04") else _csv_table(data)
    header, *body = table or [[]]
    columns = _columns(header)
    rows = []
    for number, cells in enumerate(body, start=2):
        values = {name: cells[index] if index < len(cells) else None for name, index in columns.items()}
        if all(_text(value) == "" for value in values.values()):
            continue
        rows.append(_row(number, values))
        if len(rows) > MAX_BATCH:
            raise _refusal(_("The sheet has more than %(limit)s invoices; split it.") % {"limit": MAX_BATCH})
    if not rows:
        raise _refusal(_("The sheet has no invoice lines under its header."))
    return rows


def _refusal(message: str) -> ValidationError:
    return ValidationError({"sheet": message})


def _read(upload: bytes | File) -> bytes:
    limit = settings.SHEET_MAX_BYTES
    if isinstance(upload, File):
        if upload.size is not None and upload.size > limit:
            raise _refusal(_("The sheet is %(size)s bytes; the limit is %(limit)s bytes.")
                           % {"size": upload.size, "limit": limit})
        upload.seek(0)
        upload = upload.read(limit + 1)
    if len(upload) > limit:
        raise _refusal(_("The sheet is larger than %(limit)s bytes.") % {"limit": limit})
    if not upload:
        raise _refusal(_("The sheet is empty."))
    return upload


def _csv_table(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in Chinese saves CSV as GB18030
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _refusal(_("The sheet is neither an XLSX workbook nor a CSV file in UTF-8."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as error:
        raise _refusal(_("The CSV file cannot be read: %(error)s.") % {"error": error}) from None


def _xlsx_table(data: bytes) -> list[list[object]]:
    """The first worksheet's cells. The workbook is a ZIP: its parts are unpacked and measured by
    the safe reader first, so that openpyxl never meets a bomb."""
    limit = settings.SHEET_MAX_BYTES
    try:
        with SafeArchive(data, max_bytes=limit, member_limit=4 * limit, total_limit=8 * limit,
                         max_members=XLSX_MAX_PARTS) as parts:
            for name in parts.names:
                parts.read(name)
    except ValidationError as refusal:
        raise _refusal(_("The XLSX workbook is refused: %(reason)s") % {"reason": " ".join(refusal.messages)}) from None
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as error:
        raise _refusal(_("The XLSX workbook cannot be read: %(error)s.") % {"error": error}) from None
    try:
        sheet = workbook.worksheets[0]
        table = []
        for cells in sheet.iter_rows(values_only=True):
            table.append(list(cells))
            if len(table) > MAX_BATCH + 1000:  # blank rows are skipped later; stop at a runaway sheet
                break
        return table
    finally:
        workbook.close()


def _columns(header: list[object]) -> dict[str, int]:
    names = [re.sub(r"[\s-]+", "_", _text(cell).lower()) for cell in header]
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise _refusal(
            _("The header row lacks the columns %(missing)s; the columns are %(columns)s (the last two optional).")
            % {"missing": ", ".join(missing), "columns": ", ".join((*REQUIRED, *OPTIONAL))}
        )
    return {name: names.index(name) for name in (*REQUIRED, *OPTIONAL) if name in names}


def _row(number: int, values: dict[str, object]) -> SheetRow:
    row = SheetRow(row=number, number=_text(values["number"]), buyer=_text(values["buyer"]),
                   currency=_text(values["currency"]))
    for name in ("issue_date", "due_date"):
        try:
            setattr(row, name, _day(values[name]))
        except ValidationError as refusal:
            row.errors[name] = refusal.messages
    try:
        row.amount = _amount(values["amount"])
    except ValidationError as refusal:
        row.errors["amount"] = refusal.messages
    if not row.buyer:
        row.errors["buyer"] = [_("Name the buyer by its registration number or its name.")]
    row.files = {name: _text(values[name]) for name in FILE_COLUMNS if _text(values.get(name))}
    if "invoice_file" not in row.files:
        row.errors["invoice_file"] = [_("Name the invoice's document in the ZIP.")]
    return row


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _day(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    match = DAY.fullmatch(text)
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise ValidationError(_("%(value)s is not a date: write it as YYYY-MM-DD.") % {"value": repr(text)})


def _amount(value: object) -> str:
    """The amount as the decimal text the submission reads; a number cell as its exact decimal."""
    if isinstance(value, bool):
        raise ValidationError(_("%(value)s is not an amount.") % {"value": value})
    if isinstance(value, (int, float)):
        return format(Decimal(str(value)), "f")
    text = _text(value)
    return text.replace(",", "") if GROUPED_THOUSANDS.fullmatch(text) else text
