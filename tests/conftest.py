"""Shared fixtures: every test that takes ``store_url`` runs on SQLite (a temporary file) and on
PostgreSQL (a fresh schema per test in database ``test`` on 127.0.0.1:5432, skipped with the
reason when the server is not reachable)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import psycopg
import pytest
from hypothesis import settings

# CI runs the property tests derandomized: the same examples every run, so a submission's
# verdict does not depend on which random cases one run happened to draw. Locally they explore.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

PG_HOST, PG_PORT, PG_DB = "127.0.0.1", 5432, "test"
PG_USERS = ("postgres", "root")


@cache
def postgres_user() -> tuple[str | None, str]:
    """The first user that can connect (trust auth), or None and why none could."""
    reasons = []
    for user in PG_USERS:
        try:
            with psycopg.connect(host=PG_HOST, port=PG_PORT, dbname=PG_DB, user=user,
                                 connect_timeout=2):
                return user, ""
        except psycopg.Error as exc:
            reasons.append(f"{user}: {str(exc).strip().splitlines()[0]}")
    return None, "; ".join(reasons)


def _admin(user: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(host=PG_HOST, port=PG_PORT, dbname=PG_DB, user=user, autocommit=True)


@pytest.fixture
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database on the backend named by the parameter."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ballast.db'}"
        return
    user, why = postgres_user()
    if user is None:
        pytest.skip(f"PostgreSQL not reachable at {PG_HOST}:{PG_PORT}/{PG_DB} ({why})")
    schema = f"ballast_test_{uuid.uuid4().hex[:12]}"
    with _admin(user) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield (f"postgresql+psycopg://{user}@{PG_HOST}:{PG_PORT}/{PG_DB}"
               f"?options=-csearch_path%3D{schema}")
    finally:
        with _admin(user) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that uses ``store`` or ``store_url`` runs on both backends."""
    if "store_url" in metafunc.fixturenames:
        metafunc.parametrize("store_url", BACKENDS, indirect=True)
