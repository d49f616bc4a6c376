"""The real roster client against a real HTTP gateway stand-in: token, on-duty, officers; then an outage."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select

from notify.audience.contacts import sync_contacts
from notify.audience.models import Contact
from notify.audience.roster_client import RosterClient, RosterUnavailable
from notify.inbox.models import InboxMessage


class FakeGateway:
    """Answers like the gateway in front of roster (a bearer token is required)."""

    def __init__(self, make_person):
        self.on_duty = {
            "at": "2026-11-26T02:00:00+00:00",
            "leader_on_call": make_person("ld-02", "LD-UBND"),
            "officers": [make_person("ttr-03", "TTR", "inspector")],
        }
        self.officers = [make_person("btcd-01"), make_person("btcd-02"), make_person("ttr-03", "TTR", "inspector")]
        self.seen = []
        self.tokens = 0  # tokens given
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.tokens += 1
                self._send(200, {"access_token": "t0k", "expires_in": 300})

            def do_GET(self):
                url = urlparse(self.path)
                outer.seen.append((url.path, parse_qs(url.query)))
                if self.headers.get("Authorization") != "Bearer t0k":
                    return self._send(401, {})
                if url.path == "/api/v1/roster/on-duty":
                    return self._send(200, outer.on_duty)
                agency = parse_qs(url.query).get("agency", [None])[0]
                return self._send(200, [o for o in outer.officers if agency in (None, o["agency"])])

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(make_person):
    server = FakeGateway(make_person)
    yield server
    server.close()


def test_the_client_asks_roster_and_an_outage_falls_back_to_what_it_learned(
    gateway, handle, make_event, db, clock, query
):
    roster = RosterClient(gateway_url=gateway.url, client_id="svc-notify", client_secret="s", timeout=0.5)
    assert roster.on_duty(role="inspector")["officers"][0]["code"] == "ttr-03"
    assert ("/api/v1/roster/on-duty", {"role": ["inspector"]}) in gateway.seen
    with db.session() as session:
        assert sync_contacts(db_session=session, roster=roster, now=clock()) == 3
    assert query(select(Contact.code).order_by(Contact.code)) == ["btcd-01", "btcd-02", "ttr-03"]

    gateway.close()  # roster (behind the gateway) is gone
    with pytest.raises(RosterUnavailable):
        roster.officers(agency="BTCD")
    with db.session() as session:
        assert sync_contacts(db_session=session, roster=roster, now=clock()) == 0
    # A case escalated to the inspectorate: its officers are remembered from the last sync, and the
    # fallback list is told as well, since roster could not confirm who should be.
    event = make_event("escalation.case.escalated", target={"type": "agency", "value": "TTR"})
    handle(event, roster)
    told = query(select(InboxMessage).where(InboxMessage.event_id == event.id).order_by(InboxMessage.recipient))
    assert [m.recipient for m in told] == ["btcd-01", "btcd-02", "ttr-03"] and all(m.via_fallback for m in told)


def test_answers_are_kept_briefly_but_never_past_the_end_of_a_shift(gateway, make_person):
    import datetime as dt

    soon = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    gateway.on_duty = {
        "at": soon.isoformat(),
        "leader_on_call": make_person("ld-02", "LD-UBND", ends=soon),
        "officers": [make_person("ttr-03", "TTR", "inspector", ends=soon)],
    }
    roster = RosterClient(
        gateway_url=gateway.url, client_id="svc-notify", client_secret="s", timeout=0.5, cache_seconds=30
    )
    for _ in range(5):
        assert roster.on_duty()["officers"][0]["code"] == "ttr-03"
    assert len([p for p, _ in gateway.seen if p == "/api/v1/roster/on-duty"]) == 1
    roster.on_duty(role="police")  # another question is asked anew
    assert len([p for p, _ in gateway.seen if p == "/api/v1/roster/on-duty"]) == 2

    ended = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)  # a shift that already ended: never cached
    gateway.on_duty["officers"] = [make_person("ttr-03", "TTR", "inspector", ends=ended)]
    fresh = RosterClient(
        gateway_url=gateway.url, client_id="svc-notify", client_secret="s", timeout=0.5, cache_seconds=30
    )
    fresh.on_duty()
    fresh.on_duty()
    assert len([p for p, _ in gateway.seen if p == "/api/v1/roster/on-duty"]) == 4


def test_the_token_is_got_ahead_of_the_requests_that_need_it(gateway):
    """The worker's timer gets the token at the start and renews it a third of a lifetime ahead, so that
    no request waits for the gateway's check of the secret; a request still gets one when it has none."""
    roster = RosterClient(gateway_url=gateway.url, client_id="svc-notify", client_secret="s", timeout=0.5)
    assert roster.refresh_token() is True and gateway.tokens == 1
    roster.on_duty()
    roster.officers()
    assert roster.refresh_token() is False and gateway.tokens == 1
    roster._token_expires -= 201  # 99 s of 300 left: the timer renews it, a request would not have yet
    with roster._lock:  # while the timer renews it, requests go on with the token they have
        asking = threading.Thread(target=roster.on_duty)
        asking.start()
        asking.join(timeout=5)
        assert not asking.is_alive()
    assert roster.refresh_token() is True and gateway.tokens == 2
    roster._token = None  # refused by the gateway, or the timer could not reach it: the request gets one
    roster.on_duty()
    assert gateway.tokens == 3
    roster._token_expires -= 300
    gateway.close()  # the timer logs that it got none, and tries again at its next tick
    assert roster.refresh_token() is False


def test_answers_are_kept_by_the_service_clock_when_it_is_not_the_machines(gateway, make_person):
    """A demo run whose clock reads June 2024 gets shifts that end in 2024: the cache compares them with
    that clock, not the machine's, or nothing would ever be kept and every event would ask roster anew."""
    import datetime as dt

    from tiepdan_common.clock import FakeClock

    clock = FakeClock(dt.datetime(2024, 6, 10, 1, 0, tzinfo=dt.UTC))
    ends = clock() + dt.timedelta(hours=1)
    gateway.on_duty = {
        "at": clock().isoformat(),
        "leader_on_call": make_person("ld-02", "LD-UBND", ends=ends),
        "officers": [make_person("ttr-03", "TTR", "inspector", ends=ends)],
    }
    roster = RosterClient(
        gateway_url=gateway.url, client_id="svc-notify", client_secret="s", timeout=0.5, cache_seconds=30, clock=clock
    )
    for _ in range(5):
        roster.on_duty()
    assert len([p for p, _ in gateway.seen if p == "/api/v1/roster/on-duty"]) == 1
    clock.advance(seconds=31)  # past the cache's time, by the service's clock
    roster.on_duty()
    assert len([p for p, _ in gateway.seen if p == "/api/v1/roster/on-duty"]) == 2
    clock.advance(hours=1)  # the shift it named has ended
    roster.on_duty()
    roster.on_duty()
    assert len([p for p, _ in gateway.seen if p == "/api/v1/roster/on-duty"]) == 4
