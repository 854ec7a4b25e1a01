"""What `psm-ld serve` changes in uvicorn's output, not in what it says (web/server.py): a response's
head and body go out in one write (`_OneWrite`), and the access log line is uvicorn's own text made
more cheaply (`PlainAccessFormatter`)."""

from __future__ import annotations

import asyncio
import logging
import socket

import pytest
from uvicorn.logging import AccessFormatter

from psm_ld.web.server import PlainAccessFormatter, _OneWrite, log_config


class Recording:
    """A transport that records what is written to it (and whether it still holds unsent bytes)."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.events: list[str] = []
        self.buffered = 0

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))

    def get_write_buffer_size(self) -> int:
        return self.buffered

    def is_closing(self) -> bool:
        return "close" in self.events or "abort" in self.events

    def write_eof(self) -> None:
        self.events.append("eof")

    def close(self) -> None:
        self.events.append("close")

    def abort(self) -> None:
        self.events.append("abort")

    def get_extra_info(self, name: str) -> str:
        return f"extra {name}"


async def a_turn() -> None:
    await asyncio.sleep(0)


def test_head_and_body_go_out_in_one_write() -> None:
    async def run() -> Recording:
        recording = Recording()
        transport = _OneWrite(recording, asyncio.get_running_loop())  # type: ignore[arg-type]
        transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
        assert recording.writes == [], "a small first write is held"
        transport.write(b"body")
        assert recording.writes == [b"HTTP/1.1 200 OK\r\n\r\nbody"], "the next write joins it"
        transport.write(b"HTTP/1.1 204 No Content\r\n\r\n")
        await a_turn()
        assert recording.writes[1:] == [b"HTTP/1.1 204 No Content\r\n\r\n"], "alone: at the next turn"
        assert transport.get_extra_info("peername") == "extra peername", "the rest is the transport's"
        return recording

    asyncio.run(run())


def test_nothing_large_or_behind_flow_control_is_held() -> None:
    async def run() -> None:
        recording = Recording()
        transport = _OneWrite(recording, asyncio.get_running_loop())  # type: ignore[arg-type]
        large = b"x" * (_OneWrite.HOLD_BYTES + 1)
        transport.write(large)
        assert recording.writes == [large]
        transport.write(b"head")
        transport.write(large)  # a large body after a held head: both go, the body not copied to join them
        assert recording.writes == [large, b"head", large] and recording.writes[2] is large
        recording.buffered = 10  # the transport has unsent bytes: its flow control must see each write
        transport.write(b"small")
        assert recording.writes[3:] == [b"small"]

    asyncio.run(run())


@pytest.mark.parametrize("ending", ["close", "write_eof"])
def test_closing_sends_what_is_held_first(ending: str) -> None:
    async def run() -> None:
        recording = Recording()
        transport = _OneWrite(recording, asyncio.get_running_loop())  # type: ignore[arg-type]
        transport.write(b"HTTP/1.1 400 Bad Request\r\n\r\n")
        getattr(transport, ending)()
        assert recording.writes == [b"HTTP/1.1 400 Bad Request\r\n\r\n"]
        assert recording.events == [{"close": "close", "write_eof": "eof"}[ending]]
        await a_turn()
        assert len(recording.writes) == 1, "sent once"

    asyncio.run(run())


def test_abort_drops_what_is_held() -> None:
    async def run() -> None:
        recording = Recording()
        transport = _OneWrite(recording, asyncio.get_running_loop())  # type: ignore[arg-type]
        transport.write(b"head")
        transport.abort()
        await a_turn()
        assert recording.writes == [] and recording.events == ["abort"]

    asyncio.run(run())


def test_one_write_over_a_real_socket() -> None:
    """Over a real asyncio transport the bytes arrive whole and in order."""

    async def run() -> bytes:
        ours, theirs = socket.socketpair()
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_connection(asyncio.Protocol, sock=ours)
        writer = _OneWrite(transport, loop)  # type: ignore[arg-type]
        writer.write(b"head\r\n\r\n")
        writer.write(b"body")
        writer.write(b"next")
        writer.close()
        theirs.settimeout(5)
        received = b""
        while chunk := await loop.run_in_executor(None, theirs.recv, 65536):
            received += chunk
        theirs.close()
        return received

    assert asyncio.run(run()) == b"head\r\n\r\nbodynext"


@pytest.mark.parametrize("status", [200, 303, 304, 404, 431, 503, 599])
@pytest.mark.parametrize("level", [logging.INFO, logging.WARNING])
def test_the_access_log_line_is_uvicorns(status: int, level: int) -> None:
    fmt = log_config()["formatters"]["access"]["fmt"]
    args = ("127.0.0.1:50123", "GET", "/psm/2021-2023/azione/2.1.1.html?lang=en", "1.1", status)
    record = logging.LogRecord("uvicorn.access", level, __file__, 1, '%s - "%s %s HTTP/%s" %d', args, None)
    ours = PlainAccessFormatter(fmt, use_colors=False).format(record)
    assert ours == AccessFormatter(fmt, use_colors=False).format(record)
    assert f'127.0.0.1:50123 - "GET /psm/2021-2023/azione/2.1.1.html?lang=en HTTP/1.1" {status}' in ours
    assert log_config()["formatters"]["access"]["()"].endswith("PlainAccessFormatter")
