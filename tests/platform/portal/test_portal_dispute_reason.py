"""The buyer's dispute reason on the pages: the seller reads it once the chain has the dispute, the
buyer and the operator read it (with who sent it) from the moment it is queued, and a dispute from
before reasons were kept says so."""

import pytest
from django.urls import reverse

from chain_events import apply_event
from invoices import services
from invoices.models import InvoiceStatus
from organisations.models import Role

from factories import InvoiceFactory, RegisteredOrganisationFactory, UserFactory
from signin import verified

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manifest")]

REASON = "Only 40 of the 50 pallets arrived; the invoice bills 50."


@pytest.fixture(autouse=True)
def _chain_unreachable(settings):
    settings.CHAIN_RPC_URL = "http://127.0.0.1:9"


@pytest.fixture
def invoice():
    seller = RegisteredOrganisationFactory(role=Role.SUPPLIER)
    buyer = RegisteredOrganisationFactory(role=Role.CORE_FIRM)
    return InvoiceFactory(seller=seller, buyer=buyer, status=InvoiceStatus.REGISTERED)


@pytest.fixture
def buyer_clerk(invoice):
    return UserFactory(organisation=invoice.buyer, username="clerk.wu")


def _dispute(invoice, buyer_clerk):
    services.invoice_dispute(invoice=invoice, disputed_by=buyer_clerk, reason=REASON)


def _on_chain(invoice):
    invoice.refresh_from_db()
    apply_event("InvoiceDisputed", fingerprint=invoice.fingerprint, buyer=invoice.buyer.chain_account.address,
                reasonHash=invoice.dispute_reason_hash)


def _seller_page(client, invoice) -> str:
    client.force_login(UserFactory(organisation=invoice.seller))
    return client.get(reverse("portal:supplier:invoice", args=[invoice.pk])).content.decode()


def test_the_seller_reads_the_reason_once_the_dispute_is_on_chain(client, invoice, buyer_clerk):
    _dispute(invoice, buyer_clerk)
    assert "pallets" not in _seller_page(client, invoice)

    _on_chain(invoice)

    page = _seller_page(client, invoice)
    assert 'data-testid="dispute-reason-text"' in page and "Only 40 of the 50 pallets arrived" in page
    assert "clerk.wu" not in page


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AUDITOR])
def test_the_operator_reads_the_reason_and_who_sent_it(client, invoice, buyer_clerk, role):
    _dispute(invoice, buyer_clerk)
    verified(client, UserFactory(organisation=RegisteredOrganisationFactory(role=role)))

    page = client.get(reverse("portal:operator:receivable", args=[invoice.pk])).content.decode()

    assert "Only 40 of the 50 pallets arrived" in page and "clerk.wu" in page
    assert "The dispute is on its way to the chain." in page


def test_the_buyer_reads_its_own_reason(client, invoice, buyer_clerk):
    _dispute(invoice, buyer_clerk)
    _on_chain(invoice)
    client.force_login(buyer_clerk)

    page = client.get(reverse("portal:core_firm:invoice", args=[invoice.pk])).content.decode()

    assert "Only 40 of the 50 pallets arrived" in page


def test_a_dispute_from_before_reasons_were_kept_says_the_reason_was_not_recorded(client, invoice):
    invoice.status = InvoiceStatus.DISPUTED
    invoice.save()

    page = _seller_page(client, invoice)

    assert 'data-testid="dispute-reason-missing"' in page
    assert "Reason not recorded: the invoice was disputed before the platform kept dispute reasons" in page


def test_the_api_gives_the_seller_the_reason(client, invoice, buyer_clerk):
    _dispute(invoice, buyer_clerk)
    client.force_login(UserFactory(organisation=invoice.seller))

    assert client.get(f"/api/invoices/{invoice.pk}/").json()["dispute_reason"] == REASON
