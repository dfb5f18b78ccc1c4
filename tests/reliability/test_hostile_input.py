"""Hostile input, fuzzed with hypothesis: prompts, error bodies and logs, lexicon files, export paths.

The property is the same everywhere: bad input gets a clear `UserFacingError` (one line in the
CLI), never another exception, and good data stored before it is kept. Examples are kept small
(tens per property) so the whole file runs in seconds; the strategies mix random Unicode
(lone surrogates included) with the characters that break naive code.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_helpers import assert_one_line_error, blocked_log, run_cli

from workbench.core import screening
from workbench.core.api.error_parsing import parse_error_body
from workbench.core.api.records import ErrorRecord, ImageParams
from workbench.core.errors import BadInputError, LexiconError, UserFacingError
from workbench.core.io.textinput import clean_surrogates
from workbench.core.rewrite import desensitize
from workbench.core.screening.models import VERDICTS
from workbench.core.store import HistoryStore
from workbench.core.store.importing import import_text

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# What breaks naive text handling: bidi overrides, zero-width and control characters, markup,
# lone surrogates, homoglyphs, leetspeak, SQL/FTS syntax, JSON and CSV delimiters.
NASTY = [
    "\u202e", "\u2066", "\u200b", "\u200d", "\ufeff", "\x00", "\x1b[31m", "\r\n", "\t", "\x7f",
    "<b>", "</textarea>", "<img src=x onerror=alert(1)>", "&amp;", "<!--", "\ud800", "\udfff",
    "\U0001f52b", "ｇｕｎ", "k1ll", "g.u.n", "s p i k e", "NEAR(", '"', "'", "*", "OR", "--", ";",
    "\\", "{", "}", "[", ",", "sk-", "gun", "blood", "child", "photorealistic", " ",
]
any_char = st.characters(exclude_categories=())  # includes surrogates (Cs)
prompts = st.lists(st.one_of(st.text(any_char, max_size=12), st.sampled_from(NASTY)), max_size=40).map("".join)


# -- prompts ------------------------------------------------------------------------------------


@FUZZ
@given(text=prompts)
def test_screening_any_text_gives_findings_that_point_into_it(text):
    result = screening.scan(text)
    assert result.verdict in VERDICTS
    for f in result.findings:
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start:f.end] == f.text


@FUZZ
@given(text=prompts)
def test_desensitize_any_text_never_crashes(text):
    proposal = desensitize(text)
    assert isinstance(proposal.rewritten, str)


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzzstore")
    with HistoryStore.open(root / "h.db", images_root=root / "img") as store:
        yield store


@FUZZ
@given(text=prompts)
def test_any_prompt_is_stored_and_searchable(shared_store, text):
    if not text.strip():
        text += "x"
    rid = shared_store.begin_request(text, ImageParams(model="gpt-image-1"))
    stored = shared_store.get(rid).prompt
    assert stored.encode("utf-8")  # storable and readable back
    if "sk-" not in text:  # key-shaped text is scrubbed on purpose
        assert stored == clean_surrogates(text)
    shared_store.search(text)  # the prompt as a search query: any text is a valid query
    shared_store.search(text[:20], order="relevance")


def test_huge_binary_and_invalid_prompts_on_the_command_line(tmp_path):
    huge = "a knight with a sword " * 50_000  # 1.1 MB: over the API's limit, refused at once
    assert_one_line_error(run_cli("scan", "--json", "-", input=huge), "1,100,000 characters", "32,000")
    assert_one_line_error(run_cli("generate", "-", input="x" * 40_000, cwd=tmp_path), "32,000")
    assert_one_line_error(run_cli("scan", "-", input=b"\x89PNG\r\n\x1a\n\x00\x00binary"), "binary")
    assert_one_line_error(run_cli("scan", "-", input=b"caf\xe9 au lait"), "UTF-8")
    bad = tmp_path / "prompts.txt"
    bad.write_bytes(b"a knight\n\xff\xfe broken\n")
    assert_one_line_error(run_cli("audit", str(bad)), "UTF-8")
    # Undecodable bytes in argv arrive as lone surrogates: refused before anything is recorded.
    argv_prompt = run_cli("generate", "--out", str(tmp_path), "a fox \udcff", cwd=tmp_path)
    assert_one_line_error(argv_prompt, "UTF-8")
    assert run_cli("history", "list", "--json").stdout == ""


# -- error bodies and log lines -----------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(any_char, max_size=30)
    | st.sampled_from(["moderation_blocked", "safety_violations=[violence]", "req_123", "content_filter"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["error", "message", "code", "type", "detail", "prompt", "status", "request_id",
                         "headers", "innererror", "content_filter_result", "x-request-id", "data"])
        | st.text(any_char, max_size=8), inner, max_size=5),
    max_leaves=20,
)


@FUZZ
@given(body=json_values, status=st.one_of(st.none(), st.integers(-5, 999)),
       headers=st.dictionaries(st.text(any_char, max_size=15), st.text(any_char, max_size=30), max_size=3))
def test_error_parser_turns_anything_into_a_record(body, status, headers):
    for form in (body, json.dumps(body), f"Error code: 400 - {body!r}", json.dumps(body).encode()):
        record = parse_error_body(form, status=status, headers=headers)
        assert isinstance(record, ErrorRecord)


log_lines = st.lists(
    st.one_of(json_values.map(json.dumps), st.text(any_char, max_size=80),
              st.fixed_dictionaries({"prompt": st.text(any_char, max_size=40), "error": json_values,
                                     "status_code": st.integers(100, 599)}).map(json.dumps)),
    min_size=1, max_size=12)


@FUZZ
@given(lines=log_lines, fmt=st.sampled_from(["auto", "jsonl", "csv", "json", "body"]))
def test_import_keeps_good_lines_and_reports_bad_ones(shared_store, lines, fmt):
    text = "\n".join(lines)
    before = shared_store.count()
    try:
        report = import_text(shared_store, text, source="fuzz.log", fmt=fmt)
    except BadInputError:
        assert shared_store.count() == before  # refused as a whole: nothing half-imported
        return
    assert shared_store.count() == before + report.imported
    assert all(p.line >= 0 and p.message for p in report.problems)


def test_hostile_log_files_through_the_cli(tmp_path):
    cases = {
        "deep.json": "[" * 100_000 + "]" * 100_000,  # recursion bomb for naive parsers
        "binary.jsonl": "\x00\x01\x02",
        "empty.csv": "",
        "junk.csv": 'prompt,error\n"unterminated,\n',
    }
    for name, content in cases.items():
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        proc = run_cli("import", str(path))
        assert "Traceback" not in proc.stderr, (name, proc.stderr)
        assert proc.returncode in (0, 1, 2), (name, proc.returncode, proc.stderr)  # 0: kept as a raw body
    # A good log next to bad lines: the good lines are kept, the bad ones named by number.
    mixed = tmp_path / "mixed.jsonl"
    good = blocked_log(tmp_path / "good.jsonl", 3).read_text(encoding="utf-8").splitlines()
    mixed.write_text("\n".join([good[0], "{not json", good[1], '"\\ud800 lone"', good[2]]) + "\n", encoding="utf-8")
    proc = run_cli("import", str(mixed))
    assert proc.returncode == 1 and "imported 3" in proc.stdout
    assert "line 2" in proc.stderr


# -- lexicon files ------------------------------------------------------------------------------

toml_values = st.one_of(
    st.text(any_char, max_size=20).map(json.dumps),
    st.integers().map(str), st.booleans().map(lambda b: str(b).lower()),
    st.lists(st.text(any_char, max_size=12), max_size=4).map(json.dumps),
    st.sampled_from(['"violence"', '"critical"', '"high"', '"benign"', '"marker"', '["gun"]', '[]', '[1, "x"]',
                     '[{ term = "axe | axes", severity = "nope" }]', '{ a = 1 }', '"\\ud800"', 'nan', '"' + "x" * 300 + '"']),
)
groups = st.lists(
    st.dictionaries(st.sampled_from(["id", "category", "severity", "reason", "replacements", "inflect", "kind",
                                     "tag", "terms", "extra"]), toml_values, max_size=9),
    max_size=4)


def _toml(doc: list[dict[str, str]]) -> str:
    return "".join("[[group]]\n" + "".join(f"{k} = {v}\n" for k, v in g.items()) for g in doc)


@FUZZ
@given(doc=groups, probe=prompts)
def test_user_block_list_either_loads_or_says_what_is_wrong(tmp_path, doc, probe):
    path = tmp_path / "block.toml"
    path.write_text(_toml(doc), encoding="utf-8", errors="surrogatepass")
    try:
        engine = screening.build_engine(lexicon_files=[], rule_files=[], block_file=path)
    except LexiconError as exc:
        assert exc.user_message and "\n" not in exc.user_message.strip()
        return
    engine.scan(probe)


@pytest.mark.parametrize("content", [b"\xff\xfe\x00g\x00u\x00n", b"[[group]\nid=", b"group = 5\n",
                                     b"[[group]]\nid = 'x'\ncategory = 'violence'\nterms = ['']\n", b"\x00" * 64])
def test_broken_user_lexicon_gives_one_line_in_the_cli(home, content):
    folder = home / "config" / "lexicon"
    folder.mkdir(parents=True)
    (folder / "block.toml").write_bytes(content)
    proc = run_cli("scan", "a man holding a gun")
    if proc.returncode == 0:  # harmless content (e.g. an empty term) may simply load
        assert json.loads(run_cli("scan", "--json", "a gun").stdout)["verdict"] == "likely_blocked"
        return
    assert_one_line_error(proc, "block.toml")


# -- export paths -------------------------------------------------------------------------------


@pytest.fixture
def blocked_appeal(tmp_path) -> int:
    assert run_cli("import", str(blocked_log(tmp_path / "b.jsonl", 2))).returncode == 0
    assert run_cli("appeal", "create", "1", "2").returncode == 0
    return 1


def _unwritable_dir(tmp_path: Path):
    """A folder this process cannot write to (chattr +i for root, chmod otherwise), or skip."""
    folder = tmp_path / "locked"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return folder, lambda: folder.chmod(0o755)
    if shutil.which("chattr") and subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0:
        return folder, lambda: subprocess.run(["chattr", "-i", str(folder)], check=True)
    pytest.skip("root without chattr: no folder is unwritable")


@pytest.mark.parametrize("fmt", ["md", "json", "zip"])
def test_export_to_unwritable_places_says_so_and_leaves_nothing(tmp_path, blocked_appeal, fmt):
    a_file = tmp_path / "plain.txt"
    a_file.write_text("x")
    targets = [a_file / f"appeal.{fmt}", Path("/proc/version") / f"appeal.{fmt}"]
    for target in targets:
        assert_one_line_error(run_cli("appeal", "export", "1", "--format", fmt, "--output", str(target)), "cannot")
    folder, undo = _unwritable_dir(tmp_path)
    try:
        assert_one_line_error(run_cli("appeal", "export", "1", "--format", fmt, "--output", str(folder / f"a.{fmt}")),
                              "cannot")
        assert list(folder.iterdir()) == []
    finally:
        undo()
    assert_one_line_error(run_cli("history", "export", "--format", "jsonl", "--output", str(a_file / "h.jsonl")),
                          "cannot")


def test_zip_bundle_members_never_escape_their_folder(tmp_path, blocked_appeal):
    import zipfile

    target = tmp_path / "out" / "appeal.zip"
    assert run_cli("appeal", "export", "1", "--format", "zip", "--output", str(target)).returncode == 0
    with zipfile.ZipFile(target) as bundle:
        for name in bundle.namelist():
            assert name.startswith("appeal-1/") and ".." not in name.split("/") and not name.startswith("/")


def test_a_tampered_history_cannot_reach_files_outside_its_images_folder(tmp_path, home):
    """A database from elsewhere naming `../../victim` as an image: not exported, not deleted."""
    import sqlite3
    import zipfile

    victim = tmp_path / "victim.txt"
    victim.write_text("not yours to touch")
    assert run_cli("generate", "--out", str(tmp_path / "out"), "a red fox", cwd=tmp_path).returncode == 0
    db = home / "data" / "history.db"
    relative = os.path.relpath(victim, home / "data" / "images")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE images SET path = ?", [relative])
    assert run_cli("appeal", "create", "1").returncode == 0
    assert run_cli("appeal", "export", "1", "--format", "zip", "--output", str(tmp_path / "a.zip")).returncode == 0
    with zipfile.ZipFile(tmp_path / "a.zip") as bundle:
        contents = b"".join(bundle.read(n) for n in bundle.namelist())
    assert b"not yours to touch" not in contents
    assert run_cli("appeal", "delete", "1").returncode == 0
    assert run_cli("history", "purge", "--all", "--yes").returncode == 0
    assert victim.read_text() == "not yours to touch"


def test_user_errors_are_user_facing():
    assert issubclass(LexiconError, UserFacingError) and issubclass(BadInputError, UserFacingError)
