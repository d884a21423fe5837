"""The web benchmark (`make bench-web`): the portal's dashboards and lists of every role and the API
list endpoints (tools/web_pages.py finds them) under 50 concurrent users, on PostgreSQL holding
10,000 invoices.

1. Recreates the database (BENCH_WEB_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/
   scf_bench_web), migrates, seeds it (scripts/bench_web_seed.py) and analyses it.
2. Counts each page's SQL queries once, in process (whether they grow with the rows shown is the
   job of tests/platform/portal/test_portal_query_counts.py).
3. Serves the platform with gunicorn (gthread workers, DEBUG off, persistent connections,
   config.settings.test) and runs Locust (.venv-tools) on it: users sign in through the login
   forms (lenders and operators with a TOTP code) and open their role's pages with a think time.
4. Prints, per page, the requests, p50, p95 and requests per second; the peak RSS of each web
   process; and the verdict against the targets. It always exits 0 when the run completes.

The chain is not started: pages must not call it. CHAIN_RPC_URL points at a closed port, so a page
that does fails visibly, and the operator's chain-health page, the one page that may call the
chain, is left out of the load."""

import argparse
import csv
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
from collections import Counter
import urllib.request
from dataclasses import asdict
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(PROJECT / "platform"), str(PROJECT / "tools"), str(PROJECT / "scripts")]

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/scf_bench_web"
CLOSED_PORT_RPC = "http://127.0.0.1:9"  # the discard port: nothing listens, a call fails at once
P95_TARGET_MS = 150
RSS_TARGET_MB = 250
SPAWN_RATE = 10  # users started per second


def configure(folder: Path, database_url: str) -> None:
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "600",
        "PLATFORM_VAR_DIR": str(folder),
        "CELERY_BROKER_URL": "memory://",
        "CHAIN_RPC_URL": CLOSED_PORT_RPC,
        "TEST_RUN_ID": "bench-web",
        "LOG_LEVEL": "WARNING",
    })


def recreate_database(database_url: str) -> None:
    import psycopg
    from urllib.parse import urlsplit

    url = urlsplit(database_url)
    name = url.path.lstrip("/")
    with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def prepare(invoices: int) -> dict:
    """Migrates and seeds; returns each role's logins."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    import bench_web_seed

    call_command("migrate", verbosity=0, skip_checks=True)
    started = time.monotonic()
    logins = bench_web_seed.seed(invoices=invoices)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"seeded {invoices} invoices in {time.monotonic() - started:.1f} s")
    return logins


def measure_alone(pages, logins) -> dict[str, tuple]:
    """Each page without load, in process, as the role's busiest organisation: its SQL queries and
    its median time over three requests (after one to warm the caches)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    alone = {}
    for page in pages:
        client = _client_for(page, logins[page.role][0])
        client.get(page.path)
        timings = []
        for _attempt in range(3):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                status = client.get(page.path).status_code
            timings.append((time.perf_counter() - started) * 1000)
        alone[page.label] = (len(queries) if status == 200 else f"HTTP {status}", sorted(timings)[1])
    return alone


def _client_for(page, login):
    """A test client signed in as the login (second factor verified), or carrying its API key."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from users.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    if page.api:
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {login.api_key}"
        return client
    user = User.objects.get(username=login.username)
    client.force_login(user)
    if device := TOTPDevice.objects.filter(user=user).first():
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def user_mix(total: int, pages) -> dict[str, int]:
    """Users of each kind (a portal role, or "api") in proportion to its pages: every page gets
    about the same number of requests."""
    kinds = Counter("api" if page.api else page.role for page in pages)
    mix = {kind: max(1, total * count // len(pages)) for kind, count in kinds.items()}
    mix[kinds.most_common(1)[0][0]] += total - sum(mix.values())
    return mix


class Server:
    """gunicorn with gthread workers. At the end: the peak RSS (VmHWM) of each of its processes
    and the CPU time they used."""

    def __init__(self, port: int, workers: int, threads: int):
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [str(PROJECT / ".venv/bin/gunicorn"), "config.wsgi:application", "--pythonpath", str(PROJECT / "platform"),
             "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
             "--worker-class", "gthread", "--log-level", "warning"],
            cwd=PROJECT,
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/login/", timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer on {self.url} within {timeout} s")

    def processes(self) -> dict:
        import psutil

        master = psutil.Process(self.process.pid)
        return {f"master {master.pid}": master} | {f"worker {child.pid}": child for child in master.children()}

    def peak_rss_mb(self) -> dict[str, float]:
        return {name: _vm_hwm_kb(process.pid) / 1024 for name, process in self.processes().items()}

    def cpu_seconds(self) -> float:
        return sum(sum(process.cpu_times()[:2]) for process in self.processes().values())

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _vm_hwm_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def run_locust(folder: Path, url: str, users: int, seconds: int) -> Path:
    """Spawns SPAWN_RATE users a second; the statistics start once all are running (--reset-stats).
    Locust's own output goes to locust.log in `folder`."""
    prefix = folder / "locust"
    with open(folder / "locust.log", "w") as log:
        subprocess.run(
            [str(PROJECT / ".venv-tools/bin/locust"), "-f", str(PROJECT / "scripts/bench_web_locustfile.py"),
             "--headless", "--users", str(users), "--spawn-rate", str(SPAWN_RATE),
             "--run-time", f"{seconds + -(-users // SPAWN_RATE)}s", "--host", url, "--csv", str(prefix),
             "--reset-stats", "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "5"],
            cwd=PROJECT, env=os.environ | {"BENCH_WEB_PLAN": str(folder / "plan.json")}, check=False,
            stdout=log, stderr=subprocess.STDOUT,
        )
    if not Path(f"{prefix}_stats.csv").exists():
        raise RuntimeError("Locust wrote no statistics:\n" + (folder / "locust.log").read_text()[-3000:])
    return prefix


def report(pages, alone: dict, prefix: Path, rss: dict[str, float], cpu: dict[str, float], excluded) -> None:
    with open(f"{prefix}_stats.csv", newline="") as handle:
        stats = {row["Name"]: row for row in csv.DictReader(handle)}
    print(f"\n{'page':<40} {'queries':>7} {'alone ms':>8} {'requests':>8} {'fails':>5} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'req/s':>6}")
    slow, failures = [], 0
    for page in pages:
        queries, alone_ms = alone[page.label]
        row = stats.get(page.label)
        if row is None:
            print(f"{page.label:<40} {queries!s:>7} {alone_ms:>8.0f} {'none':>8}")
            slow.append(f"{page.label} (no requests)")
            continue
        p50, p95, fails = float(row["50%"]), float(row["95%"]), int(row["Failure Count"])
        failures += fails
        if p95 > P95_TARGET_MS:
            slow.append(f"{page.label} ({p95:.0f} ms)")
        print(f"{page.label:<40} {queries!s:>7} {alone_ms:>8.0f} {row['Request Count']:>8} {fails:>5} {p50:>7.0f} "
              f"{p95:>7.0f} {float(row['Requests/s']):>6.1f}")
    total = stats["Aggregated"]
    print(f"{'all, with sign-ins':<40} {'':>7} {'':>8} {total['Request Count']:>8} {total['Failure Count']:>5} "
          f"{float(total['50%']):>7.0f} {float(total['95%']):>7.0f} {float(total['Requests/s']):>6.1f}")
    for label, reason in excluded:
        print(f"{label:<40} not loaded: {reason}")
    print("\npeak RSS per web process (VmHWM):")
    for name, megabytes in rss.items():
        print(f"  {name:<20} {megabytes:7.1f} MB")
    requests = int(total["Request Count"]) or 1
    print(f"CPU during the load: web processes {cpu['web']:.1f} s ({cpu['web'] * 1000 / requests:.1f} ms a request), "
          f"load generator {cpu['locust']:.1f} s; {os.cpu_count()} cores x {cpu['wall']:.0f} s available")
    _print_failures(prefix)
    heaviest = max(rss.values())
    print("\ntargets:")
    print(f"  p95 <= {P95_TARGET_MS} ms on every page: {'FAIL: ' + ', '.join(slow) if slow else 'PASS'}")
    print(f"  peak RSS <= {RSS_TARGET_MB} MB per web process: {'PASS' if heaviest <= RSS_TARGET_MB else 'FAIL'}"
          f" (largest {heaviest:.0f} MB)")
    print(f"  every request answered 200: {'PASS' if not failures else f'FAIL ({failures} failed)'}")
    print("  queries independent of the rows shown: tests/platform/portal/test_portal_query_counts.py checks it")


def _print_failures(prefix: Path) -> None:
    path = Path(f"{prefix}_failures.csv")
    rows = list(csv.DictReader(path.open())) if path.exists() else []
    if rows:
        print("failures:")
        for row in rows[:10]:
            print(f"  {row['Occurrences']:>5} x {row['Name']}: {row['Error'][:120]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=40, help="of load, after the users have signed in")
    parser.add_argument("--think", type=float, nargs=2, default=(1.0, 2.0), metavar=("MIN", "MAX"),
                        help="seconds a user waits between two pages")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8610)
    options = parser.parse_args()
    database_url = os.environ.get("BENCH_WEB_DATABASE_URL", DEFAULT_DATABASE_URL)

    with tempfile.TemporaryDirectory(prefix="bench-web-") as folder:
        folder = Path(folder)
        configure(folder, database_url)
        recreate_database(database_url)
        logins = prepare(options.invoices)

        import web_pages
        from bench_web_seed import PASSWORD
        from django.db import connections

        everything = web_pages.all_pages()
        excluded = [(page.label, "calls the chain in the request") for page in everything if page.calls_chain]
        pages = [page for page in everything if not page.calls_chain]
        alone = measure_alone(pages, logins)
        connections.close_all()
        users = user_mix(options.users, pages)
        (folder / "plan.json").write_text(json.dumps({
            "pages": [{"label": p.label, "role": p.role, "path": p.path, "api": p.api} for p in pages],
            "logins": {role: [asdict(login) for login in role_logins] for role, role_logins in logins.items()},
            "password": PASSWORD,
            "users": users,
            "think_seconds": options.think,
        }))
        print(f"{options.users} users ({', '.join(f'{n} {kind}' for kind, n in users.items())}), "
              f"{options.seconds} s of load, think time {options.think[0]:g}-{options.think[1]:g} s, "
              f"gunicorn {options.workers} workers x {options.threads} threads")
        server = Server(options.port, options.workers, options.threads)
        try:
            web_before, locust_before, started = server.cpu_seconds(), _children_cpu_seconds(), time.monotonic()
            prefix = run_locust(folder, server.url, options.users, options.seconds)
            cpu = {"web": server.cpu_seconds() - web_before, "locust": _children_cpu_seconds() - locust_before,
                   "wall": time.monotonic() - started}
            rss = server.peak_rss_mb()
        finally:
            server.stop()
        report(pages, alone, prefix, rss, cpu, excluded)


if __name__ == "__main__":
    main()
