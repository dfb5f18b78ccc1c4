"""`workbench generate [--profile NAME] [--json] [--param k=v …] [--out DIR] PROMPT|-`.

Runs one generate (or, with --image, edit) request, saves the images in --out and prints the
outcome. A block is reported with its stage, categories, request IDs and advice, and is never
retried. With no key configured the profile is the Sandbox, started in-process.

Exit status: 0 images saved, 3 blocked, 4 any other failure (2 for bad input, as every command).

History: `run_generation(..., recorder=…)` passes a `core.api.hooks.Recorder` to the client,
which calls it before the request is sent and after it completes. `make_recorder()` opens the
history store, so every CLI request is recorded (pending before it is sent, completed after).

A paid result is delivered before it is recorded: the images are written to --out and the
outcome (request ID included) is printed first; then history records it. When that fails (disk
full, database locked) the result is "saved, not recorded": a warning says so and the journal
records it the next time any command opens the history.

Retries are announced on standard error. Timeouts and connections lost after sending are not
retried (the provider may be generating, and billing, the image) unless --retry-timeouts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from workbench.cli._io import read_text_argument
from workbench.core.errors import BadInputError

EXIT_OK, EXIT_BLOCKED, EXIT_FAILED = 0, 3, 4
_INT_PARAMS = ("n", "output_compression", "partial_images")
_EXTENSIONS = {"png": "png", "jpeg": "jpg", "webp": "webp"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("generate", help="send one prompt to the image API (or the Sandbox)")
    parser.add_argument("prompt", metavar="PROMPT|-", help="the prompt, or - to read it from standard input")
    parser.add_argument("--profile", metavar="NAME", help="provider profile (default: OpenAI with a key, else Sandbox)")
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="image parameter, repeatable: model, size, quality, n, moderation, background, "
        "output_format, output_compression, partial_images, input_fidelity, user, or any other API field",
    )
    parser.add_argument("--image", action="append", default=[], metavar="FILE", help="reference image (edit); up to 16")
    parser.add_argument("--mask", metavar="FILE", help="PNG mask for the first reference image")
    parser.add_argument("--stream", action="store_true", help="stream (partial images are reported as they arrive)")
    parser.add_argument("--out", default=".", metavar="DIR", help="folder for the images (default: current folder)")
    parser.add_argument("--json", action="store_true", help="print the outcome as one JSON object")
    parser.add_argument("--retry-timeouts", action="store_true",
                        help="also retry timeouts and lost connections (each retry may be billed again)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from workbench.core.api.request import MAX_MASK_BYTES, ImageRequest, InputImage

    prompt = read_text_argument(args.prompt)
    profile = _choose_profile(args.profile)
    params = parse_params(args.param, default_model=profile.default_model)
    images = [InputImage.from_path(p) for p in args.image]
    mask = InputImage.from_path(args.mask, limit=MAX_MASK_BYTES) if args.mask else None
    request = ImageRequest(prompt=prompt, params=params, images=images, mask=mask, stream=args.stream)
    request.validate()
    out_dir = _writable_dir(args.out)  # checked before anything is sent or paid for

    def on_partial(frame: Any) -> None:
        if not args.json:
            print(f"partial image {(frame.partial_index or 0) + 1} received", file=sys.stderr, flush=True)

    saved: list[dict[str, Any]] = []
    not_saved: list[str] = []

    def deliver(result: Any) -> None:
        """Before history records it: the images to --out, the outcome to the terminal."""
        try:
            saved.extend(save_images(result.images, out_dir, request.local_id))
        except BadInputError as exc:
            not_saved.append(exc.user_message)
        request.meta["delivered"] = [item["path"] for item in saved]
        if not args.json:
            print(format_outcome(result, profile.name, saved), flush=True)

    recorder, store = make_recorder()
    try:
        result, base_url = asyncio.run(run_generation(
            profile, request, on_partial=on_partial, recorder=recorder, on_result=deliver,
            on_retry=announce_retry, retry_may_bill=args.retry_timeouts))
    finally:
        store.close()
    if args.json:
        print(json.dumps(outcome_dict(result, profile.name, base_url, saved), ensure_ascii=False))
    if result.record_error:
        print(f"workbench: warning: saved, not recorded: {result.record_error}", file=sys.stderr)
    if not_saved:
        where = f"; it is in history as request #{request.meta['history_id']}" if not result.record_error else ""
        print(f"workbench: error: the image was not saved to --out: {not_saved[0]}{where}", file=sys.stderr)
        return EXIT_FAILED
    if result.outcome == "ok":
        return EXIT_OK
    return EXIT_BLOCKED if result.outcome.startswith("blocked") else EXIT_FAILED


def announce_retry(notice: Any) -> bool:
    """Say each retry before it is made (one that may bill again says so)."""
    print(f"workbench: {notice.message()}", file=sys.stderr, flush=True)
    return True


def make_recorder() -> tuple[Any, Any]:
    """The history recorder for CLI requests and the store it writes to (close it after)."""
    from workbench.core.store.history import HistoryStore
    from workbench.core.store.recorder import HistoryRecorder

    store = HistoryStore.open()
    for warning in store.warnings:
        print(f"workbench: warning: {warning}", file=sys.stderr)
    return HistoryRecorder(store), store


async def run_generation(profile: Any, request: Any, *, on_partial: Any = None, recorder: Any = None,
                         on_result: Any = None, on_retry: Any = None, retry_may_bill: bool = False) -> tuple[Any, str]:
    """Send one request on a profile; a Sandbox profile without a URL gets its own local server."""
    from workbench.core.api.client import ImageClient
    from workbench.core.api.retry import RetryPolicy

    server = None
    base_url = None
    if profile.kind == "sandbox" and not profile.base_url:
        from workbench.sandbox import SandboxServer

        server = SandboxServer().start()
        base_url = server.url
    try:
        client = ImageClient.for_profile(profile, base_url=base_url, recorder=recorder,
                                         retry=RetryPolicy(retry_may_bill=retry_may_bill))
        try:
            result = await client.run(request, on_partial=on_partial, on_result=on_result, on_retry=on_retry)
        finally:
            await client.aclose()
        return result, client.display_url
    finally:
        if server is not None:
            server.stop()


def parse_params(items: list[str], *, default_model: str) -> Any:
    """`--param key=value` items → ImageParams; unknown keys are passed to the API as-is."""
    from workbench.core.api.records import ImageParams

    values: dict[str, Any] = {"model": default_model}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise BadInputError(f"--param {item!r}: expected KEY=VALUE")
        value = value.strip()
        if key in _INT_PARAMS:
            try:
                values[key] = int(value)
            except ValueError:
                raise BadInputError(f"--param {key} must be a whole number, not {value!r}") from None
        elif value.lower() in ("", "none", "null"):
            values[key] = None
        else:
            values[key] = value
    return ImageParams.from_dict(values)


def save_images(images: list[Any], out_dir: Path, stem: str) -> list[dict[str, Any]]:
    from workbench.core.store.atomic import atomic_write_bytes

    saved = []
    for index, image in enumerate(images, start=1):
        path = out_dir / f"{stem[:12]}-{index}.{_EXTENSIONS.get(image.format, 'png')}"
        atomic_write_bytes(path, image.data)  # BadInputError, e.g. "disk full"
        saved.append({"path": str(path), "format": image.format, "width": image.width,
                      "height": image.height, "bytes": len(image.data)})
    return saved


def outcome_dict(result: Any, profile_name: str, base_url: str, saved: list[dict[str, Any]]) -> dict[str, Any]:
    from workbench.core.api.advice import advice_for

    return {
        "outcome": result.outcome,
        "profile": profile_name,
        "base_url": base_url,
        "model": result.model,
        "images": saved,
        "partial_images": result.partial_images,
        "usage": asdict(result.usage) if result.usage else None,
        "latency_ms": result.latency_ms,
        "retries": result.retries,
        "estimated_cost": result.estimated_cost,
        "actual_cost": result.actual_cost,
        "http_status": result.http_status,
        "request_ids": result.request_ids,
        "error": result.error.to_dict() if result.error else None,
        "advice": advice_for(result.error),
        "attempts": result.attempts,
        "recorded": not result.record_error,
        "record_error": result.record_error,
        "journal": result.journal,
    }


def format_outcome(result: Any, profile_name: str, saved: list[dict[str, Any]]) -> str:
    from workbench.core.api.advice import advice_for

    lines: list[str] = []
    if result.outcome == "ok":
        lines.append(f"ok · {len(saved)} image(s) · {profile_name} · {result.latency_ms:.0f} ms · retries {result.retries}")
        lines.extend(f"saved: {item['path']} ({item['width']}x{item['height']} {item['format']})" for item in saved)
        usage = result.usage
        if usage is not None:
            lines.append(f"tokens: input {usage.input_tokens} · output {usage.output_tokens} · total {usage.total_tokens}")
        lines.append(f"cost: estimated {_money(result.estimated_cost)} · actual {_money(result.actual_cost)}")
        if result.request_ids:
            lines.append(f"request id: {', '.join(result.request_ids)}")
        return "\n".join(lines)
    error = result.error
    if result.outcome.startswith("blocked"):
        status = f" · HTTP {error.http_status}" if error.http_status else ""
        lines.append(f"blocked at the {error.stage} stage{status} · {error.code or error.type or 'no code'} · {profile_name}")
        lines.append(f"categories: {', '.join(error.categories) or 'not reported'}")
    else:
        status = f" · HTTP {error.http_status}" if error.http_status else ""
        lines.append(f"{result.outcome}: {error.kind}{status} · {profile_name} · retries {result.retries}")
    ids = [f"{rid} ({error.request_id_sources.get(rid, 'found')})" for rid in error.request_ids]
    lines.append(f"request IDs: {', '.join(ids) if ids else 'none'}")
    if error.message:
        lines.append(f"message: {error.message}")
    lines.append(f"advice: {advice_for(error)}")
    return "\n".join(lines)


def _money(value: float | None) -> str:
    return "n/a" if value is None else f"${value:.4f}"


def _choose_profile(name: str | None) -> Any:
    from workbench.core.api import keys
    from workbench.core.settings import default_profile_name, load_settings

    settings = load_settings()
    for warning in settings.warnings:
        print(f"workbench: warning: {warning}", file=sys.stderr)
    chosen = name or default_profile_name(settings, lambda p: keys.get_key(p.name, p.kind) is not None)
    return settings.profile(chosen)


def _writable_dir(value: str) -> Path:
    path = Path(value)
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".workbench-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except FileExistsError:
        raise BadInputError(f"--out {value} exists and is not a folder") from None
    except OSError as exc:
        raise BadInputError(f"--out {value} is not writable ({exc.strerror or exc})") from None
    return path
