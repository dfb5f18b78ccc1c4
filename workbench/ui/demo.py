"""The demonstration state behind `workbench --screenshot`: a sample prompt and a real history.

With no `WORKBENCH_HOME`, screenshots run in a fresh temporary home so a user's own data is
never touched or shown. The history is made by really sending requests to the in-process
Sandbox through the same Generate button path a user takes (nothing is faked): a few images,
an input-stage block, an output-stage block, a rewrite of a blocked prompt that then passes,
and a draft appeal for the blocks.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import tempfile

from workbench import paths

SCREENSHOT_SIZE = (1280, 800)

SAMPLE_PROMPT = (
    "Cinematic photo of two knights fighting in the rain, swords drawn, blood on the armour, "
    "in the style of Greg Rutkowski, with Mickey Mouse watching from the castle wall. No gore, no text."
)

# (prompt, settings) sent to the Sandbox in this order. The Sandbox's own policy decides what
# is blocked (resources/sandbox/policy.toml); a rewrite follows the input block.
DEMO_REQUESTS = (
    ("A lighthouse on a cliff at dusk, watercolor, soft light", {"quality": "low"}),
    ("Isometric illustration of a robot barista in a tiny cafe, pastel colours", {"quality": "medium", "n": 2}),
    ("A red fox in fresh snow, charcoal sketch", {"quality": "low", "size": "1536x1024"}),
    ("Crime scene photo of a rainy alley at night, film noir", {"quality": "low"}),
    ("Two knights at the castle gate after the massacre, blood everywhere", {"quality": "low"}),
    ("Movie still from a 1940s war drama: two knights in a tense standoff at the castle gate, "
     "deep red tones", {"quality": "low", "rewrite_of": 4}),
    ("Poster for a murder mystery play, art deco", {"quality": "low"}),
    ("Poster for a murder mystery play, art deco", {"quality": "low", "moderation": "low"}),
    ("A jazz band on a rooftop at night, 35mm photo", {"quality": "low", "model": "gpt-image-1-mini"}),
    ("Battlefield casualties in a trench, archival photo", {"quality": "low", "model": "gpt-image-1-mini"}),
    ("Boudoir portrait of a woman by a window, 35mm photo", {"quality": "low"}),
)

APPEAL_CONTEXT = (
    "Storyboard frames for a historical drama series. The scenes are staged fiction with no real "
    "people; we need the aftermath of a battle and a detective scene for the pilot."
)


def use_temporary_home_if_unset() -> None:
    if paths.home() is not None:
        return
    folder = tempfile.mkdtemp(prefix="workbench-demo-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    os.environ[paths.HOME_ENV] = folder


async def populate(window, ops) -> None:
    """Fill the window with the demonstration state (only adds requests to an empty history)."""
    if ops.history.store().count() == 0:
        await _send_demo_requests(window, ops)
    # The demonstration history is all Sandbox traffic, which the dashboard leaves out by default.
    window.dashboard_view.include_test.setChecked(True)
    window.editor.setPlainText(SAMPLE_PROMPT)
    window.editor.moveCursor(window.editor.textCursor().MoveOperation.End)
    await settle(window)
    window.fix_panel.preview_desensitize()
    await window.moderation_panel.check_now()


async def _send_demo_requests(window, ops) -> None:
    panel = window.generate_panel
    history_ids: list[int | None] = []
    blocked: list[int] = []
    for prompt, settings in DEMO_REQUESTS:
        settings = dict(settings)
        rewrite_of = settings.pop("rewrite_of", None)
        panel.parent_id = history_ids[rewrite_of] if rewrite_of is not None else None
        panel.form.set_params({"size": "1024x1024", "n": 1, "model": "gpt-image-1", "moderation": "auto", **settings})
        window.editor.setPlainText(prompt)
        outcome = await _finished(panel)
        history_id = outcome.history_id if outcome else None
        history_ids.append(history_id)
        if outcome is not None and outcome.result.outcome.startswith("blocked") and history_id is not None:
            blocked.append(history_id)
    panel.parent_id = None
    panel.form.set_params({"size": "1024x1024", "quality": "auto", "n": 1, "model": "gpt-image-1", "moderation": "auto"})
    if blocked:
        appeal = ops.appeals.add_to_appeal(blocked[:2])
        if appeal is not None:
            from workbench.core.appeal.store import AppealStore

            AppealStore(ops.history.store()).update(
                appeal.id, title="Historical drama storyboards", business_context=APPEAL_CONTEXT,
                account_id="org-demo-0000",
            )
            ops.appeals.changed.emit(appeal.id)


async def _finished(panel):
    """Press Generate and wait for the outcome it reports."""
    done: asyncio.Future = asyncio.get_running_loop().create_future()

    def on_finished(outcome) -> None:
        if not done.done():
            done.set_result(outcome)

    panel.finished.connect(on_finished)
    try:
        panel.generate()
        return await asyncio.wait_for(done, timeout=60)
    finally:
        panel.finished.disconnect(on_finished)


async def settle(window, timeout: float = 5.0) -> None:
    """Let pending work (thumbnails, a tab's refresh) finish and repaints happen before grabbing.

    Only awaits: calling processEvents() inside a coroutine would run other tasks' steps
    re-entrantly, which asyncio forbids.
    """
    me = asyncio.current_task()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        busy = [t for t in asyncio.all_tasks() if t is not me and not t.done()]
        if not busy:
            break
        await asyncio.sleep(0.05)
    for _ in range(4):
        await asyncio.sleep(0.05)
