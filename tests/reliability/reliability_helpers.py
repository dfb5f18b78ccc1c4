"""Helpers for the reliability suite: run the real `workbench` CLI in a subprocess, build logs.

Every test already has its own empty WORKBENCH_HOME (tests/conftest.py); subprocesses inherit
it through the environment, so they read and write exactly what the test inspects.
(Imported as `reliability_helpers`: pytest puts this folder on sys.path.)
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cli_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(QT_QPA_PLATFORM="offscreen", PYTHONUNBUFFERED="1", PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    env.update(extra)
    return env


def run_cli(*args: str, input: str | bytes | None = None, timeout: float = 120, env: dict | None = None,
            cwd: Path | None = None, **popen) -> subprocess.CompletedProcess:
    """`python -m workbench ARGS` as a user would run it; text output, never raises on failure."""
    text = not isinstance(input, bytes)
    return subprocess.run([sys.executable, "-m", "workbench", *args], input=input, capture_output=True,
                          text=text, timeout=timeout, env=env or cli_env(), cwd=cwd or ROOT, **popen)


def assert_one_line_error(proc: subprocess.CompletedProcess, *words: str) -> str:
    """A user error: exit 2, one `workbench: error:` line on stderr naming `words`, no traceback."""
    err = proc.stderr if isinstance(proc.stderr, str) else proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.startswith("workbench: error:")]
    assert proc.returncode == 2 and len(lines) == 1, (proc.returncode, err)
    for word in words:
        assert word.lower() in lines[0].lower(), lines[0]
    return lines[0]


def blocked_log(path: Path, count: int, *, tag: str = "knight", start: int = 0) -> Path:
    """A JSONL request log of `count` input-stage blocks (the shape `workbench import` reads)."""
    lines = []
    for i in range(start, start + count):
        body = {"error": {"message": f"Your request was rejected by the safety system. request {i}.",
                          "type": "image_generation_user_error", "code": "moderation_blocked"}}
        lines.append(json.dumps({"prompt": f"{tag} number {i} with a sword", "status_code": 400,
                                 "request_id": f"req_{tag}_{i:06d}", "error": body}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def file_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class FaultServer:
    """A raw HTTP server on 127.0.0.1 that misbehaves in one chosen way, for network-fault tests.

    Modes: `reset` (TCP RST after reading the request), `stall` (headers and half the body,
    then silence), `trickle` (a byte every 0.2 s, forever), `huge` (a 200 whose JSON body is
    `size` bytes), `flood` (a chunked 200 of `size` bytes, generated as it is sent), `gzip` (a
    gzip body that inflates to `size` bytes), `json` (a 200 whose body is `body`), `garbage` (a 200 whose body is `size` bytes of
    HTML, not JSON).
    """

    def __init__(self, mode: str, size: int = 0, body: bytes = b"") -> None:
        import socket
        import threading

        self.mode, self.size, self.body = mode, size, body
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.hits = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/v1"

    def __enter__(self) -> FaultServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()

    def _serve(self) -> None:
        import threading

        self.sock.settimeout(0.05)  # so that __exit__ is noticed promptly
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            self.hits += 1
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _read_request(self, conn) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return
            body += chunk

    def _answer(self, conn) -> None:
        import socket
        import struct
        import time

        try:
            self._read_request(conn)
            mode = self.mode
            if mode == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            json_head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nx-request-id: req_fault_%d\r\n" % self.hits
            if mode in ("stall", "trickle"):
                conn.sendall(json_head + b"Content-Length: 100000\r\n\r\n" + b'{"created": 1, "data": [')
                while not self._stop.is_set():
                    if mode == "trickle":
                        conn.sendall(b" ")
                    time.sleep(0.2)
                return
            if mode == "huge":
                payload = b"A" * (self.size - 100)
                body = b'{"created": 1, "data": [{"b64_json": "' + payload + b'"}]}'
                conn.sendall(json_head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
            elif mode == "flood":  # chunked, no length: only a cap on the reader ends it
                conn.sendall(json_head + b"Transfer-Encoding: chunked\r\n\r\n")
                chunk = b"A" * 65536
                frame = b"%x\r\n" % len(chunk) + chunk + b"\r\n"
                for _ in range(self.size // len(chunk)):
                    if self._stop.is_set():
                        break
                    conn.sendall(frame)
            elif mode == "gzip":  # a small compressed body that inflates to `size` bytes
                import zlib

                packer = zlib.compressobj(9, zlib.DEFLATED, 31)
                block = b"A" * (1 << 20)
                body = b"".join(packer.compress(block) for _ in range(self.size >> 20)) + packer.flush()
                conn.sendall(json_head + b"Content-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
            elif mode == "json":  # a 200 with exactly `body`
                conn.sendall(json_head + b"Content-Length: %d\r\n\r\n" % len(self.body) + self.body)
            elif mode == "garbage":
                body = b"<html>" + b"x" * self.size + b"</html>"
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        except OSError:
            pass
        finally:
            conn.close()


LOCKER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
if sys.argv[2] == "exclusive":
    conn.execute("PRAGMA locking_mode = EXCLUSIVE")   # readers are shut out too
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE requests SET notes = notes")
print("locked", flush=True)
sys.stdin.readline()                                  # hold the lock until told
conn.execute("COMMIT")
"""


class LockHolder:
    """Another process holding the history database's write lock (`normal`) or every lock
    (`exclusive`) until `release()`."""

    def __init__(self, db: Path, mode: str = "normal") -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", LOCKER, str(db), mode], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "locked"

    def release(self) -> None:
        if self.proc.poll() is None:
            self.proc.communicate("\n", timeout=30)
        for pipe in (self.proc.stdin, self.proc.stdout):  # also when the holder died first
            if pipe is not None and not pipe.closed:
                pipe.close()

    def __enter__(self) -> LockHolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def tmpfs(mount: Path, size: str):
    """Mount a tmpfs of `size` at `mount` (root only); returns an unmount function or None."""
    mount.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], capture_output=True)
    if proc.returncode != 0:
        return None
    return lambda: subprocess.run(["umount", "-l", str(mount)], check=False)


def fill_disk(folder: Path, leave: int) -> Path:
    """Write a filler file so that only about `leave` bytes stay free on folder's file system."""
    stats = os.statvfs(folder)
    free = stats.f_bavail * stats.f_frsize
    filler = folder / "filler.bin"
    with open(filler, "wb") as handle:
        remaining = max(0, free - leave)
        while remaining > 0:
            step = min(remaining, 1 << 20)
            try:
                handle.write(b"\0" * step)
                handle.flush()
            except OSError:
                break
            remaining -= step
    return filler
