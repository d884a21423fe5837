"""The integration world: one real Ganache per test session with the contracts deployed by the
project's deploy script, the test database shared with real `celery worker` processes, and a
clean broker queue per test."""

import os
from pathlib import Path

import pytest
from django.db import connection

from localnet import Ganache, Worker, deploy

CHAIN_PORT = 8546  # Brownie's scf-it network attaches here (see the Makefile)


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def chain(tmp_path_factory):
    folder = tmp_path_factory.mktemp("chain")
    ganache = Ganache(CHAIN_PORT, folder / "db")
    ganache.start()
    ganache.manifest = folder / "1337.json"
    try:
        deploy(ganache.manifest)
        yield ganache
    finally:
        ganache.stop()


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
    workers: list[Worker] = []

    class Platform:
        url = chain.url
        ganache = chain
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
