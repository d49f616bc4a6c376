"""One clock for every service: Viet Nam's days, a demo offset, a fake clock for tests."""

import datetime as dt
import os
import subprocess
import sys
import threading

import pytest

from tiepdan_common import clock


def test_the_local_day_turns_at_midnight_in_viet_nam_not_in_utc():
    assert clock.local_date(dt.datetime(2026, 6, 30, 16, 59, tzinfo=dt.UTC)) == dt.date(2026, 6, 30)
    assert clock.local_date(dt.datetime(2026, 6, 30, 17, 0, tzinfo=dt.UTC)) == dt.date(2026, 7, 1)
    assert clock.local(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)).hour == 7


def test_a_fake_clock_stands_still_until_moved():
    fake = clock.FakeClock(dt.datetime(2026, 7, 1, 8, tzinfo=clock.LOCAL))
    assert fake() == fake() == dt.datetime(2026, 7, 1, 1, tzinfo=dt.UTC)
    assert fake.advance(hours=16) == dt.datetime(2026, 7, 1, 17, tzinfo=dt.UTC)
    assert clock.today(fake) == dt.date(2026, 7, 2)
    fake.set(dt.datetime(2024, 6, 10, tzinfo=dt.UTC))
    assert fake().year == 2024
    with pytest.raises(ValueError):
        clock.FakeClock(dt.datetime(2026, 7, 1))


def test_a_fake_clock_is_moved_safely_from_many_threads():
    fake = clock.FakeClock(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    threads = [threading.Thread(target=lambda: [fake.advance(seconds=1) for _ in range(1000)]) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert fake() == dt.datetime(2026, 1, 1, 1, 6, 40, tzinfo=dt.UTC)


def _now_in_a_process(offset: str) -> dt.datetime:
    code = "from tiepdan_common.models import utcnow; print(utcnow().isoformat())"
    env = {**os.environ, clock.OFFSET_VARIABLE: offset}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return dt.datetime.fromisoformat(out.stdout.strip())


def test_the_demo_offset_moves_every_process_clock_to_the_plan_period():
    target = dt.datetime(2024, 6, 10, 1, 0, tzinfo=dt.UTC)
    seen = _now_in_a_process(str(clock.offset_to(target)))
    assert abs((seen - target).total_seconds()) < 30
    assert abs((_now_in_a_process("") - dt.datetime.now(dt.UTC)).total_seconds()) < 30


def test_a_bad_offset_stops_the_process_with_the_variable_named():
    env = {**os.environ, clock.OFFSET_VARIABLE: "last june"}
    result = subprocess.run(
        [sys.executable, "-c", "import tiepdan_common.clock"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0 and clock.OFFSET_VARIABLE in result.stderr
