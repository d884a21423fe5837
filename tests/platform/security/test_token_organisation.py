"""An API token acts for the organisation it was minted for, and only while its creator still
belongs to that organisation; any member of the organisation may revoke its tokens."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from organisations.models import ApiToken, Role
from organisations.tokens import api_token_create

from factories import RegisteredOrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_acts_for_the_organisation_it_was_minted_for():
    supplier = UserFactory(organisation=RegisteredOrganisationFactory(role=Role.SUPPLIER))
    RegisteredOrganisationFactory(name="Acme Core", role=Role.CORE_FIRM)
    _, key = api_token_create(created_by=supplier, name="ERP")

    response = _client(key).get("/api/organisations/")

    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == ["Acme Core"]


def test_a_token_whose_creator_moved_to_another_organisation_is_refused():
    old, new = (RegisteredOrganisationFactory(role=role) for role in (Role.SUPPLIER, Role.CORE_FIRM))
    user = UserFactory(organisation=old)
    _, key = api_token_create(created_by=user, name="ERP")
    user.organisation = new
    user.save()

    response = _client(key).get("/api/organisations/")

    assert response.status_code == 401
    assert "no longer belongs to the organisation" in response.json()["detail"]


def test_a_token_of_the_new_organisation_still_works_for_the_moved_user():
    old, new = (RegisteredOrganisationFactory(role=role) for role in (Role.SUPPLIER, Role.CORE_FIRM))
    user = UserFactory(organisation=old)
    user.organisation = new
    user.save()
    _, key = api_token_create(created_by=user, name="ERP")

    assert _client(key).get("/api/organisations/").status_code == 200
    assert ApiToken.objects.get().organisation == new


def test_any_member_of_the_organisation_can_revoke_its_tokens(client):
    organisation = RegisteredOrganisationFactory(role=Role.SUPPLIER)
    creator, colleague = UserFactory(organisation=organisation), UserFactory(organisation=organisation)
    token, key = api_token_create(created_by=creator, name="ERP")
    client.force_login(colleague)

    client.post(reverse("portal:token-revoke", args=[token.pk]))

    assert _client(key).get("/api/organisations/").status_code == 401
