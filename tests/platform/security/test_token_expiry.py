"""An API token lives API_TOKEN_LIFETIME_DAYS and is refused after; the portal shows when it
expires and when it was last used, a time written at most once a minute."""

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from organisations.models import ApiToken, Role
from organisations.tokens import api_token_create

from factories import RegisteredOrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
MINTED = datetime(2026, 3, 1, 9, 0, tzinfo=dt_timezone.utc)


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def user():
    return UserFactory(organisation=RegisteredOrganisationFactory(role=Role.SUPPLIER))


def test_a_token_expires_after_the_configured_lifetime(settings, user):
    settings.API_TOKEN_LIFETIME_DAYS = 30
    with time_machine.travel(MINTED, tick=False):
        token, _ = api_token_create(created_by=user, name="ERP")

    assert token.expires_at == MINTED + timedelta(days=30)


def test_the_default_lifetime_is_ninety_days(user):
    with time_machine.travel(MINTED, tick=False):
        token, _ = api_token_create(created_by=user, name="ERP")

    assert token.expires_at == MINTED + timedelta(days=90)


def test_a_token_works_until_it_expires_and_is_refused_after(user):
    with time_machine.travel(MINTED, tick=False):
        token, key = api_token_create(created_by=user, name="ERP")

    with time_machine.travel(token.expires_at - timedelta(seconds=1), tick=False):
        assert _client(key).get("/api/organisations/").status_code == 200
    with time_machine.travel(token.expires_at, tick=False):
        response = _client(key).get("/api/organisations/")

    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_the_first_use_records_the_time(user):
    token, key = api_token_create(created_by=user, name="ERP")
    with time_machine.travel(MINTED, tick=False):
        _client(key).get("/api/organisations/")

    assert ApiToken.objects.get(pk=token.pk).last_used_at == MINTED


def test_the_last_used_time_is_written_at_most_once_a_minute(user):
    token, key = api_token_create(created_by=user, name="ERP")
    with time_machine.travel(MINTED, tick=False):
        _client(key).get("/api/organisations/")
    with time_machine.travel(MINTED + timedelta(seconds=59), tick=False):
        with CaptureQueriesContext(connection) as queries:
            _client(key).get("/api/organisations/")

    assert ApiToken.objects.get(pk=token.pk).last_used_at == MINTED
    assert not [query for query in queries.captured_queries if query["sql"].startswith("UPDATE")]


def test_the_last_used_time_moves_on_after_a_minute(user):
    token, key = api_token_create(created_by=user, name="ERP")
    with time_machine.travel(MINTED, tick=False):
        _client(key).get("/api/organisations/")
    with time_machine.travel(MINTED + timedelta(minutes=1), tick=False):
        _client(key).get("/api/organisations/")

    assert ApiToken.objects.get(pk=token.pk).last_used_at == MINTED + timedelta(minutes=1)


def test_the_portal_shows_when_a_token_expires_and_was_last_used(client, user):
    with time_machine.travel(MINTED, tick=False):
        _, key = api_token_create(created_by=user, name="ERP")
        _client(key).get("/api/organisations/")
    client.force_login(user)

    page = client.get(reverse("portal:tokens")).text

    assert "2026-05-30" in page  # 90 days after 1 March
    assert "2026-03-01 09:00" in page


def test_the_portal_marks_an_expired_token(client, user):
    with time_machine.travel(MINTED, tick=False):
        api_token_create(created_by=user, name="ERP")
    client.force_login(user)

    with time_machine.travel(MINTED + timedelta(days=91)):
        page = client.get(reverse("portal:tokens")).text

    assert "expired" in page


def test_the_portal_says_how_long_a_new_token_works(settings, client, user):
    settings.API_TOKEN_LIFETIME_DAYS = 30
    client.force_login(user)

    assert "A new token works for 30 days" in client.get(reverse("portal:tokens")).text
