"""A real HTTP/1.1 server on 127.0.0.1 for tests: scripted replies per path, every request recorded.

Use the ``http_server`` fixture (tests/conftest.py) or ``with ScriptedServer() as server:``::

    server.route("/a", [Reply(status=503), html("<p>Xin chào</p>")])  # in order; the last one repeats
    server.serve_file("/page.html", shared_pages / "vnexpress.net" / "x.html")
    page = fetcher.fetch(server.url("/a"))
    assert [r.path for r in server.requests] == ["/a", "/a"]
    assert server.requests[0].user_agent.startswith("vnnews/")

A reply can misbehave the ways real servers do: wait before its headers or mid-body (read timeouts), announce
more body than it sends and hang up (truncated body), or reset the connection without answering. A route can
also be a function of the request, for replies that depend on headers (conditional GET, ...).

Every request is recorded (method, path with query, headers with lower-cased names, arrival and end times on
``time.monotonic()``, body bytes sent). ``max_in_flight(host)`` is the most requests one host had in flight
at once: point clients at ``server.url(path, host="localhost")`` and at the default ``127.0.0.1`` to play two
hosts on one server. Unrouted paths answer 404.
"""

from __future__ import annotations

import contextlib
import mimetypes
import socket
import socketserver
import struct
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType


@dataclass
class Reply:
    """One scripted response."""

    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)  # sent as given; no Content-Type unless set
    chunks: Sequence[bytes] | None = None  # sent with Transfer-Encoding: chunked instead of ``body``
    delay: float = 0.0  # seconds to wait before the status line (a read timeout before the headers)
    body_delay: float = 0.0  # seconds to wait after half the body (or after the first chunk)
    truncate: bool = False  # announce a longer Content-Length than the body, send the body, hang up
    reset: bool = False  # answer nothing: close the socket with a TCP RST (SO_LINGER 0)


def html(
    text: str, *, status: int = 200, charset: str = "utf-8", headers: Mapping[str, str] | None = None
) -> Reply:
    """An HTML reply: ``text`` encoded with ``charset`` and declared in Content-Type (``""``: no charset)."""
    content_type = f"text/html; charset={charset}" if charset else "text/html"
    return Reply(
        status=status,
        body=text.encode(charset or "utf-8"),
        headers={"Content-Type": content_type, **(headers or {})},
    )


def redirect(location: str, status: int = 301) -> Reply:
    return Reply(status=status, headers={"Location": location, "Content-Type": "text/html"})


def file_reply(path: Path, content_type: str | None = None) -> Reply:
    """A file's bytes as they are; Content-Type guessed from the name unless given."""
    guessed = content_type or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return Reply(body=path.read_bytes(), headers={"Content-Type": guessed})


@dataclass
class RecordedRequest:
    method: str
    path: str  # the request target: path and query, as sent
    headers: dict[str, str]  # lower-cased names
    started: float  # time.monotonic() once the request head was read
    ended: float | None = None  # time.monotonic() once the reply was written (or abandoned)
    bytes_sent: int = 0  # body bytes written to the socket

    @property
    def host(self) -> str:
        """The Host header without its port."""
        return self.headers.get("host", "").rsplit(":", 1)[0].lower()

    @property
    def user_agent(self) -> str:
        return self.headers.get("user-agent", "")


Responder = Callable[[RecordedRequest], Reply]
NOT_FOUND = Reply(status=404, body=b"not found", headers={"Content-Type": "text/plain"})


class ScriptedServer:
    """A threaded HTTP/1.1 server on an ephemeral port of 127.0.0.1 (keep-alive, like real servers)."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._routes: dict[str, list[Reply] | Responder] = {}
        self._changed = threading.Condition()
        self._in_flight: Counter[str] = Counter()
        self._max_in_flight: Counter[str] = Counter()
        self.stopping = threading.Event()
        self._httpd = _HTTPServer(self)
        self.port: int = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop accepting, wake delayed replies, close every connection, and wait for the handlers."""
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.close_connections()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def route(self, path: str, responses: Reply | Sequence[Reply] | Responder) -> None:
        """Script ``path`` (add the query to match one): replies are used in order, the last one repeats."""
        if isinstance(responses, Reply):
            responses = [responses]
        with self._changed:
            self._routes[path] = responses if callable(responses) else list(responses)

    def serve_file(self, path: str, file: Path, content_type: str | None = None) -> None:
        self.route(path, file_reply(file, content_type))

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """Requests whose target is ``path`` (with or without a query string)."""
        with self._changed:
            return [r for r in self.requests if path in (r.path, r.path.split("?", 1)[0])]

    def max_in_flight(self, host: str | None = None) -> int:
        """Most requests in flight at once, to ``host`` (name without port) or to the whole server."""
        with self._changed:
            return self._max_in_flight[host.lower() if host else "*"]

    def wait_idle(self, timeout: float = 5.0) -> None:
        """Wait until no request is being answered (e.g. a reply abandoned by the client has finished)."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._in_flight["*"] == 0, timeout):
                raise TimeoutError(f"requests still in flight after {timeout}s")

    def _arrived(self, method: str, path: str, headers: Message) -> tuple[RecordedRequest, Reply]:
        names = {name.lower(): value for name, value in headers.items()}
        record = RecordedRequest(method, path, names, started=time.monotonic())
        with self._changed:
            self.requests.append(record)
            for key in (record.host, "*"):
                self._in_flight[key] += 1
                self._max_in_flight[key] = max(self._max_in_flight[key], self._in_flight[key])
            script = self._routes.get(path) or self._routes.get(path.split("?", 1)[0])
            if callable(script):
                return record, script(record)
            if not script:
                return record, NOT_FOUND
            return record, script.pop(0) if len(script) > 1 else script[0]

    def _finished(self, record: RecordedRequest) -> None:
        with self._changed:
            record.ended = time.monotonic()
            for key in (record.host, "*"):
                self._in_flight[key] -= 1
            self._changed.notify_all()


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, owner: ScriptedServer) -> None:
        self.owner = owner
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Condition()
        super().__init__(("127.0.0.1", 0), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls getfqdn(), a reverse DNS lookup that can stall on a sandbox resolver.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "127.0.0.1", self.server_address[1]

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket) -> None:  # type: ignore[override]
        try:
            super().shutdown_request(request)
        finally:
            with self._open_lock:
                self._open.discard(request)
                self._open_lock.notify_all()

    def close_connections(self, timeout: float = 5.0) -> None:
        with self._open_lock:
            for sock in list(self._open):
                with contextlib.suppress(OSError):  # wakes a handler blocked on an idle keep-alive read
                    sock.shutdown(socket.SHUT_RDWR)
            self._open_lock.wait_for(lambda: not self._open, timeout)

    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return  # a client that hung up (timeout, size cap) is routine here
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer
    timeout = 10  # an idle keep-alive connection ends on its own even if the client never closes it

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean; the server records requests instead

    def _answer(self, send_body: bool) -> None:
        owner = self.server.owner
        record, reply = owner._arrived(self.command, self.path, self.headers)
        try:
            self._send(owner, reply, record, send_body)
        except OSError:
            self.close_connection = True  # the client gave up on this reply
        finally:
            owner._finished(record)

    def _send(self, owner: ScriptedServer, reply: Reply, record: RecordedRequest, send_body: bool) -> None:
        owner.stopping.wait(reply.delay)
        if reply.reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()  # the RST goes out once the handler's file objects are closed too
            return
        self.send_response(reply.status)
        names = {name.lower() for name in reply.headers}
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.chunks is not None:
            self._send_chunked(owner, reply, record, names, send_body)
            return
        scripted = next((v for k, v in reply.headers.items() if k.lower() == "content-length"), None)
        if scripted is None:
            scripted = str(len(reply.body) + (len(reply.body) + 100 if reply.truncate else 0))
            self.send_header("Content-Length", scripted)
        # A length that does not match the body leaves the connection unusable: hang up after the body.
        self.close_connection = self.close_connection or scripted != str(len(reply.body))
        self.end_headers()
        if send_body:
            half = len(reply.body) // 2
            self._write(record, reply.body[:half])
            owner.stopping.wait(reply.body_delay)
            self._write(record, reply.body[half:])

    def _send_chunked(
        self, owner: ScriptedServer, reply: Reply, record: RecordedRequest, names: set[str], send_body: bool
    ) -> None:
        if "transfer-encoding" not in names:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if not send_body:
            return
        # An empty chunk would end the body early: skip them.
        for index, chunk in enumerate(c for c in reply.chunks or () if c):
            if index == 1:
                owner.stopping.wait(reply.body_delay)
            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            record.bytes_sent += len(chunk)
        self.wfile.write(b"0\r\n\r\n")

    def _write(self, record: RecordedRequest, data: bytes) -> None:
        self.wfile.write(data)
        record.bytes_sent += len(data)
