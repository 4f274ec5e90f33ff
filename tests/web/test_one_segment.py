"""web/fastpath/segment.py ``one_segment``: a response ready in full is corked on its (real, TCP)
socket until gunicorn closes it; anything streamed, or without a socket, is left alone.
tests/live/test_live.py counts the segments on the wire."""

from __future__ import annotations

import socket

import pytest

from enlargement_kg.web.fastpath.segment import one_segment

pytestmark = pytest.mark.skipif(not hasattr(socket, "TCP_CORK"), reason="TCP_CORK is Linux's")


@pytest.fixture
def tcp():
    with socket.create_server(("127.0.0.1", 0)) as server:
        client = socket.create_connection(server.getsockname())
        conn, _ = server.accept()
        with client, conn:
            yield conn


def corked(sock: socket.socket) -> int:
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_CORK)


def _app(body):
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return body() if callable(body) else body

    return app


def test_a_ready_response_is_corked_until_closed(tcp):
    result = one_segment(_app([b"a", b"b"]))({"gunicorn.socket": tcp}, lambda *a: None)
    assert corked(tcp) == 1
    assert list(result) == [b"a", b"b"]
    result.close()
    assert corked(tcp) == 0


def test_a_streamed_response_is_left_alone(tcp):
    def stream():
        yield b"a"

    result = one_segment(_app(stream))({"gunicorn.socket": tcp}, lambda *a: None)
    assert corked(tcp) == 0 and not isinstance(result, list) and list(result) == [b"a"]


def test_without_gunicorns_socket_nothing_changes():
    body = [b"a"]
    assert one_segment(_app(body))({}, lambda *a: None) is body


def test_a_client_gone_before_the_close_is_no_error(tcp):
    result = one_segment(_app([b"a"]))({"gunicorn.socket": tcp}, lambda *a: None)
    tcp.close()
    result.close()  # setsockopt on a closed socket: ignored
