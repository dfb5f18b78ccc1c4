"""PNG text chunks without re-encoding, hostile image bytes, secret scrubbing and echo redaction."""

from __future__ import annotations

import io
import json

from PIL import Image

from workbench.core.store.images import ImageFiles, add_png_text, read_png_text, strip_png_text
from workbench.core.store.scrub import PROMPT_MARK, clean_base_url, redact_echoes, scrub_text, scrub_value


def _png() -> bytes:
    buf = io.BytesIO()
    img = Image.new("RGBA", (4, 3), (10, 20, 30, 255))
    from PIL.PngImagePlugin import PngInfo
    info = PngInfo()
    info.add_text("c2pa-like", "provider provenance kept")
    img.save(buf, "PNG", pnginfo=info)
    return buf.getvalue()


def test_metadata_chunks_are_added_without_touching_other_bytes():
    original = _png()
    tagged = add_png_text(original, {"Description": "un château la nuit ✨", "workbench": '{"a": 1}'})
    assert strip_png_text(tagged) == original  # every original byte survives, in order
    text = read_png_text(tagged)
    assert text["Description"] == "un château la nuit ✨" and text["c2pa-like"] == "provider provenance kept"
    retagged = add_png_text(tagged, {"Description": "second"})  # replaces, never duplicates
    assert read_png_text(retagged)["Description"] == "second" and retagged.count(b"iTXtDescription") == 1


def test_hostile_or_foreign_bytes_are_stored_unchanged(tmp_path):
    files = ImageFiles(tmp_path)
    for data in (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xffIHDR", b"not an image at all", b""):
        stored = files.put(data, None, {"Description": "x"})
        assert files.read(stored.relpath) == data
        assert (stored.width, stored.height) == (None, None)
    assert read_png_text(b"garbage") == {}


def test_scrub_removes_key_shapes_but_not_ordinary_words():
    text = ("prompt: the secret: a hidden garden; key-lime pie; Bearer of good news; "
            "sk-" "proj-ABCDEFGHIJKLMNOPQRSTUVWX and Authorization: Bearer abc123def456ghi789 "
            '{"api-key": "azure0123456789"} https://x/v1?api-key=qwerty&deployment=img')
    out = scrub_text(text, known=["mysecretvalue1"])
    assert "sk-" "proj-ABCDEFGHIJKLMNOPQRSTUVWX" not in out and "abc123def456ghi789" not in out
    assert "azure0123456789" not in out and "qwerty" not in out
    for kept in ("the secret: a hidden garden", "key-lime pie", "Bearer of good news"):
        assert kept in out
    assert scrub_text("uses mysecretvalue1 here", known=["mysecretvalue1"]) == "uses [REDACTED] here"
    assert scrub_value({"headers": {"Authorization": "Bearer x", "x-request-id": "req_1"}}) == {
        "headers": {"Authorization": "[REDACTED]", "x-request-id": "req_1"}}
    assert clean_base_url("https://me:pw@host.example/v1") == "https://host.example/v1"


def test_redact_echoes_in_json_and_text():
    prompt = 'a "quoted" knight\nwith a newline'
    body = json.dumps({"detail": [{"msg": f"flagged: {prompt}", "input": {"prompt": prompt, "seed": 3}}]})
    out = json.loads(redact_echoes(body, prompt))
    assert out["detail"][0]["input"] == {"prompt": PROMPT_MARK, "seed": 3}
    assert out["detail"][0]["msg"] == f"flagged: {PROMPT_MARK}"
    escaped = json.dumps(prompt)[1:-1]
    assert redact_echoes(f"raw text {escaped} end", prompt) == f"raw text {PROMPT_MARK} end"
    assert redact_echoes("", prompt) == "" and redact_echoes("body", "") == "body"
