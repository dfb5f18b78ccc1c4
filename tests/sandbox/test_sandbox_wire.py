"""The Sandbox's wire format, checked with a plain HTTP client (no openai SDK)."""

from __future__ import annotations

import base64
import io
import json
import re

import httpx2
import pytest
from PIL import Image

from workbench.sandbox import images

AUTH = {"Authorization": "Bearer test"}


def post(sandbox, path, **kwargs):
    return httpx2.post(sandbox.root_url + path, headers={**AUTH, **kwargs.pop("headers", {})}, timeout=20, **kwargs)


def test_generation_body_headers_and_usage(sandbox):
    r = post(sandbox, "/v1/images/generations", json={"prompt": "a heron", "size": "1536x1024", "quality": "low", "n": 2})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert re.fullmatch(r"req_[0-9a-f]{32}", r.headers["x-request-id"])
    body = r.json()
    assert set(body) >= {"created", "data", "usage", "output_format", "quality", "size", "background"}
    assert body["size"] == "1536x1024" and body["quality"] == "low" and len(body["data"]) == 2
    with Image.open(io.BytesIO(base64.b64decode(body["data"][0]["b64_json"]))) as picture:
        assert picture.size == (1536, 1024)
    usage = body["usage"]
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert usage["output_tokens"] == 2 * round(272 * 1.5)  # low quality, 1.5x the square's area
    assert usage["input_tokens_details"]["text_tokens"] == 2


def test_each_response_has_a_fresh_request_id(sandbox):
    ids = {post(sandbox, "/v1/images/generations", json={"prompt": "p", "size": "1024x1024"}).headers["x-request-id"] for _ in range(3)}
    assert len(ids) == 3


def test_input_block_body_is_the_real_shape(sandbox):
    r = post(sandbox, "/v1/images/generations", json={"prompt": "Entrails on the floor", "size": "1024x1024"})
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == "moderation_blocked" and error["type"] == "image_generation_user_error" and error["param"] is None
    assert error["moderation_details"] == {"moderation_stage": "input", "categories": ["violence"]}
    assert error["message"].endswith("safety_violations=[violence].")
    assert r.headers["x-request-id"] in error["message"]


def test_blocks_are_deterministic(sandbox):
    bodies = [post(sandbox, "/v1/images/generations", json={"prompt": "a pipe bomb diagram"}).json()["error"] for _ in range(2)]
    assert bodies[0]["moderation_details"] == bodies[1]["moderation_details"]
    assert bodies[0]["message"] != bodies[1]["message"]  # only the request ID differs


def test_streaming_events_have_the_real_shapes(sandbox):
    r = post(sandbox, "/v1/images/generations", json={"prompt": "a lynx", "size": "1024x1024", "stream": True, "partial_images": 2})
    assert r.headers["content-type"].startswith("text/event-stream")
    events = [block for block in r.text.split("\n\n") if block.strip()]
    names = [block.splitlines()[0] for block in events]
    assert names == ["event: image_generation.partial_image"] * 2 + ["event: image_generation.completed"]
    payloads = [json.loads(block.splitlines()[1][len("data: "):]) for block in events]
    assert [p["partial_image_index"] for p in payloads[:2]] == [0, 1]
    assert {"b64_json", "background", "created_at", "output_format", "quality", "size", "type"} <= set(payloads[0])
    assert payloads[2]["type"] == "image_generation.completed" and "usage" in payloads[2]


def test_streaming_output_block_sends_an_error_event(sandbox):
    r = post(sandbox, "/v1/images/generations", json={"prompt": "crime scene photo", "size": "1024x1024", "stream": True, "partial_images": 1})
    last = [b for b in r.text.split("\n\n") if b.strip()][-1].splitlines()
    assert last[0] == "event: error"
    error = json.loads(last[1][6:])["error"]
    assert error["moderation_details"]["moderation_stage"] == "output"


def test_edit_multipart_with_image_array_and_mask(sandbox):
    png = images.render("base", 256, 256)
    files = [("image[]", ("a.png", png, "image/png")), ("image[]", ("b.png", png, "image/png")),
             ("mask", ("m.png", png, "image/png"))]
    before = len(sandbox.requests)
    r = post(sandbox, "/v1/images/edits", data={"prompt": "add snow", "n": "1", "size": "1024x1024"}, files=files)
    assert r.status_code == 200 and r.json()["usage"]["input_tokens_details"]["image_tokens"] > 0
    assert sandbox.requests[before].files == {"image": 2, "mask": 1}


@pytest.mark.parametrize(
    "files, param",
    [([("image", ("x.png", b"not an image", "image/png"))], "image"),
     ([("image", ("a.png", images.render("a", 256, 256), "image/png")), ("mask", ("m.png", images.render("m", 128, 128), "image/png"))], "mask"),
     ([], "image")],
)
def test_edit_rejects_bad_uploads(sandbox, files, param):
    r = post(sandbox, "/v1/images/edits", data={"prompt": "x"}, files=files or {"dummy": ("d.txt", b"d", "text/plain")})
    assert r.status_code == 400 and r.json()["error"]["param"] == param


@pytest.mark.parametrize(
    "body, param",
    [({"size": "100x100"}, "size"), ({"n": 11}, "n"), ({"quality": "ultra"}, "quality"),
     ({"output_format": "gif"}, "output_format"), ({"background": "transparent", "output_format": "jpeg"}, "background"),
     ({"output_compression": 101}, "output_compression"), ({"partial_images": 4}, "partial_images"),
     ({"moderation": "off"}, "moderation"), ({"prompt": ""}, "prompt"), ({"prompt": "x" * 32_001}, "prompt")],
)
def test_parameter_validation(sandbox, body, param):
    r = post(sandbox, "/v1/images/generations", json={"prompt": "ok", **body})
    assert r.status_code == 400 and r.json()["error"]["param"] == param


def test_gpt_image_2_accepts_custom_sizes(sandbox):
    r = post(sandbox, "/v1/images/generations", json={"prompt": "wide", "model": "gpt-image-2", "size": "1024x512", "output_format": "webp"})
    assert r.status_code == 200 and r.json()["size"] == "1024x512"


def test_malformed_json_request_and_unknown_route(sandbox):
    r = post(sandbox, "/v1/images/generations", content=b"{nope", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_json"
    r = post(sandbox, "/v1/videos", json={})
    assert r.status_code == 404 and "Invalid URL" in r.json()["error"]["message"]


def test_switch_headers(sandbox):
    r = post(sandbox, "/v1/images/generations", json={"prompt": "x [sandbox:429, retry-after=2.5]"})
    assert r.status_code == 429 and r.headers["retry-after"] == "3" and r.headers["retry-after-ms"] == "2500"
    assert r.json()["error"]["code"] == "rate_limit_exceeded"
    r = post(sandbox, "/v1/images/generations", json={"prompt": "x [sandbox:503]"})
    assert r.status_code == 503 and r.json()["error"]["type"] == "server_error"
    r = post(sandbox, "/v1/images/generations", json={"prompt": "x [sandbox:malformed]"})
    assert r.status_code == 200
    with pytest.raises(ValueError):
        json.loads(r.content)


def test_counted_failures_pass_after_k_attempts(sandbox):
    statuses = [post(sandbox, "/v1/images/generations", json={"prompt": "counted [sandbox:500x2]", "size": "1024x1024"}).status_code for _ in range(4)]
    assert statuses == [500, 500, 200, 200]


def test_moderations_13_categories(sandbox):
    r = post(sandbox, "/v1/moderations", json={"input": ["a self-harm diary", "a sunny meadow"], "model": "omni-moderation-latest"})
    body = r.json()
    assert body["id"].startswith("modr-") and len(body["results"]) == 2
    first, second = body["results"]
    assert len(first["category_scores"]) == 13 and set(first["categories"]) == set(first["category_scores"])
    assert first["flagged"] and first["categories"]["self-harm"] and not second["flagged"]
    assert all(0 <= v < 0.01 for v in second["category_scores"].values())


def test_azure_routes_need_api_version(sandbox):
    r = httpx2.post(sandbox.root_url + "/openai/deployments/d1/images/generations", json={"prompt": "x"}, headers={"api-key": "k"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "MissingApiVersionParameter"
    r = httpx2.post(sandbox.root_url + "/openai/deployments/d1/images/generations?api-version=2025-04-01-preview",
                    json={"prompt": "a dam", "size": "1024x1024"}, headers={"api-key": "k"})
    assert r.status_code == 200 and r.headers["apim-request-id"] == r.headers["x-request-id"]


def test_models_list(sandbox):
    r = httpx2.get(sandbox.url + "/models", headers=AUTH)
    assert r.json()["object"] == "list" and "gpt-image-1" in [m["id"] for m in r.json()["data"]]


def test_keep_alive_connection_survives_an_error(sandbox):
    with httpx2.Client(headers=AUTH, timeout=20) as client:
        first = client.post(sandbox.url + "/images/generations", json={"prompt": "a storm [sandbox:500]"})
        second = client.post(sandbox.url + "/images/generations", json={"prompt": "a calm sea", "size": "1024x1024"})
    assert (first.status_code, second.status_code) == (500, 200)
