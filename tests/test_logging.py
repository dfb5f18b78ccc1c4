"""The log file: rotating, in the logs folder, and never holding keys or prompt text above DEBUG."""

from __future__ import annotations

import ast
import asyncio
import logging
import re
from pathlib import Path

import pytest

import workbench
from workbench import logsetup, paths
from workbench.cli import main as cli_main
from workbench.core.api import keys
from workbench.core.api.client import ImageClient
from workbench.core.api.profiles import Profile
from workbench.core.api.records import ImageParams
from workbench.core.api.request import ImageRequest
from workbench.core.api.retry import RetryPolicy
from workbench.core.settings import load_settings, save_settings
from workbench.sandbox import SandboxConfig, SandboxServer

FAKE_KEY = "sk-" "test-LOGCANARY-2b9d7e4f1a6c3e8d0f5a"
PROMPT_MARK = "ZEPHYRQUILL"  # a word no log line could contain by chance


@pytest.fixture(autouse=True)
def clean_logging():
    yield
    logsetup.close_logging()
    logging.getLogger("workbench").setLevel(logging.NOTSET)
    keys._forget_all_for_tests()


def _session(server: SandboxServer) -> None:
    """What a user does: a profile with a key, generations (ok, blocked, retried), the CLI."""
    profile = Profile(name="Gateway", kind="compatible", base_url=server.url)
    settings = load_settings()
    settings.upsert_profile(profile)
    save_settings(settings)
    keys.set_key("Gateway", FAKE_KEY)
    fast = RetryPolicy(max_retries=1, base_delay=0.01, max_delay=0.01)

    async def traffic():
        async with ImageClient.for_profile(profile, retry=fast) as client:
            for thing in ("kettle", "massacre", "fan [sandbox:500]"):
                prompt = f"a {PROMPT_MARK} {thing}"
                await client.generate(ImageRequest(prompt, ImageParams(size="256x256")))

    asyncio.run(traffic())
    for prompt in (f"a {PROMPT_MARK} teapot", f"a {PROMPT_MARK} massacre"):
        cli_main(["generate", "--profile", "Gateway", "--json", "--out", str(paths.data_dir() / "out"),
                  "--param", "size=256x256", prompt])


def _log_text() -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted(paths.log_dir().glob("workbench.log*")))


def test_a_session_logs_no_key_and_no_prompt_at_info(capsys):
    with SandboxServer(config=SandboxConfig(api_key=FAKE_KEY)) as server:
        path = logsetup.setup_logging()
        _session(server)
    assert path == paths.log_dir() / "workbench.log"
    text = _log_text()
    assert re.search(r" INFO +workbench\.core\.api\.client: retry 1 ", text)  # the session was logged
    assert "LOGCANARY" not in text and PROMPT_MARK not in text


def test_at_debug_the_key_is_still_redacted(monkeypatch, capsys):
    monkeypatch.setenv(logsetup.LEVEL_ENV, "debug")
    with SandboxServer(config=SandboxConfig(api_key=FAKE_KEY)) as server:
        logsetup.setup_logging()
        _session(server)
        logging.getLogger("workbench.test").debug("careless: %s", FAKE_KEY)
    text = _log_text()
    assert " DEBUG " in text and f"careless: {keys.REDACTED}" in text
    assert "LOGCANARY" not in text


def test_the_file_rotates_and_other_libraries_log_from_warning():
    path = logsetup.setup_logging()
    noisy = logging.getLogger("workbench.test")
    line = "x" * 1000
    for _ in range(int(logsetup.MAX_BYTES * (logsetup.BACKUPS + 2) / 1000)):
        noisy.info(line)
    logging.getLogger("httpx").info("third-party chatter")
    logging.getLogger("httpx").warning("third-party warning")
    files = sorted(path.parent.glob("workbench.log*"))
    assert [f.name for f in files] == ["workbench.log", *(f"workbench.log.{i}" for i in range(1, logsetup.BACKUPS + 1))]
    assert all(f.stat().st_size <= logsetup.MAX_BYTES + 2000 for f in files)
    text = path.read_text(encoding="utf-8")
    assert "third-party warning" in text and "third-party chatter" not in text


def test_setting_up_again_moves_the_file_with_the_home(tmp_path, monkeypatch):
    first = logsetup.setup_logging()
    logging.getLogger("workbench.test").warning("one")
    monkeypatch.setenv(paths.HOME_ENV, str(tmp_path / "other"))
    second = logsetup.setup_logging()
    logging.getLogger("workbench.test").warning("two")
    assert first != second
    assert "one" in first.read_text(encoding="utf-8") and "two" not in first.read_text(encoding="utf-8")
    assert "two" in second.read_text(encoding="utf-8")
    assert len([h for h in logging.getLogger().handlers if isinstance(h, logging.FileHandler)]) >= 1


def test_the_cli_sets_up_the_log_file():
    assert cli_main(["history", "list"]) == 0
    logging.getLogger("workbench.test").warning("from the CLI run")
    assert "from the CLI run" in (paths.log_dir() / "workbench.log").read_text(encoding="utf-8")


# Names that hold user text or secrets: passing them to a log call above DEBUG is a bug.
SENSITIVE = re.compile(r"prompt|api_key|secret|password|token|^key$|^text$|^body$|raw_body|notes")
LOUD = {"info", "warning", "error", "exception", "critical"}


def test_no_log_call_above_debug_passes_user_text_or_keys():
    offenders = []
    package = Path(workbench.__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in LOUD and isinstance(node.func.value, ast.Name)
                    and node.func.value.id in ("log", "logger", "logging")):
                continue
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                for sub in ast.walk(arg):
                    name = sub.id if isinstance(sub, ast.Name) else sub.attr if isinstance(sub, ast.Attribute) else ""
                    if name and SENSITIVE.search(name):
                        offenders.append(f"{path.relative_to(package)}:{node.lineno} {name}")
    assert offenders == []
