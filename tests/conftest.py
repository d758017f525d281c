"""Shared fixtures: a database per test on SQLite and on PostgreSQL, and local regions.

PostgreSQL: each test gets its own schema in the `test` database (search_path set in the URL),
dropped afterwards, so tests never see each other. Without a reachable PostgreSQL the
PostgreSQL variants skip with the reason; with CI=true they fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import psycopg
import pytest
import pytest_asyncio

from exchange.localregion import LocalRegion
from exchange.store.db import Database
from tests.inproc import InprocRegion, with_process_nodes

PG_DSN = os.environ.get("EXCHANGE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
_pg_state: dict[str, str | None] = {}


def pg_unavailable() -> str | None:
    """None if PostgreSQL answers, else why not (checked once per session)."""
    if "reason" not in _pg_state:
        try:
            with psycopg.connect(PG_DSN, connect_timeout=3) as conn:
                conn.execute("select 1")
            _pg_state["reason"] = None
        except psycopg.Error as exc:
            _pg_state["reason"] = f"PostgreSQL at {PG_DSN} is not reachable: {exc}".strip()
    return _pg_state["reason"]


def require_pg() -> None:
    reason = pg_unavailable()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI requires PostgreSQL: {reason}")
        pytest.skip(reason)


class PgSchemas:
    """Creates throwaway schemas and SQLAlchemy URLs bound to them."""

    def __init__(self) -> None:
        self.created: list[str] = []

    def url(self, label: str = "") -> str:
        schema = f"t_{label}_{uuid.uuid4().hex[:10]}" if label else f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f'create schema "{schema}"')
        self.created.append(schema)
        base = PG_DSN.replace("postgresql://", "postgresql+psycopg://", 1)
        return f"{base}?options=-csearch_path%3D{schema}"

    def drop_all(self) -> None:
        if not self.created:
            return
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            for schema in self.created:
                conn.execute(f'drop schema if exists "{schema}" cascade')


@pytest.fixture
def pg_schemas() -> Iterator[PgSchemas]:
    require_pg()
    schemas = PgSchemas()
    yield schemas
    schemas.drop_all()


# -- order over pytest-xdist workers (`make test`: -n 4 --dist loadfile --no-loadscope-reorder) -

# The slowest files first, so that none of them starts last and runs alone at the end; each file
# stays on one worker, in file order (module-scoped regions, tests that build on earlier ones).
FIRST = (
    "tests/integration/test_link_faults.py",
    "tests/integration/test_delivery.py",
    "tests/integration/test_cli_markup.py",
    "tests/integration/test_keys_cli.py",
    "tests/system/test_demo.py",
    "tests/integration/test_one_process.py",
    "tests/integration/test_cli_errors.py",
    "tests/integration/test_trust_nodes.py",
    "tests/integration/test_fault_mix.py",
    "tests/integration/test_shutdown.py",
    "tests/integration/test_replicas.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    rank = {path: i for i, path in enumerate(FIRST)}

    def rank_of(item: pytest.Item) -> int:
        return rank.get(item.path.relative_to(config.rootpath).as_posix(), len(rank))

    items.sort(key=rank_of)  # stable: every file stays whole and in its own order


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql":
        require_pg()
    return str(request.param)


@pytest.fixture
def db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'node.db'}"
        return
    schemas = PgSchemas()
    try:
        yield schemas.url()
    finally:
        schemas.drop_all()


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = Database(db_url)
    db.migrate()
    yield db
    db.close()


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A short temporary folder: Unix socket paths must stay under ~100 characters."""
    import shutil
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="ex-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def make_region(backend: str, short_tmp: Path) -> Iterator[Callable[..., LocalRegion]]:
    """Build a region of real node processes on the current backend; stopped afterwards."""
    regions: list[LocalRegion] = []
    schemas = PgSchemas() if backend == "postgresql" else None

    def make(countries: tuple[str, ...] = ("kz", "kg", "tj"), **kwargs: object) -> LocalRegion:
        url = (lambda c: schemas.url(c)) if schemas else None
        region = LocalRegion(short_tmp / f"r{len(regions)}", countries, url, **kwargs)  # type: ignore[arg-type]
        with_process_nodes(region)  # `exchange init` in-process; `exchange serve` a process
        regions.append(region)
        return region

    yield make
    for region in regions:
        for node in region.nodes.values():
            node.kill() if node.running else None
    if schemas:
        schemas.drop_all()


@pytest_asyncio.fixture
async def make_inproc_region(
    backend: str, short_tmp: Path
) -> AsyncIterator[Callable[..., InprocRegion]]:
    """Build a region of in-process nodes (tests/inproc.py) on the current backend, in the
    test's event loop; `await region.start()` starts it, and it is stopped afterwards."""
    regions: list[InprocRegion] = []
    schemas = PgSchemas() if backend == "postgresql" else None

    def make(countries: tuple[str, ...] = ("kz", "kg", "tj"), **kwargs: object) -> InprocRegion:
        url = (lambda c: schemas.url(c)) if schemas else None
        region = InprocRegion(short_tmp / f"r{len(regions)}", countries, url, **kwargs)
        regions.append(region)
        return region

    yield make
    try:
        for region in regions:
            await region.stop()
    finally:
        if schemas:
            schemas.drop_all()
