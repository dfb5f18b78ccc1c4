"""`ImageClient`: generate, edit, moderate and chat through the real `openai` SDK (async).

Every image call returns one `GenerationResult`, whatever happens: images and usage on success;
an `ErrorRecord` (kind, stage, categories, every request ID) on failure; outcome `cancelled`
when the task running it is cancelled at any point (the cancellation is absorbed so that
`task.cancel(); result = await task` gives the cancelled result). Invalid input (empty prompt,
17 images) raises `BadInputError` before anything is sent or recorded.

Bounds: every attempt runs under an overall deadline (`Profile.deadline_s`, on top of the SDK's
per-read timeout, so a server trickling a byte a second still ends as `timeout`); response
bodies are capped by `transport.BoundedTransport` and decoded images by size and pixel count.
A failure records what was received (phase, status, bytes, request IDs) in `error.details`.

The SDK's retries are off (`max_retries=0`); `retry.RetryPolicy` decides, and never retries an
attempt the provider may have billed unless the policy allows it - then `on_retry` hears of it
first (`RetryNotice.may_bill`) and may refuse. Every attempt is listed in `result.attempts`.

A completed result is delivered before it is recorded: `on_result(result)` (the CLI writes the
images to `--out`) runs before `recorder.after_complete`; a recorder failure that is the user's
world (a `UserFacingError`) leaves `result.record_error` set instead of losing the result.

The `openai` import is deferred to first use because it takes ~0.5 s.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import inspect
import io
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from workbench.core.api import error_parsing, keys, pricing
from workbench.core.api.hooks import Recorder, RequestContext
from workbench.core.api.profiles import DEFAULT_AZURE_API_VERSION, Profile
from workbench.core.api.records import ErrorRecord, GenerationResult, ImageData, Usage
from workbench.core.api.request import (
    MAX_IMAGE_PIXELS,
    ImageRequest,
    InputImage,
    sniff_format,
)
from workbench.core.api.results import ChatResult, ModerationResult
from workbench.core.api.retry import (
    NO_RETRIES,
    RetryNotice,
    RetryPolicy,
    may_have_billed,
    retry_delay,
)
from workbench.core.api.sandbox_url import sandbox_url
from workbench.core.errors import UserFacingError
from workbench.core.store.images import image_size

log = logging.getLogger(__name__)

_T = TypeVar("_T")

MODERATION_MODEL = "omni-moderation-latest"
SANDBOX_KEY = "sandbox-local-no-key"  # the Sandbox accepts any key; this one is not a secret

# A generated image larger than this (decoded) is not something any model returns: the largest
# size, 3840x2160, is 33 MB even as uncompressed RGBA.
MAX_OUTPUT_IMAGE_BYTES = 40 * 1024 * 1024
# What one image may take in a response body (base64 is 4/3 of the bytes), and a JSON answer.
_IMAGE_BODY_ALLOWANCE = MAX_OUTPUT_IMAGE_BYTES * 4 // 3 + 64 * 1024
_JSON_BODY_LIMIT = 16 * 1024 * 1024

PartialCallback = Callable[[ImageData], "None | Awaitable[None]"]
# Called before each retry; returning False (or an awaitable giving False) cancels it.
RetryCallback = Callable[[RetryNotice], "bool | None | Awaitable[bool | None]"]
ResultCallback = Callable[[GenerationResult], "None | Awaitable[None]"]


class ImageClient:
    """One provider profile, one SDK client. Create with `ImageClient.for_profile(profile)`."""

    def __init__(
        self,
        profile: Profile,
        *,
        api_key: str,
        base_url: str | None = None,
        retry: RetryPolicy | None = None,
        recorder: Recorder | None = None,
        timeout: float | None = None,
        deadline: float | None = None,
        max_body_bytes: int | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        from workbench.core.api.transport import DEFAULT_MAX_BODY_BYTES

        self.profile = profile
        self.base_url = base_url or profile.base_url
        self.retry = retry or RetryPolicy()
        self.recorder = recorder
        self.timeout = timeout or profile.timeout_s
        self.deadline = deadline or profile.deadline_s
        self.max_body_bytes = max_body_bytes or DEFAULT_MAX_BODY_BYTES
        self._api_key = api_key
        self._sleep = sleep
        keys.remember(api_key)
        self._sdk = self._make_sdk(deployment=profile.azure_deployment)
        self._chat_sdk: Any = None

    @classmethod
    def for_profile(cls, profile: Profile, *, api_key: str | None = None, **kwargs: Any) -> ImageClient:
        """Resolve the key (keyring → session → environment) and, for the Sandbox, its URL.

        Raises MissingKeyError (a UserFacingError) when a profile that needs a key has none.
        """
        profile.validate()
        base_url = kwargs.pop("base_url", None)
        if profile.kind == "sandbox":
            if not (base_url or profile.base_url):
                base_url = sandbox_url()  # installed by the app / CLI; starts it on demand
            return cls(profile, api_key=api_key or SANDBOX_KEY, base_url=base_url, **kwargs)
        if api_key is None:
            api_key = keys.require_key(profile.name, profile.kind).value
        return cls(profile, api_key=api_key, base_url=base_url, **kwargs)

    # -- construction -------------------------------------------------------------------------

    def _make_sdk(self, *, deployment: str | None) -> Any:
        import httpx2
        import openai

        from workbench.core.api.transport import BoundedTransport

        timeout = httpx2.Timeout(self.timeout, connect=min(10.0, self.timeout))
        transport = BoundedTransport(httpx2.AsyncHTTPTransport(), self.max_body_bytes)
        http_client = openai.DefaultAsyncHttpxClient(transport=transport, timeout=timeout)
        common: dict[str, Any] = {"api_key": self._api_key, "max_retries": 0, "timeout": timeout,
                                  "http_client": http_client}
        if self.profile.kind == "azure":
            version = self.profile.api_version or DEFAULT_AZURE_API_VERSION
            if self.profile.azure_endpoint and not self.base_url:
                return openai.AsyncAzureOpenAI(
                    azure_endpoint=self.profile.azure_endpoint,
                    azure_deployment=deployment,
                    api_version=version,
                    **common,
                )
            # stub gap: the SDK's overloads want a str, but None is accepted at run time and
            # falls back to AZURE_OPENAI_ENDPOINT, which is what an empty base URL means here
            return openai.AsyncAzureOpenAI(base_url=self.base_url, api_version=version, **common)  # type: ignore[arg-type]
        return openai.AsyncOpenAI(base_url=self.base_url or None, **common)

    def _chat_client(self) -> Any:
        # On Azure, chat runs on its own deployment (named by the profile's chat model).
        if self.profile.kind != "azure" or not self.profile.azure_endpoint:
            return self._sdk
        if self._chat_sdk is None:
            self._chat_sdk = self._make_sdk(deployment=self.profile.chat_model)
        return self._chat_sdk

    async def aclose(self) -> None:
        for sdk in (self._sdk, self._chat_sdk):
            if sdk is not None:
                await sdk.close()

    async def __aenter__(self) -> ImageClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @property
    def display_url(self) -> str:
        """The URL recorded in history (never the key)."""
        return self.base_url or self.profile.display_url()

    # -- images -------------------------------------------------------------------------------

    def estimate(self, request: ImageRequest) -> pricing.CostEstimate | None:
        """Cost estimate before sending (None when the model has no price)."""
        try:
            return pricing.estimate_cost(request.params, prompt=request.prompt,
                                         reference_images=[image_size(i.data) for i in request.images])
        except UserFacingError as exc:
            log.warning("no cost estimate: %s", exc.user_message)
            return None

    async def run(
        self,
        request: ImageRequest,
        *,
        on_partial: PartialCallback | None = None,
        on_retry: RetryCallback | None = None,
        on_result: ResultCallback | None = None,
    ) -> GenerationResult:
        """Generate (no reference images) or edit (with images), with retries and hooks.

        Order at the end: `on_result(result)` (deliver), then the recorder (record).
        """
        request.validate()
        estimate = self.estimate(request)
        context = RequestContext(
            profile_name=self.profile.name,
            profile_kind=self.profile.kind,
            base_url=self.display_url,
            endpoint="edits" if request.is_edit else "generations",
            started_at=time.time(),
            estimated_cost=estimate.usd if estimate else None,
        )
        await _maybe_await(self.recorder.before_send(request, context) if self.recorder else None)
        started = time.perf_counter()
        retries = 0
        attempts: list[dict[str, Any]] = []
        try:
            while True:
                result = await self._bounded(lambda: self._attempt(request, on_partial), attempts,
                                             limit=_body_limit(request))
                if result.error is None:
                    break
                delay = retry_delay(result.error, retries, self.retry)
                if delay is None:
                    break
                notice = RetryNotice(retries + 1, delay, result.error, may_have_billed(result.error))
                if not await self._may_retry(notice, on_retry):
                    break
                retries += 1
                await self._sleep(delay)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()  # absorbed: the caller gets a `cancelled` result instead
            result = GenerationResult(outcome="cancelled", error=ErrorRecord(kind="cancelled", message="cancelled by the user"))
        result.retries = retries
        result.attempts = attempts
        result.latency_ms = round((time.perf_counter() - started) * 1000.0, 1)
        result.estimated_cost = context.estimated_cost
        result.model = request.params.model
        if result.outcome == "ok":
            result.actual_cost = 0.0 if self.profile.kind == "sandbox" else _actual_cost(request.params.model, result.usage)
        if result.error is not None and result.error.provider in ("unknown", "openai") and self.profile.kind == "sandbox":
            result.error.provider = "sandbox"
        if on_result is not None:
            await _maybe_await(on_result(result))  # deliver first: a failed record loses nothing
        if self.recorder is not None:
            try:
                await _maybe_await(self.recorder.after_complete(request, context, result))
            except UserFacingError as exc:  # the recorder journals what it can; say so
                log.warning("result not recorded: %s", exc.user_message)
                result.record_error = result.record_error or exc.user_message
        return result

    async def _bounded(self, attempt: Callable[[], Awaitable[GenerationResult]],
                       attempts: list[dict[str, Any]], *, limit: int) -> GenerationResult:
        """One attempt under the overall deadline and a body limit, noting what it received."""
        from workbench.core.api.transport import (
            BodyTooLargeError,
            Progress,
            current_progress,
        )

        progress = Progress(limit=limit)
        token = current_progress.set(progress)
        try:
            async with asyncio.timeout(self.deadline):
                result = await attempt()
        except TimeoutError:
            result = _failure(_deadline_record(progress, self.deadline))
        except BodyTooLargeError as exc:
            result = _failure(_too_large_record(progress, exc))
        finally:
            current_progress.reset(token)
        if result.error is not None:
            for key, value in progress.details().items():
                result.error.details.setdefault(key, value)
        attempts.append(_attempt_summary(len(attempts) + 1, result, progress))
        return result

    async def _guarded(self, call: Callable[[], Awaitable[_T]]) -> _T | ErrorRecord:
        """A non-image call under the deadline and the body cap: its value, or the error."""
        import openai

        from workbench.core.api.transport import (
            BodyTooLargeError,
            Progress,
            current_progress,
        )

        progress = Progress(limit=_JSON_BODY_LIMIT)
        token = current_progress.set(progress)
        try:
            async with asyncio.timeout(self.deadline):
                return await call()
        except TimeoutError:
            record = _deadline_record(progress, self.deadline)
        except BodyTooLargeError as exc:
            record = _too_large_record(progress, exc)
        except (openai.OpenAIError, json.JSONDecodeError) as exc:
            record = error_parsing.from_exception(exc)
        finally:
            current_progress.reset(token)
        for key, value in progress.details().items():
            record.details.setdefault(key, value)
        return record

    async def _may_retry(self, notice: RetryNotice, on_retry: RetryCallback | None) -> bool:
        error = notice.error
        log.info("retry %d in %.2f s after %s (HTTP %s)%s", notice.attempt, notice.delay, error.kind,
                 error.http_status, " - may be billed again" if notice.may_bill else "")
        if on_retry is None:
            return not notice.may_bill  # nobody to tell: never risk a second charge silently
        answer = on_retry(notice)
        if inspect.isawaitable(answer):
            answer = await answer
        return answer is not False

    async def generate(self, request: ImageRequest, **kwargs: Any) -> GenerationResult:
        """`run` for a request without reference images."""
        if request.is_edit:
            raise UserFacingError("generate() got reference images; use edit()")
        return await self.run(request, **kwargs)

    async def edit(self, request: ImageRequest, **kwargs: Any) -> GenerationResult:
        """`run` for a request with 1–16 reference images (and an optional mask)."""
        if not request.is_edit:
            raise UserFacingError("an edit needs at least one reference image")
        return await self.run(request, **kwargs)

    async def _attempt(self, request: ImageRequest, on_partial: PartialCallback | None) -> GenerationResult:
        import openai

        stream = request.wants_stream
        kwargs = _image_kwargs(request, stream=stream)
        api = self._sdk.images if stream else self._sdk.images.with_raw_response
        call = api.edit if request.is_edit else api.generate
        try:
            response = await call(**kwargs)
        except (openai.OpenAIError, json.JSONDecodeError) as exc:
            return _failure(error_parsing.from_exception(exc))
        if stream:
            return await self._consume_stream(response, on_partial)
        try:
            parsed = response.parse()
        except (openai.OpenAIError, ValueError) as exc:  # a 200 whose body is not the promised JSON
            message = f"the server sent a malformed JSON body ({exc})"
            return _failure(_malformed(message, response.headers, response.status_code))
        return _success(parsed, response.headers, response.status_code)

    async def _consume_stream(self, stream: Any, on_partial: PartialCallback | None) -> GenerationResult:
        import openai

        headers = stream.response.headers
        images: list[ImageData] = []
        usages: list[Usage] = []
        partials = 0
        try:
            async for event in stream:
                kind = getattr(event, "type", "") or ""
                if kind.endswith(".partial_image"):
                    partials += 1
                    frame = _image_data(_b64(event.b64_json), getattr(event, "output_format", None))
                    frame.partial_index = getattr(event, "partial_image_index", partials - 1)
                    if on_partial is not None:
                        await _maybe_await(on_partial(frame))
                elif kind.endswith(".completed"):
                    images.append(_image_data(_b64(event.b64_json), getattr(event, "output_format", None)))
                    usage = _usage(getattr(event, "usage", None))
                    if usage is not None:
                        usages.append(usage)
                elif kind in ("error", "response.failed"):
                    record = error_parsing.parse_error_body(_event_dict(event), status=stream.response.status_code, headers=headers)
                    return _failure(record, partials=partials)
        except openai.APIError as exc:
            record = error_parsing.from_exception(exc, stream_headers=headers)
            if record.http_status is None and not isinstance(exc, openai.APIConnectionError):
                record.http_status = stream.response.status_code  # the error came inside a 200 stream
                record.details["stream_event"] = record.details.get("stream_event", "error")
            return _failure(record, partials=partials)
        except (binascii.Error, ValueError) as exc:
            return _failure(_malformed(f"a streamed image could not be decoded ({exc})", headers), partials=partials)
        finally:
            await stream.close()
        if not images:
            return _failure(_malformed("the stream ended without a final image", headers), partials=partials)
        result = GenerationResult(
            outcome="ok",
            images=images,
            usage=_sum_usage(usages),
            request_ids=error_parsing.request_ids_from_headers(headers),
            http_status=stream.response.status_code,
        )
        result.partial_images = partials
        return result

    # -- moderation and chat ------------------------------------------------------------------

    async def moderate(
        self,
        text: str | None = None,
        images: Sequence[InputImage | bytes] = (),
        *,
        model: str = MODERATION_MODEL,
        retry: RetryPolicy = NO_RETRIES,
    ) -> ModerationResult:
        """Score text and/or images with the Moderations API (free). Cancellation propagates."""
        if self.profile.kind == "azure":
            return ModerationResult(
                error=ErrorRecord(
                    kind="bad_request",
                    message="Azure OpenAI has no moderation endpoint; use an OpenAI profile or the Sandbox",
                )
            )
        inputs: list[dict[str, Any]] = []
        if text:
            inputs.append({"type": "text", "text": text})
        for image in images:
            upload = image if isinstance(image, InputImage) else InputImage.from_bytes(bytes(image))
            url = f"data:{upload.mime};base64,{base64.b64encode(upload.data).decode('ascii')}"
            inputs.append({"type": "image_url", "image_url": {"url": url}})
        if not inputs:
            return ModerationResult(error=ErrorRecord(kind="bad_request", message="nothing to moderate"))
        started = time.perf_counter()
        attempt = 0

        async def call() -> ModerationResult:
            raw = await self._sdk.moderations.with_raw_response.create(model=model, input=inputs)
            return _moderation_result(raw.parse(), raw.headers)

        while True:
            outcome = await self._guarded(call)
            if not isinstance(outcome, ErrorRecord):
                result = outcome
                break
            delay = retry_delay(outcome, attempt, retry)
            if delay is None:
                result = ModerationResult(error=outcome, request_ids=list(outcome.request_ids))
                break
            attempt += 1
            await self._sleep(delay)
        result.latency_ms = round((time.perf_counter() - started) * 1000.0, 1)
        return result

    async def chat(
        self,
        messages: Sequence[Mapping[str, str]],
        *,
        model: str | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
    ) -> ChatResult:
        """One chat completion (the LLM rewrite). Retries per policy; cancellation propagates."""
        kwargs: dict[str, Any] = {"model": model or self.profile.chat_model, "messages": [dict(m) for m in messages]}
        if temperature is not None:
            kwargs["temperature"] = temperature
        if max_tokens is not None:
            kwargs["max_completion_tokens"] = max_tokens
        sdk = self._chat_client()
        started = time.perf_counter()
        retries = 0

        async def call() -> ChatResult:
            raw = await sdk.chat.completions.with_raw_response.create(**kwargs)
            return _chat_result(raw.parse(), raw.headers)

        while True:
            outcome = await self._guarded(call)
            if not isinstance(outcome, ErrorRecord):
                result = outcome
                break
            delay = retry_delay(outcome, retries, self.retry)
            if delay is None:
                result = ChatResult(error=outcome, request_ids=list(outcome.request_ids))
                break
            retries += 1
            await self._sleep(delay)
        result.retries = retries
        result.latency_ms = round((time.perf_counter() - started) * 1000.0, 1)
        return result


# ---------------------------------------------------------------------------------------------
# Request building


def _image_kwargs(request: ImageRequest, *, stream: bool) -> dict[str, Any]:
    p = request.params
    kwargs: dict[str, Any] = {"prompt": request.prompt, "model": p.model}
    extra_body: dict[str, Any] = {}
    for name in ("size", "quality", "n", "background", "output_format", "output_compression", "user"):
        value = getattr(p, name)
        if value is not None:
            kwargs[name] = value
    if p.moderation is not None:
        # The SDK's edit() has no `moderation` parameter; send it in the body and let the API decide.
        (extra_body if request.is_edit else kwargs)["moderation"] = p.moderation
    if request.is_edit:
        uploads = [image.as_upload() for image in request.images]
        kwargs["image"] = uploads[0] if len(uploads) == 1 else uploads
        if request.mask is not None:
            kwargs["mask"] = request.mask.as_upload()
        if p.input_fidelity is not None:
            kwargs["input_fidelity"] = p.input_fidelity
    if stream:
        kwargs["stream"] = True
        if p.partial_images is not None:
            kwargs["partial_images"] = p.partial_images
    if p.model.startswith("dall-e"):
        kwargs["response_format"] = "b64_json"  # legacy models default to URLs
    extra_body.update(p.extra)
    if extra_body:
        kwargs["extra_body"] = extra_body
    return kwargs


# ---------------------------------------------------------------------------------------------
# Response reading


def _success(response: Any, headers: Mapping[str, str], status: int) -> GenerationResult:
    request_ids = error_parsing.request_ids_from_headers(headers)
    images: list[ImageData] = []
    try:
        for item in getattr(response, "data", None) or []:
            b64 = getattr(item, "b64_json", None)
            if b64:
                images.append(_image_data(_b64(b64), getattr(response, "output_format", None)))
    except (binascii.Error, ValueError) as exc:
        return _failure(_malformed(f"an image in the response could not be used ({exc})", headers, status))
    if not images:
        return _failure(_malformed("the response contained no image data", headers, status))
    return GenerationResult(
        outcome="ok",
        images=images,
        usage=_usage(getattr(response, "usage", None)),
        request_ids=request_ids,
        http_status=status,
    )


def _failure(error: ErrorRecord, *, partials: int = 0) -> GenerationResult:
    outcome = error_parsing.outcome_for(error)  # an unstated stage stays unknown (blocked_unknown)
    result = GenerationResult(outcome=outcome, error=error, request_ids=list(error.request_ids), http_status=error.http_status)
    result.partial_images = partials
    return result


def _malformed(message: str, headers: Mapping[str, str], status: int | None = 200) -> ErrorRecord:
    ids = error_parsing.request_ids_from_headers(headers)
    return ErrorRecord(
        kind="server",
        code="malformed_response",
        message=message,
        http_status=status,
        request_ids=ids,
        request_id_sources={i: "header" for i in ids},
    )


def _b64(value: str) -> bytes:
    if len(value) // 4 * 3 > MAX_OUTPUT_IMAGE_BYTES:  # refuse before decoding, not after
        raise ValueError(f"an image of ~{len(value) // 4 * 3:,} bytes; the limit is {MAX_OUTPUT_IMAGE_BYTES:,}")
    return base64.b64decode(value, validate=True)


def _image_data(data: bytes, declared: str | None) -> ImageData:
    fmt = sniff_format(data)
    if fmt is None and (declared or "png") in ("png", "jpeg", "webp"):
        # Junk in place of the promised image (a broken proxy, a truncated or flooded body):
        # callers turn this into a `malformed_response` error rather than an `ok` nobody can open.
        raise ValueError(f"{len(data):,} bytes that are not a PNG, JPEG or WebP image")
    fmt = fmt or str(declared)
    width, height = _header_size(data)
    if width is not None and height is not None and width * height > MAX_IMAGE_PIXELS:
        raise ValueError(f"an image of {width:,}x{height:,} pixels; the limit is {MAX_IMAGE_PIXELS:,} pixels")
    return ImageData(data=data, format=fmt, width=width, height=height)


def _header_size(data: bytes) -> tuple[int | None, int | None]:
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:  # reads the header only
                return image.size
    except Image.DecompressionBombError:
        raise ValueError(f"an image declaring more than {MAX_IMAGE_PIXELS:,} pixels") from None
    except Exception:  # noqa: BLE001 - a truncated or odd image: keep the bytes, skip the size
        return None, None


def _body_limit(request: ImageRequest) -> int:
    """The most a response to this request can legitimately hold: n images (and, streaming,
    their partial frames) in base64, plus the JSON around them."""
    frames = 1 + ((request.params.partial_images or 0) if request.wants_stream else 0)
    return max(1, int(request.params.n or 1)) * frames * _IMAGE_BODY_ALLOWANCE + 1024 * 1024


def _deadline_record(progress: Any, deadline: float) -> ErrorRecord:
    received = f"{progress.bytes_received:,} bytes received"
    status = f", HTTP {progress.status}" if progress.status is not None else ""
    ids = error_parsing.request_ids_from_headers(progress.headers)
    return ErrorRecord(
        kind="timeout",
        code="deadline_exceeded",
        message=f"no complete answer within the {deadline:g} s deadline ({received}{status}, "
                f"stopped while {_PHASE_WORDS.get(progress.phase, progress.phase)})",
        http_status=None,
        request_ids=ids,
        request_id_sources={i: "header" for i in ids},
        details={"deadline_s": deadline},
    )


def _too_large_record(progress: Any, exc: Any) -> ErrorRecord:
    ids = error_parsing.request_ids_from_headers(progress.headers)
    return ErrorRecord(
        kind="server",
        code="response_too_large",
        message=f"{exc}; reading stopped there (no image response is that large)",
        http_status=progress.status,
        request_ids=ids,
        request_id_sources={i: "header" for i in ids},
        details={"body_limit": exc.limit, "declared_length": exc.declared},
    )


_PHASE_WORDS = {"connect": "connecting", "sent": "waiting for the answer", "headers": "waiting for the body",
                "body": "reading the body", "done": "finishing"}


def _attempt_summary(number: int, result: GenerationResult, progress: Any) -> dict[str, Any]:
    """One line of `result.attempts` (recorded in history): what this attempt did and saw."""
    error = result.error
    return {
        "attempt": number,
        "outcome": result.outcome,
        "kind": error.kind if error else None,
        "code": error.code if error else None,
        "http_status": result.http_status if result.http_status is not None else progress.status,
        "request_ids": list(result.request_ids or (error.request_ids if error else [])),
        "phase": progress.phase,
        "bytes_received": progress.bytes_received,
        "elapsed_ms": round(progress.elapsed() * 1000.0, 1),
        "may_bill": bool(error is None or may_have_billed(error)),
    }


def _usage(raw: Any) -> Usage | None:
    if raw is None:
        return None
    in_details = getattr(raw, "input_tokens_details", None)
    out_details = getattr(raw, "output_tokens_details", None)
    return Usage(
        input_tokens=getattr(raw, "input_tokens", None),
        output_tokens=getattr(raw, "output_tokens", None),
        total_tokens=getattr(raw, "total_tokens", None),
        input_text_tokens=getattr(in_details, "text_tokens", None),
        input_image_tokens=getattr(in_details, "image_tokens", None),
        output_text_tokens=getattr(out_details, "text_tokens", None),
        output_image_tokens=getattr(out_details, "image_tokens", None),
    )


def _sum_usage(usages: list[Usage]) -> Usage | None:
    if not usages:
        return None
    if len(usages) == 1:
        return usages[0]
    total = Usage()
    for name in Usage.__dataclass_fields__:
        values = [getattr(u, name) for u in usages if getattr(u, name) is not None]
        setattr(total, name, sum(values) if values else None)
    return total


def _actual_cost(model: str, usage: Usage | None) -> float | None:
    try:
        return pricing.actual_cost(model, usage)
    except UserFacingError as exc:
        log.warning("no actual cost: %s", exc.user_message)
        return None


def _event_dict(event: Any) -> dict[str, Any]:
    try:
        dumped: dict[str, Any] = event.model_dump()  # an SDK (pydantic) stream event
        return dumped
    except Exception:
        return {"error": {"message": str(event)}}


def _moderation_result(parsed: Any, headers: Mapping[str, str]) -> ModerationResult:
    first = parsed.results[0]
    categories = first.categories.model_dump(by_alias=True)
    scores = first.category_scores.model_dump(by_alias=True)
    applied = getattr(first, "category_applied_input_types", None)
    return ModerationResult(
        flagged=bool(first.flagged),
        categories={k: bool(v) for k, v in categories.items() if v is not None},
        scores={k: float(v) for k, v in scores.items() if v is not None},
        applied_input_types={k: list(v) for k, v in (applied.model_dump(by_alias=True) if applied else {}).items() if v},
        model=getattr(parsed, "model", None),
        request_ids=error_parsing.request_ids_from_headers(headers),
    )


def _chat_result(parsed: Any, headers: Mapping[str, str]) -> ChatResult:
    choice = parsed.choices[0] if parsed.choices else None
    usage = getattr(parsed, "usage", None)
    result = ChatResult(
        text=(choice.message.content or "") if choice is not None else "",
        model=getattr(parsed, "model", None),
        finish_reason=getattr(choice, "finish_reason", None),
        input_tokens=getattr(usage, "prompt_tokens", None),
        output_tokens=getattr(usage, "completion_tokens", None),
        request_ids=error_parsing.request_ids_from_headers(headers),
    )
    if result.finish_reason == "content_filter":
        record = error_parsing.parse_error_body(parsed.model_dump(), status=200, headers=headers)
        result.error, result.text = record, ""
    return result


async def _maybe_await(value: Any) -> None:
    if inspect.isawaitable(value):
        await value
