"""Exports run on the history worker (a plain Python thread) without Qt timer warnings.

The text layout behind the PDF starts timers; on a thread with no Qt event dispatcher that
logs "QBasicTimer ... event dispatcher" warnings. pytest's qt_log_level_fail turns any such
warning into a failure, and the marker below keeps that true even if the config changes.
"""

from __future__ import annotations

import threading

import pytest

from workbench.core.appeal.document import Document, Heading, Paragraph, Table
from workbench.render.pdf import write_pdf
from workbench.ui.history.background import HistoryWorker

pytestmark = pytest.mark.qt_log_level_fail("WARNING")


def long_document() -> Document:
    """Long enough that Qt lays it out incrementally (with a timer), as a real packet does."""
    blocks = [Heading("Appeal", 1)]
    blocks += [Paragraph(f"Request {n}: two knights in a courtyard, an error body follows. " * 8) for n in range(300)]
    blocks.append(Table(("Request", "Outcome"), tuple((f"#{n}", "blocked_input") for n in range(1, 60))))
    return Document("Appeal", blocks)


def test_pdf_written_from_a_plain_thread_logs_no_qt_warning(qapp, tmp_path):
    target = tmp_path / "long.pdf"
    errors: list[BaseException] = []

    def job() -> None:
        try:
            write_pdf(long_document(), target)
        except BaseException as exc:  # reported below, on the test's thread
            errors.append(exc)

    thread = threading.Thread(target=job)
    thread.start()
    thread.join(60)
    assert not errors
    assert target.read_bytes().startswith(b"%PDF")


def test_history_export_and_pdf_on_the_history_worker_log_no_qt_warning(qapp, ops, qloop, tmp_path):
    store = ops.history.store()
    for n in range(20):
        store.record_completed(f"a harbour at dawn {n}", {"model": "gpt-image-1"}, outcome="ok")
    worker = HistoryWorker(ops.history.store)
    try:
        from workbench.ui.history.export import export_requests, matching_ids

        def export(worker_store):
            return export_requests(worker_store, matching_ids(worker_store, "", None), "jsonl", tmp_path / "h.jsonl")

        assert qloop.run_until_complete(worker.run(export)) == 20
        qloop.run_until_complete(worker.run(lambda _store: write_pdf(long_document(), tmp_path / "w.pdf")))
        assert (tmp_path / "w.pdf").stat().st_size > 0
    finally:
        worker.close()


@pytest.mark.qt_log_ignore("QPainter::begin")  # Qt's own note about the unwritable file
def test_an_error_inside_the_pdf_thread_reaches_the_caller(qapp, tmp_path):
    errors: list[BaseException] = []

    def job() -> None:
        try:
            write_pdf(long_document(), tmp_path / "missing-folder" / "x.pdf")
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=job)
    thread.start()
    thread.join(60)
    assert errors and "could not be written" in str(errors[0])
