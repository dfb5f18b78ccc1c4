"""Our retry policy (the SDK's own retries are switched off with `max_retries=0`).

Retry only where another attempt can help, and never pay twice without asking:
- never a block, an auth failure, a quota error, a cancelled request or any other 4xx, except
  408, 409, 429;
- 429 waits for `Retry-After` when the server gives one, up to `retry_after_cap` (a longer wait
  is reported, not slept through), and never retries quota/billing 429s;
- 5xx answers and connections that were never made back off exponentially with jitter: the
  provider did not start billable work;
- a timeout, or a connection lost after the request went out, may have been billed (the image
  may be generating): not retried unless `retry_may_bill` is set, and then only after the
  caller was told (`RetryNotice.may_bill`, see `ImageClient.run(on_retry=…)`).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from workbench.core.api.error_parsing import no_retry_rate_limit
from workbench.core.api.records import ErrorRecord

_RETRYABLE_4XX = (408, 409, 429)


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3
    base_delay: float = 1.0  # first back-off, doubled each attempt
    max_delay: float = 20.0
    retry_after_cap: float = 60.0  # longest Retry-After we are willing to sleep
    jitter: float = 0.25  # up to this fraction is taken off each back-off
    retry_may_bill: bool = False  # also retry timeouts and lost connections (after telling)

    def backoff(self, attempt: int, rng: Callable[[], float] = random.random) -> float:
        """Delay before retry number `attempt + 1` (attempt counts from 0)."""
        delay = min(self.max_delay, self.base_delay * (2.0**attempt))
        return max(0.0, delay * (1.0 - self.jitter * rng()))


NO_RETRIES = RetryPolicy(max_retries=0)


@dataclass(frozen=True)
class RetryNotice:
    """Told to the caller before a retry: which one, after what, and whether it may bill again."""

    attempt: int  # the retry about to be made (1 = the first retry)
    delay: float  # seconds until it is sent
    error: ErrorRecord = field(repr=False)
    may_bill: bool = False

    def message(self) -> str:
        reason = f"{self.error.kind}" + (f" (HTTP {self.error.http_status})" if self.error.http_status else "")
        text = f"retry {self.attempt} in {self.delay:.1f} s after {reason}"
        if self.may_bill:
            text += "; the failed attempt may have been billed, and this one will be billed again"
        return text


def may_have_billed(error: ErrorRecord) -> bool:
    """Whether the provider may have started billable work on the attempt that failed.

    A timeout or a connection lost after the request went out: the image may be generating.
    A 2xx whose body we could not use: yes. An HTTP error status or a refused connection: no.
    """
    if error.http_status is not None:
        # An error status: nothing was produced. A 200 (a malformed or oversized body): it was.
        return error.http_status < 400
    if error.kind in ("timeout", "network"):
        return (error.details or {}).get("phase") != "connect"  # unknown phase: assume sent
    return False


def is_retryable(error: ErrorRecord, policy: RetryPolicy | None = None) -> bool:
    """Whether another identical attempt could succeed (and may be made under `policy`)."""
    status = error.http_status
    if error.kind in ("blocked", "quota", "access", "auth", "cancelled", "unknown"):  # see errors.retryable
        return False
    if may_have_billed(error) and not (policy is not None and policy.retry_may_bill):
        return False
    if error.kind == "bad_request" and status not in _RETRYABLE_4XX:
        return False
    if status is not None and 400 <= status < 500 and status not in _RETRYABLE_4XX:
        return False
    if status is not None and status < 400:
        return False  # e.g. a malformed 200 body: the same request would be billed again
    if error.kind == "rate_limited" and no_retry_rate_limit(error):
        return False
    return error.kind in ("rate_limited", "server", "timeout", "network") or status in _RETRYABLE_4XX


def retry_delay(
    error: ErrorRecord, attempt: int, policy: RetryPolicy, rng: Callable[[], float] = random.random
) -> float | None:
    """Seconds to wait before the next attempt, or None when we must not retry.

    `attempt` is the number of retries already made.
    """
    if attempt >= policy.max_retries or not is_retryable(error, policy):
        return None
    if error.retry_after is not None and (error.kind == "rate_limited" or error.http_status == 503):
        if error.retry_after > policy.retry_after_cap:
            return None  # waiting that long is the user's call; the record carries retry_after
        return error.retry_after
    return policy.backoff(attempt, rng)
