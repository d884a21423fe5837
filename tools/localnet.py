"""Real local processes for the integration tests and the pipeline benchmark: a Ganache chain that
can be stopped and restarted on the same state, the project's deploy script, and Celery worker
processes that can be killed."""

import json
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
GANACHE = PROJECT / "node_modules" / ".bin" / "ganache"
VENV_BIN = PROJECT / ".venv" / "bin"


def rpc(url: str, method: str, params: list | None = None):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())["result"]


class Ganache:
    """A Ganache 7 chain (chain id 1337, deterministic wallet) keeping its state in `db_path`."""

    def __init__(self, port: int, db_path: Path):
        self.port = port
        self.db_path = db_path
        self.url = f"http://127.0.0.1:{port}"
        self.process = None

    def start(self) -> None:
        try:
            rpc(self.url, "eth_chainId")
        except OSError:
            pass
        else:
            raise RuntimeError(f"Port {self.port} already serves a chain: another test run is using it.")
        self.db_path.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [str(GANACHE), "--server.port", str(self.port), "--chain.chainId", "1337",
             "--chain.hardfork", "shanghai", "--database.dbPath", str(self.db_path), "--wallet.deterministic",
             "--wallet.totalAccounts", "10", "--miner.blockGasLimit", "30000000", "--logging.quiet"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                rpc(self.url, "eth_chainId")
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"Ganache did not start on port {self.port}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        self.process = None


def deploy(manifest: Path, network: str = "scf-it") -> None:
    """Deploys the contracts with the project's own deploy script, through one of the Brownie
    networks the Makefile defines (scf-it attaches to port 8546, scf-bench to 8547)."""
    env = os.environ | {
        "DEPLOYMENT_MANIFEST": str(manifest),
        "PATH": f"{PROJECT / 'node_modules' / '.bin'}:{os.environ['PATH']}",
        "SOLCX_BINARY_PATH": str(PROJECT / ".solc"),
    }
    subprocess.run(
        [str(VENV_BIN / "brownie"), "run", "scripts/deploy.py", "--network", network],
        cwd=PROJECT, env=env, check=True, capture_output=True,
    )


class Redis:
    """A private redis-server (no persistence, like the machines' own) that can be restarted."""

    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        wait_until(lambda: subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).stdout
                   == b"PONG\n", 20, message=f"redis on port {self.port}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        self.process = None


class Worker:
    """A `celery worker` process of the platform, with the test database and chain."""

    def __init__(
        self, env: dict, log_dir: Path, concurrency: int = 2, beat: bool = False, name: str = "w1", pool: str = "prefork",
        queues: str = "celery,indexer,webhooks",
    ):
        self.env = env
        self.log_dir = log_dir
        self.concurrency = concurrency
        self.beat = beat
        self.name = name
        self.pool = pool
        self.queues = queues
        self.process = None

    def start(self) -> None:
        command = [str(VENV_BIN / "celery"), "-A", "config", "worker", "-c", str(self.concurrency), "-P", self.pool,
                   "-n", f"{self.name}@%h", "-Q", self.queues, "--without-gossip", "--without-mingle", "--without-heartbeat",
                   "-l", "WARNING"]
        if self.beat:
            command += ["-B", "-s", str(self.log_dir / f"beat-{self.name}")]
        self.process = subprocess.Popen(
            command, cwd=PROJECT / "platform", env=self.env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=open(self.log_dir / f"{self.name}.log", "ab"),
        )

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        """A warm shutdown (running tasks finish), then a kill if it takes longer than 30 s."""
        try:
            self.kill(signal.SIGTERM)
        except subprocess.TimeoutExpired:
            self.kill()


def wait_until(predicate, timeout: float = 60, interval: float = 0.2, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout}s waiting for {message}")
