"""The permission matrix: every URL of the portal and of the REST API, found by walking the
resolver (a new page or endpoint joins the matrix by itself), against every role, in a world of
two sides (matrix_world.py: A and B, one organisation per role on each, each with its own data).

- A member of side A gets its role's pages (200, or a redirect to another page of its role) with
  A's own objects in the URL, and 403 on the other roles' pages; an API list shows it its objects.
- Anonymous visitors are sent to sign in (portal) or refused (API, 401/403).
- A member of side B with the same role gets 404 on A's objects (never 403, never 200); its lists
  and pages never show A's ids, invoice numbers, fingerprints, documents, tokens or webhooks.
- Writes (POST, DELETE) by a role the route refuses, by B on A's objects, or by anonymous
  visitors are refused and change nothing in the database.
- The body of a refusal never holds any of A's markers (matrix_world.Side.markers).
- A member of an organisation whose KYC is pending, whatever its role, gets 403 everywhere but on
  the pages open before approval (BEFORE_KYC), with its own API token too; its writes change
  nothing.

Pages that show every organisation by design (the operator's and auditor's) and the API's
counterparty directory are checked for roles, not for organisation scoping; see PLATFORM_WIDE_ROLES
and DIRECTORY. Static files are served outside the URLconf, so they are not routes here."""

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from rest_framework.test import APIClient

import matrix_world
from chain.models import ChainAction
from signin import verified
from documents.models import Document
from financing.models import FinancingRequest, Programme
from invoices.models import Invoice, Piece
from organisations.models import ApiToken, Organisation, Role
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("manifest")]

ROLES = tuple(Role.values)
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

EXCLUDED = {  # route name, or a namespace ending in ":" -> why it is not in the matrix
    "portal:login": "the sign-in page: public by nature",
    "portal:logout": "signs out whoever calls it; shows no data",
    "portal:sign-up": "public: registers a new organisation (test_portal_accounts)",
    "portal:invitation": "public, opened with the invitation's secret token (test_portal_accounts)",
    "portal:password-reset": "public: asks for a reset link by e-mail (security/test_password_reset)",
    "portal:password-reset-done": "public: says a link was sent if the address is known",
    "portal:password-reset-confirm": "public, opened with the reset link's one-time token (security/test_password_reset)",
    "portal:password-reset-complete": "public: says the new password is set",
    "set_language": "i18n: sets the language for anyone",
    "healthz": "the load balancer's health report: ok or not ok for anyone, the checks for a monitoring token or a verified admin or auditor (test_healthz_anonymous)",
    "admin:": "the Django admin: staff only, with its own permissions (test_*_admin)",
    "schema": "the API's OpenAPI schema: describes the API, holds no data",
    "docs": "the API's documentation page",
}
ANY_MEMBER = {  # portal pages for every signed-in member (login_required, no role_required), and why
    "portal:home": "sends each member to its role's dashboard",
    "portal:otp-verify": "the second-factor step of signing in",
    "portal:otp-setup": "adds an authenticator to the member's own account",
    "portal:password-change": "changes the member's own password",
    "portal:team": "the member's own organisation's people and invitations",
    "portal:tokens": "the member's own organisation's API tokens",
    "portal:token-revoke": "revokes one of the member's own organisation's API tokens",
    "portal:kyc": "the member's own organisation's KYC documents, uploaded for the platform's review",
}
BEFORE_KYC = {  # the only pages an organisation whose KYC is not approved may open, and why
    "portal:home": "sends it to its KYC documents",
    "portal:otp-verify": "the second-factor step of signing in",
    "portal:otp-setup": "adds an authenticator to the member's own account",
    "portal:team": "its profile (name, time zone) to complete; inviting people there is refused",
    "portal:kyc": "its KYC documents, uploaded for the review",
    "portal:password-change": "the member's own password: account security does not wait for KYC",
}
INVITES_BEFORE_KYC = {"portal:team"}  # open before approval, but a POST with an e-mail is an invitation
SIGN_IN_STEPS = {"portal:login", "portal:otp-verify", "portal:otp-setup"}
PLATFORM_WIDE_ROLES = {Role.ADMIN, Role.AUDITOR}  # routes only for them show every organisation by design
DIRECTORY = {  # API routes that list other organisations by design
    "organisation-list": "the counterparty directory: id, name and role of every active trading organisation",
    "organisation-detail": "one entry of the counterparty directory",
}
KIND_BY_KWARG = {
    "invoice_id": "invoice", "piece_id": "piece", "request_id": "request", "programme_id": "programme",
    "organisation_id": "organisation", "document_id": "document", "action_id": "action",
}
KIND_BY_MODEL = {
    Invoice: "invoice", Piece: "piece", FinancingRequest: "request", Programme: "programme",
    Organisation: "organisation", Document: "document", ChainAction: "action", ApiToken: "token",
    WebhookEndpoint: "endpoint", WebhookDelivery: "delivery",
}
KIND_BY_ROUTE = {("portal:token-revoke", "pk"): "token"}  # portal views name no model: say it here
SNAPSHOT_APPS = ("organisations", "users", "documents", "invoices", "financing", "chain", "webhooks")


# The routes


def _declared_methods(view: Callable) -> tuple[str, ...] | None:
    """The methods a require_http_methods() anywhere in the view's decorators allows; None if none."""
    while getattr(view, "__code__", None) is not None:
        free = dict(zip(view.__code__.co_freevars, view.__closure__ or ()))
        if "request_method_list" in free:
            return tuple(free["request_method_list"].cell_contents)
        view = getattr(view, "__wrapped__", None)
    return None


@dataclass(frozen=True)
class Route:
    name: str | None
    namespace: str
    path: str
    callback: Callable
    kwargs: tuple[str, ...]

    @property
    def is_api(self) -> bool:
        return hasattr(self.callback, "cls")  # DRF's as_view() sets it

    @property
    def label(self) -> str:
        return (f"api:{self.name}" if self.is_api else self.name) if self.name else self.path

    @property
    def methods(self) -> tuple[str, ...]:
        if actions := getattr(self.callback, "actions", None):
            return tuple(method.upper() for method in actions)
        if self.is_api:
            view = self.callback.cls
            return tuple(m.upper() for m in view.http_method_names if m not in ("head", "options") and hasattr(view, m))
        return _declared_methods(self.callback) or ("GET", "POST")  # an undecorated view answers any method

    @property
    def write_methods(self) -> tuple[str, ...]:
        return tuple(method for method in self.methods if method in WRITE_METHODS)

    def roles(self, method: str) -> tuple[str, ...] | None:
        """The roles the route lets through for `method`; None when its view says nothing."""
        if self.is_api:
            action = getattr(self.callback, "actions", {}).get(method.lower())
            view = self.callback.cls(**self.callback.initkwargs)
            view.action = action
            allowed = view.allowed_roles() if hasattr(view, "allowed_roles") else None
            return ROLES if allowed is None else tuple(allowed)
        return _portal_roles(self.callback, self.name)

    def kind_of(self, kwarg: str) -> str | None:
        if kwarg in KIND_BY_KWARG:
            return KIND_BY_KWARG[kwarg]
        queryset = getattr(getattr(self.callback, "cls", None), "queryset", None)
        if queryset is not None and queryset.model in KIND_BY_MODEL:
            return KIND_BY_MODEL[queryset.model]
        return KIND_BY_ROUTE.get((self.name, kwarg))

    @property
    def list_kind(self) -> str | None:
        """For an API list: the kind of object it lists."""
        if not self.is_api or getattr(self.callback, "actions", {}).get("get") != "list":
            return None
        queryset = getattr(self.callback.cls, "queryset", None)
        return KIND_BY_MODEL.get(queryset.model) if queryset is not None else None

    def platform_wide(self, method: str) -> bool:
        return set(self.roles(method) or ()) <= PLATFORM_WIDE_ROLES

    def scoped(self, method: str) -> bool:
        """Whether what the route shows or changes is narrowed to the caller's organisation."""
        return not self.platform_wide(method) and self.name not in DIRECTORY


def _portal_roles(callback: Callable, name: str | None) -> tuple[str, ...] | None:
    if hasattr(callback, "portal_roles"):
        return tuple(callback.portal_roles)
    return ROLES if name in ANY_MEMBER else None


def _walk(patterns, prefix: str = "", namespace: str = "", kwargs: tuple = ()):
    for entry in patterns:
        found = kwargs + tuple(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner, found)
        else:
            name = f"{namespace}{entry.name}" if entry.name else None
            path = prefix + str(entry.pattern)
            yield Route(name=name, namespace=namespace, path=path, callback=entry.callback, kwargs=found)


def _listed(route: Route, name: str) -> bool:
    """Whether `name` (a route name, or a namespace ending in ":") covers the route."""
    return route.name == name or (name.endswith(":") and route.namespace.startswith(name))


def _exclusion(route: Route) -> str | None:
    return next((name for name in EXCLUDED if _listed(route, name)), None)


ALL_ROUTES = list(_walk(get_resolver().url_patterns))
ROUTES = [route for route in ALL_ROUTES if _exclusion(route) is None]
GET_ROUTES = [route for route in ROUTES if "GET" in route.methods]


# The world: built once for the module, rolled back at its end


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock(), transaction.atomic():
        yield matrix_world.build_world(tmp_path_factory.mktemp("matrix-documents"))
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _world_documents(_documents_in_tmp, settings, world):
    settings.MEDIA_ROOT = world.media_root  # where the world's document files are


def _fill(route: Route, role: str, side: matrix_world.Side, method: str = "GET") -> tuple[str, bool]:
    """The route's URL with the side's objects in it, and whether the role's organisation may
    open them: its own, any on a platform-wide page, another organisation in the directory."""
    kwargs, owned = {}, True
    for kwarg in route.kwargs:
        kind = route.kind_of(kwarg)
        if kind is None:
            pytest.fail(f"{route.label}: the world cannot fill the URL kwarg `{kwarg}`: name it as the project "
                        f"does ({', '.join(KIND_BY_KWARG)}) or map it in KIND_BY_MODEL/KIND_BY_ROUTE")
        if route.name in DIRECTORY:
            found = side.organisations[Role.CORE_FIRM if role == Role.SUPPLIER else Role.SUPPLIER]
        elif route.platform_wide(method):
            found = side.representative[kind]
        else:
            found = side.owned.get((role, kind))
            if found is None:  # the role owns none: give it the side's, which it may not see
                found, owned = side.representative[kind], False
        kwargs[kwarg] = found.pk
    return reverse(route.name, kwargs=kwargs), owned


# Requests


def _payload(world) -> dict:
    """A body with every field of every form and endpoint that writes, aimed at A's objects: a
    request let through by mistake would act."""
    a = world.a.organisations
    today = timezone.localdate()
    return {
        "to_organisation": a[Role.SUPPLIER].pk, "amount": "1", "lender": a[Role.LENDER].pk, "reason": "Never delivered",
        "core_firm": a[Role.CORE_FIRM].pk, "buyer": a[Role.CORE_FIRM].pk, "currency": "USDC", "limit": "1000",
        "advance_rate_bps": 8_000, "base_rate_bps": 500, "max_tenor_days": 120, "rating_spread_bps": 25,
        "min_rating": 5, "max_rating_age_days": 365, "min_payout": 1, "request_key": "matrix-request",
        "number": "INV-MATRIX-1", "issue_date": str(today),
        "due_date": str(today + timedelta(days=30)), "documents": [world.a.owned[Role.SUPPLIER, "document"].pk],
        "valid_until": str(today + timedelta(days=365)), "url": "https://matrix.example.com/hook", "events": [],
        "email": "stranger@example.com", "name": "Matrix token",
    }


def _form(payload: dict) -> dict:
    """The payload as the portal's forms read it: plain, and under each form's prefix."""
    prefixes = ("split", "transfer", "finance", "confirm", "dispute", "repay", "fund", "withdraw")
    plain = {key: value for key, value in payload.items() if not isinstance(value, list)}
    return plain | {f"{prefix}-{key}": value for prefix in prefixes for key, value in plain.items()}


def _client(route: Route, side: matrix_world.Side | None, role: str | None):
    """A client acting as the side's member of `role` (None: anonymous): on the portal signed in
    with a verified second factor, on the API with the organisation's token."""
    if route.is_api:
        client = APIClient()
        if role is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {side.api_keys[role]}")
            # Before the snapshot: a token's first use writes its last_used_at, as signing in does last_login.
            client.get(reverse("organisation-list"))
        return client
    client = Client()
    if role is not None:
        verified(client, side.users[role])
    return client


def _request(client, route: Route, method: str, url: str, payload=None):
    if method == "GET":
        return client.get(url)
    if route.is_api:
        return client.generic(method, url, json.dumps(payload or {}), content_type="application/json",
                              HTTP_IDEMPOTENCY_KEY="matrix-write")
    return client.post(url, _form(payload or {})) if method == "POST" else client.generic(method, url)


def _send(route: Route, method: str, url: str, side: matrix_world.Side | None, role: str | None):
    return _request(_client(route, side, role), route, method, url)


def _body(response) -> str:
    # The test client closes a streamed response once read (a file's handle with it).
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode(errors="replace")


def _leaks(text: str, markers) -> list[str]:
    return [marker for marker in markers if marker in text]


def _lands_on_a_page_of(response, role: str) -> str | None:
    """Why the redirect is not to one of the role's own pages; None when it is."""
    target = resolve(urlsplit(response["Location"]).path)
    if target.view_name in SIGN_IN_STEPS:
        return f"redirected to the sign-in step {target.view_name}"
    if role not in (_portal_roles(target.func, target.view_name) or ()):
        return f"redirected to {target.view_name}, which is not a page of a {role}"
    return None


def _result_ids(body: str) -> set[int]:
    data = json.loads(body)
    return {row["id"] for row in (data["results"] if isinstance(data, dict) else data)}


def _snapshot() -> dict:
    """Every row of the project's models: what a refused write must leave as it was."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for label in SNAPSHOT_APPS
        for model in apps.get_app_config(label).get_models()
    }


def _changes(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]


# The inventory


def test_every_route_is_in_the_matrix():
    problems = []
    for route in ROUTES:
        if route.name is None:
            problems.append(f"{route.path}: has no name, so the matrix cannot build its URL")
        if any(route.roles(method) is None for method in route.methods):
            problems.append(f"{route.label}: its view has no portal_roles: decorate it with "
                            "portal.access.role_required, or list it in ANY_MEMBER with the reason")
        problems += [
            f"{route.label}: the world cannot fill the URL kwarg `{kwarg}`: name it as the project does "
            f"({', '.join(KIND_BY_KWARG)}), or map its model in KIND_BY_MODEL (API) or KIND_BY_ROUTE (portal)"
            for kwarg in route.kwargs if route.kind_of(kwarg) is None
        ]
    unused = [name for name in [*EXCLUDED, *ANY_MEMBER, *DIRECTORY, *BEFORE_KYC] if not any(_listed(r, name) for r in ALL_ROUTES)]
    assert not problems, "\n".join(problems)
    assert not unused, f"listed in the matrix but no longer routes: {unused}"
    assert {route.is_api for route in GET_ROUTES} == {True, False}


# Reads


@pytest.mark.parametrize(
    "route, role", [pytest.param(route, role, id=f"{route.label}-{role}") for route in GET_ROUTES for role in ROLES]
)
def test_each_role_gets_its_pages_and_403_elsewhere(world, route, role):
    url, owned = _fill(route, role, world.a)
    response = _send(route, "GET", url, world.a, role)
    body = _body(response)
    if role not in (route.roles("GET") or ()):
        expected = {403}
    elif not owned:
        expected = {404}
    else:
        expected = {200, 302} if not route.is_api else {200}
    assert response.status_code in expected, f"{role} on {url}: {response.status_code}, expected {expected}"
    if response.status_code == 302:
        assert _lands_on_a_page_of(response, role) is None, _lands_on_a_page_of(response, role)
    if response.status_code != 200:
        leaked = _leaks(body, world.a.markers)
        assert not leaked, f"the refusal shows A's {leaked}"
    elif route.list_kind and route.scoped("GET") and (mine := world.a.owned.get((role, route.list_kind))):
        assert mine.pk in _result_ids(body), f"{url} does not list the {role}'s own {route.list_kind}"


@pytest.mark.parametrize("route", [pytest.param(route, id=route.label) for route in GET_ROUTES])
def test_anonymous_is_sent_to_sign_in(world, route):
    url, _owned = _fill(route, next(iter(route.roles("GET") or ROLES)), world.a)
    response = _send(route, "GET", url, None, None)
    if route.is_api:
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == 302
        assert urlsplit(response["Location"]).path == reverse("portal:login")
    leaked = _leaks(_body(response), world.a.markers)
    assert not leaked, f"the refusal shows A's {leaked}"


OTHER_SIDE_CASES = [
    pytest.param(route, role, id=f"{route.label}-{role}")
    for route in GET_ROUTES if route.scoped("GET") for role in route.roles("GET") or ()
]


@pytest.mark.parametrize("route, role", OTHER_SIDE_CASES)
def test_other_organisation_sees_nothing_of_a(world, route, role):
    """B's member of the same role: A's objects answer 404, and B's own lists and pages hold
    nothing of A's."""
    url, _owned = _fill(route, role, world.a)
    response = _send(route, "GET", url, world.b, role)
    body = _body(response)
    if route.kwargs:
        assert response.status_code == 404, f"B's {role} on A's {url}: {response.status_code}, expected 404"
        leaked = _leaks(body, world.a.markers)
        assert not leaked, f"the 404 shows A's {leaked}"
        return
    assert response.status_code in (200, 302), f"B's {role} on {url}: {response.status_code}"
    leaked = _leaks(body, world.a.private_markers)
    assert not leaked, f"B's {role} sees A's {leaked} on {url}"
    if route.list_kind and response.status_code == 200:
        shown = _result_ids(body) & world.a.every[route.list_kind]
        assert not shown, f"B's {role} sees A's {route.list_kind} ids {shown}"


def test_directory_never_shows_legal_ids(world):
    route = next(route for route in GET_ROUTES if route.name == "organisation-list")
    body = _body(_send(route, "GET", reverse(route.name), world.b, Role.SUPPLIER))
    assert world.a.organisations[Role.CORE_FIRM].name in body
    assert not _leaks(body, [org.legal_id for side in (world.a, world.b) for org in side.organisations.values()])


@pytest.mark.parametrize(
    "route, role", [pytest.param(route, role, id=f"{route.label}-{role}") for route in GET_ROUTES for role in ROLES]
)
def test_an_organisation_pending_kyc_gets_only_its_kyc_pages(world, route, role):
    url, _owned = _fill(route, role, world.a)
    response = _send(route, "GET", url, world.pending, role)
    expected = {200, 302} if route.name in BEFORE_KYC else {403}
    assert response.status_code in expected, f"pending {role} on {url}: {response.status_code}, expected {expected}"
    if response.status_code == 302:
        target = resolve(urlsplit(response["Location"]).path).view_name
        assert target in BEFORE_KYC, f"pending {role} on {url} is sent to {target}, which it may not open"
    leaked = _leaks(_body(response), world.a.markers)
    assert not leaked, f"pending {role} on {url} sees A's {leaked}"


# Writes


def _write_cases():
    """(route, method, role, side): anonymous; each role the route refuses, from A; each role it
    lets through, from B, on A's objects (the owner's own writes are the role tests' business)."""
    for route in ROUTES:
        for method in route.write_methods:
            yield pytest.param(route, method, None, "anonymous", id=f"{route.label}-{method}-anonymous")
            for role in ROLES:
                if role not in (route.roles(method) or ()):
                    yield pytest.param(route, method, role, "a", id=f"{route.label}-{method}-{role}")
                elif route.kwargs and route.scoped(method):
                    yield pytest.param(route, method, role, "b", id=f"{route.label}-{method}-{role}-of-B")


PENDING_WRITE_CASES = [
    pytest.param(route, method, role, id=f"{route.label}-{method}-{role}")
    for route in ROUTES if route.name not in BEFORE_KYC or route.name in INVITES_BEFORE_KYC
    for method in route.write_methods for role in ROLES
]


@pytest.mark.parametrize("route, method, role", PENDING_WRITE_CASES)
def test_an_organisation_pending_kyc_writes_nothing(world, route, method, role):
    url, _owned = _fill(route, role, world.a, method)
    client = _client(route, world.pending, role)  # before the snapshot: signing in writes last_login
    before = _snapshot()
    response = _request(client, route, method, url, _payload(world))
    assert response.status_code == 403, f"pending {role} {method} {url}: {response.status_code}, expected 403"
    leaked = _leaks(_body(response), world.a.markers)
    assert not leaked, f"the refusal shows A's {leaked}"
    changed = _changes(before, _snapshot())
    assert not changed, f"{method} {url} by a pending {role} changed {changed}"


@pytest.mark.parametrize("route, method, role, sender", list(_write_cases()))
def test_refused_write_changes_nothing(world, route, method, role, sender):
    url, _owned = _fill(route, role or next(iter(route.roles(method) or ROLES)), world.a, method)
    side = world.b if sender == "b" else world.a
    client = _client(route, side, role)  # before the snapshot: signing in writes last_login
    before = _snapshot()
    response = _request(client, route, method, url, _payload(world))
    body = _body(response)
    if role is None:
        expected = {401, 403} if route.is_api else {302}
    else:
        expected = {404} if sender == "b" else {403}
    who = f"{sender}'s {role}" if role else "anonymous"
    assert response.status_code in expected, f"{who} {method} {url}: {response.status_code}, expected {expected}"
    if role is None and not route.is_api:
        assert urlsplit(response["Location"]).path == reverse("portal:login")
    leaked = _leaks(body, world.a.markers)
    assert not leaked, f"the refusal shows A's {leaked}"
    changed = _changes(before, _snapshot())
    assert not changed, f"{method} {url} by {who} changed {changed}"
