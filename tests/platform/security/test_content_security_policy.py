"""The Content-Security-Policy: every page of the permission matrix's world answers with the strict
policy (no 'unsafe-inline' anywhere but Swagger UI's styles on /api/docs/), and no template holds
what that policy would block: an inline <script>, a <style> block, a style="..." attribute or an
inline event handler (onclick="...")."""

import re
import sys
from pathlib import Path

import pytest

PLATFORM = Path(__file__).resolve().parents[3] / "platform"
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "portal"))  # the matrix's world, shared

from test_portal_permission_matrix import GET_ROUTES, _fill, _send, _world_documents, world  # noqa: E402,F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manifest")]

STRICT = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "object-src": {"'none'"},
    "frame-ancestors": {"'none'"},  # as X-Frame-Options DENY, which browsers ignore once this is set
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
}
BLOCKED_IN_TEMPLATES = {
    "an inline <script>": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE),
    "a <style> block": re.compile(r"<style[\s>]", re.IGNORECASE),
    "a style attribute": re.compile(r"\sstyle=[\"']", re.IGNORECASE),
    "an inline event handler": re.compile(r"\son[a-z]+=[\"']", re.IGNORECASE),
}
TEMPLATES = sorted(PLATFORM.glob("*/templates/**/*.html"))


def _policy(header: str) -> dict[str, set[str]]:
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: set(values) for name, *values in directives}


def _page_role(route) -> str | None:
    return next(iter(route.roles("GET") or ()), None)


@pytest.mark.parametrize("route", [pytest.param(route, id=route.label) for route in GET_ROUTES])
def test_every_page_of_the_world_answers_with_the_strict_policy(world, route):
    role = _page_role(route)
    url, _ = _fill(route, role, world.a)

    response = _send(route, "GET", url, world.a, role)

    assert "Content-Security-Policy" in response, f"{url} has no Content-Security-Policy"
    if response["Content-Security-Policy"] != "sandbox":  # a document's own, stricter one
        assert _policy(response["Content-Security-Policy"]) == STRICT, f"{url}: {response['Content-Security-Policy']}"


def test_the_sign_in_page_answers_with_the_strict_policy(client):
    response = client.get("/login/")

    assert _policy(response["Content-Security-Policy"]) == STRICT


def test_the_api_docs_allow_swagger_uis_inline_styles_and_nothing_else(client, world):
    client.force_login(world.a.users["supplier"])

    policy = _policy(client.get("/api/docs/")["Content-Security-Policy"])

    assert policy == STRICT | {"style-src": {"'self'", "'unsafe-inline'"}}


def test_the_framed_document_view_keeps_its_own_policy_and_may_be_framed_by_the_platform(world, client):
    route = next(route for route in GET_ROUTES if route.name == "portal:core_firm:document")
    url, _ = _fill(route, "core_firm", world.a)

    response = _send(route, "GET", url, world.a, "core_firm")

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_the_templates_are_found():
    assert len(TEMPLATES) > 20


@pytest.mark.parametrize("template", [pytest.param(path, id=str(path.relative_to(PLATFORM))) for path in TEMPLATES])
def test_no_template_holds_what_the_policy_blocks(template):
    text = template.read_text()
    found = [
        f"{what} on line {text.count(chr(10), 0, match.start()) + 1}: {match.group(0).strip()}"
        for what, pattern in BLOCKED_IN_TEMPLATES.items()
        for match in pattern.finditer(text)
    ]
    assert not found, found
