"""wrk for attack.py's overload part: a Lua script rotating the given requests (SPARQL bodies made
distinct), that counts answers by status (2xx, 4xx, 503, other 5xx) and every 503 without a
Retry-After header, and prints them with wrk's summary as one JSON line."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from bench.common import LOOPBACK, require
from bench.load import LUA_THREADS
from bench.load import lua_string as lua

# each thread's `tid` (LUA_THREADS) makes its bodies distinct from the other thread's: a script-level
# `local tid` counter, as here before, hid it, so both threads sent the same texts
OVERLOAD_LUA = """
local requests = {}
local counter = 0
""" + LUA_THREADS + """
function init(args)
  s2xx, s4xx, s503, s5xx, no_retry_after, other = 0, 0, 0, 0, 0, 0
%(requests)s
end
function request()
  counter = counter + 1
  local r = requests[(counter %% #requests) + 1]
  local body = r[4]
  if body ~= nil then body = body .. "\\n# " .. %(nonce)s .. "-" .. tid .. "-" .. counter end
  return wrk.format(r[1], r[2], r[3], body)
end
function response(status, headers, body)
  if status >= 200 and status < 300 then s2xx = s2xx + 1
  elseif status == 503 then
    s503 = s503 + 1
    if headers["Retry-After"] == nil and headers["retry-after"] == nil then no_retry_after = no_retry_after + 1 end
  elseif status >= 500 then s5xx = s5xx + 1
  elseif status >= 400 then s4xx = s4xx + 1
  else other = other + 1 end
end
function done(summary, latency, requests_)
  local t = {s2xx = 0, s4xx = 0, s503 = 0, s5xx = 0, no_retry_after = 0, other = 0}
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + thread:get(k) end
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%%d,"duration_us":%%d,"p50_us":%%d,"p99_us":%%d,"max_us":%%d,' ..
    '"err_connect":%%d,"err_read":%%d,"err_write":%%d,"err_timeout":%%d,"s2xx":%%d,"s4xx":%%d,' ..
    '"s503":%%d,"s5xx":%%d,"no_retry_after":%%d,"other":%%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.timeout, t.s2xx, t.s4xx, t.s503, t.s5xx, t.no_retry_after, t.other))
end
"""


def script(requests: list[tuple[str, str, dict[str, str], str | None]], path: Path) -> Path:
    """The Lua script rotating `requests` (method, path, headers, body or None), written to `path`."""
    lines = []
    for i, (method, target, headers, body) in enumerate(requests, start=1):
        head = ", ".join(f"[{lua(k)}] = {lua(v)}" for k, v in headers.items())
        lines.append(f"  requests[{i}] = {{{lua(method)}, {lua(target)}, {{{head}}}, {lua(body) if body else 'nil'}}}")
    path.write_text(OVERLOAD_LUA % {"requests": "\n".join(lines), "nonce": lua(str(time.time_ns()))})
    return path


def wrk(port: int, script: Path, connections: int, duration: int) -> subprocess.Popen[str]:
    """wrk started (2 threads, 15 s client time-out) on 127.0.0.1:port with `script`."""
    binary = require("wrk")
    if binary is None:
        raise RuntimeError("the overload part needs wrk (apt-get install wrk)")
    command = [binary, "-t2", f"-c{connections}", f"-d{duration}s", "--timeout=15s", "-s", str(script),
               f"http://{LOOPBACK}:{port}"]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def result(process: subprocess.Popen[str], duration: int) -> dict[str, object]:
    """The figures of a wrk run started by `wrk`, once it has finished."""
    out, err = process.communicate(timeout=duration + 60)
    line = next((x for x in out.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no summary:\n{out}\n{err}")
    raw = json.loads(line[len("WRKJSON ") :])
    return {"requests": raw["requests"], "rps": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
            "p50_ms": raw["p50_us"] / 1000, "p99_ms": raw["p99_us"] / 1000, "max_ms": raw["max_us"] / 1000,
            "timeouts": raw["err_timeout"], "socket_errors": raw["err_connect"] + raw["err_read"] + raw["err_write"],
            "status_2xx": raw["s2xx"], "status_503": raw["s503"], "status_other_5xx": raw["s5xx"],
            "status_4xx": raw["s4xx"], "status_other": raw["other"],
            "503_without_retry_after": raw["no_retry_after"]}  # fmt: skip
