"""A tiny threaded HTTP server base for fake platform APIs: records requests, injects faults.

Each fake subclasses :class:`FakeServer` and implements :meth:`FakeServer.handle` returning a
:class:`Reply`. Faults are queued with :meth:`fail_next`, :meth:`hang_next`, :meth:`drop_next` (and
platform-specific ``rate_limit_next``) and consumed by the next matching requests.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class RecordedRequest:
    """One request as the fake received it.

    ``data`` is the decoded body (JSON object, or form fields decoded per platform rules).
    ``received_at`` is the Unix time (``time.time()``) at which the whole request had been read.
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    data: dict[str, Any] = field(default_factory=dict)
    form_lists: dict[str, list[str]] = field(default_factory=dict)
    received_at: float = field(default_factory=time.time)

    def header(self, name: str) -> str | None:
        """Case-insensitive header lookup."""
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


@dataclass
class Reply:
    """What a fake answers."""

    status: int = 200
    body: Any = None  # dict/list -> JSON, str/bytes -> as is
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> tuple[bytes, str]:
        """Body bytes and content type."""
        if isinstance(self.body, (dict, list)):
            return json.dumps(self.body, ensure_ascii=False).encode(), "application/json"
        if isinstance(self.body, str):
            return self.body.encode(), "text/plain; charset=utf-8"
        return self.body or b"", "application/octet-stream"


@dataclass
class Fault:
    """A queued misbehaviour: ``reply`` (an error answer), ``hang`` (sleep first) or ``drop`` (close)."""

    kind: str
    path: str | None = None
    reply: Reply | None = None
    seconds: float = 0.0


class FakeServer:
    """Base class: a real HTTP server on 127.0.0.1 (random free port) in a background thread."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._generation = 0
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    # ------------------------------------------------------------------------------- lifecycle
    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeServer:
        """Start serving in a daemon thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; hanging handlers are released."""
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def reset(self) -> None:
        """Forget recorded requests, queued faults and per-test state."""
        with self._lock:
            self.requests.clear()
            self._faults.clear()
            self._generation += 1  # a request still hanging from the previous test is dropped, not handled
        self.reset_state()

    def reset_state(self) -> None:
        """Subclass hook for platform state (tokens, sent messages...)."""

    # ------------------------------------------------------------------------------------ faults
    def _queue(self, count: int, fault: Fault) -> None:
        with self._lock:
            self._faults.extend(Fault(fault.kind, fault.path, fault.reply, fault.seconds) for _ in range(count))

    def fail_next(
        self,
        count: int = 1,
        status: int = 500,
        body: Any = None,
        headers: dict[str, str] | None = None,
        path: str | None = None,
    ) -> None:
        """Answer the next ``count`` requests (whose path contains ``path``, if given) with ``status``."""
        reply = Reply(status, body if body is not None else {"error": "injected"}, dict(headers or {}))
        self._queue(count, Fault("reply", path, reply))

    def hang_next(self, count: int = 1, seconds: float = 5.0, path: str | None = None) -> None:
        """Make the next ``count`` requests wait ``seconds`` before being answered normally."""
        self._queue(count, Fault("hang", path, seconds=seconds))

    def drop_next(self, count: int = 1, path: str | None = None) -> None:
        """Close the connection of the next ``count`` requests without any answer."""
        self._queue(count, Fault("drop", path))

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.path is None or fault.path in path:
                    self._faults.remove(fault)
                    return fault
        return None

    # --------------------------------------------------------------------------------- handling
    def decode(self, request: RecordedRequest) -> None:
        """Fill ``request.data`` from the body (JSON or form); subclasses refine."""
        content_type = request.header("Content-Type") or ""
        if "json" in content_type and request.body:
            request.data = json.loads(request.body)
        elif request.body:
            pairs = parse_qsl(request.body.decode(), keep_blank_values=True)
            for key, value in pairs:
                request.form_lists.setdefault(key, []).append(value)
            request.data = dict(pairs)

    def handle(self, request: RecordedRequest) -> Reply:
        """Answer a request that is not faulted (subclasses implement the platform)."""
        raise NotImplementedError

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence stderr
                return

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                received_at = time.time()
                parts = urlsplit(self.path)
                recorded = RecordedRequest(
                    method=self.command,
                    path=parts.path,
                    query=dict(parse_qsl(parts.query)),
                    headers=dict(self.headers.items()),
                    body=body,
                    received_at=received_at,
                )
                server.decode(recorded)
                with server._lock:
                    server.requests.append(recorded)
                fault = server._take_fault(parts.path)
                if fault and fault.kind == "drop":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if fault and fault.kind == "hang":
                    generation = server._generation
                    server._stopping.wait(fault.seconds)
                    if generation != server._generation:  # the test that hung it is over
                        self.close_connection = True
                        return
                reply = fault.reply if fault and fault.reply else server.handle(recorded)
                payload, content_type = reply.encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.headers.get("Content-Type", content_type))
                    self.send_header("Content-Length", str(len(payload)))
                    for key, value in reply.headers.items():
                        if key.lower() != "content-type":
                            self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                    self.close_connection = True

            do_GET = do_POST = _serve  # noqa: N815

        return Handler
