"""Reading request bodies: JSON, multipart/form-data (image edits) and chunked transfer."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, field
from typing import BinaryIO


class BodyError(ValueError):
    """A request body that cannot be read; the message is safe to send back."""


@dataclass
class Upload:
    filename: str
    data: bytes
    content_type: str = "application/octet-stream"


@dataclass
class Form:
    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, list[Upload]] = field(default_factory=dict)


def read_body(rfile: BinaryIO, headers, limit: int) -> bytes:
    """The raw request body, honouring Content-Length or chunked encoding, up to `limit` bytes."""
    if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
        return _read_chunked(rfile, limit)
    length_text = headers.get("Content-Length") or "0"
    try:
        length = int(length_text)
    except ValueError:
        raise BodyError(f"invalid Content-Length {length_text!r}") from None
    if length < 0 or length > limit:
        raise BodyError(f"request body of {length} bytes exceeds the sandbox limit of {limit} bytes")
    return rfile.read(length) if length else b""


def _read_chunked(rfile: BinaryIO, limit: int) -> bytes:
    parts: list[bytes] = []
    total = 0
    while True:
        line = rfile.readline(1024).strip()
        try:
            size = int(line.split(b";", 1)[0] or b"0", 16)
        except ValueError:
            raise BodyError("malformed chunked body") from None
        if size == 0:
            while rfile.readline(1024).strip():
                pass  # trailers
            return b"".join(parts)
        total += size
        if total > limit:
            raise BodyError(f"request body exceeds the sandbox limit of {limit} bytes")
        parts.append(rfile.read(size))
        rfile.readline(8)  # CRLF after each chunk


def parse_multipart(content_type: str, body: bytes) -> Form:
    """Fields and files of a multipart/form-data body. `image[]` is stored under `image`."""
    header = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    message = email.message_from_bytes(header + body, policy=email.policy.HTTP)
    if not message.is_multipart():
        raise BodyError("expected a multipart/form-data body")
    form = Form()
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        name = str(name)
        key = name[:-2] if name.endswith("[]") else name
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is None:
            form.fields[key] = payload.decode("utf-8", "replace")
        else:
            form.files.setdefault(key, []).append(Upload(str(filename), payload, part.get_content_type()))
    return form
