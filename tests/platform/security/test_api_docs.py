"""The API's schema and Swagger UI: for signed-in users only (session or organisation token), and
the UI's scripts and styles come from the pinned drf-spectacular-sidecar package on the platform's
own origin, never from a CDN."""

import re

import pytest
from rest_framework.test import APIClient

from organisations.models import Role
from organisations.tokens import api_token_create

from factories import RegisteredOrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

SCHEMA = "application/vnd.oai.openapi+json"


@pytest.fixture
def supplier_user():
    return UserFactory(organisation=RegisteredOrganisationFactory(role=Role.SUPPLIER))


def _token_client(user) -> APIClient:
    _, key = api_token_create(created_by=user, name="ERP")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/"])
def test_an_anonymous_visitor_is_refused_the_schema_and_the_docs(client, path):
    response = client.get(path)

    assert response.status_code in (401, 403)
    assert b"openapi" not in response.content.lower()


def test_the_schema_is_served_to_an_api_token(supplier_user):
    response = _token_client(supplier_user).get("/api/schema/", HTTP_ACCEPT=SCHEMA)

    assert response.status_code == 200
    assert "/api/invoices/" in response.json()["paths"]


def test_the_docs_and_the_schema_are_served_to_a_signed_in_member(client, supplier_user):
    client.force_login(supplier_user)

    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/schema/", HTTP_ACCEPT=SCHEMA).status_code == 200


def test_the_docs_load_their_scripts_and_styles_from_the_platform_itself(client, supplier_user):
    client.force_login(supplier_user)

    page = client.get("/api/docs/").content.decode()

    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources
    assert all(source.startswith("/") and not source.startswith("//") for source in sources), sources
    assert "swagger-ui-bundle.js" in page
    assert not re.search(r"<script>|<script\s+(?![^>]*\bsrc=)[^>]*>", page), "an inline script needs 'unsafe-inline'"


def test_the_docs_start_up_script_is_a_file_of_its_own(client, supplier_user):
    client.force_login(supplier_user)
    page = client.get("/api/docs/").content.decode()
    [script_url] = re.findall(r'<script src="([^"]*script=[^"]*)"', page)

    script = client.get(script_url.replace("&amp;", "&"))

    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content
