"""Network faults against the provider client: each ends in one clear outcome, recorded in history.

The real `ImageClient` (openai SDK over httpx2) talks to the built-in Sandbox (malformed bodies,
429 and 500 storms, via its switches) or to `FaultServer`, a raw socket server that resets,
stalls, trickles or floods. The real `HistoryRecorder` writes the row before sending and
completes it after, exactly as `workbench generate` and the GUI do. Only the retry back-off is
shortened (FAST) so the suite stays quick; which faults are retried is the real policy.
While each request runs, a ticker task on the same event loop counts its wake-ups: a client
that blocked the loop (and so the GUI, which runs on it through qasync) would starve it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest
from reliability_helpers import FaultServer

from workbench.core.api import keys
from workbench.core.api.client import ImageClient
from workbench.core.api.profiles import Profile
from workbench.core.api.records import ImageParams
from workbench.core.api.request import ImageRequest
from workbench.core.api.retry import RetryPolicy
from workbench.core.store import HistoryStore
from workbench.core.store.recorder import HistoryRecorder
from workbench.sandbox import SandboxServer

FAST = RetryPolicy(max_retries=2, base_delay=0.01, max_delay=0.02, retry_after_cap=5.0)


@dataclass
class Outcome:
    result: object
    entry: object  # the history row after the call
    ticks: int


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer() as server:
        yield server


@pytest.fixture(autouse=True)
def _forget_keys():
    yield
    keys._forget_all_for_tests()


@pytest.fixture
def store(tmp_path):
    with HistoryStore.open(tmp_path / "history.db", images_root=tmp_path / "images") as opened:
        yield opened


@pytest.fixture
def send(store):
    def run(base_url: str, prompt: str = "a red fox in fresh snow", *, timeout: float = 5.0,
            cancel_after: float | None = None, deadline: float | None = None, retry: RetryPolicy = FAST,
            max_body_bytes: int | None = None, on_retry=None) -> Outcome:
        async def scenario() -> Outcome:
            profile = Profile(name="Faulty gateway", kind="compatible", base_url=base_url)
            client = ImageClient.for_profile(profile, api_key="sk-fault-test-key-000", retry=retry,
                                             timeout=timeout, deadline=deadline, max_body_bytes=max_body_bytes,
                                             recorder=HistoryRecorder(store))
            ticks = 0

            async def ticker() -> None:
                nonlocal ticks
                while True:
                    await asyncio.sleep(0.01)
                    ticks += 1

            beat = asyncio.create_task(ticker())
            request = ImageRequest(prompt=prompt, params=ImageParams(model="gpt-image-1", quality="low"))
            task = asyncio.create_task(client.run(request, on_retry=on_retry))
            if cancel_after is not None:
                await asyncio.sleep(cancel_after)
                task.cancel()
            try:
                result = await task
            finally:
                beat.cancel()
                await client.aclose()
            return Outcome(result, store.get(request.meta["history_id"]), ticks)

        outcome = asyncio.run(scenario())
        assert store.count(flt=None) >= 1
        assert not [r for r in store.search(limit=1000).rows if r.outcome == "pending"], "a row was left pending"
        return outcome

    return run


def _error(o: Outcome, kind: str, retries: int) -> None:
    """The same clear outcome in the result and in the history row."""
    assert o.result.outcome == "error" and o.result.error.kind == kind, o.result.error
    assert o.entry.outcome == "error" and o.entry.error_kind == kind
    assert o.entry.error_message and "Traceback" not in o.entry.error_message
    assert o.entry.retries == o.result.retries == retries


def test_connection_refused(send):
    import socket

    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    o = send(f"http://127.0.0.1:{port}/v1")
    _error(o, "network", retries=2)
    assert "connect" in o.entry.error_message.lower()


def test_connection_reset_after_sending_is_not_retried(send):
    # The request went out: the provider may be generating (and billing) it. No second attempt.
    with FaultServer("reset") as server:
        o = send(server.url)
    _error(o, "network", retries=0)
    assert server.hits == 1
    assert o.entry.error_details["attempts"][0]["may_bill"] is True


def test_body_that_stops_arriving_times_out_and_is_not_retried(send):
    with FaultServer("stall") as server:
        o = send(server.url, timeout=1.0)
    _error(o, "timeout", retries=0)
    assert server.hits == 1
    assert o.ticks > 10, "the event loop was blocked while waiting"
    assert o.entry.error_details["phase"] == "body" and o.entry.error_details["bytes_received"] > 0


def test_body_that_trickles_forever_can_be_cancelled(send):
    # Each byte resets the read timeout, so only the deadline or the user ends it; Cancel works.
    with FaultServer("trickle") as server:
        o = send(server.url, timeout=1.0, cancel_after=1.5)
    assert o.result.outcome == o.entry.outcome == "cancelled"
    assert o.ticks > 10


def test_body_that_trickles_forever_ends_at_the_deadline(send):
    with FaultServer("trickle") as server:
        o = send(server.url, timeout=1.0, deadline=1.5)
    _error(o, "timeout", retries=0)
    assert server.hits == 1
    assert o.entry.error_code == "deadline_exceeded" and "1.5 s deadline" in o.entry.error_message
    details = o.entry.error_details
    assert details["phase"] == "body" and details["bytes_received"] > 20  # what arrived is recorded
    assert o.entry.request_ids == ["req_fault_1"]  # the headers had come: the ID is kept


def test_retry_that_may_bill_again_is_announced_and_can_be_refused(send):
    notices = []
    allowing = RetryPolicy(max_retries=2, base_delay=0.01, max_delay=0.02, retry_may_bill=True)
    with FaultServer("stall") as server:
        o = send(server.url, timeout=0.5, retry=allowing, on_retry=lambda n: notices.append(n) or n.attempt < 2)
    _error(o, "timeout", retries=1)  # the second notice was refused
    assert server.hits == 2
    assert [(n.attempt, n.may_bill) for n in notices] == [(1, True), (2, True)]
    assert "billed again" in notices[0].message()
    assert [a["attempt"] for a in o.entry.error_details["attempts"]] == [1, 2]


def test_a_body_over_the_cap_is_refused_by_its_length(send):
    with FaultServer("huge", size=3_000_000) as server:
        o = send(server.url, max_body_bytes=1_000_000)
    _error(o, "server", retries=0)
    assert o.entry.error_code == "response_too_large"
    assert "declares 2,999,942 bytes" in o.entry.error_message
    assert o.entry.error_details["bytes_received"] == 0  # nothing was read


def test_an_endless_chunked_body_stops_at_the_cap(send):
    with FaultServer("flood", size=2 * 1024**3) as server:  # 2 GB, sent lazily in 64 KB chunks
        o = send(server.url, max_body_bytes=2_000_000)
    _error(o, "server", retries=0)
    assert o.entry.error_code == "response_too_large"
    assert 2_000_000 <= o.entry.error_details["bytes_received"] < 3_000_000


def test_a_gzip_bomb_stops_at_the_cap(send):
    with FaultServer("gzip", size=200_000_000) as server:  # ~200 KB on the wire, 200 MB inflated
        o = send(server.url, max_body_bytes=2_000_000)
    _error(o, "server", retries=0)
    assert o.entry.error_code == "response_too_large"
    assert o.entry.error_details["bytes_received"] < 300_000


def test_malformed_json_is_an_error_and_not_retried(send, sandbox):
    o = send(sandbox.url, "a lighthouse [sandbox:malformed]")
    _error(o, "server", retries=0)  # a 200 is billed: never sent twice
    assert o.entry.error_code == "malformed_response" and o.entry.http_status == 200
    assert o.entry.request_ids, "the request ID of the bad answer is kept for support"


def test_huge_response_that_is_not_an_image_is_not_a_success(send):
    """40 MB of JSON whose "image" is junk: an error, not an `ok` with an unreadable image."""
    with FaultServer("huge", size=40_000_000) as server:
        o = send(server.url)
    assert o.result.outcome == o.entry.outcome == "error"
    assert o.entry.error_code == "malformed_response"
    assert o.entry.images == []


def test_huge_html_body_is_reported(send):
    with FaultServer("garbage", size=50_000_000) as server:
        o = send(server.url)
    _error(o, "server", retries=0)
    assert o.entry.error_code == "malformed_response"


def test_429_storm_gives_up_after_the_retry_budget(send, sandbox):
    before = len(sandbox.requests)
    o = send(sandbox.url, "a castle [sandbox:429, retry-after=0.05]")
    _error(o, "rate_limited", retries=2)
    assert o.entry.http_status == 429
    assert len(sandbox.requests) - before == 3


def test_429_with_a_long_retry_after_is_reported_not_slept_through(send, sandbox):
    o = send(sandbox.url, "a castle at noon [sandbox:429, retry-after=600]")
    _error(o, "rate_limited", retries=0)
    assert o.result.error.retry_after == 600


def test_500_storm_gives_up_after_the_retry_budget(send, sandbox):
    before = len(sandbox.requests)
    o = send(sandbox.url, "a harbour [sandbox:500]")
    _error(o, "server", retries=2)
    assert o.entry.http_status == 500 and len(sandbox.requests) - before == 3


def test_a_short_500_burst_recovers_and_records_the_retries(send, sandbox):
    o = send(sandbox.url, "a windmill [sandbox:500x2]")
    assert o.result.outcome == o.entry.outcome == "ok"
    assert o.entry.retries == 2 and len(o.entry.images) == 1


def test_dropped_connection_mid_request(send, sandbox):
    o = send(sandbox.url, "a bridge [sandbox:drop]")
    _error(o, "network", retries=0)


def test_a_returned_image_declaring_ten_billion_pixels_is_an_error_not_stored(send):
    import base64
    import json

    from test_hostile_images import png_bomb

    body = json.dumps({"created": 1, "data": [{"b64_json": base64.b64encode(png_bomb()).decode()}]}).encode()
    with FaultServer("json", body=body) as server:
        o = send(server.url)
    _error(o, "server", retries=0)
    assert o.entry.error_code == "malformed_response" and "pixels" in o.entry.error_message
    assert o.entry.images == []
