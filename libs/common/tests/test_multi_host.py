"""A database URL may name a primary and its standby (libpq's multi-host form)."""

import socket

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tiepdan_common.db import Database, multi_host_url
from tiepdan_common.testing import postgres_database


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    "url, hosts, query",
    [
        (
            "postgresql+psycopg://u@127.0.0.1:5491,127.0.0.1:5492/db?target_session_attrs=read-write",
            ("127.0.0.1:5491", "127.0.0.1:5492"),
            {"target_session_attrs": "read-write"},
        ),
        ("postgresql+psycopg://u:p%40ss@a:1,b:2/db", ("a:1", "b:2"), {}),
    ],
)
def test_multi_host_urls_become_what_sqlalchemy_parses(url, hosts, query):
    parsed = make_url(multi_host_url(url))
    assert parsed.query["host"] == hosts
    assert {k: v for k, v in parsed.query.items() if k != "host"} == query
    assert parsed.database == "db"


@pytest.mark.parametrize("url", ["sqlite:///var/x.db", "postgresql+psycopg://u@127.0.0.1:5432/db"])
def test_single_host_urls_are_left_alone(url):
    assert multi_host_url(url) == url


def test_a_dead_first_host_is_passed_over_for_the_one_that_takes_writes():
    with postgres_database("lib_multi") as single:
        url = make_url(single)
        multi = (
            f"postgresql://{url.username}@127.0.0.1:{_dead_port()},{url.host}:{url.port or 5432}"
            f"/{url.database}?target_session_attrs=read-write"
        )
        db = Database(multi)
        try:
            db.ping()
            # The relay's LISTEN connection is opened from the dialect's own arguments.
            cargs, cparams = db.engine.dialect.create_connect_args(db.engine.url)
            with psycopg.connect(*cargs, **cparams, autocommit=True, connect_timeout=5) as conn:
                assert conn.execute("SELECT pg_is_in_recovery()").fetchone() == (False,)
        finally:
            db.dispose()
