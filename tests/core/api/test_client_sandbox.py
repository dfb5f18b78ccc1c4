"""ImageClient against the Sandbox over real HTTP, through the real openai SDK."""

from __future__ import annotations

import asyncio
import io
import re

import pytest
from PIL import Image

from workbench.core.api.client import ImageClient
from workbench.core.api.error_parsing import _UUID_RE
from workbench.core.api.profiles import Profile
from workbench.core.api.records import ImageParams
from workbench.core.api.request import ImageRequest, InputImage
from workbench.core.api.retry import RetryPolicy
from workbench.core.errors import BadInputError
from workbench.sandbox import images as sandbox_images

SMALL = "1024x1024"


def params(**kwargs) -> ImageParams:
    kwargs.setdefault("size", SMALL)
    return ImageParams(**kwargs)


def go(client: ImageClient, coro_factory):
    async def scenario():
        async with client:
            return await coro_factory(client)

    return asyncio.run(scenario())


def new_requests(sandbox, before: int):
    return sandbox.requests[before:]


# -- success ------------------------------------------------------------------------------------


def test_success_returns_images_usage_cost_and_request_id(sandbox, make_client):
    before = len(sandbox.requests)
    result = go(make_client(), lambda c: c.generate(ImageRequest("a lighthouse at dusk", params(quality="high"))))
    assert result.outcome == "ok" and result.error is None
    assert len(result.images) == 1
    image = result.images[0]
    assert image.data.startswith(b"\x89PNG") and (image.width, image.height) == (1024, 1024)
    assert result.usage.output_tokens > 0 and result.usage.input_text_tokens > 0
    assert re.fullmatch(r"req_[0-9a-f]{32}", result.request_ids[0])
    assert result.estimated_cost > 0 and result.actual_cost == 0.0  # the Sandbox bills nothing
    assert result.retries == 0 and result.latency_ms >= 0
    sent = new_requests(sandbox, before)
    assert len(sent) == 1 and sent[0].fields["model"] == "gpt-image-1" and sent[0].auth_scheme == "bearer"


def test_formats_compression_and_n_images_that_differ(make_client):
    async def both(c):
        jpeg = await c.generate(ImageRequest("harbour boats", params(n=2, output_format="jpeg", output_compression=40)))
        webp = await c.generate(ImageRequest("a different prompt", params(output_format="webp")))
        return jpeg, webp

    jpeg, webp = go(make_client(), both)
    assert [i.format for i in jpeg.images] == ["jpeg", "jpeg"]
    assert jpeg.images[0].data != jpeg.images[1].data
    assert webp.images[0].format == "webp"
    with Image.open(io.BytesIO(webp.images[0].data)) as decoded:
        assert decoded.size == (1024, 1024)


def test_previews_differ_by_prompt(make_client):
    async def two(c):
        a = await c.generate(ImageRequest("red apples on a table", params()))
        b = await c.generate(ImageRequest("blue ocean waves", params()))
        return a, b

    a, b = go(make_client(), two)
    pixel_a = Image.open(io.BytesIO(a.images[0].data)).convert("RGB").getpixel((5, 5))
    pixel_b = Image.open(io.BytesIO(b.images[0].data)).convert("RGB").getpixel((5, 5))
    assert pixel_a != pixel_b


# -- blocks -------------------------------------------------------------------------------------


def test_input_block_is_normalised_and_never_retried(sandbox, make_client):
    before = len(sandbox.requests)
    result = go(make_client(), lambda c: c.generate(ImageRequest("a massacre in the town square", params())))
    assert result.outcome == "blocked_input"
    error = result.error
    assert (error.kind, error.stage, error.code, error.http_status) == ("blocked", "input", "moderation_blocked", 400)
    assert error.categories == ["violence"] and error.safety_violations == ["violence"]
    header_id = error.request_ids[0]
    assert error.request_id_sources[header_id] == "header:x-request-id"
    assert header_id in error.message  # the same ID is quoted in the message
    assert result.retries == 0 and len(new_requests(sandbox, before)) == 1


def test_output_block_reports_output_stage(sandbox, make_client):
    before = len(sandbox.requests)
    result = go(make_client(), lambda c: c.generate(ImageRequest("studio boudoir portrait", params())))
    assert result.outcome == "blocked_output"
    assert result.error.stage == "output" and result.error.categories == ["sexual"]
    assert len(new_requests(sandbox, before)) == 1


def test_moderation_low_relaxes_only_relaxable_rules(make_client):
    async def pair(c):
        relaxed = await c.generate(ImageRequest("an assassination in a spy thriller", params(moderation="low")))
        strict = await c.generate(ImageRequest("a bloodbath", params(moderation="low")))
        return relaxed, strict

    relaxed, strict = go(make_client(), pair)
    assert relaxed.outcome == "ok"
    assert strict.outcome == "blocked_input"


def test_proxy_shaped_block_keeps_both_request_ids(make_client):
    result = go(make_client(), lambda c: c.generate(ImageRequest("naked [sandbox:proxy]", params())))
    error = result.error
    assert error.kind == "blocked" and error.stage == "unknown"  # proxies drop moderation_details
    assert error.provider == "proxy" and error.type == "proxy_api_error"
    assert error.categories == ["sexual"]  # parsed from safety_violations=[…]
    sources = set(error.request_id_sources.values())
    assert {"header:x-request-id", "header:x-api-request-id"} <= sources
    assert any(re.fullmatch(r"\d{20,}", i) for i in error.request_ids)


def test_legacy_model_block_shape(make_client):
    result = go(make_client(), lambda c: c.generate(ImageRequest("a massacre", params(model="dall-e-3", size="1024x1024"))))
    assert result.error.code == "content_policy_violation"
    assert result.outcome == "blocked_input" and result.error.stage == "input"


# -- retries, timeouts, cancellation ------------------------------------------------------------


def test_429_then_success_honours_retry_after(sandbox, make_client):
    waits: list[float] = []
    before = len(sandbox.requests)

    async def call(c):
        return await c.generate(
            ImageRequest("a kite [sandbox:429x2, retry-after=0.05]", params()),
            on_retry=lambda notice: waits.append((notice.attempt, notice.delay, notice.error.kind, notice.may_bill)),
        )

    result = go(make_client(), call)
    assert result.outcome == "ok" and result.retries == 2
    assert waits == [(1, 0.05, "rate_limited", False), (2, 0.05, "rate_limited", False)]
    assert [r.status for r in new_requests(sandbox, before)] == [429, 429, 200]


def test_429_with_retry_after_beyond_the_cap_is_reported_not_slept(sandbox, make_client):
    before = len(sandbox.requests)
    client = make_client(retry=RetryPolicy(max_retries=3, retry_after_cap=1.0))
    result = go(client, lambda c: c.generate(ImageRequest("a bell [sandbox:429, retry-after=90]", params())))
    assert result.outcome == "error" and result.error.kind == "rate_limited"
    assert result.error.retry_after == 90.0 and result.retries == 0
    assert len(new_requests(sandbox, before)) == 1


def test_500s_exhaust_the_retries(sandbox, make_client):
    before = len(sandbox.requests)
    result = go(make_client(), lambda c: c.generate(ImageRequest("a drum [sandbox:500]", params())))
    assert result.outcome == "error" and result.error.kind == "server" and result.http_status == 500
    assert result.retries == 2
    assert [r.status for r in new_requests(sandbox, before)] == [500, 500, 500]
    assert result.request_ids  # the last attempt's ID


def test_timeout_is_reported_as_timeout(make_client):
    client = make_client(timeout=0.3, retry=RetryPolicy(max_retries=0))
    result = go(client, lambda c: c.generate(ImageRequest("a snail [sandbox:slow=5]", params())))
    assert result.outcome == "error" and result.error.kind == "timeout"


def test_dropped_connection_is_a_network_error_and_not_retried(sandbox, make_client):
    # The request reached the provider before the connection dropped: it may be billed, so no
    # silent second attempt; the attempt says so.
    before = len(sandbox.requests)
    result = go(make_client(), lambda c: c.generate(ImageRequest("a wire [sandbox:drop]", params())))
    assert result.error.kind == "network" and result.retries == 0
    assert len(new_requests(sandbox, before)) == 1
    assert [a["may_bill"] for a in result.attempts] == [True]


def test_cancel_mid_request_gives_cancelled_outcome(sandbox, make_client):
    async def scenario():
        async with make_client() as client:
            before = len(sandbox.requests)
            task = asyncio.create_task(client.generate(ImageRequest("a glacier [sandbox:slow=30]", params())))
            arrived = await asyncio.get_running_loop().run_in_executor(None, sandbox.wait_for_requests, before + 1)
            assert arrived
            task.cancel()
            return await task

    result = asyncio.run(scenario())
    assert result.outcome == "cancelled" and result.error.kind == "cancelled"


def test_cancel_during_retry_back_off(make_client):
    async def scenario():
        slow_retry = RetryPolicy(max_retries=3, base_delay=30.0, max_delay=30.0, jitter=0.0)
        retried = asyncio.Event()
        async with make_client(retry=slow_retry) as client:
            task = asyncio.create_task(
                client.generate(ImageRequest("a bee [sandbox:503]", params()), on_retry=lambda *a: retried.set())
            )
            await retried.wait()
            task.cancel()
            return await task

    result = asyncio.run(scenario())
    assert result.outcome == "cancelled" and result.retries == 1


def test_malformed_body_is_a_server_error_without_retry(sandbox, make_client):
    before = len(sandbox.requests)
    result = go(make_client(), lambda c: c.generate(ImageRequest("a map [sandbox:malformed]", params())))
    assert result.outcome == "error"
    assert (result.error.kind, result.error.code, result.error.http_status) == ("server", "malformed_response", 200)
    assert result.request_ids and len(new_requests(sandbox, before)) == 1


# -- streaming ------------------------------------------------------------------------------------


def test_streaming_delivers_partial_frames_then_the_final_image(make_client):
    frames = []
    result = go(make_client(), lambda c: c.generate(ImageRequest("a comet", params(partial_images=2)), on_partial=frames.append))
    assert result.outcome == "ok" and result.partial_images == 2
    assert [f.partial_index for f in frames] == [0, 1]
    assert all(f.data.startswith(b"\x89PNG") and (f.width, f.height) == (1024, 1024) for f in frames)
    assert frames[0].data != result.images[0].data
    assert result.usage.input_tokens > 0 and result.request_ids


def test_streaming_accepts_async_partial_callbacks(make_client):
    seen = []

    async def on_partial(frame):
        await asyncio.sleep(0)
        seen.append(frame.partial_index)

    result = go(make_client(), lambda c: c.generate(ImageRequest("an owl", params(partial_images=3)), on_partial=on_partial))
    assert result.outcome == "ok" and seen == [0, 1, 2]


def test_streaming_output_block_after_partials_keeps_header_request_id(make_client):
    frames = []
    result = go(make_client(), lambda c: c.generate(ImageRequest("wet t-shirt contest", params(partial_images=1)), on_partial=frames.append))
    assert len(frames) == 1
    assert result.outcome == "blocked_output" and result.error.stage == "output"
    assert result.error.request_ids and result.error.request_ids[0] in result.error.message
    assert result.error.details.get("stream_event") == "error"


# -- edits ----------------------------------------------------------------------------------------


def _picture(prompt: str) -> InputImage:
    return InputImage.from_bytes(sandbox_images.render(prompt, 256, 256), "ref.png")


def test_edit_sends_images_and_mask_as_multipart(sandbox, make_client):
    before = len(sandbox.requests)
    request = ImageRequest(
        "make the sky purple",
        params(input_fidelity="high", moderation="low"),
        images=[_picture("one"), _picture("two"), _picture("three")],
        mask=_picture("mask"),
    )
    result = go(make_client(), lambda c: c.edit(request))
    assert result.outcome == "ok"
    assert result.usage.input_image_tokens > 0
    sent = new_requests(sandbox, before)[0]
    assert sent.route == "/images/edits"
    assert sent.files == {"image": 3, "mask": 1}
    assert sent.fields["input_fidelity"] == "high" and sent.fields["moderation"] == "low"


def test_edit_with_a_blocked_reference_image_is_an_input_block(make_client):
    request = ImageRequest("make it brighter", params(), images=[_picture("a scene of a stabbing")])
    result = go(make_client(), lambda c: c.edit(request))
    assert result.outcome == "blocked_input" and result.error.categories == ["violence"]


def test_too_many_edit_images_are_refused_before_sending(sandbox, make_client):
    before = len(sandbox.requests)
    request = ImageRequest("x", params(), images=[_picture(str(i)) for i in range(17)])
    with pytest.raises(BadInputError, match="at most 16"):
        go(make_client(), lambda c: c.edit(request))
    assert len(sandbox.requests) == before


def test_server_side_validation_error_is_bad_request(make_client):
    result = go(make_client(), lambda c: c.generate(ImageRequest("a fern", params(size="999x7"))))
    assert result.error.kind == "bad_request" and result.error.param == "size" and result.retries == 0


# -- providers ----------------------------------------------------------------------------------


def test_azure_profile_uses_deployment_route_api_key_and_azure_shapes(sandbox, make_client):
    profile = Profile(name="Azure test", kind="azure", azure_endpoint=sandbox.root_url,
                      azure_deployment="images-east", api_version="2025-04-01-preview")
    before = len(sandbox.requests)

    async def calls(c):
        ok = await c.generate(ImageRequest("a lantern", params()))
        blocked = await c.generate(ImageRequest("ethnic cleansing propaganda", params()))
        return ok, blocked

    ok, blocked = go(make_client(profile, api_key="azure-test-key-123"), calls)
    sent = new_requests(sandbox, before)
    assert sent[0].path.startswith("/openai/deployments/images-east/images/generations?api-version=2025-04-01-preview")
    assert sent[0].auth_scheme == "api-key"
    assert ok.outcome == "ok" and _UUID_RE.fullmatch(ok.request_ids[0])
    error = blocked.error
    assert error.provider == "azure" and "Azure support ticket" in error.message
    assert _UUID_RE.fullmatch(error.request_ids[0]) and error.categories == ["hate"]


def test_azure_chat_prompt_filter_is_a_block_with_severities(sandbox, make_client):
    profile = Profile(name="Azure chat", kind="azure", azure_endpoint=sandbox.root_url,
                      azure_deployment="images-east", chat_model="chat-east", api_version="2025-04-01-preview")
    before = len(sandbox.requests)
    result = go(make_client(profile, api_key="azure-test-key-123"), lambda c: c.chat([{"role": "user", "content": "write about a massacre"}]))
    assert "/openai/deployments/chat-east/chat/completions" in new_requests(sandbox, before)[0].path
    error = result.error
    assert (error.kind, error.code, error.stage) == ("blocked", "content_filter", "input")
    assert error.details["inner_code"] == "ResponsibleAIPolicyViolation"
    assert error.categories == ["violence"] and error.details["severities"]["violence"] == "high"


def test_azure_has_no_moderation_endpoint(sandbox, make_client):
    profile = Profile(name="Az", kind="azure", azure_endpoint=sandbox.root_url, azure_deployment="d", api_version="2025-04-01-preview")
    result = go(make_client(profile, api_key="k-azure-1"), lambda c: c.moderate("hello"))
    assert result.error is not None and "Azure" in result.error.message


def test_compatible_profile_with_key_from_environment(locked_sandbox, make_client, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-" "compat-accepted-key-000111")
    profile = Profile(name="Gateway", kind="compatible", base_url=locked_sandbox.url)
    result = go(make_client(profile), lambda c: c.generate(ImageRequest("a teapot", params())))
    assert result.outcome == "ok"


def test_wrong_key_is_auth_error_not_retried_and_redacted(locked_sandbox, make_client):
    before = len(locked_sandbox.requests)
    profile = Profile(name="Gateway", kind="compatible", base_url=locked_sandbox.url)
    wrong = "sk-" "wrong-key-abcdef-987654"
    result = go(make_client(profile, api_key=wrong), lambda c: c.generate(ImageRequest("a teapot", params())))
    assert result.error.kind == "auth" and result.error.http_status == 401 and result.retries == 0
    assert len(locked_sandbox.requests) == before + 1
    assert wrong not in result.error.message and wrong[-4:] + "" not in result.error.raw_body.replace("[REDACTED]", "")


# -- moderation and chat ------------------------------------------------------------------------


def test_moderation_scores_13_categories_for_text_and_image(make_client):
    async def both(c):
        text = await c.moderate("a stabbing in an alley")
        image = await c.moderate("a quiet garden", [_picture("a stabbing in an alley")])
        return text, image

    text, image = go(make_client(), both)
    assert len(text.scores) == 13 and text.flagged and text.flagged_categories() == ["violence"]
    assert image.flagged and "violence" in image.flagged_categories()
    assert image.applied_input_types["violence"] == ["text", "image"]
    assert image.applied_input_types["hate"] == ["text"]  # hate is text-only
    assert text.request_ids


def test_moderation_endpoint_can_disagree_with_the_image_endpoint(make_client):
    async def both(c):
        return await c.moderate("lingerie catalogue"), await c.generate(ImageRequest("lingerie catalogue", params()))

    moderation, generation = go(make_client(), both)
    assert not moderation.flagged
    assert generation.outcome == "blocked_output"


def test_chat_returns_the_sandbox_rewrite(make_client):
    result = go(make_client(), lambda c: c.chat([
        {"role": "system", "content": "Rewrite as pure visual description."},
        {"role": "user", "content": "a murder at the opera"},
    ]))
    assert result.ok and result.text == "a tense confrontation at the opera"
    assert result.request_ids and result.output_tokens > 0


# -- recorder hook ------------------------------------------------------------------------------


class ListRecorder:
    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.events = []

    def before_send(self, request, context):
        self.events.append(("before", request.local_id, len(self.sandbox.requests), context.endpoint))

    async def after_complete(self, request, context, result):
        self.events.append(("after", request.local_id, result.outcome))


@pytest.mark.parametrize("prompt, outcome", [("a violin", "ok"), ("a massacre", "blocked_input")])
def test_recorder_sees_every_request_before_it_is_sent_and_after(sandbox, make_client, prompt, outcome):
    recorder = ListRecorder(sandbox)
    before = len(sandbox.requests)
    request = ImageRequest(prompt, params())
    go(make_client(recorder=recorder), lambda c: c.generate(request))
    assert recorder.events == [
        ("before", request.local_id, before, "generations"),
        ("after", request.local_id, outcome),
    ]


def test_recorder_is_completed_on_cancel(sandbox, make_client):
    recorder = ListRecorder(sandbox)

    async def scenario():
        async with make_client(recorder=recorder) as client:
            before = len(sandbox.requests)
            task = asyncio.create_task(client.generate(ImageRequest("a dune [sandbox:slow=30]", params())))
            await asyncio.get_running_loop().run_in_executor(None, sandbox.wait_for_requests, before + 1)
            task.cancel()
            return await task

    asyncio.run(scenario())
    assert [e[0] for e in recorder.events] == ["before", "after"] and recorder.events[1][2] == "cancelled"


# -- construction -------------------------------------------------------------------------------


def test_sandbox_profile_without_url_starts_the_shared_sandbox():
    from workbench.core.api.keys import MissingKeyError
    from workbench.sandbox import shared_sandbox, stop_shared_sandbox

    try:
        client = ImageClient.for_profile(Profile(name="Sandbox", kind="sandbox"))
        assert client.base_url == shared_sandbox().url and client.display_url == client.base_url
        result = go(client, lambda c: c.generate(ImageRequest("a pebble", params())))
        assert result.outcome == "ok"
    finally:
        stop_shared_sandbox()
    with pytest.raises(MissingKeyError):
        ImageClient.for_profile(Profile(name="OpenAI", kind="openai"))


def test_edit_estimate_counts_reference_images(make_client):
    png = sandbox_images.render("ref", 1024, 1024, fmt="png", compression=None, transparent=False, index=0)
    client = make_client()
    p = params(model="gpt-image-1.5", quality="medium")
    plain = client.estimate(ImageRequest("add snow", p))
    edit = client.estimate(ImageRequest("add snow", p, images=[InputImage.from_bytes(png), InputImage.from_bytes(png)]))
    assert edit.usd > plain.usd and "2 reference image(s)" in " ".join(edit.notes)


@pytest.mark.parametrize(("switch", "kind", "status", "sdk_class"), [
    ("quota", "quota", 429, "RateLimitError"),
    ("billing", "quota", 400, "BadRequestError"),
    ("unverified", "access", 403, "PermissionDeniedError"),
])
def test_account_problems_are_never_retried_and_get_the_right_advice(sandbox, make_client, switch, kind, status,
                                                                     sdk_class):
    import openai

    from workbench.core.api.advice import advice_for
    from workbench.core.api.error_parsing import retryable

    before = len(sandbox.requests)
    policy = RetryPolicy(max_retries=3, base_delay=0.01)
    result = go(make_client(retry=policy), lambda c: c.generate(ImageRequest(f"a kite [sandbox:{switch}]", params())))
    assert (result.error.kind, result.error.http_status, result.retries) == (kind, status, 0)
    assert len(sandbox.requests) == before + 1 and not retryable(result.error)
    advice = advice_for(result.error)
    assert "try again" not in advice.lower() and ("billing" in advice or "verif" in advice)
    with openai.OpenAI(base_url=sandbox.url, api_key="sk-" "account-switch-test", max_retries=0) as sdk:
        with pytest.raises(getattr(openai, sdk_class)):
            sdk.images.generate(model="gpt-image-1", prompt=f"a kite [sandbox:{switch}]")
