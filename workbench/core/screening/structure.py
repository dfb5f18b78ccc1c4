"""Structure: which characters of a prompt are content and which are scaffolding.

Real prompts are JSON objects, "key: value" lines, Markdown sections or templates with
`{argument name="…" default="…"}` placeholders. `analyse(text)` finds the string values
(`Field`: exact offsets into `text` and a path such as "panels[2].description") and builds
`content_view`, a string of the same length as `text` in which scaffolding (JSON keys, braces,
quotes, commas, the placeholder wrapper and name, Markdown `#`, `**` and bullet marks) is
blanked to spaces, so a scan of the view maps back to the original offsets 1:1. Line breaks
stay where they are. JSON escapes keep their width: `\\n` reads " \\n", `\\u8840` reads "血     ".

Text that is almost JSON (trailing prose, a broken quote) is read as lines instead: this
module never raises on any input and stays linear in its length.

`constraint_fields` / `typography_fields` pick fields by key, with the key lists in
resources/rules/structure.toml.
"""

from __future__ import annotations

import bisect
import functools
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

from workbench import paths


@dataclass(frozen=True, slots=True)
class Field:
    """A content value: text[start:end], at `path` ("style.mood", "argument:hair style")."""

    start: int
    end: int
    path: str
    key: str


@dataclass(frozen=True, slots=True)
class Structure:
    kind: str  # the main shape: "json" | "yaml" | "markdown" | "template" | "prose"
    kinds: frozenset[str]  # every shape seen, e.g. {"template", "prose"}
    fields: tuple[Field, ...]  # in order, never overlapping
    content_view: str
    starts: tuple[int, ...] = field(default=(), repr=False)


# --- templates -----------------------------------------------------------------------------

# In plain text the quotes are bare; inside a JSON string they are escaped (\").
_TEMPLATE = re.compile(r'\{argument\s+name="([^"\n{}]{0,200})"(?:\s+default="([^"]{0,8000})")?\s*\}')
_TEMPLATE_ESC = re.compile(
    r'\{argument\s+name=\\"((?:[^"\\{}]|\\[^"]){0,200}?)\\"'
    r'(?:\s+default=\\"((?:[^"\\]|\\[^"]){0,8000}?)\\")?\s*\}'
)


@dataclass(frozen=True, slots=True)
class _Template:
    start: int  # the whole placeholder
    end: int
    name: str
    value: tuple[int, int] | None  # the default, if any


def _templates(text: str, start: int, end: int, escaped: bool) -> list[_Template]:
    pattern = _TEMPLATE_ESC if escaped else _TEMPLATE
    return [
        _Template(m.start(), m.end(), m.group(1).replace('\\"', '"').strip(),
                  (m.start(2), m.end(2)) if m.group(2) is not None else None)
        for m in pattern.finditer(text, start, end)
    ]


# --- JSON ----------------------------------------------------------------------------------

_WS = re.compile(r"\s*")
# A JSON string; a placeholder with bare quotes inside one ("{argument name="x" default="y"}"),
# which hand-written template prompts often have, is read as part of the string.
_STRING = re.compile(
    r'"([^"\\{]*(?:(?:\\.|' + _TEMPLATE.pattern + r'|\{)[^"\\{]*)*)"', re.S
)
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null")
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.S)
_SIMPLE_ESCAPES = {"n": "\n", "t": " ", "r": " ", "b": " ", "f": " ", "/": "/", '"': '"', "\\": "\\"}
_FENCE = re.compile(r"\A\s*```[A-Za-z]*[ \t]*\n(.*)\n[ \t]*```\s*\Z", re.S)


def _unescape_key(raw: str) -> str:
    return _ESCAPE.sub(lambda m: _escaped_char(m.group(1)), raw) if "\\" in raw else raw


def _escaped_char(body: str) -> str:
    if body[0] == "u":
        char = chr(int(body[1:], 16))
        # surrogate halves and control characters read as a space (never content)
        return " " if 0xD800 <= ord(char) <= 0xDFFF or (not char.isprintable() and char != "\n") else char
    return _SIMPLE_ESCAPES.get(body, body)


def _same_width(match: re.Match[str]) -> str:
    """An escape read for the view, padded to its own width: `\\n` -> " \\n"."""
    body = match.group(1)
    char = _escaped_char(body)
    if body[0] == "u":
        return char + " " * 5
    return " " + char


def _path(stack: list[list[Any]]) -> tuple[str, str]:
    """("panels[2].description", "description") for the current position."""
    out: list[str] = []
    key = ""
    for kind, label in stack:
        if kind == "o":
            key = label or ""
            out.append(("." if out else "") + key)
        else:
            out.append(f"[{label}]")
    return "".join(out), key


def _run_end(pattern: re.Pattern[str], text: str, pos: int, end: int) -> int:
    """Where the run of `pattern` (one that matches the empty string) starting at `pos` ends."""
    m = pattern.match(text, pos, end)
    if m is None:  # only when pos > end, which no caller passes
        raise ValueError(f"position {pos} is past the end {end}")
    return m.end()


def _json_values(text: str, start: int, end: int) -> list[tuple[int, int, str, str]] | None:
    """Every string value of the JSON document text[start:end], or None when it is not one.

    Iterative (no recursion limit on deep nesting) and tolerant of raw line breaks inside
    strings and of trailing commas, which hand-written prompts often have.
    """
    values: list[tuple[int, int, str, str]] = []
    stack: list[list[Any]] = []  # ["o", key or None] | ["a", index]
    if start >= end:
        return None
    pos = _run_end(_WS, text, start, end)
    state = "value"
    while True:
        if state == "value":
            if pos >= end:
                return None
            char = text[pos]
            if char in "{[":
                pos = _run_end(_WS, text, pos + 1, end)
                close = "}" if char == "{" else "]"
                if pos < end and text[pos] == close:
                    pos, state = pos + 1, "after"
                else:
                    stack.append(["o", None] if char == "{" else ["a", 0])
                    state = "key" if char == "{" else "value"
                continue
            if char == '"':
                m = _STRING.match(text, pos, end)
                if m is None:
                    return None
                values.append((m.start(1), m.end(1), *_path(stack)))
            else:
                m = _SCALAR.match(text, pos, end)
                if m is None:
                    return None
            pos, state = m.end(), "after"
        elif state == "key":
            m = _STRING.match(text, pos, end)
            if m is None:
                return None
            stack[-1][1] = _unescape_key(m.group(1))
            pos = _run_end(_WS, text, m.end(), end)
            if pos >= end or text[pos] != ":":
                return None
            pos = _run_end(_WS, text, pos + 1, end)
            state = "value"
        else:  # after a value
            pos = _run_end(_WS, text, pos, end)
            if not stack:
                return values if pos == end else None
            top = stack[-1]
            char = text[pos] if pos < end else ""
            if char == ",":
                pos = _run_end(_WS, text, pos + 1, end)
                if pos < end and text[pos] in "}]":
                    continue  # a trailing comma: the close is read next round
                if top[0] == "a":
                    top[1] += 1
                state = "key" if top[0] == "o" else "value"
            elif (char == "}" and top[0] == "o") or (char == "]" and top[0] == "a"):
                stack.pop()
                pos += 1
            else:
                return None


def _analyse_json(text: str, start: int, end: int, prose_before: bool = False) -> Structure | None:
    """text[start:end] as JSON; text before `start` is a prose lead-in ("Render this: {…}")
    when `prose_before`, otherwise fence or whitespace."""
    values = _json_values(text, start, end)
    if values is None:
        return None
    fields: list[Field] = []
    view: list[str] = [text[:start]] if prose_before else []
    done = start if prose_before else 0  # text[:done] is in the view
    has_template = False
    for s, e, path, key in values:
        view.append(_blank(text[done:s]))
        cursor = s
        for t in _json_templates(text, s, e):
            has_template = True
            _emit_value(text, cursor, t.start, path, key, fields, view)
            if t.value is None:
                view.append(" " * (t.end - t.start))
            else:
                vs, ve = t.value
                view.append(" " * (vs - t.start))
                sub = f"{path}.argument:{t.name}" if path else f"argument:{t.name}"
                _emit_value(text, vs, ve, sub, t.name, fields, view)
                view.append(" " * (t.end - ve))
            cursor = t.end
        _emit_value(text, cursor, e, path, key, fields, view)
        done = e
    view.append(_blank(text[done:]))
    kinds = {"json"} | ({"template"} if has_template else set()) | ({"prose"} if prose_before else set())
    return _structure("json", kinds, fields, "".join(view), len(text))


def _json_templates(text: str, start: int, end: int) -> list[_Template]:
    if "{argument" not in text[start:end]:
        return []
    both = _templates(text, start, end, escaped=True) + _templates(text, start, end, escaped=False)
    return sorted(both, key=lambda t: t.start)


def _emit_value(text: str, s: int, e: int, path: str, key: str, fields: list[Field], view: list[str]) -> None:
    """Append JSON string content text[s:e] to the view (escapes kept at width) and as a field."""
    if e <= s:
        return
    raw = text[s:e]
    piece = _ESCAPE.sub(_same_width, raw) if "\\" in raw else raw
    view.append(piece)
    if piece.strip():
        fields.append(Field(s, e, path, key))


_NON_SPACE = re.compile(r"\S")


def _blank(s: str) -> str:
    """Scaffolding read as spaces; line breaks stay so clauses still end there."""
    return _NON_SPACE.sub(" ", s)


def _structure(kind: str, kinds: set[str], fields: list[Field], view: str, size: int) -> Structure:
    ordered = tuple(sorted(fields, key=lambda f: f.start))
    return Structure(kind, frozenset(kinds), ordered, view, tuple(f.start for f in ordered))


# --- lines: YAML-ish "key: value", Markdown sections, prose ---------------------------------

_HEADING = re.compile(r"[ \t]{0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")
_BULLET = re.compile(r"[ \t]*([-*+\u2022])[ \t]+")
_INDENT = re.compile(r"[ \t]*")
_BOLD = re.compile(r"\*\*")
# "Mood: calm", "**Mood:** calm", "Negative prompt: …", "风格：…"; not "http://", not "10:30".
_KEY = re.compile(
    r"(?:\*\*)?([^\W\d_][^:：\n\"{}*.,;!?]{0,48}?)[ \t]*(?:\*\*)?[ \t]*"
    r"(?::(?=[ \t]|\*\*|$)|：)(?:\*\*)?[ \t]*"
)
_MAX_KEY_WORDS = 6


@dataclass(slots=True)
class _Block:
    """An open "key:" whose value is the lines below it."""

    indent: int
    path: str
    key: str
    items: int = 0
    after_blank: bool = False


def _analyse_lines(text: str) -> Structure:
    view = list(text)
    templates = _templates(text, 0, len(text), escaped=False) if "{argument" in text else []
    for t in templates:  # the wrapper and name are scaffolding, the default is content
        value_start, value_end = t.value or (t.end, t.end)
        view[t.start:value_start] = " " * (value_start - t.start)
        view[value_end:t.end] = " " * (t.end - value_end)
    found: list[Field] = []
    headings: list[tuple[int, str]] = []
    blocks: list[_Block] = []
    counts = {"heading": 0, "bold": 0, "bullet": 0, "key": 0, "content": 0, "prose": 0}
    pos, size = 0, len(text)
    while pos <= size:
        end = text.find("\n", pos)
        end = size if end < 0 else end
        _line(text, pos, end, view, found, headings, blocks, counts)
        pos = end + 1
    fields = _carve(found, templates)
    kinds = _kinds(counts, bool(templates))
    return _structure(_main_kind(kinds, counts), kinds, fields, "".join(view), size)


def _line(text: str, start: int, end: int, view: list[str], found: list[Field],
          headings: list[tuple[int, str]], blocks: list[_Block], counts: dict[str, int]) -> None:
    if not text[start:end].strip():
        for block in blocks:
            block.after_blank = True
        return
    heading = _HEADING.match(text, start, end)
    if heading:
        counts["heading"] += 1
        level = len(heading.group(1))
        view[heading.start(1):heading.end(1)] = " " * level
        while headings and headings[-1][0] >= level:
            headings.pop()
        headings.append((level, _clean_key(heading.group(2))))
        counts.pop(".".join(title for _, title in headings), None)  # a section's bullets count from 0
        blocks.clear()
        return
    for m in _BOLD.finditer(text, start, end):
        counts["bold"] += 1
        view[m.start():m.end()] = "  "
    counts["content"] += 1
    indent = _run_end(_INDENT, text, start, end) - start
    bullet = _BULLET.match(text, start, end)
    body = start + indent
    if bullet:
        counts["bullet"] += 1
        view[bullet.start(1)] = " "
        body = bullet.end()
    section = ".".join(title for _, title in headings)
    key = _KEY.match(text, body, end)
    if key and len(key.group(1).split()) <= _MAX_KEY_WORDS:
        counts["key"] += 1
        while blocks and blocks[-1].indent >= indent:
            blocks.pop()
        name = key.group(1).strip()
        parent = blocks[-1].path if blocks else section
        path = f"{parent}.{name}" if parent else name
        value_end = _rstrip(text, key.end(), end)
        if value_end > key.end():
            found.append(Field(key.end(), value_end, path, name))
        else:
            blocks.append(_Block(indent, path, name))
        return
    while blocks and (blocks[-1].indent > indent or (blocks[-1].indent == indent and not bullet
                                                     and blocks[-1].after_blank)):
        blocks.pop()
    value_end = _rstrip(text, body, end)
    if blocks:
        owner = blocks[-1]
        path, name = owner.path, owner.key
        if bullet:
            path, owner.items = f"{path}[{owner.items}]", owner.items + 1
    elif headings:
        path, name = section, headings[-1][1]
        if bullet:
            items = counts.get(section, 0)
            path, counts[section] = f"{section}[{items}]", items + 1
    else:
        counts["prose"] += 1
        return
    found.append(Field(body, value_end, path, name))


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in " \t\r*":
        end -= 1
    return end


def _clean_key(raw: str) -> str:
    return raw.replace("**", "").strip().rstrip(":：").strip()


def _carve(found: list[Field], templates: list[_Template]) -> list[Field]:
    """Line fields minus the placeholders in them; each default becomes its own field, under
    the path of the line that holds it ("style.argument:hair style")."""
    if not templates:
        return found
    starts = [t.start for t in templates]
    owner: dict[int, str] = {}
    out: list[Field] = []
    for f in found:
        cursor = f.start
        i = max(bisect.bisect_right(starts, f.start) - 1, 0)
        while i < len(templates) and templates[i].start < f.end:
            t = templates[i]
            i += 1
            if t.end <= f.start:
                continue
            if f.start <= t.start:
                owner.setdefault(t.start, f.path)
            if t.start > cursor:
                out.append(Field(cursor, t.start, f.path, f.key))
            cursor = max(cursor, t.end)
        if cursor < f.end:
            out.append(Field(cursor, f.end, f.path, f.key))
    for t in templates:
        if t.value and t.value[1] > t.value[0]:
            parent = owner.get(t.start, "")
            path = f"{parent}.argument:{t.name}" if parent else f"argument:{t.name}"
            out.append(Field(t.value[0], t.value[1], path, t.name))
    return [f for f in out if f.end > f.start]


def _kinds(counts: dict[str, int], templates: bool) -> set[str]:
    kinds: set[str] = set()
    if counts["heading"] or counts["bold"] or counts["bullet"] >= 2:
        kinds.add("markdown")
    if counts["key"] >= 2 and counts["key"] * 2 >= counts["content"]:
        kinds.add("yaml")
    if templates:
        kinds.add("template")
    if counts["prose"] or not kinds:
        kinds.add("prose")
    return kinds


def _main_kind(kinds: set[str], counts: dict[str, int]) -> str:
    if "markdown" in kinds and (counts["heading"] or "yaml" not in kinds):
        return "markdown"
    for kind in ("yaml", "template"):
        if kind in kinds:
            return kind
    return "prose"


# --- the calls -----------------------------------------------------------------------------

_JSON_LEAD_IN = re.compile(r"\n[ \t]*[{\[]")


@functools.lru_cache(maxsize=8)
def analyse(text: str) -> Structure:
    """The structure of a prompt. Never raises; linear in len(text)."""
    stripped = text.strip()
    if stripped[:1] and stripped[0] in "{[" and not stripped.startswith("{argument"):
        start = len(text) - len(text.lstrip())
        found = _analyse_json(text, start, len(text.rstrip()))
        if found is not None:
            return found
    fence = _FENCE.match(text)
    if fence:
        found = _analyse_json(text, fence.start(1), fence.end(1))
        if found is not None:
            return found
    if stripped.endswith(("}", "]")):  # "Render this:\n{…}": a lead-in, then a document
        lead = _JSON_LEAD_IN.search(text)
        if lead:
            found = _analyse_json(text, lead.end() - 1, len(text.rstrip()), prose_before=True)
            if found is not None:
                return found
    return _analyse_lines(text)


def field_at(structure: Structure, offset: int) -> Field | None:
    """The field holding text[offset], if any."""
    i = bisect.bisect_right(structure.starts, offset) - 1
    if i >= 0 and structure.fields[i].start <= offset < structure.fields[i].end:
        return structure.fields[i]
    return None


@dataclass(frozen=True, slots=True)
class KeyLists:
    constraint: frozenset[str]
    typography: frozenset[str]
    exact: frozenset[str] = frozenset()  # constraint keys that must be a whole part


@functools.lru_cache(maxsize=1)
def key_lists() -> KeyLists:
    """resources/rules/structure.toml; a missing or broken file means no keys, not a crash."""
    try:
        data = tomllib.loads(paths.resource("rules", "structure.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        data = {}

    def keys(table: str, name: str = "keys") -> frozenset[str]:
        raw = data.get(table, {}).get(name, []) if isinstance(data.get(table), dict) else []
        return frozenset(_norm(str(k)) for k in raw if str(k).strip())

    exact = keys("constraint", "exact")
    return KeyLists(keys("constraint") | exact, keys("typography"), exact)


_INDEX = re.compile(r"\[\d+\]")
_PART_SPLIT = re.compile(r"[.\[\]]+")
_SEP = re.compile(r"[\s\-]+")


@functools.lru_cache(maxsize=16384)  # key names repeat within and across prompts
def _norm(name: str) -> str:
    return _SEP.sub("_", name.strip().lower())


def path_parts(f: Field) -> list[str]:
    """Normalised names along a field's path: "Negative prompt.argument:x" -> [negative_prompt, x]."""
    parts = [p.split("argument:", 1)[-1] for p in _PART_SPLIT.split(_INDEX.sub(".", f.path)) if p]
    return [_norm(p) for p in parts + [f.key] if p]


def _names(f: Field, keys: frozenset[str], exact: frozenset[str] = frozenset()) -> bool:
    """A key is a whole part, or (unless it must be exact) a run of a part's words:
    "things_to_avoid" names "avoid". Runs are looked up, so the cost does not grow with the
    number of keys."""
    return any(_part_names(part, keys, exact) for part in path_parts(f))


@functools.lru_cache(maxsize=16384)  # parts ("lighting", "style") repeat across prompts
def _part_names(part: str, keys: frozenset[str], exact: frozenset[str]) -> bool:
    if part in keys:
        return True
    words = part.split("_")
    for i in range(len(words)):
        for j in range(i + 1, len(words) + 1):
            run = "_".join(words[i:j])
            if run in keys and run not in exact:
                return True
    return False


@functools.lru_cache(maxsize=8192)
def role(path: str, key: str) -> str:
    """What a field's key makes its value: "constraint", "typography" or "" (content). Keys
    repeat across prompts, so this is cached by (path, key)."""
    parts = path_parts(Field(0, 0, path, key))
    lists = key_lists()
    if any(_part_names(part, lists.constraint, lists.exact) for part in parts):
        return "constraint"
    if any(_part_names(part, lists.typography, frozenset()) for part in parts):
        return "typography"
    return ""


def constraint_fields(structure: Structure, keys: frozenset[str] | None = None) -> tuple[Field, ...]:
    """Fields whose key or a part of whose path names a constraint (negative_prompt, avoid…)."""
    exact = key_lists().exact
    keys = key_lists().constraint if keys is None else keys
    return tuple(f for f in structure.fields if _names(f, keys, exact))


def typography_fields(structure: Structure, keys: frozenset[str] | None = None) -> tuple[Field, ...]:
    """Fields that are lettering or layout (headline, font, bullets, ui…)."""
    keys = key_lists().typography if keys is None else keys
    return tuple(f for f in structure.fields if _names(f, keys))
