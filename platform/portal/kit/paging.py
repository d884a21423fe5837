"""Lists of 50 rows a page, keeping the list's filters in the page links (for
templates/portal/components/pagination.html)."""

from django.core.paginator import Page, Paginator

PAGE_SIZE = 50


def paginate(request, rows) -> tuple[Page, str]:
    """The requested page of `rows` and the query string of the other GET parameters."""
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def rows_annotate(page: Page, attribute: str, values: dict) -> None:
    """Sets `attribute` on each row of the page to its value in `values`, keyed by the row's pk:
    what a selector computed for the whole page in one query."""
    for row in page:
        setattr(row, attribute, values[row.pk])
