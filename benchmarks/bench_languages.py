"""Cost of screening other languages: what clause language detection plus the foreign matcher
add to one scan, on 1,700-character prompts (the median real prompt) in English, Chinese,
Japanese, Spanish, German and a mixed one; and the matcher's build time (lemma table cached
on disk, or built from simplemma's dictionaries with --cold).

    .venv/bin/python benchmarks/bench_languages.py [--json] [--cold]

Prompts are synthesised from fixed word lists (seeded), so every run measures the same work.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from workbench import paths
from workbench.core.screening import build_engine, clauses, foreign, languages
from workbench.core.screening.foreign import ForeignMatcher

CHARS = 1700
WORDS = {
    "en": "a the of with and in on portrait cinematic lighting detailed castle forest woman dog "
          "city night rain neon sunset mountain watercolor poster headline bold serif layout . ,",
    "zh": "一个 女孩 在 公园 里 看书 海报 标题 红色 背景 温暖 的 阳光 水彩 风格 城市 夜景 霓虹灯 。 ，",
    "ja": "公園 で 遊ぶ 子供 たち ポスター の 見出し 赤い 背景 温かい 光 水彩 風 街 夜景 ネオン 。 、",
    "es": "una mujer con un vestido rojo en la playa el perro de la ciudad luz cálida estilo acuarela "
          "cartel con título grande . ,",
    "de": "eine Frau mit einem roten Kleid am Strand der Hund in der Stadt warmes Licht im Stil "
          "eines Aquarells Plakat mit großem Titel . ,",
}
RISKY = {"en": ["gun", "blood", "child"], "zh": ["手枪", "鲜血", "儿童"], "ja": ["拳銃", "流血", "子供"],
         "es": ["pistola", "sangre", "niño"], "de": ["Pistole", "Blut", "Kinder"]}


def make_prompt(rng: random.Random, langs: list[str]) -> str:
    parts: list[str] = []
    size = 0
    while size < CHARS:
        lang = langs[(len(parts) // 12) % len(langs)]  # a dozen words of one language at a time
        pool = RISKY[lang] if rng.random() < 0.03 else WORDS[lang].split()
        word = rng.choice(pool)
        parts.append(word)
        size += len(word) + (0 if lang in ("zh", "ja") else 1)
    return " ".join(parts)[:CHARS]


def median_ms(fn, text: str, repeat: int, before=None) -> float:
    fn(text)
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        t0 = time.perf_counter()
        fn(text)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--cold", action="store_true", help="also time a build without the lemma cache")
    ap.add_argument("--repeat", type=int, default=200)
    a = ap.parse_args()
    files = sorted(paths.resource("lexicon/i18n").glob("*.toml"))
    out: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if a.cold:
            foreign._memo.clear()
            t0 = time.perf_counter()
            ForeignMatcher.build(files, cache_dir=Path(tmp))
            out["build_cold_s"] = round(time.perf_counter() - t0, 2)
        ForeignMatcher.build(files, cache_dir=Path(tmp))  # make sure the disk cache exists
        foreign._memo.clear()
        t0 = time.perf_counter()
        matcher = ForeignMatcher.build(files, cache_dir=Path(tmp))
        out["build_cached_ms"] = round((time.perf_counter() - t0) * 1000, 1)
    with_foreign = build_engine()

    def cold() -> None:  # forget the per-clause caches: a prompt never seen before
        languages.detect.cache_clear()
        with_foreign.foreign._latin_cache.clear()
        with_foreign.foreign._cjk_cache.clear()

    english_only = build_engine(foreign_files=[])
    rng = random.Random(11)
    scans: dict[str, dict[str, float]] = {}
    for name, langs in [("en", ["en"]), ("zh", ["zh"]), ("ja", ["ja"]), ("es", ["es"]),
                        ("de", ["de"]), ("mixed", ["en", "zh", "es", "ja", "de"])]:
        text = make_prompt(rng, langs)
        found = languages.detect_clauses(text, clauses.split(text))
        base = median_ms(english_only.scan, text, a.repeat)
        full = median_ms(with_foreign.scan, text, a.repeat, cold)
        warm = median_ms(with_foreign.scan, text, a.repeat)
        scans[name] = {
            "english_only_ms": round(base, 3),
            "with_languages_ms": round(full, 3),
            "added_ms": round(full - base, 3),
            "added_keystroke_ms": round(warm - base, 3),
            "detect_ms": round(median_ms(lambda t: languages.detect_clauses(t, clauses.split(t)), text,
                                         a.repeat, languages.detect.cache_clear), 3),
            "match_ms": round(median_ms(lambda t, found=found: matcher.match(t, found), text, a.repeat,
                                        lambda: (matcher._latin_cache.clear(), matcher._cjk_cache.clear())), 3),
        }
    out["scan_1700_chars"] = scans
    if a.json:
        json.dump(out, sys.stdout, indent=1)
        print()
        return
    print(f"foreign matcher build: {out['build_cached_ms']} ms with the lemma cache"
          + (f", {out['build_cold_s']} s cold" if "build_cold_s" in out else ""))
    print("ms, median; 'added' = a prompt never seen, 'keystroke' = the same prompt again (clause caches)")
    print(f"{'prompt':8}{'english only':>14}{'with languages':>16}{'added':>9}{'keystroke':>11}"
          f"{'detect':>9}{'match':>9}")
    for name, s in scans.items():
        print(f"{name:8}{s['english_only_ms']:>14.3f}{s['with_languages_ms']:>16.3f}{s['added_ms']:>9.3f}"
              f"{s['added_keystroke_ms']:>11.3f}{s['detect_ms']:>9.3f}{s['match_ms']:>9.3f}")


if __name__ == "__main__":
    main()
