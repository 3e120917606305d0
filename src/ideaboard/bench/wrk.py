"""Drive a server with wrk and read its figures back (through a Lua `done` hook)."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# `fivexx` is counted by scripts that define a `response` hook (it costs wrk time, so
# only the soak does); each thread keeps its own, summed here.
REPORT = """
local threads = {}
setup = function(thread) table.insert(threads, thread) end
done = function(summary, latency, requests)
  local e = summary.errors
  local fivexx = 0
  for _, thread in ipairs(threads) do fivexx = fivexx + (thread:get("fivexx") or 0) end
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "errors": %d, "p50_us": %d, "p99_us": %d,'
    .. ' "status_5xx": %d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99), fivexx))
end
"""


@dataclass(frozen=True)
class Result:
    name: str
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float
    status_5xx: int = 0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def lua_list(values: list[str]) -> str:
    return "{" + ", ".join(json.dumps(value) for value in values) + "}"


def request_script(
    *,
    paths: list[str],
    headers: dict[str, str],
    method: str = "GET",
    bodies: list[str] | None = None,
) -> str:
    """A wrk script picking a random path (and body) for every request."""
    header_lines = "\n".join(
        f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()
    )
    return f"""
wrk.method = "{method}"
{header_lines}
local paths = {lua_list(paths)}
local bodies = {lua_list(bodies or [""])}
math.randomseed(42)
request = function()
  local body = bodies[math.random(#bodies)]
  if body == "" then body = nil end
  return wrk.format(nil, paths[math.random(#paths)], nil, body)
end
{REPORT}
"""


def require_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit(
            "make bench needs wrk, the HTTP load generator: apt-get install wrk "
            "(Debian/Ubuntu) or brew install wrk (macOS)."
        )
    return path


def run(
    name: str,
    base_url: str,
    script: str,
    *,
    seconds: float,
    connections: int = 8,
    threads: int = 1,
    every: tuple[float, Callable[[], None]] | None = None,
) -> Result:
    """Run wrk for `seconds`; `every=(interval, call)` calls `call()` that often meanwhile."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    command = [
        require_wrk(), f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
        "--timeout", "10s", "-s", handle.name, base_url,
    ]  # fmt: skip
    try:
        with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
            if every is not None:
                interval, call = every
                while process.poll() is None:
                    call()
                    time.sleep(interval)
            stdout, _ = process.communicate(timeout=seconds + 60)
        if process.returncode != 0:
            raise subprocess.CalledProcessError(process.returncode, command, stdout)
    finally:
        Path(handle.name).unlink()
    line = next(line for line in stdout.splitlines() if line.startswith("BENCH "))
    figures = json.loads(line.removeprefix("BENCH "))
    return Result(
        name=name,
        requests=figures["requests"],
        seconds=figures["duration_us"] / 1e6,
        errors=figures["errors"],
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        status_5xx=figures["status_5xx"],
    )


@dataclass(frozen=True)
class Load:
    """What one wrk run drives: a name for the table, a server and a request script."""

    name: str
    base_url: str
    script: str


def merged(name: str, turns: list[Result]) -> Result:
    """One figure from several turns: requests and time add up; p50 is the turns' p50
    weighted by their requests, p99 the worst turn's (percentiles do not add)."""
    requests = sum(t.requests for t in turns)
    return Result(
        name=name,
        requests=requests,
        seconds=sum(t.seconds for t in turns),
        errors=sum(t.errors for t in turns),
        p50_ms=sum(t.p50_ms * t.requests for t in turns) / requests if requests else 0.0,
        p99_ms=max(t.p99_ms for t in turns),
        status_5xx=sum(t.status_5xx for t in turns),
    )


def run_alternately(
    first: Load, second: Load, *, seconds: float, connections: int = 8, turns: int = 5
) -> tuple[Result, Result]:
    """`first` and `second` in alternate turns, `seconds` each in all. A ratio of the two
    then holds even on a machine whose speed drifts over a minute (other tenants of a
    virtual machine, a laptop's turbo): each drift falls on both alike."""
    turns = max(1, min(turns, round(seconds)))  # wrk counts whole seconds
    a: list[Result] = []
    b: list[Result] = []
    for _ in range(turns):
        for load, results in ((first, a), (second, b)):
            results.append(
                run(load.name, load.base_url, load.script, seconds=seconds / turns,
                    connections=connections)
            )  # fmt: skip
    return merged(first.name, a), merged(second.name, b)
