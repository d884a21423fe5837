"""The invoice search of every invoice and receivable list (portal.kit.filters.InvoiceSearchForm):
by number, counterparty, amount (typed as "250000" or "250,000.00") and date ranges, on the
supplier's invoices and receivables and the core firm's payables and inbox; invalid input is
refused next to its field, never with a 500, and shows no rows."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from factories import InvoiceFactory, PieceFactory, RegisteredOrganisationFactory, UserFactory
from invoices.models import InvoiceStatus
from organisations.models import Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manifest")]

TODAY = timezone.localdate()


@pytest.fixture
def supplier():
    return RegisteredOrganisationFactory(role=Role.SUPPLIER, name="Acme Parts")


@pytest.fixture
def core_firm():
    return RegisteredOrganisationFactory(role=Role.CORE_FIRM, name="Core Manufacturing")


@pytest.fixture
def other_buyer():
    return RegisteredOrganisationFactory(role=Role.CORE_FIRM, name="Dry Goods plc")


@pytest.fixture
def book(supplier, core_firm, other_buyer):
    """Three invoices of the supplier, each with its whole piece: one to another buyer."""
    big = InvoiceFactory(seller=supplier, buyer=core_firm, number="INV-1042", amount=250_000_000_000,
                         status=InvoiceStatus.REGISTERED, issue_date=TODAY - timedelta(days=40),
                         due_date=TODAY + timedelta(days=20))
    small = InvoiceFactory(seller=supplier, buyer=core_firm, number="INV-2001", amount=1_500_000_000,
                           status=InvoiceStatus.REGISTERED, issue_date=TODAY - timedelta(days=5),
                           due_date=TODAY + timedelta(days=85))
    elsewhere = InvoiceFactory(seller=supplier, buyer=other_buyer, number="INV-3003", amount=250_000_000_000,
                               status=InvoiceStatus.CONFIRMED, issue_date=TODAY - timedelta(days=5),
                               due_date=TODAY + timedelta(days=55))
    for invoice in (big, small, elsewhere):
        PieceFactory(invoice=invoice)
    return {"big": big, "small": small, "elsewhere": elsewhere}


@pytest.fixture
def supplier_client(client, supplier):
    client.force_login(UserFactory(organisation=supplier))
    return client


@pytest.fixture
def core_firm_client(client, core_firm):
    client.force_login(UserFactory(organisation=core_firm))
    return client


def _numbers(response) -> list[str]:
    assert response.status_code == 200
    rows = response.context["page"]
    return sorted(getattr(row, "invoice", row).number for row in rows)


SUPPLIER_LISTS = ("portal:supplier:invoices", "portal:supplier:receivables")


@pytest.mark.parametrize("list_name", SUPPLIER_LISTS)
def test_the_supplier_finds_an_invoice_by_part_of_its_number(supplier_client, book, list_name):
    assert _numbers(supplier_client.get(reverse(list_name), {"text": "1042"})) == ["INV-1042"]


@pytest.mark.parametrize("list_name", SUPPLIER_LISTS)
def test_the_supplier_finds_invoices_by_counterparty(supplier_client, book, list_name):
    assert _numbers(supplier_client.get(reverse(list_name), {"text": "dry goods"})) == ["INV-3003"]


@pytest.mark.parametrize("list_name", SUPPLIER_LISTS)
@pytest.mark.parametrize("written", [("250000", "250000"), ("250,000.00", "250,000"), ("249999.99", "250000.01")])
def test_the_supplier_finds_invoices_by_amount_as_written(supplier_client, book, list_name, written):
    low, high = written

    response = supplier_client.get(reverse(list_name), {"amount_min": low, "amount_max": high})

    assert _numbers(response) == ["INV-1042", "INV-3003"]


@pytest.mark.parametrize("list_name", SUPPLIER_LISTS)
def test_the_supplier_finds_invoices_by_issue_and_due_dates(supplier_client, book, list_name):
    recent = {"issued_from": TODAY - timedelta(days=10), "issued_to": TODAY}
    due_late = {"due_from": TODAY + timedelta(days=60)}

    assert _numbers(supplier_client.get(reverse(list_name), recent)) == ["INV-2001", "INV-3003"]
    assert _numbers(supplier_client.get(reverse(list_name), due_late)) == ["INV-2001"]


@pytest.mark.parametrize("list_name", SUPPLIER_LISTS)
def test_criteria_combine(supplier_client, book, list_name):
    response = supplier_client.get(reverse(list_name), {"text": "core", "amount_min": "100000"})

    assert _numbers(response) == ["INV-1042"]


def test_the_core_firm_searches_its_payables_by_seller_and_amount(core_firm_client, book):
    InvoiceFactory(buyer=RegisteredOrganisationFactory(role=Role.CORE_FIRM), number="INV-1042-X")  # not its own

    response = core_firm_client.get(reverse("portal:core_firm:payables"), {"text": "acme", "amount_max": "2,000"})

    assert _numbers(response) == ["INV-2001"]


def test_the_core_firm_searches_its_inbox_by_number_and_due_date(core_firm_client, book):
    inbox = reverse("portal:core_firm:inbox")

    assert _numbers(core_firm_client.get(inbox, {"text": "INV-1042"})) == ["INV-1042"]
    assert _numbers(core_firm_client.get(inbox, {"due_to": TODAY + timedelta(days=30)})) == ["INV-1042"]
    assert "status" not in core_firm_client.get(inbox).context["search"].fields


@pytest.mark.parametrize("list_name", (*SUPPLIER_LISTS, "portal:core_firm:payables", "portal:core_firm:inbox"))
def test_every_list_has_the_search_form(request, list_name):
    client = request.getfixturevalue("core_firm_client" if "core_firm" in list_name else "supplier_client")

    assert 'data-testid="invoice-search"' in client.get(reverse(list_name)).content.decode()


@pytest.mark.parametrize("bad, message", [
    ({"amount_min": "a lot"}, "is not an amount"),
    ({"amount_max": "1,00,0"}, "is not an amount"),
    ({"amount_min": "1.1234567"}, "more than 6 decimals"),
    ({"due_from": "31/12/2026"}, "Enter a valid date"),
    ({"amount_min": "500", "amount_max": "100"}, "below the start of the range (500)"),
    ({"issued_from": "2026-05-01", "issued_to": "2026-04-01"}, "below the start of the range"),
])
def test_invalid_input_is_refused_next_to_its_field_and_shows_no_rows(supplier_client, book, bad, message):
    response = supplier_client.get(reverse("portal:supplier:invoices"), bad)

    assert response.status_code == 200
    assert list(response.context["page"]) == []
    errors = response.context["search"].errors
    assert list(errors) == [list(bad)[-1]] and message in str(errors)
    assert 'data-testid="search-refused"' in response.content.decode()


def test_the_page_links_keep_the_search(supplier_client, supplier):
    InvoiceFactory.create_batch(51, seller=supplier, amount=2_000_000)

    response = supplier_client.get(reverse("portal:supplier:invoices"), {"amount_min": "2"})

    assert "amount_min=2&amp;page=2" in response.content.decode()
