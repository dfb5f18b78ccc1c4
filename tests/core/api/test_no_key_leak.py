"""A recognisable fake key must never reach a file under WORKBENCH_HOME: settings, logs, the
history database, saved images or CLI output — whatever the outcome of the requests."""

from __future__ import annotations

import asyncio
import logging

import pytest

from workbench import paths
from workbench.cli import main as cli_main
from workbench.core.api import keys
from workbench.core.api.client import ImageClient
from workbench.core.api.profiles import Profile
from workbench.core.api.records import ImageParams
from workbench.core.api.request import ImageRequest
from workbench.core.api.retry import RetryPolicy
from workbench.core.settings import load_settings, save_settings
from workbench.core.store import HistoryStore
from workbench.sandbox import SandboxConfig, SandboxServer

CANARY = "sk-" "test-LEAKCANARY-7f3a9c1e5b2d8f4a6c0e"
MARKER = b"LEAKCANARY"


class StoreRecorder:
    """Records like the app does: a pending row before sending, completed after."""

    def __init__(self, store: HistoryStore) -> None:
        self.store = store

    def before_send(self, request, context):
        request.meta["history_id"] = self.store.begin_request(
            request.prompt, request.params, profile=context.profile_name, provider=context.profile_kind,
            base_url=context.base_url, estimated_cost=context.estimated_cost)

    def after_complete(self, request, context, result):
        self.store.complete_request(request.meta["history_id"], result)


@pytest.fixture
def debug_log(workbench_home):
    log_file = paths.ensure(paths.log_dir()) / "workbench.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    keys.install_log_redaction(handler)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield log_file
    root.removeHandler(handler)
    root.setLevel(old_level)
    handler.close()
    keys._forget_all_for_tests()


def test_fake_key_never_reaches_any_file(workbench_home, debug_log, capsys):
    with SandboxServer(config=SandboxConfig(api_key=CANARY)) as server:
        profile = Profile(name="Gateway", kind="compatible", base_url=server.url)
        settings = load_settings()
        settings.upsert_profile(profile)
        save_settings(settings)
        assert keys.set_key("Gateway", CANARY).stored_in == "keyring"  # the in-memory test keyring

        store = HistoryStore.open()
        fast = RetryPolicy(max_retries=1, base_delay=0.01, max_delay=0.01)

        async def traffic():
            async with ImageClient.for_profile(profile, recorder=StoreRecorder(store), retry=fast) as client:
                outcomes = []
                prompts = ("a kettle", "a massacre", "boudoir", "a fan [sandbox:500]", "[sandbox:malformed] x",
                           "a lamp [sandbox:echo-key]")
                for prompt in prompts:
                    outcomes.append((await client.generate(ImageRequest(prompt, ImageParams(size="1024x1024")))).outcome)
                streamed = await client.generate(ImageRequest("a kite", ImageParams(size="1024x1024", partial_images=1)))
                outcomes.append(streamed.outcome)
                logging.getLogger("workbench.test").warning("careless: %s %r", client._api_key, streamed)
                await client.moderate("a stabbing")
                await client.chat([{"role": "user", "content": "a murder"}])
                return outcomes

        outcomes = asyncio.run(traffic())
        assert outcomes == ["ok", "blocked_input", "blocked_output", "error", "error", "error", "ok"]

        # A wrong key: the 401 echoes part of it; a wrong key is a secret too.
        async def wrong():
            async with ImageClient(profile, api_key=CANARY + "-wrong", base_url=server.url, retry=fast,
                                   recorder=StoreRecorder(store)) as client:
                return await client.generate(ImageRequest("a kettle", ImageParams(size="1024x1024")))

        assert asyncio.run(wrong()).error.kind == "auth"
        store.close()

        out_dir = workbench_home / "out"
        for prompt, expected in (("a teapot", 0), ("a massacre", 3), ("[sandbox:echo-key] a cup", 4)):
            code = cli_main(["generate", "--profile", "Gateway", "--json", "--out", str(out_dir), "--param", "size=1024x1024", prompt])
            assert code == expected
        captured = capsys.readouterr()

    files = [p for p in workbench_home.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert "history.db" in names and "settings.json" in names and "workbench.log" in names
    assert any(p.suffix == ".png" for p in files)
    assert debug_log.stat().st_size > 0
    for path in files:
        data = path.read_bytes()
        assert MARKER not in data, f"key material found in {path.relative_to(workbench_home)}"
    assert "LEAKCANARY" not in captured.out + captured.err
