"""The port picker of the tests' and the bench's servers (bench/common.free_port): a port handed out
is held until its server listens, so no parallel bind(0) gets it, and the holding is bounded."""

from __future__ import annotations

import errno
import socket

import pytest
from servers import free_port

from bench.common import LOOPBACK, RESERVED_PORTS


def bind(port: int, reuse: bool) -> socket.socket:
    sock = socket.socket()
    if reuse:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, port))
    return sock


def test_a_port_handed_out_is_held_yet_a_server_can_listen_on_it() -> None:
    port = free_port()
    with pytest.raises(OSError) as taken:  # what bind(0) and connect() avoid: a port bound already
        bind(port, reuse=False).close()
    assert taken.value.errno == errno.EADDRINUSE
    with bind(port, reuse=True) as server:  # as uvicorn, nginx, Oxigraph server and Virtuoso bind
        server.listen()
        with socket.create_connection((LOOPBACK, port), timeout=5):
            accepted, _ = server.accept()
            accepted.close()


def test_only_the_latest_ports_are_held() -> None:
    first = free_port()
    later = [free_port() for _ in range(RESERVED_PORTS)]
    assert first not in later
    bind(first, reuse=False).close()  # let go: the oldest of more than RESERVED_PORTS
    with pytest.raises(OSError):
        bind(later[0], reuse=False).close()
