"""The integration world: one real local chain per test session (Ganache in automine, or anvil
mining every 2 s with CHAIN_ENGINE=anvil) with the contracts deployed by the project's deploy script, the test database shared with real `celery worker` processes, and a
clean broker queue per test."""

import os
from pathlib import Path

import pytest
from django.db import connection

from localnet import Worker, chain_engine, deploy, local_chain

# Brownie's scf-it network attaches to 8546, scf-it2 to 8549: the port of the run beside (Makefile).
CHAIN_PORT = int(os.environ.get("INTEGRATION_CHAIN_PORT", "8546"))
DEPLOY_NETWORKS = {8546: "scf-it", 8549: "scf-it2"}


def pytest_collection_modifyitems(config, items):
    """Marks every test here as integration; on Ganache, leaves out the tests that need a chain
    mining on an interval (reorganisations, fees that move): Ganache can do neither."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.integration)
    if chain_engine() == "ganache":
        left_out = [item for item in items if item.get_closest_marker("interval_mining")]
        if left_out:
            config.hook.pytest_deselected(items=left_out)
            items[:] = [item for item in items if item not in left_out]


@pytest.fixture(scope="session")
def chain(tmp_path_factory):
    folder = tmp_path_factory.mktemp("chain")
    node = local_chain(CHAIN_PORT, folder)
    node.start()
    node.manifest = folder / "1337.json"
    node.network = DEPLOY_NETWORKS[CHAIN_PORT]
    try:
        deploy(node.manifest, network=node.network)
        yield node
    finally:
        node.stop()


def pytest_report_header(config):
    return f"integration chain: {chain_engine()}"


def _database_url() -> str:
    database = connection.settings_dict
    if database["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{database['NAME']}"
    credentials = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
    return f"postgres://{credentials}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"


@pytest.fixture
def platform(chain, settings, transactional_db, tmp_path):
    """Settings pointing at the test chain, an empty broker queue, and the environment that
    worker processes need to share this test's database and chain."""
    from config.celery import app

    settings.CHAIN_RPC_URL = chain.url
    settings.DEPLOYMENT_MANIFEST = chain.manifest
    app.control.purge()
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "CHAIN_RPC_URL": chain.url,
        "DEPLOYMENT_MANIFEST": str(chain.manifest),
        "INDEXER_INTERVAL_SECONDS": "0.5",
    }
    if chain.block_time:
        # Blocks come every few seconds: a sender that waited for each receipt would hold its
        # worker for a block; the reconciler records receipts instead, as in production.
        env["CHAIN_RECEIPT_WAIT_SECONDS"] = "0"
    workers: list[Worker] = []

    class Platform:
        url = chain.url
        node = chain
        log_dir = tmp_path

        @staticmethod
        def worker(concurrency: int = 2, beat: bool = True, name: str | None = None, **extra_env) -> Worker:
            worker = Worker(env | extra_env, tmp_path, concurrency, beat, name or f"w{len(workers) + 1}")
            worker.start()
            workers.append(worker)
            return worker

    yield Platform
    for worker in workers:
        worker.kill()
    connection.close()
