"""How `psm-ld serve` runs uvicorn: the limits a public HTTP server needs on what clients send.

uvicorn's httptools protocol (the fast one, bench/RESULTS.md) has no bound on the size of a request
head, nor on the number of headers, nor on the time a client may take to send them: a client could
hold a connection forever by sending one header byte at a time, or fill memory with one endless
header. `LimitedHttpToolsProtocol` adds those bounds; uvicorn's own options give the rest:

- request head (request line + headers): at most HEAD_MAX_BYTES, else 431 and the connection closed
- headers: at most HEAD_MAX_HEADERS, else 431
- a new connection must send a complete head within HEAD_TIMEOUT seconds of opening, and every
  later head within HEAD_TIMEOUT of its first byte, else 408 and closed (slow clients)
- an idle keep-alive connection is closed after KEEP_ALIVE_TIMEOUT seconds (uvicorn)
- new connections are accepted at once, however busy the server (asyncio's loop: uvicorn_options)

Only head bytes count: a request body, whatever its size and however its reads fall, never does
(/sparql's body has its own limit, 1 MiB). A refused request pipelined behind one still being
answered gets its refusal after that answer. Every response this layer writes itself (the 400 of a
malformed request too) says `X-Content-Type-Options: nosniff`, like the application's
(security.HEADERS).
"""

from __future__ import annotations

import asyncio
import copy
import functools
import http
import logging
from typing import Any

from uvicorn.config import LOGGING_CONFIG
from uvicorn.logging import AccessFormatter
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEAD_MAX_BYTES = 64 * 1024  # a GET /sparql?query=… URL included; nginx allows 4 × 8 KiB by default
HEAD_MAX_HEADERS = 100
HEAD_TIMEOUT = 10.0  # seconds
LINGER_SECONDS = 2.0
_FRAMING = 1024 + 4 * HEAD_MAX_HEADERS  # what the raw head adds to URL and fields: CRLFs, ": ", method
KEEP_ALIVE_TIMEOUT = 5  # seconds


class _Refused(Exception):
    """Raised from a parser callback: httptools turns it into HttpParserError, which uvicorn
    answers with send_400_response (overridden below to send our status)."""


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with bounds on request heads (module docstring)."""

    head_timeout = HEAD_TIMEOUT  # a class attribute: uvicorn_options makes a subclass per setting

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_head = True  # the bytes arriving now belong to a request head
        self._raw_bytes = 0  # of the current head, as received
        self._field_bytes = 0  # of its header names and values, as parsed
        self._header_count = 0
        self._messages_done = 0  # requests whose last byte (of head or body) was parsed
        self._refusal: tuple[int, str] | None = None
        self._deferred: tuple[int, str] | None = None  # a refusal waiting for an earlier answer
        self._lingering = False
        self._head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(_OneWrite(transport, self.loop))  # type: ignore[arg-type]
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._lingering or self._deferred is not None:
            return  # the rest of a refused request, read and dropped until the close
        began_in_head, ended_before = self._in_head, self._messages_done
        super().data_received(data)
        if self.transport.is_closing() or self._lingering or self._deferred is not None:
            return
        # httptools buffers an incomplete header in full before any callback sees it, so the raw
        # bytes of a head are what must be bounded. Only a read that began in a head and ended in
        # the same one is all head bytes. A read that ended a request (the last part of its body,
        # say) and began the next head holds an unknown share of each: counting all of it charged
        # body bytes to the next head, and a 220 KB POST whose body's last read was over 64 KiB
        # got a 431 after the app had its request. Such a read is left out: the fields it brings
        # are counted as parsed (on_header), and the head's later reads as received, so a head
        # still stops within one read of the limit.
        if self._in_head and began_in_head and self._messages_done == ended_before:
            self._raw_bytes += len(data)
            if self._raw_bytes > HEAD_MAX_BYTES + _FRAMING:
                self._refuse(431, f"Request head over {HEAD_MAX_BYTES} bytes.")

    # parser callbacks
    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head, self._field_bytes, self._header_count = True, 0, 0
        self._arm_head_timer()

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        self._field_bytes += len(name) + len(value)
        if self._header_count > HEAD_MAX_HEADERS:
            self._refusal = (431, f"More than {HEAD_MAX_HEADERS} header fields.")
            raise _Refused
        if len(self.url) + self._field_bytes > HEAD_MAX_BYTES:
            self._refusal = (431, f"Request head over {HEAD_MAX_BYTES} bytes.")
            raise _Refused
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._cancel_head_timer()
        if len(self.url) + self._field_bytes > HEAD_MAX_BYTES:
            self._refusal = (431, f"Request head over {HEAD_MAX_BYTES} bytes.")
            raise _Refused
        self._in_head, self._raw_bytes = False, 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head, self._raw_bytes = True, 0
        self._messages_done += 1

    # refusals
    def send_400_response(self, msg: str) -> None:
        status, message = self._refusal or (400, msg)
        self._write_and_close(status, message)

    def _refuse(self, status: int, message: str) -> None:
        self._refusal = (status, message)
        self.logger.warning("Refused a request: %s", message)
        self._write_and_close(status, message)

    def _write_and_close(self, status: int, message: str) -> None:
        self._cancel_head_timer()
        if self.transport.is_closing() or self._lingering:
            return
        if self.cycle is not None and not self.cycle.response_complete:
            # a request read before this one (pipelined) is still being answered: HTTP/1.1 answers
            # in order, so the refusal follows its answer (on_response_complete); read no more
            self._refusal = self._deferred = (status, message)
            self.flow.pause_reading()
            return
        body = (message.rstrip() + "\n").encode("ascii", "replace")
        head = [
            f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}",
            "content-type: text/plain; charset=utf-8",
            f"content-length: {len(body)}",
            "x-content-type-options: nosniff",
            "connection: close",
        ]
        self.transport.write(("\r\n".join(head) + "\r\n\r\n").encode("ascii") + body)
        # Lingering close (as nginx does): closing with unread data makes the kernel send a reset,
        # which can destroy the answer before the client reads it. Half-close, drop what still
        # arrives for a moment, then close.
        if self.transport.can_write_eof():
            self._refusal, self._lingering = (status, message), True
            self.transport.write_eof()
            self.loop.call_later(LINGER_SECONDS, self.transport.close)
        else:
            self.transport.close()

    def on_response_complete(self) -> None:
        if self._deferred is not None and not self.pipeline and not self.transport.is_closing():
            refusal, self._deferred = self._deferred, None
            self._write_and_close(*refusal)
            return
        super().on_response_complete()  # (with requests pipelined before the refused one: the next)

    def _arm_head_timer(self) -> None:
        self._cancel_head_timer()
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.cycle is None or self.cycle.response_complete:  # nothing of ours under way
            self._refuse(408, f"No complete request head within {self.head_timeout:g} s.")
        else:  # a response is still being made: the next head's time starts again after it
            self._arm_head_timer()


class _OneWrite:
    """A transport that sends a response's head and body in one write (one system call, one TCP
    segment for a small answer) instead of two: uvicorn writes the head as soon as the app starts
    its response, then the body. A small first write is held until the next write joins it, or until
    the event loop's next turn if none comes; every other write goes straight through, so at most
    HOLD_BYTES are ever held and the transport's flow control sees every other byte as before.
    Everything else is the transport's (closing sends what is held first)."""

    HOLD_BYTES = 16 * 1024

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport, self._loop = transport, loop
        self._held: bytes | None = None

    def write(self, data: bytes) -> None:
        if self._held is not None:
            held, self._held = self._held, None
            if len(data) <= self.HOLD_BYTES:
                self._transport.write(held + data)
                return
            self._transport.write(held)  # a large body goes as it is: joining would copy it whole
            self._transport.write(data)
        elif len(data) <= self.HOLD_BYTES and not self._transport.get_write_buffer_size():
            self._held = bytes(data)
            self._loop.call_soon(self._release)
        else:
            self._transport.write(data)

    def _release(self) -> None:
        if self._held is not None:
            data, self._held = self._held, None
            if not self._transport.is_closing():
                self._transport.write(data)

    def write_eof(self) -> None:
        self._release()
        self._transport.write_eof()

    def close(self) -> None:
        self._release()
        self._transport.close()

    def abort(self) -> None:
        self._held = None
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class PlainAccessFormatter(AccessFormatter):
    """uvicorn's access log line, the same text, made without copying the record and formatting it
    twice: uvicorn's formatter cost 7% of a document's answer (bench/RESULTS.md, issue 13). With
    colours (a terminal) it is uvicorn's own."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        if self.use_colors:
            return super().formatMessage(record)
        client, method, path, version, status = record.args  # type: ignore[misc]
        prefix = f"{record.levelname}:".ljust(9)
        return f'{prefix} {client} - "{method} {path} HTTP/{version}" {_status_and_phrase(int(status))}'


@functools.lru_cache(maxsize=64)
def _status_and_phrase(status: int) -> str:
    try:
        return f"{status} {http.HTTPStatus(status).phrase}"
    except ValueError:  # a status no RFC names: uvicorn writes it with an empty phrase
        return f"{status} "


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration, with the access log line made by PlainAccessFormatter."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["access"]["()"] = f"{__name__}.PlainAccessFormatter"
    return config


def uvicorn_options(
    head_timeout: float = HEAD_TIMEOUT, keep_alive: float = KEEP_ALIVE_TIMEOUT
) -> dict[str, Any]:
    """The options `psm-ld serve` gives uvicorn.run, besides host, port and logging (the time-outs
    from the settings PSM_HEAD_TIMEOUT and PSM_KEEP_ALIVE)."""
    protocol = type("LimitedHttpToolsProtocol", (LimitedHttpToolsProtocol,), {"head_timeout": head_timeout})
    return {
        "http": protocol,
        "timeout_keep_alive": keep_alive,
        "h11_max_incomplete_event_size": HEAD_MAX_BYTES,  # the same bound if run with --http h11
        # asyncio's own event loop, not uvloop (which uvicorn picks when installed): under load
        # uvloop accepts new connections slowly, a few dozen a second, and a request sent on a
        # connection not yet accepted waits in the kernel's queue: 400 connections opened at once on
        # a bare uvicorn app got p99 3.2 s (max 4.5 s) under uvloop, 83 ms under asyncio (which
        # accepts all that wait at each turn); under 500 connections psm-ld's pages had p99 9.8 s
        # and 9 time-outs (> 15 s) with uvloop (bench/RESULTS.md, issue 10 point 4)
        "loop": "asyncio",
    }
