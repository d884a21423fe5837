"""The supplier's bulk upload page: a sheet and a ZIP in, each row's outcome on screen (a link to
the invoice created, or the reasons it was refused); suppliers only."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override
from openpyxl import Workbook

import samples
from invoices.models import Invoice
from organisations.models import Role

from factories import RegisteredOrganisationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manifest")]

URL = reverse("portal:supplier:upload-bulk")
TODAY = timezone.now().date()


@pytest.fixture
def supplier():
    return RegisteredOrganisationFactory(role=Role.SUPPLIER, legal_id="LEI-SELLER-1")


@pytest.fixture
def buyer():
    return RegisteredOrganisationFactory(role=Role.CORE_FIRM, legal_id="LEI-BUYER-1", name="Big Co")


@pytest.fixture
def supplier_client(client, supplier):
    client.force_login(UserFactory(organisation=supplier))
    return client


def _xlsx(*rows) -> SimpleUploadedFile:
    workbook = Workbook()
    workbook.active.append(["number", "buyer", "amount", "currency", "issue_date", "due_date", "invoice_file"])
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("march.xlsx", buffer.getvalue())


def _zip(members: dict[str, bytes]) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return SimpleUploadedFile("documents.zip", buffer.getvalue())


def _row(number, amount=1500.25, buyer="LEI-BUYER-1"):
    return [number, buyer, amount, "USDC", TODAY - timedelta(days=3), TODAY + timedelta(days=60), f"{number}.pdf"]


def test_the_page_is_a_form_for_suppliers_only(supplier_client, client, buyer):
    assert supplier_client.get(URL).status_code == 200
    client.force_login(UserFactory(organisation=buyer))
    assert client.get(URL).status_code == 403


def test_an_upload_shows_each_rows_outcome(supplier_client, buyer):
    response = supplier_client.post(URL, {
        "sheet": _xlsx(_row("INV-1"), _row("INV-2", amount=0), _row("INV-3", buyer="Nobody Ltd")),
        "archive": _zip({f"INV-{n}.pdf": samples.pdf_bytes(str(n)) for n in (1, 2, 3)}),
    })

    assert response.status_code == 200
    invoice = Invoice.objects.get()
    page = response.content.decode()
    assert "1 of 3 rows submitted." in page
    assert reverse("portal:supplier:invoice", kwargs={"invoice_id": invoice.pk}) in page
    assert "The amount must be above zero." in page
    assert "Nobody Ltd" in page
    rows = [row for row in response.context["rows"]]
    assert [(row["row"], bool(row["invoice"])) for row in rows] == [(2, True), (3, False), (4, False)]


def test_an_unsafe_zip_is_refused_next_to_its_field(supplier_client, buyer):
    response = supplier_client.post(URL, {
        "sheet": _xlsx(_row("INV-1")), "archive": _zip({"../INV-1.pdf": samples.pdf_bytes()}),
    })

    assert "points outside the archive" in response.context["form"].errors["archive"][0]
    assert response.context["rows"] is None
    assert not Invoice.objects.exists()


def test_the_results_are_in_chinese_for_a_chinese_user(supplier_client, buyer):
    with override("zh-hans"):
        response = supplier_client.post(URL, {
            "sheet": _xlsx(_row("INV-1", amount=0)), "archive": _zip({"INV-1.pdf": samples.pdf_bytes()}),
        }, HTTP_ACCEPT_LANGUAGE="zh-hans")

    page = response.content.decode()
    assert "金额" in page and "Amount" not in page.split('data-testid="bulk-results"')[1]
