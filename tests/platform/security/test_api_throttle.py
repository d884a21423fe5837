"""The API answers each caller at most API_THROTTLE_RATE (and API_THROTTLE_BURST_RATE) requests:
counted per token, or per user for a portal session; beyond that 429 with Retry-After."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from organisations.models import Role
from organisations.tokens import api_token_create

from factories import RegisteredOrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _three_a_minute(settings):
    settings.API_THROTTLE_RATE = "3/min"
    settings.API_THROTTLE_BURST_RATE = "100/s"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user():
    return UserFactory(organisation=RegisteredOrganisationFactory(role=Role.SUPPLIER))


def _client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(created_by=user, name='ERP')[1]}")
    return client


def test_requests_beyond_the_rate_get_429_with_retry_after_and_a_sentence(user):
    client = _client(user)
    answers = [client.get("/api/organisations/") for _ in range(4)]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "Too many API requests" in refused.json()["detail"]


def test_each_token_is_counted_on_its_own(user):
    first, second = _client(user), _client(user)
    for _ in range(3):
        first.get("/api/organisations/")

    assert first.get("/api/organisations/").status_code == 429
    assert second.get("/api/organisations/").status_code == 200


def test_a_session_is_counted_per_user(user):
    colleague = UserFactory(organisation=user.organisation)
    mine, theirs = APIClient(), APIClient()
    mine.force_login(user)
    theirs.force_login(colleague)
    for _ in range(3):
        mine.get("/api/organisations/")

    assert mine.get("/api/organisations/").status_code == 429
    assert theirs.get("/api/organisations/").status_code == 200


def test_the_burst_rate_holds_within_a_second(settings, user):
    settings.API_THROTTLE_RATE = "100/min"
    settings.API_THROTTLE_BURST_RATE = "2/s"
    client = _client(user)

    assert [client.get("/api/organisations/").status_code for _ in range(3)] == [200, 200, 429]
