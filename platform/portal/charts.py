"""Chart.js configurations built from query results, for templates/portal/components/chart.html.
Amounts arrive in micro-units and leave in currency units."""

from collections.abc import Iterable
from decimal import Decimal

MICRO = Decimal(1_000_000)
PALETTE = ["#1f5fbf", "#1f7a4d", "#a86400", "#7a3fb3", "#b3261e", "#2a8f9a", "#5b6675"]


def _units(micro) -> float:
    return float(Decimal(int(micro or 0)) / MICRO)


def chart(chart_id: str, kind: str, title: str, labels: list, datasets: list[dict], options: dict | None = None) -> dict:
    """A chart for the template: `datasets` are {"label": str, "data": [micro-units...]}."""
    for number, dataset in enumerate(datasets):
        dataset["data"] = [_units(value) for value in dataset["data"]]
        dataset.setdefault("backgroundColor", PALETTE if kind in ("pie", "doughnut") else PALETTE[number % len(PALETTE)])
        dataset.setdefault("borderColor", PALETTE[number % len(PALETTE)])
    return {
        "id": chart_id,
        "config_id": f"{chart_id}-config",
        "title": str(title),
        "config": {"type": kind, "data": {"labels": [str(label) for label in labels], "datasets": datasets},
                   "options": options or {}},
    }


def bars(chart_id: str, title: str, rows: Iterable[tuple[object, int]], label: str) -> dict:
    """One bar per (label, micro-units) row."""
    rows = list(rows)
    return chart(chart_id, "bar", title, [row[0] for row in rows], [{"label": str(label), "data": [row[1] for row in rows]}])


def series(chart_id: str, kind: str, title: str, rows: Iterable[tuple[object, object, int]], options: dict | None = None) -> dict:
    """One dataset per series from (label, series, micro-units) rows, e.g. (week, currency,
    volume): labels and series keep the order they first appear in, and a missing pair counts 0."""
    rows = list(rows)
    labels = list(dict.fromkeys(row[0] for row in rows))
    names = list(dict.fromkeys(row[1] for row in rows))
    values = {(row[0], row[1]): row[2] for row in rows}
    datasets = [{"label": str(name), "data": [values.get((label, name), 0) for label in labels]} for name in names]
    return chart(chart_id, kind, title, labels, datasets, options)
