"""Fixtures of the API tests: one registered organisation of each trading role with a user, an
API client signed in with an organisation token, and a lender's programme."""

import pytest
from rest_framework.test import APIClient

from financing.models import Programme
from invoices.models import Currency
from organisations.models import Role
from organisations.tokens import api_token_create

from factories import RegisteredOrganisationFactory, UserFactory


@pytest.fixture(autouse=True)
def _deployment(manifest):
    return manifest


def member_of(role: str):
    """A user of a new registered, KYC-approved organisation of `role`."""
    return UserFactory(organisation=RegisteredOrganisationFactory(role=role))


@pytest.fixture
def supplier_user():
    return member_of(Role.SUPPLIER)


@pytest.fixture
def core_firm_user():
    return member_of(Role.CORE_FIRM)


@pytest.fixture
def lender_user():
    return member_of(Role.LENDER)


@pytest.fixture
def api():
    """`api(user)`: an API client that sends a new token of the user's organisation."""

    def client_for(user) -> APIClient:
        _, key = api_token_create(created_by=user, name="ERP")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return client_for


@pytest.fixture
def make_programme():
    """`make_programme(lender, core_firm, **fields)`: a lender's USDC programme as the mirror holds it."""

    def make(lender, core_firm, **fields):
        defaults = {
            "currency": Currency.USDC, "limit": 500_000_000_000, "advance_rate_bps": 9_000, "base_rate_bps": 500,
            "max_tenor_days": 120, "rating_spread_bps": 50, "min_rating": 6, "liquidity": 100_000_000_000,
        }
        return Programme.objects.create(lender=lender, core_firm=core_firm, **(defaults | fields))

    return make
