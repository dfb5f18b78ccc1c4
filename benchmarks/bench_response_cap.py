"""Peak memory of one image call whose server sends a 2 GB body (the response-size cap).

    .venv/bin/python benchmarks/bench_response_cap.py [--size-mb 2048] [--mode flood|huge|gzip]

A raw server on 127.0.0.1 answers the generate call with a 200 whose body is `--size-mb` MB,
generated while it is sent (the server never holds it): `flood` is chunked (no length, only the
reader's cap stops it), `huge` declares its Content-Length, `gzip` is a small compressed body
that inflates to that size. The real `ImageClient` (openai SDK over httpx2) runs with its
default limits; the script prints the outcome, what was received, the wall time and the peak
RSS of this process (ru_maxrss), before and after the call. Run each mode in its own process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import socket
import sys
import threading
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench.core.api.client import ImageClient
from workbench.core.api.profiles import Profile
from workbench.core.api.records import ImageParams
from workbench.core.api.request import ImageRequest
from workbench.core.api.retry import NO_RETRIES


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def serve(mode: str, size: int) -> tuple[str, threading.Event]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(4)
    stop = threading.Event()

    def answer(conn: socket.socket) -> None:
        try:
            conn.recv(1 << 20)
            head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nx-request-id: req_bench\r\n"
            chunk = b"A" * (1 << 16)
            if mode == "flood":
                conn.sendall(head + b"Transfer-Encoding: chunked\r\n\r\n")
                frame = b"%x\r\n" % len(chunk) + chunk + b"\r\n"
                for _ in range(size // len(chunk)):
                    conn.sendall(frame)
            elif mode == "huge":
                conn.sendall(head + b"Content-Length: %d\r\n\r\n" % size)
                for _ in range(size // len(chunk)):
                    conn.sendall(chunk)
            else:
                packer = zlib.compressobj(9, zlib.DEFLATED, 31)
                block = b"A" * (1 << 20)
                body = b"".join(packer.compress(block) for _ in range(size >> 20)) + packer.flush()
                conn.sendall(head + b"Content-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        except OSError:
            pass
        finally:
            conn.close()

    def loop() -> None:
        sock.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            threading.Thread(target=answer, args=(conn,), daemon=True).start()
        sock.close()

    threading.Thread(target=loop, daemon=True).start()
    return f"http://127.0.0.1:{sock.getsockname()[1]}/v1", stop


async def call(url: str):
    profile = Profile(name="bench", kind="compatible", base_url=url)
    async with ImageClient.for_profile(profile, api_key="sk-bench-not-a-key-000", retry=NO_RETRIES) as client:
        return await client.run(ImageRequest("a lighthouse", ImageParams(model="gpt-image-1")))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=2048)
    parser.add_argument("--mode", choices=("flood", "huge", "gzip"), default="flood")
    args = parser.parse_args()
    url, stop = serve(args.mode, args.size_mb << 20)
    before = peak_mb()
    started = time.perf_counter()
    result = asyncio.run(call(url))
    elapsed = time.perf_counter() - started
    stop.set()
    error = result.error
    print(json.dumps({
        "mode": args.mode, "body_mb": args.size_mb, "outcome": result.outcome,
        "code": error.code if error else None, "received_mb": round(error.details.get("bytes_received", 0) / 2**20, 1)
        if error else None, "seconds": round(elapsed, 2), "peak_rss_mb_before": round(before),
        "peak_rss_mb_after": round(peak_mb()), "message": error.message if error else "",
    }, indent=1))


if __name__ == "__main__":
    main()
