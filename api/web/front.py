"""The front: a gunicorn worker that reads every request in full before a thread sees it.

gunicorn's gthread worker hands a new connection to a request thread, which then parses it
with blocking reads: a client sending its headers a line every 2 s, or its body a byte at a
time, held one of the few threads for as long as it liked, and idle sockets were never
closed (issue 17; docs/performance.md). :class:`Front` keeps gthread's threads, its
keep-alive and its shutdown, and changes where a request is read: in the worker's main
poller loop, non-blocking, into a buffer, under deadlines:

- the head (request line and fields, at most ``max_head`` bytes) within ``header_timeout``
  seconds of the connection's first byte (of the accept, for a new connection);
- the body (``Content-Length`` or chunked, counted decoded) within ``body_timeout`` seconds
  of the head; a body announced or grown over ``max_body`` is answered ``413`` at once;
- between requests, a kept-alive connection may stay idle ``idle_timeout`` seconds;
- a client (an IP address) holds at most ``client_connections`` connections in a worker,
  the worker at most ``max_connections`` (gunicorn's ``worker_connections``).

Only a complete request goes to a thread (the buffer is handed to gunicorn's parser, which
then never waits on the socket). A client cut off in the middle of a request is answered
``408``, one over its share ``429`` (with ``Retry-After``), both in the negotiated format;
an idle connection is closed without a word. ``GET /-/health`` (exactly that path) is
answered by the loop itself, never queued behind user requests: the process and its loop
are alive, and the graph version it serves (``/-/health?full`` goes through Flask and asks
the store).
"""

from __future__ import annotations

import errno
import json
import selectors
import socket
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from gunicorn.workers.gthread import TConn, ThreadWorker

from ..core.config import Settings

if TYPE_CHECKING:
    from flask import Flask

#: phases of a connection the loop is reading (a connection in a thread has none)
IDLE, HEAD, BODY, CLOSING = "idle", "head", "body", "closing"
#: how long a refused connection may take to read our answer before it is closed
LINGER = 1.0
#: how often the loop looks for connections past their deadline (seconds)
TICK = 0.1
_REASONS = {408: "Request Timeout", 413: "Content Too Large", 429: "Too Many Requests"}
_REASONS |= {431: "Request Header Fields Too Large", 200: "OK"}


@dataclass(frozen=True)
class Limits:
    """What the loop allows a connection (seconds, bytes, connections per worker)."""

    header_timeout: float = 10.0
    body_timeout: float = 30.0
    idle_timeout: float = 5.0
    client_connections: int = 64  #: per client IP address and worker; 0: no cap
    max_head: int = 32_768
    max_body: int = 1_000_000


#: ``(status, message, Accept) -> (content type, body)``: an error in the negotiated format
Render = Callable[[int, str, str], tuple[str, bytes]]


class Conn(TConn):
    """A connection, with what the loop has read of its next request."""

    def __init__(self, cfg, sock, client, server):
        super().__init__(cfg, sock, client, server)
        self.ip = client[0] if isinstance(client, tuple) else str(client)
        self.buf = bytearray()
        self.phase = HEAD
        self.deadline = 0.0
        self.need = 0  #: the request's length in ``buf``, once known (0: not yet)
        self.chunk_at = 0  #: chunked: where the next chunk size line starts in ``buf``
        self.decoded = 0  #: chunked: body bytes so far, decoded
        self.accept = "*/*"


class Head:
    """What the loop needs of a request head (gunicorn's parser checks the rest)."""

    __slots__ = ("method", "target", "keep_alive", "length", "chunked", "expect", "accept")

    def __init__(self, raw: bytes):
        lines = raw.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        self.method, self.target = parts[0], parts[1] if len(parts) > 1 else ""
        fields: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            fields[name] = f"{fields[name]}, {value.strip()}" if name in fields else value.strip()
        version = parts[2] if len(parts) > 2 else "HTTP/1.0"
        conn = fields.get("connection", "").lower()
        self.keep_alive = "close" not in conn and (version == "HTTP/1.1" or "keep-alive" in conn)
        te = fields.get("transfer-encoding", "").lower()
        self.chunked = te.endswith("chunked")
        length = fields.get("content-length", "0")
        #: -1: no usable length (gunicorn's parser answers 400 for it)
        self.length = 0 if te else int(length) if length.isdigit() else -1
        self.expect = fields.get("expect", "").lower() == "100-continue"
        self.accept = fields.get("accept", "*/*")


def scan_chunks(conn: Conn, max_body: int) -> str:
    """Follow a chunked body in ``conn.buf``: ``"done"`` (``conn.need`` is set), ``"more"``,
    ``"over"`` (the decoded body passes ``max_body``) or ``"bad"`` (gunicorn says why).

    >>> c = Conn.__new__(Conn); c.buf = bytearray(b"H\\r\\n\\r\\n3\\r\\nabc\\r\\n0\\r\\n\\r\\n")
    >>> c.chunk_at, c.decoded, c.need = 5, 0, 0
    >>> scan_chunks(c, 1000), c.need == len(c.buf), c.decoded
    ('done', True, 3)
    """
    buf = conn.buf
    while True:
        eol = buf.find(b"\r\n", conn.chunk_at)
        if eol < 0:
            return "bad" if len(buf) - conn.chunk_at > 1024 else "more"
        try:
            size = int(bytes(buf[conn.chunk_at : eol]).split(b";")[0].strip(), 16)
        except ValueError:
            return "bad"
        if size == 0:
            if buf[eol + 2 : eol + 4] == b"\r\n":
                conn.need = eol + 4
                return "done"
            end = buf.find(b"\r\n\r\n", eol)
            if end < 0:
                return "more"
            conn.need = end + 4
            return "done"
        conn.decoded += size
        if conn.decoded > max_body:
            return "over"
        if len(buf) < eol + 2 + size + 2:
            conn.decoded -= size  # counted again once the chunk is in
            return "more"
        conn.chunk_at = eol + 2 + size + 2


def response(status: int, ctype: str, body: bytes, *, close: bool, extra: str = "") -> bytes:
    head = (
        f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\nContent-Type: {ctype}\r\n"
        f"Content-Length: {len(body)}\r\n{extra}"
        f"Connection: {'close' if close else 'keep-alive'}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class Front(ThreadWorker):
    """gthread, with every request read in the main loop (see the module's docstring).
    :func:`front_class` makes the subclass a service runs, with its limits and answers."""

    limits = Limits()
    health: Callable[[], bytes] = staticmethod(lambda: b'{"status": "ok"}')
    render: Render = staticmethod(lambda status, message, accept: ("text/plain", b""))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reading: set[Conn] = set()
        self.per_client: Counter[str] = Counter()
        self._swept = 0.0

    # -- connections come in, and go --------------------------------------------------------

    def accept(self, listener):
        try:
            sock, addr = listener.accept()
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        conn = Conn(self.cfg, sock, addr, listener.getsockname())
        cap = self.limits.client_connections
        if cap and self.per_client[conn.ip] >= cap:
            message = f"a client may hold {cap} connections at once; close one and retry"
            self._refuse(conn, 429, message, extra="Retry-After: 1\r\n", counted=False)
            return
        self.nr_conns += 1
        self.per_client[conn.ip] += 1
        self._read(conn, HEAD, self.limits.header_timeout)

    def _read(self, conn: Conn, phase: str, timeout: float) -> None:
        """Put ``conn`` on the poller in ``phase``, due within ``timeout`` seconds."""
        conn.phase, conn.deadline = phase, time.monotonic() + timeout
        if conn not in self.reading:
            self.reading.add(conn)
            self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._readable, conn))

    def _unwatch(self, conn: Conn) -> None:
        if conn in self.reading:
            self.reading.discard(conn)
            try:
                self.poller.unregister(conn.sock)
            except (KeyError, ValueError, OSError):
                pass

    def _forget(self, conn: Conn) -> None:
        """``conn`` no longer counts against its client or the worker."""
        self.nr_conns -= 1
        self.per_client[conn.ip] -= 1
        if self.per_client[conn.ip] <= 0:
            del self.per_client[conn.ip]

    def _drop(self, conn: Conn) -> None:
        self._unwatch(conn)
        if conn.phase != CLOSING:
            self._forget(conn)
        conn.close()

    def _refuse(self, conn: Conn, status: int, message: str, *, extra="", counted=True) -> None:
        """Answer ``status`` and close: write side at once, the rest after :data:`LINGER`
        (what the client still sends is read and dropped, so that it gets the answer)."""
        try:
            ctype, body = self.render(status, message, conn.accept)
        except Exception:
            ctype, body = "text/plain", f"{status}: {message}\n".encode()
        try:
            conn.sock.send(response(status, ctype, body, close=True, extra=extra))
            conn.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        if counted:
            self._forget(conn)
        self._read(conn, CLOSING, LINGER)

    # -- reading, in the loop ----------------------------------------------------------------

    def _readable(self, conn: Conn, sock) -> None:
        try:
            self._receive(conn)
        except Exception:  # never the loop's end: this connection's
            self.log.exception("front: dropping a connection")
            self._drop(conn)

    def _receive(self, conn: Conn) -> None:
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data or conn.phase == CLOSING:
            if not data:
                self._drop(conn)
            return
        if conn.phase == IDLE:
            conn.phase, conn.deadline = HEAD, time.monotonic() + self.limits.header_timeout
        conn.buf += data
        self._advance(conn)

    def _advance(self, conn: Conn) -> None:
        """Go on with what ``conn.buf`` holds: hand a complete request over, answer health,
        or refuse."""
        if conn.phase == HEAD:
            end = conn.buf.find(b"\r\n\r\n")
            if end < 0 or end + 4 > self.limits.max_head:
                if len(conn.buf) > self.limits.max_head:
                    self._refuse(
                        conn, 431, f"the request head is over {self.limits.max_head} bytes"
                    )
                return
            if not self._headed(conn, Head(bytes(conn.buf[:end])), end + 4):
                return
        if conn.need == 0:
            verdict = scan_chunks(conn, self.limits.max_body)
            if verdict == "over":
                self._refuse(conn, 413, self._too_large())
                return
            if verdict == "more":
                return
        if len(conn.buf) >= conn.need:
            self._hand_over(conn)

    def _headed(self, conn: Conn, head: Head, start: int) -> bool:
        """The head of a request has come: whether to go on reading its body."""
        conn.accept = head.accept
        if head.target == "/-/health" and head.method in ("GET", "HEAD") and head.length <= 0:
            self._health(conn, head, start)
            return False
        conn.need, conn.chunk_at, conn.decoded = 0, start, 0
        if not head.chunked:
            if head.length > self.limits.max_body:
                self._refuse(conn, 413, self._too_large())
                return False
            conn.need = start + max(head.length, 0)  # a bad length: gunicorn answers 400
        conn.phase, conn.deadline = BODY, time.monotonic() + self.limits.body_timeout
        if head.expect and len(conn.buf) < max(conn.need, start + 1):
            try:
                conn.sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")
            except OSError:
                pass
        return True

    def _too_large(self) -> str:
        return f"the request body is larger than the limit of {self.limits.max_body} bytes"

    def _health(self, conn: Conn, head: Head, start: int) -> None:
        body = self.health()
        out = response(200, "application/json", body, close=not head.keep_alive)
        try:
            conn.sock.send(out if head.method == "GET" else out[: len(out) - len(body)])
        except OSError:
            self._drop(conn)
            return
        if not head.keep_alive:
            self._drop(conn)
            return
        del conn.buf[:start]
        if conn.buf:
            self._read(conn, HEAD, self.limits.header_timeout)
            self._advance(conn)
        else:
            self._read(conn, IDLE, self.limits.idle_timeout)

    def _hand_over(self, conn: Conn) -> None:
        """A complete request (and whatever follows it): to a thread, through gunicorn's
        parser, which will find it all buffered."""
        self._unwatch(conn)
        conn.init()
        conn.parser.unreader.unread(bytes(conn.buf))
        conn.buf = bytearray()
        conn.phase = ""
        self.enqueue_req(conn)

    def finish_request(self, conn, fs):
        """A thread is done with ``conn``: back to the loop to read its next request."""
        try:
            keep = (not fs.cancelled() and fs.result()) and self.alive
        except Exception:
            keep = False
        if not keep:
            self._forget(conn)
            conn.close(graceful=False)
            return
        conn.sock.setblocking(False)
        conn.buf = bytearray(conn.parser.unreader.take_buffered())
        if conn.buf:  # pipelined: the next request has begun
            self._read(conn, HEAD, self.limits.header_timeout)
            self._advance(conn)
        else:
            self._read(conn, IDLE, self.limits.idle_timeout)

    # -- deadlines ---------------------------------------------------------------------------

    def wait_for_and_dispatch_events(self, timeout):
        super().wait_for_and_dispatch_events(min(timeout, TICK))

    def murder_pending(self):
        super().murder_pending()
        now = time.monotonic()
        if now - self._swept < TICK:
            return
        self._swept = now
        for conn in list(self.reading):
            expired = conn.deadline <= now
            if conn.phase in (CLOSING, IDLE) or not conn.buf:
                if expired or not self.alive:  # a stopping worker keeps no idle connection
                    self._drop(conn)
            elif expired:
                what = "request head" if conn.phase == HEAD else "request body"
                self._refuse(conn, 408, f"the {what} did not arrive in time")


def front_class(limits: Limits, health: Callable[[], bytes], render: Render) -> type[Front]:
    """The worker class a service runs: :class:`Front` with ``limits`` and its answers."""
    return type(
        "Front",
        (Front,),
        {"limits": limits, "health": staticmethod(health), "render": staticmethod(render)},
    )


def limits_of(settings: Settings) -> Limits:
    return Limits(
        header_timeout=settings.header_timeout,
        body_timeout=settings.body_timeout,
        idle_timeout=settings.idle_timeout,
        client_connections=settings.client_connections,
        max_body=settings.max_body,
    )


def answers(app: Flask) -> tuple[Callable[[], bytes], Render]:
    """What the loop answers with for ``app``: ``/-/health`` (the body the Flask route
    answers, without asking the store: the version is known once the worker has warmed up),
    and errors in the negotiated format (:func:`.errors.error_response`)."""
    from .errors import error_response
    from .state import state_of

    service = state_of(app).service

    def health() -> bytes:
        return json.dumps({"status": "ok", "version": service.version}).encode()

    def render(status: int, message: str, accept: str) -> tuple[str, bytes]:
        with app.test_request_context("/", headers={"Accept": accept}):
            resp = error_response(status, message, title=_REASONS.get(status))
            return resp.content_type or "text/plain", resp.get_data()

    return health, render
