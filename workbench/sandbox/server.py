"""The Sandbox HTTP server: an OpenAI-compatible API on loopback, driven by its policy file.

Routes (OpenAI shape under /v1, Azure shape under /openai/deployments/{name}/…?api-version=…):
  GET  /v1/models
  POST /v1/images/generations   JSON; `stream: true` answers with server-sent events
  POST /v1/images/edits         multipart: image / image[] (1–16), mask, fields
  POST /v1/moderations          13 omni categories with scores, text and image inputs
  POST /v1/chat/completions     a deterministic "rewrite" of the last user message

Runs in a background thread (`SandboxServer(...).start()`), in-process for tests and the app,
or standalone via `workbench sandbox`. Every response carries a fresh request ID header.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import math
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from workbench.core.api import pricing
from workbench.sandbox import bodies, images
from workbench.sandbox.forms import BodyError, Form, parse_multipart, read_body
from workbench.sandbox.policy import (
    IMAGE_CATEGORIES,
    OMNI_CATEGORIES,
    Policy,
    Switches,
    load_policy,
    parse_switches,
    switches_from_config,
)
from workbench.sandbox.validation import (
    ApiError,
    bad,
    coerce,
    validate_image_params,
    validate_uploads,
)

log = logging.getLogger(__name__)

_AZURE_RE = re.compile(r"^/openai/deployments/([^/]+)(/images/generations|/images/edits|/chat/completions)$")
_MODELS = ("gpt-image-1", "gpt-image-1-mini", "gpt-image-1.5", "gpt-image-2", "omni-moderation-latest", "gpt-4.1-mini")


@dataclass
class SandboxConfig:
    """Server-wide behaviour. `switches` use the prompt-switch grammar without brackets."""

    switches: tuple[str, ...] = ()
    api_key: str | None = None  # when set, any other key gets a 401
    policy_path: Path | None = None
    max_body_bytes: int = 128 * 1024 * 1024


@dataclass
class LoggedRequest:
    """What the Sandbox saw (for tests and the `--verbose` CLI); never the key."""

    method: str
    path: str
    route: str
    flavour: str  # openai | azure
    status: int = 0
    prompt: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)  # field name -> number of files
    api_version: str | None = None
    auth_scheme: str | None = None  # "bearer" | "api-key" | None


class SandboxServer:
    """A loopback HTTP server speaking the OpenAI (and Azure) image API wire format."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        self.policy: Policy = load_policy(self.config.policy_path)
        self._config_switches = switches_from_config(self.config.switches)
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.sandbox = self
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._counts: dict[tuple[Any, ...], int] = {}
        self._lock = threading.Lock()
        self._seen = threading.Condition()
        self.requests: list[LoggedRequest] = []

    # -- lifecycle ----------------------------------------------------------------------------

    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def root_url(self) -> str:
        """Use as an Azure endpoint: the SDK appends /openai/deployments/…"""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        """The OpenAI-style base URL (…/v1)."""
        return self.root_url + "/v1"

    def start(self) -> SandboxServer:
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever, name="workbench-sandbox", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes slow responses
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> bool:
        """Block until at least `count` requests have arrived (tests use it to cancel mid-call)."""
        with self._seen:
            return self._seen.wait_for(lambda: len(self.requests) >= count, timeout=timeout)

    # -- dispatch -----------------------------------------------------------------------------

    def handle(self, handler: _Handler, method: str) -> None:
        url = urlsplit(handler.path)
        path = url.path.rstrip("/") or "/"
        query = parse_qs(url.query)
        flavour, route, deployment = "openai", "", None
        if path.startswith("/v1/"):
            route = path[3:]
        elif match := _AZURE_RE.match(path):
            flavour, deployment, route = "azure", match.group(1), match.group(2)
        entry = LoggedRequest(method, handler.path, route or path, flavour)
        entry.api_version = (query.get("api-version") or [None])[0]
        entry.auth_scheme = "api-key" if handler.headers.get("api-key") else (
            "bearer" if (handler.headers.get("Authorization") or "").lower().startswith("bearer ") else None
        )
        self._log(entry)
        exchange = _Exchange(self, handler, entry, flavour, deployment)
        try:
            exchange.dispatch(method, route)
        except ApiError as exc:
            exchange.send_json(exc.status, exc.body, exc.headers)
        except BodyError as exc:
            exchange.send_json(400, bodies.error(str(exc), type="invalid_request_error", code="invalid_body"))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client went away (timeout, cancel): nothing to answer
        except Exception:  # a bug in the Sandbox: answer 500 rather than hanging the client
            log.exception("sandbox failed on %s %s", method, entry.route)
            exchange.send_json(500, bodies.server_error(500))

    def _log(self, entry: LoggedRequest) -> None:
        with self._seen:
            self.requests.append(entry)
            del self.requests[:-500]
            self._seen.notify_all()

    def count_failure(self, key: tuple[Any, ...]) -> int:
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + 1
            return self._counts[key]

    def config_switches(self) -> Switches:
        return self._config_switches

    def wait(self, seconds: float) -> None:
        self._stopping.wait(seconds)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    sandbox: SandboxServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("sandbox connection error from %s", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "WorkbenchSandbox/1.0"
    server: _HTTPServer

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self.server.sandbox.handle(self, "GET")

    def do_POST(self) -> None:  # noqa: N802
        self.server.sandbox.handle(self, "POST")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        log.debug("sandbox: " + format, *args)


class _Exchange:
    """One request/response: parsing, switches, policy, and the answer in the right shape."""

    def __init__(self, sandbox: SandboxServer, handler: _Handler, entry: LoggedRequest, flavour: str, deployment: str | None) -> None:
        self.sandbox = sandbox
        self.handler = handler
        self.entry = entry
        self.azure = flavour == "azure"
        self.deployment = deployment
        self.request_id = bodies.azure_request_id() if self.azure else bodies.openai_request_id()
        self.sent = False
        self.body_read = False

    # -- routing ------------------------------------------------------------------------------

    def dispatch(self, method: str, route: str) -> None:
        if self.azure and not self.entry.api_version:
            raise bad("MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required.")
        if method == "GET" and route == "/models":
            self._check_auth(None)
            return self.send_json(200, _models_body())
        routes = {
            "/images/generations": self.images,
            "/images/edits": self.images,
            "/moderations": self.moderations,
            "/chat/completions": self.chat,
        }
        if method != "POST" or route not in routes:
            self._drain()
            raise ApiError(404, bodies.not_found(method, self.entry.path))
        routes[route](route)

    def _drain(self) -> None:
        try:
            self._body()
        except BodyError:
            self.handler.close_connection = True

    def _body(self) -> bytes:
        raw = read_body(self.handler.rfile, self.handler.headers, self.sandbox.config.max_body_bytes)
        self.body_read = True
        return raw

    # -- common steps -------------------------------------------------------------------------

    def _read_json(self) -> dict[str, Any]:
        raw = self._body()
        try:
            data = json.loads(raw or b"{}")
        except (ValueError, RecursionError):
            raise bad("invalid_json", "We could not parse the JSON body of your request.") from None
        if not isinstance(data, dict):
            raise bad("invalid_json", "The request body must be a JSON object.")
        return data

    def _check_auth(self, switches: Switches | None) -> None:
        headers = self.handler.headers
        given = headers.get("api-key") or ""
        bearer = headers.get("Authorization") or ""
        if bearer.lower().startswith("bearer "):
            given = given or bearer[7:].strip()
        expected = self.sandbox.config.api_key
        if switches is not None and switches.echo_key:
            raise ApiError(401, bodies.invalid_key(given))
        forced = switches is not None and switches.status == 401
        if forced or (expected is not None and given != expected):
            raise ApiError(401, bodies.invalid_key(bodies.mask_key(given)))

    def _apply_switches(self, switches: Switches, key: tuple[Any, ...]) -> None:
        """Slow, dropped, failing and malformed answers requested by switches."""
        if switches.slow:
            self.sandbox.wait(switches.slow)
        if switches.account:
            raise ApiError(*bodies.account_problem(switches.account))
        if switches.drop:
            self.handler.close_connection = True
            self.sent = True
            raise _Dropped()
        status = switches.status
        if status and status != 401:
            failing = switches.fail_times is None or self.sandbox.count_failure(key) <= switches.fail_times
            if failing:
                retry_after = switches.retry_after if switches.retry_after is not None else 1.0
                headers = {}
                if status in (429, 503):
                    headers = {"Retry-After": str(max(0, math.ceil(retry_after))), "retry-after-ms": str(int(retry_after * 1000))}
                if status == 429:
                    raise ApiError(429, bodies.rate_limited(retry_after), headers)
                if status >= 500:
                    raise ApiError(status, bodies.server_error(status), headers)
                raise ApiError(status, bodies.error(f"Sandbox switch {status}.", type="invalid_request_error", code=None), headers)
        if switches.malformed:
            body = b'{"created": 1700000000, "data": [{"b64_json": "iVBORw0KGgo'
            self.send_raw(200, body, {"Content-Type": "application/json"})
            raise _Dropped()

    def _block(self, categories: list[str], stage: str, switches: Switches, model: str) -> ApiError:
        if switches.legacy or model.startswith("dall-e"):
            return ApiError(400, bodies.legacy_block(azure=self.azure, categories=categories))
        proxy_id = bodies.proxy_request_id() if switches.proxy else None
        body = bodies.moderation_blocked(self.request_id, categories, stage, azure=self.azure, proxy_id=proxy_id)
        headers = {"x-api-request-id": proxy_id} if proxy_id else {}
        return ApiError(400, body, headers)

    # -- images -------------------------------------------------------------------------------

    def images(self, route: str) -> None:
        edit = route == "/images/edits"
        form = self._read_form() if edit else Form(fields={}, files={})
        data: dict[str, Any] = coerce(form.fields) if edit else self._read_json()
        prompt = data.get("prompt")
        self.entry.prompt = prompt if isinstance(prompt, str) else None
        self.entry.fields = {k: str(v)[:80] for k, v in data.items() if k != "prompt"}
        self.entry.files = {k: len(v) for k, v in form.files.items()}
        cleaned, prompt_switches = parse_switches(prompt) if isinstance(prompt, str) else ("", Switches())
        switches = self.sandbox.config_switches().merged(prompt_switches)
        self._check_auth(switches)
        try:
            self._apply_switches(switches, (route, cleaned, switches.tokens))
        except _Dropped:
            return
        params = validate_image_params(data, edit=edit, deployment=self.deployment)
        inputs = validate_uploads(form) if edit else []
        seen_text = " ".join([cleaned] + [images.embedded_prompt(u.data) or "" for u in inputs])
        verdict = self.sandbox.policy.verdict(seen_text)
        blocking = verdict.blocking("input", moderation=params["moderation"])
        if switches.block or blocking:
            categories = _categories(blocking) or ["other"]
            raise self._block(categories, "input", switches, params["model"])
        output_rules = verdict.blocking("output")
        output_block = switches.output_block or bool(output_rules)
        output_categories = _categories(output_rules) or ["other"]
        usage = _usage(self.sandbox.policy, cleaned, inputs, params)
        if params["stream"]:
            return self._stream_images(cleaned, params, usage, edit, output_block, output_categories, switches)
        if output_block:
            raise self._block(output_categories, "output", switches, params["model"])
        encoded = [
            base64.b64encode(_render(cleaned, params, i)).decode("ascii") for i in range(params["n"])
        ]
        body = {
            "created": int(time.time()),
            "background": "transparent" if params["background"] == "transparent" else "opaque",
            "data": [{"b64_json": b64} for b64 in encoded],
            "output_format": params["output_format"],
            "quality": params["quality_used"],
            "size": params["size_used"],
            "usage": usage,
        }
        self.send_json(200, body)

    def _stream_images(self, prompt: str, params: dict[str, Any], usage: dict[str, Any], edit: bool,
                       output_block: bool, output_categories: list[str], switches: Switches) -> None:
        prefix = "image_edit" if edit else "image_generation"
        self._start_events()
        common = {
            "background": "transparent" if params["background"] == "transparent" else "opaque",
            "output_format": params["output_format"],
            "quality": params["quality_used"],
            "size": params["size_used"],
        }
        partials = params["partial_images"] or 0
        for index in range(params["n"]):
            for step in range(partials):
                frame = _render(prompt, params, index, coarseness=2 ** (partials - step + 1))
                self._event(f"{prefix}.partial_image", {
                    "type": f"{prefix}.partial_image",
                    "b64_json": base64.b64encode(frame).decode("ascii"),
                    "partial_image_index": step,
                    "created_at": int(time.time()),
                    **common,
                })
            if output_block:
                error = self._block(output_categories, "output", switches, params["model"]).body
                self._event("error", {"type": "error", "error": error.get("error", error)})
                return self._end_events()
            final = _render(prompt, params, index)
            per_image_usage = usage if params["n"] == 1 else _split_usage(usage, params["n"])
            self._event(f"{prefix}.completed", {
                "type": f"{prefix}.completed",
                "b64_json": base64.b64encode(final).decode("ascii"),
                "created_at": int(time.time()),
                "usage": per_image_usage,
                **common,
            })
        self._end_events()

    def _read_form(self) -> Form:
        content_type = self.handler.headers.get("Content-Type") or ""
        raw = self._body()
        if "multipart/form-data" not in content_type:
            raise bad("invalid_content_type", "Image edits must be sent as multipart/form-data.")
        return parse_multipart(content_type, raw)

    # -- moderation ---------------------------------------------------------------------------

    def moderations(self, route: str) -> None:
        data = self._read_json()
        raw_input = data.get("input")
        texts, pictures, multimodal = _moderation_inputs(raw_input)
        self.entry.prompt = " ".join(texts)[:2000]
        self.entry.fields = {"model": str(data.get("model", ""))}
        cleaned_texts, switches = [], self.sandbox.config_switches()
        for text in texts:
            cleaned, found = parse_switches(text)
            cleaned_texts.append(cleaned)
            switches = switches.merged(found)
        self._check_auth(switches)
        try:
            self._apply_switches(switches, (route, tuple(cleaned_texts), switches.tokens))
        except _Dropped:
            return
        if not texts and not pictures:
            message = "The input must be a string, a list of strings, or a list of text/image_url items."
            raise ApiError(400, bodies.invalid_value("input", message))
        policy = self.sandbox.policy
        if multimodal:
            results = [_moderation_result(policy, " ".join(cleaned_texts), pictures, bool(cleaned_texts))]
        else:
            results = [_moderation_result(policy, text, [], True) for text in cleaned_texts]
        body = {"id": "modr-" + self.request_id[-24:], "model": data.get("model") or "omni-moderation-latest", "results": results}
        self.send_json(200, body)

    # -- chat ---------------------------------------------------------------------------------

    def chat(self, route: str) -> None:
        data = self._read_json()
        messages = data.get("messages")
        if not isinstance(messages, list) or not messages:
            raise ApiError(400, bodies.invalid_value("messages", "messages must be a non-empty array."))
        user_texts = [_message_text(m) for m in messages if isinstance(m, dict) and m.get("role") == "user"]
        last = user_texts[-1] if user_texts else ""
        cleaned, switches = parse_switches(last)
        switches = self.sandbox.config_switches().merged(switches)
        self.entry.prompt = last[:2000]
        self._check_auth(switches)
        try:
            self._apply_switches(switches, (route, cleaned, switches.tokens))
        except _Dropped:
            return
        policy = self.sandbox.policy
        if self.azure:
            blocking = policy.verdict(" ".join(parse_switches(t)[0] for t in user_texts)).blocking("input")
            if blocking:
                raise ApiError(400, bodies.azure_prompt_filtered(_categories(blocking)))
        answer = policy.rewrite(cleaned)
        model = str(data.get("model") or self.deployment or "gpt-4.1-mini")
        prompt_tokens = sum(max(1, math.ceil(len(t) / 4)) for t in user_texts)
        completion_tokens = max(1, math.ceil(len(answer) / 4))
        body = {
            "id": "chatcmpl-" + self.request_id[-24:],
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": answer}, "finish_reason": "stop"}],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
        self.send_json(200, body)

    # -- writing ------------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        headers = {"x-request-id": self.request_id, "openai-processing-ms": "1", "x-workbench-sandbox": "1"}
        if self.azure:
            headers.update({"apim-request-id": self.request_id, "x-ms-region": "Sandbox Local"})
        return headers

    def send_json(self, status: int, body: dict[str, Any], extra: dict[str, str] | None = None) -> None:
        if self.sent:
            return
        data = json.dumps(body).encode("utf-8")
        self.send_raw(status, data, {"Content-Type": "application/json", **(extra or {})})

    def send_raw(self, status: int, data: bytes, extra: dict[str, str]) -> None:
        self.entry.status = status
        handler = self.handler
        if not self.body_read and self.entry.method != "GET":
            # An unread body would be taken for the next request on a kept-alive connection.
            extra = {**extra, "Connection": "close"}
            handler.close_connection = True
        handler.send_response(status)
        for name, value in {**self._headers(), **extra}.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
        handler.wfile.flush()
        self.sent = True

    def _start_events(self) -> None:
        self.entry.status = 200
        handler = self.handler
        handler.send_response(200)
        stream_headers = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "Connection": "close"}
        for name, value in {**self._headers(), **stream_headers}.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.close_connection = True
        self.sent = True

    def _event(self, name: str, payload: dict[str, Any]) -> None:
        self.handler.wfile.write(f"event: {name}\ndata: {json.dumps(payload)}\n\n".encode())
        self.handler.wfile.flush()

    def _end_events(self) -> None:
        self.handler.wfile.flush()


class _Dropped(Exception):
    """The answer was already sent (or deliberately withheld)."""


# ---------------------------------------------------------------------------------------------
# Validation and helpers


def _categories(rules: list[Any]) -> list[str]:
    result: list[str] = []
    for rule in rules:
        for category in rule.categories:
            if category not in result:
                result.append(category)
    return result


def _render(prompt: str, params: dict[str, Any], index: int, coarseness: int = 1) -> bytes:
    return images.render(
        prompt, params["width"], params["height"], fmt=params["output_format"],
        compression=params["output_compression"], transparent=params["background"] == "transparent",
        index=index, coarseness=coarseness,
    )


def _usage(policy: Policy, prompt: str, uploads: list[Any], params: dict[str, Any]) -> dict[str, Any]:
    text_tokens = max(1, math.ceil(len(prompt) / 4))
    image_tokens = sum(_image_input_tokens(images.image_size(u.data) or (1024, 1024)) for u in uploads)
    per_square = policy.output_tokens.get(params["quality_used"], policy.output_tokens.get("medium", 1056))
    area = params["width"] * params["height"] / (1024 * 1024)
    output = int(round(per_square * area)) * params["n"]
    return {
        "input_tokens": text_tokens + image_tokens,
        "input_tokens_details": {"text_tokens": text_tokens, "image_tokens": image_tokens},
        "output_tokens": output,
        "output_tokens_details": {"text_tokens": 0, "image_tokens": output},
        "total_tokens": text_tokens + image_tokens + output,
    }


def _image_input_tokens(size: tuple[int, int]) -> int:
    return pricing.image_input_tokens(*size)  # the same rule the cost estimate uses


def _split_usage(usage: dict[str, Any], n: int) -> dict[str, Any]:
    out = usage["output_tokens"] // n
    return {**usage, "output_tokens": out, "output_tokens_details": {"text_tokens": 0, "image_tokens": out},
            "total_tokens": usage["input_tokens"] + out}


def _moderation_inputs(raw: Any) -> tuple[list[str], list[bytes | None], bool]:
    """(texts, decoded images (None when not a data URL), multimodal?)."""
    if isinstance(raw, str):
        return [raw], [], False
    texts: list[str] = []
    pictures: list[bytes | None] = []
    if not isinstance(raw, list):
        return texts, pictures, False
    multimodal = any(isinstance(item, dict) for item in raw)
    for item in raw:
        if isinstance(item, str):
            texts.append(item)
        elif isinstance(item, dict) and item.get("type") == "text":
            texts.append(str(item.get("text", "")))
        elif isinstance(item, dict) and item.get("type") == "image_url":
            url = (item.get("image_url") or {}).get("url", "") if isinstance(item.get("image_url"), dict) else ""
            pictures.append(_data_url_bytes(url))
    return texts, pictures, multimodal


def _data_url_bytes(url: str) -> bytes | None:
    if not url.startswith("data:") or "," not in url:
        return None
    try:
        return base64.b64decode(url.split(",", 1)[1], validate=False)
    except (binascii.Error, ValueError):
        return None


def _moderation_result(policy: Policy, text: str, pictures: list[bytes | None], has_text: bool) -> dict[str, Any]:
    scores = policy.scores(text) if has_text else {name: 0.0 for name in OMNI_CATEGORIES}
    for picture in pictures:
        seen = images.embedded_prompt(picture) if picture else None
        image_scores = policy.scores(seen or "", allowed=IMAGE_CATEGORIES)
        scores = {k: max(scores[k], image_scores[k]) for k in scores}
    categories = {k: v >= policy.flag_threshold for k, v in scores.items()}
    applied = {}
    for name in OMNI_CATEGORIES:
        kinds = (["text"] if has_text else []) + (["image"] if pictures and name in IMAGE_CATEGORIES else [])
        applied[name] = kinds
    return {
        "flagged": any(categories.values()),
        "categories": categories,
        "category_scores": scores,
        "category_applied_input_types": applied,
    }


def _message_text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict) and p.get("type") == "text")
    return ""


def _models_body() -> dict[str, Any]:
    return {
        "object": "list",
        "data": [{"id": m, "object": "model", "created": 1700000000, "owned_by": "workbench-sandbox"} for m in _MODELS],
    }
