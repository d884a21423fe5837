"""The portal's role folders (accounts, supplier, core_firm, lender, operator) do not borrow from
each other: no module of one imports another's, and no template of one includes, extends or
renders another's. What they share lives one floor down, in portal/kit/ and
templates/portal/components/, which borrow from no role either."""

import ast
import re
from pathlib import Path

import pytest

PORTAL = Path(__file__).resolve().parents[3] / "platform" / "portal"
ROLE_FOLDERS = ("accounts", "supplier", "core_firm", "lender", "operator")
# (Python folder, its templates' folder): each role's, then the shared floor's.
FLOORS = [*((role, role) for role in ROLE_FOLDERS), ("kit", "components")]
TEMPLATE_NAME = re.compile(r"""["']portal/(\w+)/[\w./-]+["']""")


def _imported_modules(source: str, package: tuple[str, ...]) -> set[str]:
    """Every module the source imports, its relative imports resolved against `package`."""
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else ()
            module = ".".join([*base, *([node.module] if node.module else [])])
            modules |= {module} | {f"{module}.{alias.name}" for alias in node.names}
    return modules


def _other_roles(folder: str, names) -> set[str]:
    return {name for name in names if name in ROLE_FOLDERS and name != folder}


def _python_files(folder: str) -> list[Path]:
    return sorted((PORTAL / folder).rglob("*.py"))


@pytest.mark.parametrize(("folder", "templates"), FLOORS)
def test_a_folder_imports_no_other_role_folder(folder, templates):
    borrowed = {
        f"{path.relative_to(PORTAL)} imports {module}"
        for path in _python_files(folder)
        for module in _imported_modules(path.read_text(encoding="utf-8"), path.relative_to(PORTAL.parent).parent.parts)
        if module.startswith("portal.") and _other_roles(folder, module.split(".")[1:2])
    }
    assert not borrowed


@pytest.mark.parametrize(("folder", "templates"), FLOORS)
def test_a_folder_uses_no_other_roles_templates(folder, templates):
    sources = [*_python_files(folder), *sorted((PORTAL / "templates" / "portal" / templates).rglob("*.*"))]
    borrowed = {
        f"{path.relative_to(PORTAL)} uses portal/{name}/"
        for path in sources
        for name in TEMPLATE_NAME.findall(path.read_text(encoding="utf-8"))
        if _other_roles(templates, [name])
    }
    assert not borrowed


def test_relative_and_absolute_imports_of_another_role_are_both_seen():
    source = "from ..supplier.forms import AmountField\nfrom portal.lender import views\nfrom . import selectors\n"

    modules = _imported_modules(source, ("portal", "core_firm"))

    assert {"portal.supplier.forms", "portal.lender.views", "portal.core_firm.selectors"} <= modules
    assert _other_roles("core_firm", [module.split(".")[1] for module in modules]) == {"supplier", "lender"}
