"""What needs the user's attention, at the top of every role's dashboard: per list, a count, the
first few rows (each a sentence with a link) and a link to the whole list. The role folders choose
their lists; this module only bounds and shapes them (a count and at most ATTENTION_ROWS rows: one
indexed query a list, whatever the book's size).

The core firm's and the supplier's "approvals waiting" join their dashboards' lists as one more
AttentionList once approvals exist (issue 15): nothing else changes."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, QuerySet, Window

ATTENTION_ROWS = 5


@dataclass(frozen=True)
class AttentionRow:
    text: str
    url: str


@dataclass(frozen=True)
class AttentionList:
    key: str  # a stable slug for the page: data-testid="attention-<key>"
    title: str
    count: int
    rows: list[AttentionRow]
    more_url: str = ""


def attention_list(
    *, key: str, title: str, rows: QuerySet, row: Callable[[object], AttentionRow], more_url: str = ""
) -> AttentionList:
    """The list of `rows` (in their order): their count, and the first ATTENTION_ROWS as `row` says
    them. The count comes with the rows, as a window over all of them, computed before the limit."""
    first = list(rows.annotate(attention_total=Window(Count("pk")))[:ATTENTION_ROWS])
    return AttentionList(
        key=key, title=str(title), count=first[0].attention_total if first else 0, rows=[row(item) for item in first],
        more_url=more_url,
    )
