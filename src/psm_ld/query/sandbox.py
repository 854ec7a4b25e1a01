"""A query worker without network: a seccomp filter that makes socket(2) fail in its process.

pyoxigraph's wheel includes an HTTP client and runs a SPARQL SERVICE by calling it; its Python API has
no way to turn that off (Rust's `without_default_http_service_handler` is not exposed). A worker only
needs the pipe it inherits from the server, so after `deny_network()` every socket(2), socketpair(2)
and io_uring_setup(2) of the process (all its threads: TSYNC) fails with EPFNOSUPPORT: no connection
to any address, no DNS lookup, whatever the query says. Irreversible, inherited by new threads.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import struct

DENIED_ERRNO = errno.EPFNOSUPPORT  # "Protocol family not supported": never a file error

# machine: (AUDIT_ARCH_*, socket, socketpair, io_uring_setup, seccomp) system call numbers
_ARCH = {
    "x86_64": (0xC000003E, 41, 53, 425, 317),
    "aarch64": (0xC00000B7, 198, 199, 425, 277),
}
_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_FILTER_FLAG_TSYNC = 1
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_X32_SYSCALL_BIT = 0x40000000


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _filter(arch: int, denied: tuple[int, ...]) -> bytes:
    def op(code: int, jt: int, jf: int, k: int) -> bytes:
        return struct.pack("HBBI", code, jt, jf, k)

    deny = op(0x06, 0, 0, _RET_ERRNO | DENIED_ERRNO)  # BPF_RET|BPF_K
    program = [
        op(0x20, 0, 0, 4),  # A = seccomp_data.arch
        op(0x15, 1, 0, arch),  # native ABI: go on; any other ABI (i386, ...) is refused outright
        deny,
        op(0x20, 0, 0, 0),  # A = seccomp_data.nr
        op(0x35, len(denied) + 1, 0, _X32_SYSCALL_BIT),  # x32 ABI numbers: refused
    ]
    for n, number in enumerate(denied):
        program.append(op(0x15, len(denied) - n, 0, number))  # to the final deny
    program += [op(0x06, 0, 0, _RET_ALLOW), deny]
    return b"".join(program)


def deny_network() -> None:
    """Install the filter in this process, or raise OSError/RuntimeError if the platform cannot (a
    worker must not run queries without it)."""
    machine = platform.machine()
    if machine not in _ARCH:
        raise RuntimeError(f"no seccomp filter for {machine}: the query worker would have network")
    arch, socket_nr, socketpair_nr, io_uring_nr, seccomp_nr = _ARCH[machine]
    code = _filter(arch, (socket_nr, socketpair_nr, io_uring_nr))
    buffer = ctypes.create_string_buffer(code, len(code))
    program = _Program(len(code) // 8, ctypes.addressof(buffer))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    flags = _SECCOMP_FILTER_FLAG_TSYNC
    if libc.syscall(seccomp_nr, _SECCOMP_SET_MODE_FILTER, flags, ctypes.byref(program)) != 0:
        raise OSError(ctypes.get_errno(), "seccomp(SECCOMP_SET_MODE_FILTER) failed")
