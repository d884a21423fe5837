"""What `make bench-web` prints: a line per page (its SQL queries and time alone, then under load
its requests, failures, p50, p95 and requests per second, from Locust's CSV statistics), the peak
RSS of each web process, where the CPU went, and the verdict against the targets. The verdict is
printed, never turned into an exit status. The last line sums it up for a note or a log:
`web: worst p95 N ms (page), web CPU M ms a request, worst alone K ms (page)`."""

import csv
import os
from pathlib import Path

P95_TARGET_MS = 150
RSS_TARGET_MB = 250


def report(pages, alone: dict[str, tuple], stats_prefix: Path, rss: dict[str, float], cpu: dict[str, float],
           excluded: list[tuple[str, str]]) -> None:
    stats = _read(f"{stats_prefix}_stats.csv")
    slow = _pages_table(pages, alone, {row["Name"]: row for row in stats})
    failed = int(stats[-1]["Failure Count"])
    for label, reason in excluded:
        print(f"{label:<40} not loaded: {reason}")
    print("\npeak RSS per web process (VmHWM):")
    for name, megabytes in rss.items():
        print(f"  {name:<16} {megabytes:7.1f} MB")
    requests = int(stats[-1]["Request Count"]) or 1  # the last row aggregates all
    others = cpu["machine"] - cpu["web"] - cpu["database"] - cpu["locust"]
    print(f"CPU during the load, of {os.cpu_count()} cores x {cpu['wall']:.0f} s: web processes {cpu['web']:.1f} s "
          f"({cpu['web'] * 1000 / requests:.1f} ms a request), PostgreSQL {cpu['database']:.1f} s "
          f"({cpu['database'] * 1000 / requests:.1f} ms a request), load generator {cpu['locust']:.1f} s, "
          f"anything else on the machine {others:.1f} s")
    _failures(Path(f"{stats_prefix}_failures.csv"))
    largest = max(rss.values())
    print("\ntargets:")
    print(f"  p95 <= {P95_TARGET_MS} ms on every page: {'FAIL: ' + ', '.join(slow) if slow else 'PASS'}")
    print(f"  peak RSS <= {RSS_TARGET_MB} MB per web process: {'PASS' if largest <= RSS_TARGET_MB else 'FAIL'}"
          f" (largest {largest:.0f} MB)")
    print(f"  every request answered 200: {f'FAIL ({failed} failed)' if failed else 'PASS'}")
    print("  queries independent of the rows shown: tests/platform/portal/test_portal_query_counts.py")
    print(summary_line(pages, alone, {row["Name"]: row for row in stats}, cpu["web"] * 1000 / requests))


def summary_line(pages, alone: dict[str, tuple], stats: dict[str, dict], web_cpu_ms: float) -> str:
    """The worst page under load (by p95), the web processes' CPU per request, and the slowest page
    alone. A page without requests under load does not count towards the worst p95."""
    loaded = [(float(stats[page.label]["95%"]), page.label) for page in pages if page.label in stats]
    p95, p95_page = max(loaded, default=(0.0, "none"))
    alone_ms, alone_page = max((alone[page.label][1], page.label) for page in pages)
    return (f"web: worst p95 {p95:.0f} ms ({p95_page}), web CPU {web_cpu_ms:.0f} ms a request, "
            f"worst alone {alone_ms:.0f} ms ({alone_page})")


def _read(path: str) -> list[dict]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def _pages_table(pages, alone: dict[str, tuple], stats: dict[str, dict]) -> list[str]:
    """Prints the table; returns the pages over the p95 target."""
    print(f"\n{'page':<40} {'queries':>7} {'alone ms':>8} {'requests':>8} {'fails':>5} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'req/s':>6}")
    slow = []
    for page in pages:
        queries, alone_ms = alone[page.label]
        row = stats.get(page.label)
        if row is None:
            print(f"{page.label:<40} {queries!s:>7} {alone_ms:>8.0f} {'none':>8}")
            slow.append(f"{page.label} (no requests)")
            continue
        p95 = float(row["95%"])
        if p95 > P95_TARGET_MS:
            slow.append(f"{page.label} ({p95:.0f} ms)")
        print(f"{page.label:<40} {queries!s:>7} {alone_ms:>8.0f} {row['Request Count']:>8} {row['Failure Count']:>5} "
              f"{float(row['50%']):>7.0f} {p95:>7.0f} {float(row['Requests/s']):>6.1f}")
    total = stats["Aggregated"]
    print(f"{'all, with sign-ins':<40} {'':>7} {'':>8} {total['Request Count']:>8} {total['Failure Count']:>5} "
          f"{float(total['50%']):>7.0f} {float(total['95%']):>7.0f} {float(total['Requests/s']):>6.1f}")
    return slow


def _failures(path: Path) -> None:
    rows = _read(str(path)) if path.exists() else []
    if rows:
        print("failures:")
        for row in rows[:10]:
            print(f"  {row['Occurrences']:>5} x {row['Name']}: {row['Error'][:120]}")
