"""The pages that `make bench-web` loads and that the query-count guard checks: every role's
dashboards and lists, and the REST API's list endpoints. They are found, not listed by hand:

- a role's pages are the routes of the portal's role packages that need no object id, each opened
  as the first role its `role_required` names (the auditor's pages are the operator's);
- the account pages every role has (team, API tokens) are opened as a supplier;
- the API lists are the routes named `<basename>-list` under /api/, each called as every one of
  API_ROLES that the viewset lets list.

So a page added to a role package or a viewset added to the router is benchmarked and guarded at
once. Only what discovery cannot know is written here: the forms among those routes (NOT_LISTS)
and the query a page needs to show rows (QUERIES)."""

from dataclasses import dataclass

from django.urls import URLPattern, get_resolver, resolve, reverse

NOT_LISTS = {"portal:supplier:upload", "portal:supplier:upload-bulk"}  # forms
QUERIES = {"portal:operator:receivables": "q=0"}  # a search: "0" is in (nearly) every invoice number
ACCOUNT_LISTS = ("portal:team", "portal:tokens")
COMMON_ROLE = "supplier"
# The one page allowed to call the chain during the request: the operator's chain health.
CALLS_CHAIN = {"portal:operator:chain"}
# Whose ERPs call the API lists.
API_ROLES = ("supplier", "core_firm", "lender")


@dataclass(frozen=True)
class Page:
    url_name: str
    role: str
    path: str

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")

    @property
    def calls_chain(self) -> bool:
        return self.url_name in CALLS_CHAIN

    @property
    def label(self) -> str:
        """A short name for tables and test ids, e.g. `supplier invoices` or `api invoice-list (core_firm)`."""
        if self.api:
            return f"api {self.url_name} ({self.role})"
        return f"{self.role} {self.url_name.rsplit(':', 1)[-1]}"


def _page(url_name: str, role: str) -> Page:
    query = QUERIES.get(url_name)
    return Page(url_name, role, reverse(url_name) + (f"?{query}" if query else ""))


def portal_pages() -> list[Page]:
    pages = []
    portal = get_resolver().namespace_dict["portal"][1]
    for namespace, (_prefix, package) in portal.namespace_dict.items():
        for route in package.url_patterns:
            name = f"portal:{namespace}:{route.name}"
            roles = getattr(getattr(route, "callback", None), "portal_roles", ())
            if isinstance(route, URLPattern) and roles and not route.pattern.converters and name not in NOT_LISTS:
                pages.append(_page(name, str(roles[0])))
    return pages + [_page(name, COMMON_ROLE) for name in ACCOUNT_LISTS]


def api_lists() -> list[Page]:
    names = sorted(key for key in get_resolver().reverse_dict if isinstance(key, str) and key.endswith("-list"))
    paths = [(name, reverse(name)) for name in names]
    return [Page(name, role, path)
            for name, path in paths if path.startswith("/api/") for role in _roles_that_list(path)]


def _roles_that_list(path: str) -> tuple[str, ...]:
    """The API roles a viewset lets list (config.api.RolesByAction: `action_roles`, then `roles`)."""
    viewset = getattr(resolve(path).func, "cls", None)
    allowed = getattr(viewset, "action_roles", {}).get("list", getattr(viewset, "roles", None))
    return tuple(role for role in API_ROLES if allowed is None or role in allowed)


def all_pages() -> list[Page]:
    return portal_pages() + api_lists()
