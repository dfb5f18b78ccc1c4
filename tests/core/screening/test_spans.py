"""SpanIndex: "which items stand near this span?" by bisection, exactly as a full walk would say."""

import random

from workbench.core.screening import build_engine
from workbench.core.screening.spans import SpanIndex


def _walk(items, lo, hi):
    return [(s, e) for s, e in sorted(items) if s <= hi and e >= lo]


def test_near_finds_every_item_a_full_walk_finds():
    rng = random.Random(3)
    items = []
    for _ in range(400):
        start = rng.randrange(0, 5000)
        items.append((start, start + rng.randrange(1, 40)))
    index = SpanIndex(items, lambda it: it[0], lambda it: it[1])
    for _ in range(300):
        lo = rng.randrange(-50, 5050)
        hi = lo + rng.randrange(0, 200)
        near = index.near(lo, hi)
        assert sorted(it for it in near if it[0] <= hi and it[1] >= lo) == _walk(items, lo, hi)
        assert [it[0] for it in near] == sorted(it[0] for it in near)  # in order of start


def test_an_item_longer_than_the_rest_is_still_found_from_its_far_end():
    items = [(0, 1000), (10, 12), (500, 501)]
    index = SpanIndex(items, lambda it: it[0], lambda it: it[1])
    assert (0, 1000) in index.near(990, 995)


def test_empty_index():
    index = SpanIndex([], lambda it: it[0], lambda it: it[1])
    assert not index
    assert index.near(0, 10) == []


def test_a_scene_at_the_end_of_a_very_long_tag_list_is_found_as_it_is_alone():
    """A tag list has no full stop: one clause of thousands of words. The scene stage looks
    near each act by bisection; what it finds must not change."""
    engine = build_engine(foreign_files=[])
    scene = "a soldier aiming a rifle at the crowd"
    alone = [(f.end - f.start, f.rule) for f in engine.scan(scene).findings if f.stage == "scene"]
    tags = ", ".join(["soft light", "film grain", "portrait", "bokeh", "wide angle"] * 800)
    long_text = f"{tags}, {scene}"
    found = [(f.end - f.start, f.rule) for f in engine.scan(long_text).findings if f.stage == "scene"]
    assert alone and found == alone
