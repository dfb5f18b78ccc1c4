"""The HTTP transport under the `openai` SDK: a cap on every response body, and a note of what
arrived, so that a failed call can be recorded with what was received.

`BoundedTransport` wraps httpx2's transport. It asks for `gzip`/`deflate` only and inflates them
itself (so the cap counts the bytes that end up in memory, not the compressed ones), refuses a
`Content-Length` over the cap before reading anything, and stops a body the moment it passes
the cap. Memory stays bounded by the cap whatever the server sends (a 2 GB body or a gzip bomb).

`Progress` is what one attempt has seen (phase, status, headers, bytes). The client sets a fresh
one in `current_progress` before each attempt; contextvars follow the awaits of that task.
"""

from __future__ import annotations

import contextvars
import time
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx2

# The ceiling for any one body; each call also sets its own, smaller limit (`Progress.limit`):
# what its images can take in base64, or a few MB of JSON for moderation and chat.
DEFAULT_MAX_BODY_BYTES = 640 * 1024 * 1024


class BodyTooLargeError(Exception):
    """A response body passed the cap; reading stopped there."""

    def __init__(self, received: int, limit: int, declared: int | None = None) -> None:
        size = f"declares {declared:,} bytes" if declared is not None else f"passed {received:,} bytes"
        super().__init__(f"the response {size}; the limit is {limit:,} bytes")
        self.received, self.limit, self.declared = received, limit, declared


@dataclass
class Progress:
    """What one attempt has seen so far (for the record of a failure).

    `phase`: "connect" until the request is handed to an open connection, then "sent" (the
    provider may have started work), "headers" once a status line arrived, "body" while the
    body is read, "done" when it is complete.
    """

    phase: str = "connect"
    limit: int | None = None  # this call's body limit (bytes); None = the transport's ceiling
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    bytes_received: int = 0
    started: float = field(default_factory=time.monotonic)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def details(self) -> dict[str, Any]:
        out: dict[str, Any] = {"phase": self.phase, "bytes_received": self.bytes_received,
                               "elapsed_s": round(self.elapsed(), 3)}
        if self.status is not None:
            out["http_status_seen"] = self.status
        return out


current_progress: contextvars.ContextVar[Progress | None] = contextvars.ContextVar("workbench_progress", default=None)


class BoundedTransport(httpx2.AsyncBaseTransport):
    def __init__(self, inner: httpx2.AsyncBaseTransport, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self._inner = inner
        self.max_body_bytes = max_body_bytes

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        progress = current_progress.get() or Progress()
        limit = min(self.max_body_bytes, progress.limit or self.max_body_bytes)
        request.headers["Accept-Encoding"] = "gzip, deflate"
        try:
            response = await self._inner.handle_async_request(request)
        except (httpx2.ConnectError, httpx2.ConnectTimeout):
            raise  # nothing reached the provider
        except BaseException:
            progress.phase = "sent"
            raise
        progress.phase, progress.status = "headers", response.status_code
        progress.headers = {k.lower(): v for k, v in response.headers.items()}
        declared = _content_length(response)
        if declared is not None and declared > limit:
            await response.aclose()
            raise BodyTooLargeError(0, limit, declared)
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("identity", "gzip", "deflate", ""):
            await response.aclose()
            raise httpx2.DecodingError(f"the server used an encoding we did not ask for ({encoding})", request=request)
        headers = [(k, v) for k, v in response.headers.multi_items()
                   if k.lower() not in ("content-encoding", "content-length")]
        stream = _CappedStream(response.stream, limit, progress, encoding)
        return httpx2.Response(response.status_code, headers=headers, stream=stream,
                               extensions=response.extensions, request=request)

    async def aclose(self) -> None:
        await self._inner.aclose()


class _CappedStream(httpx2.AsyncByteStream):
    def __init__(self, inner: Any, limit: int, progress: Progress, encoding: str) -> None:
        self._inner, self._limit, self._progress = inner, limit, progress
        # wbits 47 reads zlib or gzip headers; deflate servers send zlib (or raw, tried below).
        self._inflate = zlib.decompressobj(47) if encoding in ("gzip", "deflate") else None
        self._raw_deflate = encoding == "deflate"

    async def __aiter__(self) -> AsyncIterator[bytes]:
        progress = self._progress
        progress.phase = "body"
        total = 0
        async for chunk in self._inner:
            progress.bytes_received += len(chunk)
            for part in self._decode(chunk, self._limit - total):
                total += len(part)
                if total > self._limit:
                    raise BodyTooLargeError(total, self._limit)
                yield part
        if self._inflate is not None:
            tail = self._inflate.flush()
            if total + len(tail) > self._limit:
                raise BodyTooLargeError(total + len(tail), self._limit)
            if tail:
                yield tail
        progress.phase = "done"

    def _decode(self, chunk: bytes, room: int) -> list[bytes]:
        if self._inflate is None:
            return [chunk]
        try:
            # max_length bounds what one chunk can inflate to: a bomb stops at the cap + 1.
            part = self._inflate.decompress(chunk, max(1, room + 1))
        except zlib.error:
            if not self._raw_deflate:
                raise httpx2.DecodingError("the compressed response is damaged") from None
            self._inflate, self._raw_deflate = zlib.decompressobj(-15), False
            part = self._inflate.decompress(chunk, max(1, room + 1))
        if self._inflate.unconsumed_tail:  # inflating this chunk would pass the cap
            raise BodyTooLargeError(self._limit + 1, self._limit)
        return [part]

    async def aclose(self) -> None:
        await self._inner.aclose()


def _content_length(response: httpx2.Response) -> int | None:
    value = response.headers.get("content-length")
    if value is None or response.headers.get("content-encoding", "identity").lower() not in ("identity", ""):
        return None  # a compressed length says nothing about the inflated size
    try:
        return int(value)
    except ValueError:
        return None
