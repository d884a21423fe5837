"""The pages that `make bench-web` loads and the query-count guard checks: each role's dashboard
and lists, and the REST API's list endpoints. Nothing is listed by hand: a role's pages are its
portal menu (portal.context.MENUS) and the API lists are the routes named `*-list` under /api/, so
a page added to a menu or a viewset added to the router is benchmarked and guarded at once. Only
the menu entries that are not lists or dashboards are named here, in NOT_LISTS."""

from dataclasses import dataclass

from django.urls import get_resolver, resolve, reverse

# Menu entries that show a form, not rows.
NOT_LISTS = {"portal:supplier:upload", "portal:otp-setup"}
# The one page allowed to call the chain during the request: the operator's chain health.
CALLS_CHAIN = {"portal:operator:chain"}
# The account pages every role has; checked once, as this role.
COMMON_ROLE = "supplier"
# Whose ERPs call the API lists (each list as every one of these roles that may call it).
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


def portal_pages() -> list[Page]:
    """Every role's menu pages, minus forms; the auditor's menu is the operator's, checked as admin."""
    from organisations.models import Role
    from portal.context import COMMON, MENUS

    pages = []
    for role, menu in MENUS.items():
        if role == Role.AUDITOR:
            continue
        entries = menu + (COMMON if role == COMMON_ROLE else [])
        pages += [Page(name, str(role), reverse(name)) for _label, name in entries if name not in NOT_LISTS]
    return pages


def api_lists() -> list[Page]:
    """The API's list endpoints (DRF names them `<basename>-list`), once per API role allowed to list."""
    names = sorted(key for key in get_resolver().reverse_dict if isinstance(key, str) and key.endswith("-list"))
    paths = [(name, reverse(name)) for name in names]
    return [Page(name, role, path) for name, path in paths if path.startswith("/api/")
            for role in _roles_that_list(path)]


def _roles_that_list(path: str) -> tuple[str, ...]:
    """The API roles a viewset lets list (config.api.RolesByAction: `action_roles`, then `roles`)."""
    viewset = getattr(resolve(path).func, "cls", None)
    allowed = getattr(viewset, "action_roles", {}).get("list", getattr(viewset, "roles", None))
    return tuple(role for role in API_ROLES if allowed is None or role in allowed)


def all_pages() -> list[Page]:
    return portal_pages() + api_lists()
