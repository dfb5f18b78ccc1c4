"""GUI stalls while a 3 × 3 compare runs (bar: the event loop never stalls > 50 ms).

Opens the main window offscreen, starts Generate › Compare across models with three prompts
× three models on the Sandbox (each request slowed a little so they overlap), and records the
gaps between ticks of a 5 ms timer until the grid is full. Also reports the most requests in
flight per provider (must equal the configured concurrency).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_compare_gui.py [--concurrency 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--concurrency", type=int, default=2)
    args = ap.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    with tempfile.TemporaryDirectory() as home:
        os.environ["WORKBENCH_HOME"] = home
        import workbench.ui  # noqa: F401
        from workbench.cli import shared_sandbox_url
        from workbench.core.api import sandbox_url

        sandbox_url.set_provider(shared_sandbox_url)  # as app.main does
        from workbench.ui.main_window import MainWindow
        from workbench.ui.operations import Operations

        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        ops = Operations()
        window = MainWindow(ops)
        window.resize(1280, 800)
        window.show()
        gaps: list[float] = []
        last = [time.perf_counter()]

        def tick() -> None:
            now = time.perf_counter()
            gaps.append((now - last[0]) * 1000)
            last[0] = now

        async def scenario() -> dict:
            await window.start_background_work()
            compare = window.show_compare("[sandbox:slow=0.4] A knight, decapitated, on the battlefield")
            compare.rewrites.setPlainText("[sandbox:slow=0.4] A knight resting on the battlefield\n"
                                          "[sandbox:slow=0.4] A knight in a tense standoff at dusk")
            compare.models.setText("gpt-image-1, gpt-image-1-mini, gpt-image-2")
            compare.concurrency.setValue(args.concurrency)
            timer = QTimer(interval=5)
            timer.timeout.connect(tick)
            timer.start()
            await asyncio.sleep(0.2)
            gaps.clear()
            last[0] = time.perf_counter()
            started = time.perf_counter()
            compare.run_button.click()
            while compare.grid is None:
                await asyncio.sleep(0.02)
            await asyncio.sleep(0.5)  # thumbnails
            timer.stop()
            return {"seconds": time.perf_counter() - started, "longest_stall_ms": max(gaps) - 5,
                    "max_in_flight": compare.grid.max_in_flight, "summary": compare.grid.summary()}

        with loop:
            result = loop.run_until_complete(scenario())
            window.close()
            loop.run_until_complete(ops.close())
    print(f"3 × 3 compare in {result['seconds']:.1f} s; longest GUI stall {result['longest_stall_ms']:.1f} ms "
          f"(bar 50 ms); most in flight per provider {result['max_in_flight']} (limit {args.concurrency}); "
          f"{result['summary']}")


if __name__ == "__main__":
    main()
