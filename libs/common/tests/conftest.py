import pathlib
import threading

import pytest
from sqlalchemy.orm import DeclarativeBase

from tiepdan_common.config import load_settings
from tiepdan_common.db import Database
from tiepdan_common.messaging import contracts, topology
from tiepdan_common.migrations import outbox_notify_trigger_v1
from tiepdan_common.models import IdempotencyMixin, OutboxMixin, ProcessedMessageMixin
from tiepdan_common.testing import isolated_broker_names, postgres_database

contracts.register_folder(pathlib.Path(__file__).parent / "contracts")


class Base(DeclarativeBase):
    pass


class OutboxEvent(OutboxMixin, Base):
    pass


class ProcessedMessage(ProcessedMessageMixin, Base):
    pass


class IdempotencyRecord(IdempotencyMixin, Base):
    pass


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'lib.db'}")
        Base.metadata.create_all(database.engine)
        yield database
        database.dispose()
    else:
        with postgres_database("lib_test") as url:
            database = Database(url)
            Base.metadata.create_all(database.engine)
            with database.engine.begin() as conn:
                for statement in outbox_notify_trigger_v1("postgresql"):
                    conn.exec_driver_sql(statement)
            yield database
            database.dispose()


# Every consumer name the suite's tests declare: their quorum queues (and dead-letter queues) go after each test,
# or the machine's broker collects dozens per run and slows every later run.
CONSUMERS = ("sink", "flaky", "alone", "batched", "gathered", "mixed", "relisten", "woken")


@pytest.fixture
def settings():
    names = isolated_broker_names("libtest")
    s = load_settings("libtest", {**names, "max_delivery_attempts": 3, "relay_poll_seconds": 0.02})
    yield s
    specs = [topology.QueueSpec(name=f"{s.queue_prefix}.libtest.{n}", bindings=()) for n in CONSUMERS]
    try:
        topology.delete_all(s, specs)
    except Exception:
        pass


@pytest.fixture
def stop():
    event = threading.Event()
    yield event
    event.set()


@pytest.fixture
def outbox_model():
    return OutboxEvent


@pytest.fixture
def processed_model():
    return ProcessedMessage
