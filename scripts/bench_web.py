"""The web benchmark (`make bench-web`): every role's dashboards and lists and the API's list
endpoints (tools/web_pages.py finds them) under 50 concurrent users, on PostgreSQL holding 10,000
invoices.

1. Recreates the database (BENCH_WEB_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/
   scf_bench_web), migrates it, seeds it (bench_web_seed.py) and analyses it.
2. Opens each page alone, in process: its SQL queries and its time without load. (Whether the
   queries grow with the rows shown is tests/platform/portal/test_portal_query_counts.py's job.)
3. Serves the platform with gunicorn (bench_web_server.py: gthread workers, config.settings.test
   with DEBUG off, persistent database connections) and runs Locust from .venv-tools on it
   (bench_web_locustfile.py): users sign in through the login forms, lenders and operators with a
   TOTP code, and open their role's pages with a think time between them; ERP clients call the API
   lists with their tokens. Users divide between roles in proportion to their pages.
4. Prints the table, the peak RSS of each web process, where the CPU went, and the verdict
   against the targets (bench_web_report.py). It exits 0 whatever the verdict.

No chain runs: pages must not call it. CHAIN_RPC_URL points at a closed port, so a page that does
fails visibly; the operator's chain-health page, the one page that may call the chain, is left out
of the load."""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlsplit

PROJECT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(PROJECT / "platform"), str(PROJECT / "tools")]

from bench_web_report import report  # noqa: E402
from bench_web_server import CpuMeter, Server  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/scf_bench_web"
CLOSED_PORT_RPC = "http://127.0.0.1:9"  # the discard port: nothing listens, a call fails at once
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

    call_command("migrate", verbosity=0)
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

    from authenticators.models import EncryptedTOTPDevice
    from users.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    if page.api:
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {login.api_key}"
        return client
    user = User.objects.get(username=login.username)
    client.force_login(user)
    if device := EncryptedTOTPDevice.objects.filter(user=user).first():
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def user_mix(total: int, pages) -> dict[str, int]:
    """Users of each kind (a portal role, or "api") in proportion to its pages, so that every page
    gets about as many requests."""
    kinds = Counter("api" if page.api else page.role for page in pages)
    mix = {kind: max(1, total * count // len(pages)) for kind, count in kinds.items()}
    mix[kinds.most_common(1)[0][0]] += total - sum(mix.values())
    return mix


def run_locust(folder: Path, url: str, users: int, seconds: int, server: Server, database: str) -> tuple[Path, dict]:
    """Starts SPAWN_RATE users a second; the statistics start once all run (--reset-stats), and
    so does the CPU meter: the sign-ins of the ramp count in neither, and the CPU a request is
    the pages' alone. Returns the statistics' prefix and the CPU used. Locust's own output goes
    to locust.log."""
    prefix = folder / "locust"
    ramp_seconds = -(-users // SPAWN_RATE)
    with open(folder / "locust.log", "w") as log:
        locust = subprocess.Popen(
            [str(PROJECT / ".venv-tools/bin/locust"), "-f", str(PROJECT / "scripts/bench_web_locustfile.py"),
             "--headless", "--users", str(users), "--spawn-rate", str(SPAWN_RATE),
             "--run-time", f"{seconds + ramp_seconds}s", "--host", url, "--csv", str(prefix),
             "--reset-stats", "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "5"],
            cwd=PROJECT, env=os.environ | {"BENCH_WEB_PLAN": str(folder / "plan.json")},
            stdout=log, stderr=subprocess.STDOUT,
        )
        time.sleep(ramp_seconds)
        meter = CpuMeter(server, database)
        locust.wait()
        cpu = meter.stop()
    if not Path(f"{prefix}_stats.csv").exists():
        raise RuntimeError("Locust wrote no statistics:\n" + (folder / "locust.log").read_text()[-3000:])
    return prefix, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=50)
    # 150 s gives each page about 120 samples: its p95 is then not just its third-slowest request.
    parser.add_argument("--seconds", type=int, default=150, help="of load, once every user runs")
    parser.add_argument("--think", type=float, nargs=2, default=(1.0, 2.0), metavar=("MIN", "MAX"),
                        help="seconds a user waits between two pages")
    # On 2 cores, 4 processes of 2 threads: a slow page holds one other request behind its GIL,
    # not three (2 x 4 put several pages' p95 at 160-240 ms; 4 x 2 keeps every page within 150).
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--port", type=int, default=8610)
    options = parser.parse_args()
    database_url = os.environ.get("BENCH_WEB_DATABASE_URL", DEFAULT_DATABASE_URL)

    with tempfile.TemporaryDirectory(prefix="bench-web-") as folder:
        folder = Path(folder)
        configure(folder, database_url)
        recreate_database(database_url)
        logins = prepare(options.invoices)

        from django.db import connections

        import web_pages
        from bench_web_seed import PASSWORD

        everything = web_pages.all_pages()
        excluded = [(page.label, "calls the chain in the request") for page in everything if page.calls_chain]
        pages = [page for page in everything if not page.calls_chain]
        alone = measure_alone(pages, logins)
        connections.close_all()
        users = user_mix(options.users, pages)
        for role, count in users.items():
            with_device = [login for login in logins.get(role, []) if login.totp_key]
            if with_device and count > len(with_device):  # a TOTP code is accepted once per device and step
                sys.exit(f"{count} {role} users, but the seed has {len(with_device)} {role} logins: use fewer users.")
        (folder / "plan.json").write_text(json.dumps({
            "pages": [{"label": page.label, "role": page.role, "path": page.path, "api": page.api} for page in pages],
            "logins": {role: [asdict(login) for login in role_logins] for role, role_logins in logins.items()},
            "password": PASSWORD,
            "users": users,
            "think_seconds": options.think,
        }))
        print(f"{options.users} users ({', '.join(f'{n} {kind}' for kind, n in users.items())}), "
              f"{options.seconds} s of load, think time {options.think[0]:g}-{options.think[1]:g} s, "
              f"gunicorn {options.workers} workers x {options.threads} threads")
        server = Server(PROJECT, port=options.port, workers=options.workers, threads=options.threads)
        try:
            prefix, cpu = run_locust(folder, server.url, options.users, options.seconds, server,
                                     urlsplit(database_url).path.lstrip("/"))
            rss = server.peak_rss_mb()
        finally:
            server.stop()
        report(pages, alone, prefix, rss, cpu, excluded)


if __name__ == "__main__":
    main()
