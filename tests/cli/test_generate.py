"""`workbench generate`: one request, images saved, the outcome printed (blocks with advice)."""

from __future__ import annotations

import io
import json
import sys

import pytest

from workbench.cli import main
from workbench.core.api.profiles import Profile
from workbench.core.settings import load_settings, save_settings
from workbench.sandbox import SandboxServer
from workbench.sandbox import images as sandbox_images

SIZE = ["--param", "size=1024x1024"]


def test_default_profile_is_the_sandbox_and_images_are_saved(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["generate", "--out", str(out), *SIZE, "a paper boat on a pond"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("ok · 1 image(s) · Sandbox")
    saved = list(out.glob("*.png"))
    assert len(saved) == 1 and saved[0].read_bytes().startswith(b"\x89PNG")
    assert f"saved: {saved[0]}" in text and "request id: req_" in text


def test_json_outcome(tmp_path, capsys):
    code = main(["generate", "--json", "--out", str(tmp_path), *SIZE, "--param", "n=2", "--param", "output_format=jpeg", "two kites"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["outcome"] == "ok" and result["profile"] == "Sandbox"
    assert [img["format"] for img in result["images"]] == ["jpeg", "jpeg"]
    assert all((tmp_path / img["path"].split("/")[-1]).is_file() for img in result["images"])
    assert result["usage"]["output_tokens"] > 0 and result["error"] is None and result["advice"] == ""
    assert result["base_url"].startswith("http://127.0.0.1:")


def test_block_prints_stage_categories_ids_and_advice(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["generate", "--out", str(out), *SIZE, "a massacre at the harbour"]) == 3
    text = capsys.readouterr().out
    lines = text.splitlines()
    assert lines[0].startswith("blocked at the input stage · HTTP 400 · moderation_blocked")
    assert "categories: violence" in lines
    assert any(line.startswith("request IDs: req_") and "(header:x-request-id)" in line for line in lines)
    advice = next(line for line in lines if line.startswith("advice: "))
    assert "Rewrite" in advice and "unchanged will be blocked again" in advice
    assert list(out.iterdir()) == []  # nothing saved for a block


def test_output_block_json_has_output_advice(tmp_path, capsys):
    assert main(["generate", "--json", "--out", str(tmp_path), *SIZE, "car crash victims on a road"]) == 3
    result = json.loads(capsys.readouterr().out)
    assert result["outcome"] == "blocked_output" and result["retries"] == 0
    assert result["error"]["stage"] == "output" and result["error"]["categories"] == ["violence"]
    assert "framing" in result["advice"] and result["request_ids"]


def test_prompt_from_stdin_and_streaming(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"a lighthouse in fog\n")))
    code = main(["generate", "--stream", "--param", "partial_images=2", "--out", str(tmp_path), *SIZE, "-"])
    captured = capsys.readouterr()
    assert code == 0
    assert "partial image 1 received" in captured.err and "partial image 2 received" in captured.err  # 1-based


def test_edit_with_images_and_mask(tmp_path, capsys):
    ref = tmp_path / "ref.png"
    ref.write_bytes(sandbox_images.render("reference", 256, 256))
    mask = tmp_path / "mask.png"
    mask.write_bytes(sandbox_images.render("mask", 256, 256))
    out = tmp_path / "out"
    code = main(["generate", "--json", "--image", str(ref), "--image", str(ref), "--mask", str(mask), "--out", str(out), *SIZE, "make it night"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["usage"]["input_image_tokens"] > 0


def test_auth_failure_exits_4(tmp_path, capsys):
    assert main(["generate", "--out", str(tmp_path), *SIZE, "a kettle [sandbox:401]"]) == 4
    assert capsys.readouterr().out.startswith("error: auth · HTTP 401")


def test_named_compatible_profile_with_env_key(tmp_path, capsys, monkeypatch):
    with SandboxServer() as server:
        settings = load_settings()
        settings.upsert_profile(Profile(name="Local gateway", kind="compatible", base_url=server.url, default_model="gpt-image-1-mini"))
        save_settings(settings)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-env-key-for-gateway-1")
        before = len(server.requests)
        code = main(["generate", "--json", "--profile", "local gateway", "--out", str(tmp_path), *SIZE, "a tram"])
        result = json.loads(capsys.readouterr().out)
        assert code == 0 and result["profile"] == "Local gateway" and result["model"] == "gpt-image-1-mini"
        assert server.requests[before].fields["model"] == "gpt-image-1-mini"


@pytest.mark.parametrize(
    "args, message",
    [(["--param", "size"], "--param 'size': expected KEY=VALUE"),
     (["--param", "n=two"], "--param n must be a whole number, not 'two'"),
     (["--param", "n=11"], "n must be a whole number from 1 to 10"),
     (["--profile", "Nowhere"], "no profile named 'Nowhere' (profiles: Sandbox, OpenAI)"),
     (["--profile", "OpenAI"], "no API key for profile 'OpenAI': add one in Settings, or set OPENAI_API_KEY"),
     (["--image", "/nonexistent/ref.png"], "/nonexistent/ref.png: no such file"),
     (["--mask", "/nonexistent/m.png"], "/nonexistent/m.png: no such file")],
)
def test_bad_input_is_one_line_exit_2(tmp_path, capsys, args, message):
    assert main(["generate", "--out", str(tmp_path), *args, "a prompt"]) == 2
    err = capsys.readouterr().err
    assert err == f"workbench: error: {message}\n"


def test_unwritable_out_is_refused_before_sending(tmp_path, capsys):
    target = tmp_path / "file.txt"
    target.write_text("x")
    assert main(["generate", "--out", str(target), *SIZE, "a fern"]) == 2
    assert "exists and is not a folder" in capsys.readouterr().err


def test_empty_and_oversize_prompts(tmp_path, capsys):
    assert main(["generate", "--out", str(tmp_path), "   "]) == 2
    assert capsys.readouterr().err == "workbench: error: the prompt is empty\n"
    assert main(["generate", "--out", str(tmp_path), "x" * 32_001]) == 2
    assert "accept at most 32,000" in capsys.readouterr().err


def test_cli_requests_are_recorded_in_history(tmp_path, capsys):
    from workbench.core.store.history import HistoryStore
    from workbench.core.store.models import HistoryFilter

    assert main(["generate", "--out", str(tmp_path), *SIZE, "a paper boat on a pond"]) == 0
    assert main(["generate", "--out", str(tmp_path), *SIZE, "a massacre at the harbour"]) == 3
    capsys.readouterr()
    store = HistoryStore.open()
    try:
        rows = store.search("", HistoryFilter(), limit=10).rows
        outcomes = sorted(r.outcome for r in rows)
        assert outcomes == ["blocked_input", "ok"]
        blocked = store.get(next(r.id for r in rows if r.outcome == "blocked_input"))
        assert blocked.request_ids and blocked.request_ids[0].startswith("req_")
        assert any(f["text"] == "massacre" for f in blocked.findings)  # local findings recorded
    finally:
        store.close()
