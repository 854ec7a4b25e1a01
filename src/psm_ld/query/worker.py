"""The server's end of one query worker process (executor.py runs inside it): a job sent, its result
read back, on the event loop. Which worker gets which job, and what happens when one dies or overruns
its time, is pool.py's."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import pickle
import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection

from psm_ld.query.executor import Job, QueryFailed, Result

GENERAL, SHORT = "general", "short"  # the lanes: any query, or short ones only (pool.py)


@dataclass
class Worker:
    """A query worker process and the server's end of its pipe (a socket pair). The server talks to
    it on the event loop (asyncio streams, in multiprocessing.Connection's framing, which the worker
    reads and writes): no thread hop per query, no thread blocked in a read."""

    process: multiprocessing.process.BaseProcess
    conn: Connection
    lane: str = GENERAL
    _reader: asyncio.StreamReader | None = None
    _writer: asyncio.StreamWriter | None = None

    async def ask(self, job: Job, timeout: float) -> Result:
        """The job's result within `timeout` seconds (TimeoutError), or its QueryFailed raised; EOFError
        or OSError when the worker died. After any exception the worker must not be reused."""
        if self._writer is None:
            sock = socket.socket(fileno=os.dup(self.conn.fileno()))
            self._reader, self._writer = await asyncio.open_connection(sock=sock, limit=_STREAM_LIMIT)
        assert self._reader is not None
        payload = pickle.dumps(job, pickle.HIGHEST_PROTOCOL)
        self._writer.write(_FRAME.pack(len(payload)) + payload)
        async with asyncio.timeout(timeout):
            size = _FRAME.unpack(await _read(self._reader, _FRAME.size))[0]
            if size == -1:  # multiprocessing's header of a message over 2 GiB (never sent here)
                size = struct.unpack("!Q", await _read(self._reader, 8))[0]
            reply = pickle.loads(await _read(self._reader, size))
        if isinstance(reply, QueryFailed):
            raise reply
        return reply

    def alive(self) -> bool:
        """Whether the process still runs and its pipe is open: a worker killed while idle is found
        out here, before a job is sent to it (multiprocessing's check, one poll of the process's
        sentinel, no wait)."""
        return self.process.is_alive() and not (self._reader is not None and self._reader.at_eof())

    def detach(self) -> None:
        """Close the server's stream to the worker (its own dup of the pipe's descriptor). On the event
        loop's thread only: a transport is not thread-safe (uvloop's is libuv's, strictly one thread),
        and the loop may be handling the same socket's end of file as a killed worker's pipe closes."""
        if self._writer is not None:
            self._writer.transport.abort()
            self._reader = self._writer = None

    def stop(self) -> None:
        """Kill the process and close its pipe: from any thread, once the stream is detached."""
        assert self._writer is None, "detach() on the event loop first"
        self.process.kill()
        self.process.join(5)
        self.conn.close()


_FRAME = struct.Struct("!i")  # multiprocessing.Connection's length header
_STREAM_LIMIT = 1024 * 1024


async def _read(reader: asyncio.StreamReader, n: int) -> bytes:
    try:
        return await reader.readexactly(n)
    except asyncio.IncompleteReadError as exc:
        raise EOFError("query worker closed its pipe") from exc


def startup_reply(ours: Connection, process: multiprocessing.process.BaseProcess, wait: float | None,
                  closed: Callable[[], bool]) -> object:  # fmt: skip
    """A starting worker's next message (pool.py waits for two: executor.OPENING, then READY); else
    why none came: `wait` seconds passed (None: no limit while the worker lives), the worker ended,
    or `closed()` became true meanwhile (the server is stopping)."""
    waited = 0.0
    while not ours.poll(1.0):
        waited += 1.0
        if not process.is_alive():
            return f"the worker ended (exit code {process.exitcode})"
        if closed():
            return "the server is stopping"
        if wait is not None and waited >= wait:
            return f"no answer in {wait:.0f} s"
    try:
        return ours.recv()
    except EOFError:
        return f"the worker ended (exit code {process.exitcode})"
