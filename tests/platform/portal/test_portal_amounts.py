"""Amounts carry their currency: the `money` filter renders '250,000.00 USDC' from micro-units and
a currency id or code, and the lists that used to show bare numbers show the currency."""

import pytest
from django.urls import reverse

from factories import InvoiceFactory, PieceFactory, ProgrammeFactory, RegisteredOrganisationFactory, UserFactory
from invoices.models import Currency, InvoiceStatus
from organisations.models import Role
from portal.templatetags.portal import money
from signin import verified

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manifest")]


@pytest.mark.parametrize("currency, shown", [
    (Currency.USDC, "250,000.00 USDC"), (Currency.EURT, "250,000.00 EURT"), ("USDC", "250,000.00 USDC"),
    (None, "250,000.00"),
])
def test_money_shows_the_amount_with_its_currency(currency, shown):
    assert money(250_000_000_000, currency) == shown


def test_money_without_an_amount_is_a_dash():
    assert money(None, Currency.USDC) == "–"


def test_the_receivables_list_shows_what_was_collected_with_its_currency(client):
    supplier = RegisteredOrganisationFactory(role=Role.SUPPLIER)
    invoice = InvoiceFactory(seller=supplier, currency=Currency.EURT, status=InvoiceStatus.REPAID)
    PieceFactory(invoice=invoice, claimed=1_000_000_000)
    client.force_login(UserFactory(organisation=supplier))

    assert "1,000.00 EURT" in client.get(reverse("portal:supplier:receivables")).content.decode()


def test_the_lender_s_programmes_show_limit_exposure_and_liquidity_with_the_currency(client):
    lender = RegisteredOrganisationFactory(role=Role.LENDER)
    ProgrammeFactory(lender=lender, currency=Currency.EURT, limit=2_000_000_000, exposure=3_000_000,
                     liquidity=4_000_000)

    content = verified(client, UserFactory(organisation=lender)).get(reverse("portal:lender:programmes")).content

    assert all(f"{amount} EURT" in content.decode() for amount in ("2,000.00", "3.00", "4.00"))
