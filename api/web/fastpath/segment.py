"""One TCP segment per answer ready in full (TCP_CORK), for gunicorn."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

#: TCP_CORK where the platform has it (Linux)
_CORK = getattr(socket, "TCP_CORK", None)


def one_segment(app: Callable) -> Callable:
    """Send a response that is ready in full (a list of bytes) in as few TCP segments as it
    needs, not headers and body apart. gunicorn writes the headers, then the body, on a
    TCP_NODELAY socket: two segments, and two wake-ups of the client, for every answer.
    The socket is corked once the app has returned the response, and uncorked when gunicorn
    closes it, after the last write. Streamed bodies and files are left as they are."""
    if _CORK is None:
        return app

    def corked(environ, start_response):
        result = app(environ, start_response)
        sock = environ.get("gunicorn.socket")
        if type(result) is not list or sock is None:
            return result
        try:
            sock.setsockopt(socket.IPPROTO_TCP, _CORK, 1)
        except OSError:
            return result
        return _Uncork(result, sock)

    return corked


class _Uncork:
    __slots__ = ("_body", "_sock")

    def __init__(self, body: list[bytes], sock: socket.socket):
        self._body, self._sock = body, sock

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._body)

    def close(self) -> None:
        try:
            self._sock.setsockopt(socket.IPPROTO_TCP, _CORK, 0)  # sends what is held back
        except OSError:
            pass  # the client has gone
