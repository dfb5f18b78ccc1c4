"""The retry policy: only what another attempt can fix, Retry-After honoured within a cap."""

from __future__ import annotations

import pytest

from workbench.core.api.records import ErrorRecord
from workbench.core.api.retry import RetryNotice, RetryPolicy, is_retryable, may_have_billed, retry_delay

POLICY = RetryPolicy(max_retries=3, base_delay=1.0, max_delay=8.0, retry_after_cap=30.0, jitter=0.25)


@pytest.mark.parametrize(
    "record, expected",
    [
        (ErrorRecord(kind="blocked", http_status=400, code="moderation_blocked"), False),
        (ErrorRecord(kind="blocked", http_status=200), False),  # a block inside a stream
        (ErrorRecord(kind="bad_request", http_status=400), False),
        (ErrorRecord(kind="bad_request", http_status=422), False),
        (ErrorRecord(kind="auth", http_status=401), False),
        (ErrorRecord(kind="cancelled"), False),
        (ErrorRecord(kind="unknown"), False),
        (ErrorRecord(kind="rate_limited", http_status=429, code="rate_limit_exceeded"), True),
        (ErrorRecord(kind="rate_limited", http_status=429, code="insufficient_quota"), False),
        (ErrorRecord(kind="rate_limited", http_status=429, code="billing_hard_limit_reached"), False),
        (ErrorRecord(kind="timeout", http_status=408), True),
        (ErrorRecord(kind="bad_request", http_status=409), True),
        (ErrorRecord(kind="server", http_status=500), True),
        (ErrorRecord(kind="server", http_status=503), True),
        (ErrorRecord(kind="server", http_status=200, code="malformed_response"), False),
        # A timeout or a lost connection after sending may have been billed: never retried by
        # default; a connection that was never made is harmless.
        (ErrorRecord(kind="timeout"), False),
        (ErrorRecord(kind="timeout", details={"phase": "body"}), False),
        (ErrorRecord(kind="network"), False),
        (ErrorRecord(kind="network", details={"phase": "sent"}), False),
        (ErrorRecord(kind="network", details={"phase": "connect"}), True),
        (ErrorRecord(kind="quota", http_status=429, code="insufficient_quota"), False),
    ],
)
def test_is_retryable(record, expected):
    assert is_retryable(record) is expected


def test_maybe_billed_retries_only_when_the_policy_allows_them():
    record = ErrorRecord(kind="timeout", details={"phase": "body"})
    assert may_have_billed(record)
    assert retry_delay(record, 0, POLICY) is None
    allowing = RetryPolicy(max_retries=1, retry_may_bill=True, jitter=0.0)
    assert retry_delay(record, 0, allowing) == 1.0
    notice = RetryNotice(1, 1.0, record, may_have_billed(record))
    assert "billed again" in notice.message()
    assert not may_have_billed(ErrorRecord(kind="server", http_status=500))


def test_retry_after_is_honoured_within_the_cap():
    record = ErrorRecord(kind="rate_limited", http_status=429, retry_after=12.0)
    assert retry_delay(record, 0, POLICY) == 12.0
    record.retry_after = 31.0
    assert retry_delay(record, 0, POLICY) is None


def test_backoff_doubles_with_jitter_and_stops_at_max_retries():
    record = ErrorRecord(kind="server", http_status=500)
    assert retry_delay(record, 0, POLICY, rng=lambda: 0.0) == 1.0
    assert retry_delay(record, 1, POLICY, rng=lambda: 0.0) == 2.0
    assert retry_delay(record, 2, POLICY, rng=lambda: 1.0) == 4.0 * 0.75
    assert retry_delay(record, 3, POLICY) is None
    assert RetryPolicy(base_delay=1.0, max_delay=8.0, jitter=0.0).backoff(10) == 8.0


def test_never_retry_a_block_even_with_retry_after():
    record = ErrorRecord(kind="blocked", http_status=400, retry_after=1.0)
    assert retry_delay(record, 0, POLICY) is None
