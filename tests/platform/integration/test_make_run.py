"""`make run`'s script, run for real as a new user runs it: a fresh var/, the terminal's Ctrl-C.
It speaks in one line per step, shows no chain keys, names the portal only once the portal
answers, stops everything in order on Ctrl-C with no traceback anywhere, and keeps the logs of
earlier runs. Run again with the chain wiped and the database kept, it refuses to deploy and says
the two ways out. It takes the fixed ports of `make run` (8545 and 8000): nobody else uses them."""

import os
import queue
import shutil
import signal
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[3]
RUN_PLATFORM = PROJECT / "tools" / "run-platform.sh"
START_SECONDS = 150
STOP_SECONDS = 90
EARLIER_RUN = "[an earlier run's line, to be kept]"
GANACHE_FIRST_KEY = "4f3edf983ac636a65a842ce7c78d9aa706d3b113bce9c46f30d7d21715b23b1d"


def _as_from_a_terminal():
    """The terminal's job: its own process group, where Ctrl-C (SIGINT) is not ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(var: Path) -> subprocess.Popen:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "CELERY_BROKER_URL", "CHAIN_RPC_URL",
                        "DEPLOYMENT_MANIFEST"}
    }
    return subprocess.Popen(
        [str(RUN_PLATFORM)], cwd=PROJECT, env=env | {"PLATFORM_VAR_DIR": str(var)},
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True, preexec_fn=_as_from_a_terminal,
    )


def _lines(process: subprocess.Popen) -> queue.Queue:
    lines: queue.Queue = queue.Queue()

    def read():
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    return lines


def _read_until_portal(lines: queue.Queue) -> tuple[list[str], int | None]:
    """The terminal's lines up to the portal's, and the portal's HTTP status right then."""
    seen: list[str] = []
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        line = lines.get(timeout=max(deadline - time.monotonic(), 0.1))
        if line is None:
            break
        seen.append(line)
        if line.startswith("Portal:"):
            url = line.split()[1]
            with urllib.request.urlopen(url, timeout=5) as answer:
                return seen, answer.status
    return seen, None


def _stop(process: subprocess.Popen) -> None:
    """After a failed assertion: the script stops what it started when asked with SIGTERM."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def test_make_run_speaks_plainly_answers_when_it_says_so_and_stops_cleanly_on_ctrl_c(tmp_path):
    var = tmp_path / "var"
    (var / "log").mkdir(parents=True)
    (var / "log" / "worker.log").write_text(EARLIER_RUN + "\n")
    process = _start(var)
    try:
        lines = _lines(process)
        started, portal_status = _read_until_portal(lines)
        os.killpg(process.pid, signal.SIGINT)
        process.wait(STOP_SECONDS)
        rest = []
        while (line := lines.get(timeout=5)) is not None:
            rest.append(line)
    finally:
        _stop(process)

    terminal = "".join(started + rest)
    assert portal_status == 200, terminal
    steps = [line for line in started if line.startswith("[")]
    assert [line.split()[1] for line in steps] == ["1/6]", "2/6]", "3/6]", "4/6]", "5/6]", "6/6]"], terminal
    assert all(" ready in " in line for line in steps), terminal
    assert "Demo logins" in terminal
    for noise in ("Private Keys", "Mnemonic", GANACHE_FIRST_KEY, "Traceback", "Error", "Transaction sent"):
        assert noise not in terminal, terminal
    assert process.returncode == 0, terminal
    assert rest[-1].startswith("Stopping: portal workers chain ... stopped in "), terminal
    logs = {path.name: path.read_text() for path in (var / "log").glob("*.log")}
    for name, text in logs.items():
        assert "Traceback" not in text, name
        assert "Database is not open" not in text, name
    assert logs["worker.log"].startswith(EARLIER_RUN + "\n===== make run started ")

    manifest = (var / "deployments" / "1337.json").read_text()
    shutil.rmtree(var / "chain")  # the chain's state wiped, the database kept
    process = _start(var)
    try:
        process.wait(START_SECONDS)
        again = process.stdout.read()
    finally:
        _stop(process)

    assert process.returncode == 1, again
    assert "[ 2/6] contracts ... refused after " in again, again
    assert "The database mirrors another chain than the one at http://127.0.0.1:8545:" in again
    assert "make reset" in again and "Point CHAIN_RPC_URL at the chain the database mirrors" in again
    assert "Nothing was deployed." in again and "Traceback" not in again
    assert (var / "deployments" / "1337.json").read_text() == manifest
    assert not list((var / "deployments").glob("*.replaced-*")), "no deployment was even tried"
