"""The organisations directory of the API: active counterparties by name and role, never the
caller itself, inactive organisations or private fields."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from organisations.models import KycStatus, Role

from factories import OrganisationFactory, RegisteredOrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def test_only_active_counterparties_are_listed(supplier_user, api):
    RegisteredOrganisationFactory(name="Active Buyer", role=Role.CORE_FIRM)
    RegisteredOrganisationFactory(name="Lapsed Lender", role=Role.LENDER,
                                  kyc_expires_at=timezone.now() - timedelta(days=1))
    RegisteredOrganisationFactory(name="Suspended Supplier", kyc_status=KycStatus.SUSPENDED)
    OrganisationFactory(name="Not Yet On Chain", role=Role.SUPPLIER)
    RegisteredOrganisationFactory(name="The Auditor", role=Role.AUDITOR)

    assert _names(api(supplier_user).get("/api/organisations/")) == ["Active Buyer"]


def test_a_row_shows_id_name_and_role_and_nothing_private(supplier_user, api):
    buyer = RegisteredOrganisationFactory(name="Acme Core", role=Role.CORE_FIRM)

    response = api(supplier_user).get(f"/api/organisations/{buyer.pk}/")

    assert response.json() == {"id": buyer.pk, "name": "Acme Core", "role": "core_firm"}
    assert buyer.legal_id not in response.content.decode()


def test_search_by_name_and_role(supplier_user, api):
    RegisteredOrganisationFactory(name="Shenzhen Parts", role=Role.SUPPLIER)
    RegisteredOrganisationFactory(name="Shenzhen Bank", role=Role.LENDER)
    RegisteredOrganisationFactory(name="Ningbo Bank", role=Role.LENDER)
    client = api(supplier_user)

    assert _names(client.get("/api/organisations/", {"name": "shenzhen"})) == ["Shenzhen Bank", "Shenzhen Parts"]
    assert _names(client.get("/api/organisations/", {"role": "lender", "ordering": "-name"})) == [
        "Shenzhen Bank", "Ningbo Bank"
    ]


def test_an_inactive_or_own_organisation_is_not_found(supplier_user, api):
    pending = OrganisationFactory(kyc_status=KycStatus.PENDING)
    client = api(supplier_user)

    assert client.get(f"/api/organisations/{pending.pk}/").status_code == 404
    assert client.get(f"/api/organisations/{supplier_user.organisation_id}/").status_code == 404


def test_a_bad_role_is_named(supplier_user, api):
    response = api(supplier_user).get("/api/organisations/", {"role": "admin"})

    assert response.status_code == 400
    assert "role" in response.json()


def test_the_directory_wants_a_member_of_an_organisation():
    client = APIClient()
    client.force_authenticate(UserFactory(organisation=None))

    assert client.get("/api/organisations/").status_code == 403


def test_the_list_costs_the_same_queries_for_5_or_30_rows(supplier_user, api, django_assert_max_num_queries):
    client = api(supplier_user)
    RegisteredOrganisationFactory.create_batch(5, role=Role.LENDER)
    with CaptureQueriesContext(connection) as five:
        client.get("/api/organisations/")
    RegisteredOrganisationFactory.create_batch(25, role=Role.LENDER)

    with django_assert_max_num_queries(len(five)):
        response = client.get("/api/organisations/")

    assert len(response.json()["results"]) == 30
