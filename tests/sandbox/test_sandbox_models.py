"""Per-model validation: the real `openai` SDK against the Sandbox raises the exception class, `code`
and `param` the real Images API answers with for parameters a model does not take, and accepts
what each model does take (resources/sandbox/models.toml)."""

from __future__ import annotations

import io

import openai
import pytest

from workbench.sandbox import images as sandbox_images

PROMPT = "a lighthouse at dusk"


@pytest.fixture(scope="module")
def client(sandbox):
    with openai.OpenAI(base_url=sandbox.url, api_key="sk-" "sandbox-models-test-key", max_retries=0) as c:
        yield c


REFUSED = [
    # GPT image models: three fixed sizes (plus auto), low/medium/high/auto, base64 only, no style
    ("gpt-image-1", {"size": "512x512"}, "invalid_value", "size"),
    ("gpt-image-1", {"size": "1792x1024"}, "invalid_value", "size"),
    ("gpt-image-1", {"quality": "hd"}, "invalid_value", "quality"),
    ("gpt-image-1.5", {"quality": "standard"}, "invalid_value", "quality"),
    ("gpt-image-1", {"response_format": "url"}, "unknown_parameter", "response_format"),
    ("gpt-image-1-mini", {"response_format": "b64_json"}, "unknown_parameter", "response_format"),
    ("chatgpt-image-latest", {"style": "vivid"}, "unknown_parameter", "style"),
    ("gpt-image-1", {"n": 11}, "integer_above_max_value", "n"),
    ("gpt-image-1", {"n": 0}, "integer_below_min_value", "n"),
    ("gpt-image-1", {"background": "transparent", "output_format": "jpeg"}, "invalid_value", "background"),
    # gpt-image-2: free sizes, but multiples of 16, at most 3840 on a side / 3840x2160 in all, 1:3..3:1
    ("gpt-image-2", {"size": "1000x1000"}, "invalid_value", "size"),
    ("gpt-image-2", {"size": "4096x1024"}, "invalid_value", "size"),
    ("gpt-image-2", {"size": "1024x3840"}, "invalid_value", "size"),
    ("gpt-image-2", {"size": "3840x3840"}, "invalid_value", "size"),
    ("gpt-image-2", {"background": "transparent"}, "invalid_value", "background"),
    ("gpt-image-2-2026-04-21", {"quality": "hd"}, "invalid_value", "quality"),
    # DALL-E 3: its own sizes, standard/hd, n=1 only, no GPT-only parameters
    ("dall-e-3", {"n": 2}, "invalid_value", "n"),
    ("dall-e-3", {"size": "1536x1024"}, "invalid_value", "size"),
    ("dall-e-3", {"quality": "high"}, "invalid_value", "quality"),
    ("dall-e-3", {"background": "opaque"}, "unknown_parameter", "background"),
    ("dall-e-3", {"moderation": "low"}, "unknown_parameter", "moderation"),
    ("dall-e-3", {"style": "cubist"}, "invalid_value", "style"),
    # DALL-E 2: square sizes only, no style
    ("dall-e-2", {"size": "1024x1536"}, "invalid_value", "size"),
    ("dall-e-2", {"style": "natural"}, "unknown_parameter", "style"),
]


@pytest.mark.parametrize(("model", "kwargs", "code", "param"), REFUSED,
                         ids=[f"{m}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for m, kw, _, _ in REFUSED])
def test_refused_like_the_real_api(client, model, kwargs, code, param):
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.generate(model=model, prompt=PROMPT, **kwargs)
    err = caught.value
    assert (err.status_code, err.code, err.param, err.type) == (400, code, param, "invalid_request_error")
    assert err.request_id  # x-request-id, as on every real answer


ACCEPTED = [
    ("gpt-image-1", {"size": "1536x1024", "quality": "low"}, (1536, 1024)),
    ("gpt-image-1.5", {"size": "auto", "quality": "high", "n": 2}, (1024, 1024)),
    ("chatgpt-image-latest", {"size": "1024x1536", "background": "transparent"}, (1024, 1536)),
    ("gpt-image-1-mini", {"quality": "medium", "moderation": "low"}, (1024, 1024)),
    ("gpt-image-2", {"size": "2048x1152"}, (2048, 1152)),
    ("gpt-image-2", {"size": "3840x2160"}, (3840, 2160)),
    ("gpt-image-2", {"size": "1152x3456"}, (1152, 3456)),
    ("dall-e-3", {"size": "1792x1024", "quality": "hd", "style": "natural", "response_format": "b64_json"},
     (1792, 1024)),
    ("dall-e-2", {"size": "512x512", "n": 2, "response_format": "b64_json"}, (512, 512)),
    ("gpt-image-2.5-sunburst", {"size": "1024x1024"}, (1024, 1024)),  # a newer name: the GPT family's rules
]


@pytest.mark.parametrize(("model", "kwargs", "size"), ACCEPTED, ids=[m + "-" + str(s) for m, _, s in ACCEPTED])
def test_accepted_like_the_real_api(client, model, kwargs, size):
    response = client.images.generate(model=model, prompt=PROMPT, **kwargs)
    assert len(response.data) == kwargs.get("n", 1) and response.data[0].b64_json
    assert response.size == f"{size[0]}x{size[1]}"


def _png() -> io.BytesIO:
    data = sandbox_images.render("ref", 64, 64, fmt="png", compression=None, transparent=False, index=0)
    buffer = io.BytesIO(data)
    buffer.name = "ref.png"
    return buffer


@pytest.mark.parametrize(("model", "kwargs", "code", "param"), [
    ("gpt-image-1-mini", {"input_fidelity": "high"}, "invalid_input_fidelity_model", "input_fidelity"),
    ("gpt-image-2", {"input_fidelity": "high"}, "invalid_input_fidelity_model", "input_fidelity"),
    ("dall-e-3", {}, "invalid_value", "model"),
    ("gpt-image-1", {"quality": "hd"}, "invalid_value", "quality"),
])
def test_edit_refusals(client, model, kwargs, code, param):
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.edit(model=model, image=_png(), prompt=PROMPT, **kwargs)
    assert (caught.value.code, caught.value.param) == (code, param)


def test_edit_accepts_input_fidelity_and_standard_quality_on_gpt_image_1_5(client):
    response = client.images.edit(model="gpt-image-1.5", image=[_png(), _png()], prompt=PROMPT,
                                  input_fidelity="high", quality="standard")
    assert response.data[0].b64_json and response.usage.input_tokens_details.image_tokens > 0


def test_a_prompt_over_the_model_limit(client):
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.generate(model="dall-e-2", prompt="x" * 1001, size="256x256")
    assert (caught.value.code, caught.value.param) == ("string_above_max_length", "prompt")
