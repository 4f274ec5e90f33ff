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

The loop answers one more kind of request itself (a fast path, docs/performance.md): a
``GET /sparql?query=`` whose whole answer the response cache keeps (a look-up), or that the
query lane would answer (:mod:`.fastpath.lane`) and that is bounded by construction
(``lane.loop_bounded``: a one-pattern ``SELECT`` read from the index with an IRI subject or
a small ``LIMIT``, microseconds); either way an answer of at most ``LOOP_MAX_ANSWER``
bytes (``fastpath.loop_lane``), written in gunicorn's own response format (status line, ``Server``,
``Date``, ``Connection``, then the lane's headers). Its invariant: nothing else, and nothing
unusual, is answered in the loop; a head gunicorn might read differently (HTTP/1.0, a
repeated or odd field, a body, ``Expect``, ``If-None-Match``, an upgrade) and every error go
to a thread, as before. Off with ``ENLARGEMENT_KG_FAST_PATHS=0`` (then :attr:`Front.fast` is
None), and with writes on (no lane).
"""

from __future__ import annotations

import errno
import json
import re
import selectors
import socket
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from gunicorn import SERVER
from gunicorn.util import http_date
from gunicorn.workers.gthread import TConn, ThreadWorker

from ..core.config import Settings

if TYPE_CHECKING:
    from flask import Flask

#: phases of a connection the loop is reading (a connection in a thread has none)
IDLE, HEAD, BODY, CLOSING, WRITING = "idle", "head", "body", "closing", "writing"
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
#: ``WSGI environment -> (headers, body)``, or None: a thread answers (lane.QueryLane.in_loop)
Fast = Callable[[dict], "tuple[list[tuple[str, str]], bytes] | None"]
#: what a head must look like for the loop to answer it (anything else: a thread's)
_FIELD = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[ \t]*[\x20-\x7e]*")
_TARGET = re.compile(r"/sparql\?[\x21-\x22\x24-\x7e]*")
#: fields that make a request one the loop leaves to a thread
_NOT_IN_LOOP = frozenset(
    ("content-length", "transfer-encoding", "expect", "if-none-match", "upgrade", "http2-settings")
)


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
        self.out = b""  #: what the loop has still to write of its own answer
        self.keep = True  #: whether the connection stays open once ``out`` is written


class Head:
    """What the loop needs of a request head (gunicorn's parser checks the rest)."""

    __slots__ = ("method", "target", "version", "lines", "fields")
    __slots__ += ("keep_alive", "length", "chunked", "expect", "accept")

    def __init__(self, raw: bytes):
        self.lines = lines = raw.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        self.method, self.target = parts[0], parts[1] if len(parts) > 1 else ""
        self.fields: dict[str, str] = {}
        fields = self.fields
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            fields[name] = f"{fields[name]}, {value.strip()}" if name in fields else value.strip()
        self.version = version = parts[2] if len(parts) == 3 else "HTTP/1.0"
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
        f"Content-Length: {len(body)}\r\nX-Content-Type-Options: nosniff\r\n{extra}"
        f"Connection: {'close' if close else 'keep-alive'}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class Front(ThreadWorker):
    """gthread, with every request read in the main loop (see the module's docstring).
    :func:`front_class` makes the subclass a service runs, with its limits and answers."""

    limits = Limits()
    health: Callable[[], bytes] = staticmethod(lambda: b'{"status": "ok"}')
    render: Render = staticmethod(lambda status, message, accept: ("text/plain", b""))
    fast: Fast | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reading: set[Conn] = set()
        self.per_client: Counter[str] = Counter()
        self._swept = 0.0
        self._date_at, self._date_value = 0, ""

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
        if head.target.startswith("/sparql?") and self._fast(conn, head, start):
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
        self._sent(conn, head.keep_alive, start)

    def _fast(self, conn: Conn, head: Head, start: int) -> bool:
        """Answer a bounded point lookup here (the module's docstring); False: not one."""
        fields = head.fields
        if (
            head.method != "GET"
            or head.version != "HTTP/1.1"
            or len(fields) != len(head.lines) - 1  # a repeated field
            or "host" not in fields
            or not _NOT_IN_LOOP.isdisjoint(fields)
            or not _TARGET.fullmatch(head.target)
            or not all(_FIELD.fullmatch(line) for line in head.lines[1:])
        ):
            return False
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/sparql", "REMOTE_ADDR": conn.ip}
        environ["QUERY_STRING"] = head.target[8:]
        for name in ("accept", "x-forwarded-for"):
            if name in fields:
                environ["HTTP_" + name.upper().replace("-", "_")] = fields[name]
        done = self.fast(environ) if self.fast is not None else None
        if done is None:
            return False
        self.nr += 1  # as gunicorn counts requests (max_requests)
        if self.nr >= self.max_requests:
            self.alive = False
        keep = head.keep_alive and self.alive
        lines = [f"HTTP/1.1 200 OK\r\nServer: {SERVER}\r\nDate: {self._date()}\r\n"]
        lines.append(f"Connection: {'keep-alive' if keep else 'close'}\r\n")
        lines += [f"{k}: {v}\r\n" for k, v in done[0]]
        out = "".join(lines).encode("latin-1") + b"\r\n" + done[1]
        try:
            n = conn.sock.send(out)
        except OSError:
            self._drop(conn)
            return True
        if n < len(out):  # a client reading slowly: the rest when its socket takes it
            del conn.buf[:start]
            conn.out, conn.keep = out[n:], keep
            conn.phase, conn.deadline = WRITING, time.monotonic() + self.limits.body_timeout
            self.poller.modify(conn.sock, selectors.EVENT_WRITE, partial(self._writable, conn))
            return True
        self._sent(conn, keep, start)
        return True

    def _date(self) -> str:
        """gunicorn's ``Date`` value, made once a second."""
        now = int(time.time())
        if now != self._date_at:
            self._date_at, self._date_value = now, http_date(now)
        return self._date_value

    def _writable(self, conn: Conn, sock) -> None:
        """Write more of the loop's answer to a client that reads slowly."""
        try:
            conn.out = conn.out[conn.sock.send(conn.out) :]
            if not conn.out:
                self.poller.modify(conn.sock, selectors.EVENT_READ, partial(self._readable, conn))
                self._sent(conn, conn.keep, 0)
        except (BlockingIOError, InterruptedError):
            return
        except Exception:  # never the loop's end: this connection's
            self._drop(conn)

    def _sent(self, conn: Conn, keep: bool, start: int) -> None:
        """The loop has answered the request that ends at ``start`` in ``conn.buf``."""
        if not keep:
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
            if conn.phase in (CLOSING, IDLE, WRITING) or not conn.buf:
                if expired or not self.alive:  # a stopping worker keeps no idle connection
                    self._drop(conn)
            elif expired:
                what = "request head" if conn.phase == HEAD else "request body"
                self._refuse(conn, 408, f"the {what} did not arrive in time")


def front_class(
    limits: Limits, health: Callable[[], bytes], render: Render, fast: Fast | None = None
) -> type[Front]:
    """The worker class a service runs: :class:`Front` with ``limits`` and its answers."""
    answers = {"health": staticmethod(health), "render": staticmethod(render)}
    answers["fast"] = None if fast is None else staticmethod(fast)
    return type("Front", (Front,), {"limits": limits, **answers})


def limits_of(settings: Settings) -> Limits:
    return Limits(
        header_timeout=settings.header_timeout,
        body_timeout=settings.body_timeout,
        idle_timeout=settings.idle_timeout,
        client_connections=settings.client_connections,
        max_body=settings.max_body,
    )


def answers(app: Flask) -> tuple[Callable[[], bytes], Render, Fast | None]:
    """What the loop answers with for ``app``: ``/-/health`` (the body the Flask route
    answers, without asking the store: the version is known once the worker has warmed up),
    errors in the negotiated format (:func:`.errors.error_response`), and bounded point
    lookups through the query lane (None when the fast paths are off or there is no lane)."""
    from .errors import error_response
    from .fastpath import loop_lane
    from .state import state_of

    service = state_of(app).service

    def health() -> bytes:
        return json.dumps({"status": "ok", "version": service.version}).encode()

    def render(status: int, message: str, accept: str) -> tuple[str, bytes]:
        with app.test_request_context("/", headers={"Accept": accept}):
            resp = error_response(status, message, title=_REASONS.get(status))
            return resp.content_type or "text/plain", resp.get_data()

    return health, render, loop_lane(app)
