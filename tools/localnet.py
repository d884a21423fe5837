"""Real local processes for the integration tests and the pipeline benchmark: a local chain (Ganache
in automine, or anvil mining on an interval) that can be stopped and restarted on the same state, the project's deploy script, and Celery worker
processes that can be killed."""

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
NODE_BIN = PROJECT / "node_modules" / ".bin"
VENV_BIN = PROJECT / ".venv" / "bin"


def rpc(url: str, method: str, params: list | None = None):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())["result"]


ENGINES = ("ganache", "anvil")
HARDFORK = "shanghai"  # the compiler's EVM version (brownie-config.yaml): both engines run the same
LOCAL_DEV_MNEMONIC = "myth like bonus scare over problem client lizard pioneer submit female collect"
ACCOUNTS = 10
BLOCK_GAS_LIMIT = 30_000_000


def chain_engine() -> str:
    """CHAIN_ENGINE: `ganache` (the default: a block for each transaction, at once) or `anvil`
    (Foundry's node: a block every ANVIL_BLOCK_TIME seconds, 2 unless set, with a mempool)."""
    engine = os.environ.get("CHAIN_ENGINE", "ganache")
    if engine not in ENGINES:
        raise SystemExit(f"CHAIN_ENGINE={engine!r}: choose one of {', '.join(ENGINES)}.")
    return engine


def local_chain(port: int, folder: Path, engine: str | None = None):
    """A chain of the engine CHAIN_ENGINE names (or `engine`), keeping its state in `folder`."""
    if (engine or chain_engine()) == "anvil":
        return Anvil(port, folder / "anvil-state.json", float(os.environ.get("ANVIL_BLOCK_TIME", "2")))
    return Ganache(port, folder / "db")


class LocalChain:
    """A local chain process (chain id 1337, the deterministic wallet of Ganache's
    --wallet.deterministic on both engines) that can be stopped and started again on its state."""

    engine = ""
    block_time = 0.0  # seconds between blocks; 0: a block as each transaction arrives
    stop_signal = signal.SIGTERM

    def __init__(self, port: int):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.process = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self) -> None:
        try:
            rpc(self.url, "eth_chainId")
        except OSError:
            pass
        else:
            raise RuntimeError(f"Port {self.port} already serves a chain: another test run is using it.")
        self.process = subprocess.Popen(
            self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                rpc(self.url, "eth_chainId")
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.engine} exited with status {self.process.returncode} on port {self.port}")
                time.sleep(0.2)
        raise RuntimeError(f"{self.engine} did not start on port {self.port}")

    def stop(self) -> None:
        """Stops the chain, letting it write its state (Ganache its database, anvil its state file)."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, self.stop_signal)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)
        self.process = None


    def wipe(self) -> None:
        """Deletes the stopped chain's state: the next start is a new chain on the same port."""
        raise NotImplementedError


class Ganache(LocalChain):
    """Ganache 7 in automine, keeping its state in the folder `db_path`."""

    engine = "ganache"

    def __init__(self, port: int, db_path: Path):
        super().__init__(port)
        self.db_path = db_path

    def command(self) -> list[str]:
        self.db_path.mkdir(parents=True, exist_ok=True)
        return [str(NODE_BIN / "ganache"), "--server.port", str(self.port), "--chain.chainId", "1337",
                "--chain.hardfork", HARDFORK, "--database.dbPath", str(self.db_path), "--wallet.deterministic",
                "--wallet.totalAccounts", str(ACCOUNTS), "--miner.blockGasLimit", str(BLOCK_GAS_LIMIT),
                "--logging.quiet"]


    def wipe(self) -> None:
        shutil.rmtree(self.db_path)


class Anvil(LocalChain):
    """Foundry's anvil mining a block every `block_time` seconds, its state kept in the file
    `state_path` (written when it stops on SIGINT, read when it starts)."""

    engine = "anvil"
    stop_signal = signal.SIGINT

    def __init__(self, port: int, state_path: Path, block_time: float = 2):
        super().__init__(port)
        self.state_path = state_path
        self.block_time = block_time

    def command(self) -> list[str]:
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        return [str(NODE_BIN / "anvil"), "--port", str(self.port), "--chain-id", "1337", "--hardfork", HARDFORK,
                "--mnemonic", LOCAL_DEV_MNEMONIC, "--accounts", str(ACCOUNTS), "--balance", "1000",
                "--gas-limit", str(BLOCK_GAS_LIMIT), "--block-time", f"{self.block_time:g}",
                "--state", str(self.state_path), "--silent"]

    def wipe(self) -> None:
        self.state_path.unlink(missing_ok=True)

    def reorg(self, depth: int) -> None:
        """Replaces the chain's last `depth` blocks with as many empty ones. The transactions they
        held are gone, not back in the mempool: as after a fork whose miner never saw them, the
        platform must send them again."""
        rpc(self.url, "anvil_reorg", [depth, []])

    def set_next_base_fee(self, wei: int) -> None:
        rpc(self.url, "anvil_setNextBlockBaseFeePerGas", [hex(wei)])


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
