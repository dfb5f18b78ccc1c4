"""The one atomic writer and the one bounded reader (workbench.core.io.files)."""

from __future__ import annotations

import contextlib
import os
import threading

import pytest

from workbench.core.errors import BadInputError
from workbench.core.io.files import atomic_output, atomic_write_text, read_bounded


def test_atomic_write_replaces_whole_or_not_at_all(tmp_path):
    target = tmp_path / "sub" / "settings.json"
    atomic_write_text(target, "first\n")
    assert target.read_text(encoding="utf-8") == "first\n"
    with pytest.raises(RuntimeError), atomic_output(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("killed mid-write")
    assert target.read_text(encoding="utf-8") == "first\n"
    assert os.listdir(target.parent) == ["settings.json"]  # no temporary file left behind


def test_atomic_write_fsyncs_before_the_rename(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (events.append("replace"), real_replace(a, b))[1])
    atomic_write_text(tmp_path / "a.txt", "data")
    assert events == ["fsync", "replace", "fsync"]  # the file, then the folder entry


def test_unwritable_folder_is_one_message(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(BadInputError, match="cannot write to"):
        atomic_write_text(blocker / "inside.txt", "data")


def test_bounded_read(tmp_path):
    path = tmp_path / "p.txt"
    path.write_bytes(b"x" * 100)
    assert read_bounded(path, 100) == b"x" * 100
    with pytest.raises(BadInputError, match=r"p.txt is 0.0 MB; the limit is"):
        read_bounded(path, 99)
    with pytest.raises(BadInputError, match="gone.txt: no such file"):
        read_bounded(tmp_path / "gone.txt", 100)
    with pytest.raises(BadInputError, match="is a folder, not an image"):
        read_bounded(tmp_path, 100, kind="an image")
    with pytest.raises(BadInputError, match="^prompts: no such file"):
        read_bounded(tmp_path / "nope", 100, name="prompts")


def test_bounded_read_stops_at_the_limit_for_growing_files(tmp_path):
    """A file that reports a small size but yields more (a FIFO, /proc) is still cut off."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    def writer():  # more than the limit; the reader hangs up after limit + 1 bytes
        with contextlib.suppress(BrokenPipeError), open(fifo, "wb") as w:
            w.write(b"y" * 5000)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        with pytest.raises(BadInputError, match="the limit is"):
            read_bounded(fifo, 1000)
    finally:
        thread.join(timeout=30)
