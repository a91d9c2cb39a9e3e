"""Shared fixtures: real, throwaway PostgreSQL servers (see tests/pgcluster.py).

pg_cluster             session; parametrized over the installed PostgreSQL majors (ids pg15,
                       pg16, pg18, ...). Each cluster starts when the first test needs it and
                       stops at session end. A pgcluster.Cluster (.major .bindir .host .port
                       .psql .dsn(dbname, user) .connect()), or an ExternalServer (id
                       "external") when MIGRATE_GRANTS_TEST_DSN is set.
rds_target             function; pgcluster.RdsTarget on pg_cluster: a fresh database owned by
                       the RDS-like `master` (.dbname .master_dsn .superuser_dsn .major
                       .cluster .psql_file() .master_conn() .superuser_conn()); the database
                       and every role the test created are dropped afterwards.
rds_target_predefined  function; the same, but rds_superuser also holds ADMIN OPTION on
                       pg_read_all_data, pg_write_all_data, pg_monitor, pg_signal_backend.

Environment: MIGRATE_GRANTS_PG_MAJORS=15,18 restricts the majors; MIGRATE_GRANTS_PG_BINDIRS
chooses the installations; MIGRATE_GRANTS_TEST_DSN uses one existing server instead.
With no PostgreSQL at all, tests that need one fail (never skip) with install instructions.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

import pytest

# pytest's default (prepend) import mode already puts this rootless tests/ dir on sys.path;
# do it explicitly too so `from pgcluster import ...` survives --import-mode=importlib.
_TESTS_DIR = str(Path(__file__).resolve().parent)
if _TESTS_DIR not in sys.path:
    sys.path.insert(0, _TESTS_DIR)

from pgcluster import (  # noqa: E402
    ENV_TEST_DSN,
    INSTALL_HINT,
    Cluster,
    ExternalServer,
    build_rds_like_target,
    find_installations,
    unique_dbname,
)

ENV_MAJORS = "MIGRATE_GRANTS_PG_MAJORS"
NO_POSTGRES = "no-postgres"


def _wanted_majors() -> list[int] | None:
    raw = os.environ.get(ENV_MAJORS, "").strip()
    if not raw:
        return None
    try:
        return sorted({int(x) for x in raw.replace(" ", "").split(",") if x})
    except ValueError:
        raise pytest.UsageError(f"{ENV_MAJORS}={raw!r}: expected a comma list of majors like 15,18")


@cache
def _cluster_params() -> tuple[tuple[object, str], ...]:
    if os.environ.get(ENV_TEST_DSN):
        return (("external", "external"),)
    available = sorted(i.major for i in find_installations())
    wanted = _wanted_majors()
    majors = wanted if wanted is not None else available
    if not majors:
        # An empty parameter list would make pytest *skip*; a sentinel makes the tests fail.
        return ((NO_POSTGRES, NO_POSTGRES),)
    return tuple((m, f"pg{m}") for m in majors)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Discovery (a few `postgres --version` calls) only happens if a collected test uses it.
    if "pg_cluster" in metafunc.fixturenames:
        params = _cluster_params()
        metafunc.parametrize("pg_cluster", [p for p, _ in params], ids=[i for _, i in params],
                             indirect=True, scope="session")


class _ClusterPool:
    """Starts one cluster per major on first use and keeps it to session end, so pytest's
    param switching never restarts a server. A failed start is remembered: later tests of
    that major fail at once with the same message instead of waiting again."""

    def __init__(self) -> None:
        self._servers: dict[object, Cluster | ExternalServer] = {}
        self._errors: dict[object, str] = {}

    def get(self, key: object) -> Cluster | ExternalServer:
        if key not in self._servers and key not in self._errors:
            try:
                self._servers[key] = self._start(key)
            except Exception as e:  # noqa: BLE001 - reported to every test of this major
                self._errors[key] = f"PostgreSQL {key}: {e}"
        if key in self._errors:  # fail outside the except: no chained traceback noise
            pytest.fail(self._errors[key], pytrace=False)
        return self._servers[key]

    @staticmethod
    def _start(key: object) -> Cluster | ExternalServer:
        if key == "external":
            return ExternalServer(os.environ[ENV_TEST_DSN])
        by_major = {i.major: i for i in find_installations()}
        if key not in by_major:
            found = ", ".join(f"{m} ({i.bindir})" for m, i in sorted(by_major.items())) or "none"
            raise RuntimeError(f"requested by {ENV_MAJORS} but not installed; found: {found}. "
                               + INSTALL_HINT.replace("No PostgreSQL server binaries found. ", ""))
        return Cluster(by_major[key]).start()

    def close(self) -> None:
        for server in self._servers.values():
            server.stop()
        self._servers.clear()


@pytest.fixture(scope="session")
def _pg_pool():
    pool = _ClusterPool()
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def pg_cluster(request: pytest.FixtureRequest, _pg_pool: _ClusterPool):
    key = getattr(request, "param", None)
    if key is None:  # requested outside pytest_generate_tests' reach (e.g. getfixturevalue)
        key = _cluster_params()[0][0]
    if key == NO_POSTGRES:
        pytest.fail(INSTALL_HINT, pytrace=False)
    return _pg_pool.get(key)


@pytest.fixture
def rds_target(pg_cluster):
    target = build_rds_like_target(pg_cluster, unique_dbname())
    yield target
    target.cleanup()


@pytest.fixture
def rds_target_predefined(pg_cluster):
    target = build_rds_like_target(pg_cluster, unique_dbname(), predefined=True)
    yield target
    target.cleanup()
