"""Drive a server with wrk and read its figures back (through a Lua `done` hook)."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "errors": %d, "p50_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
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
    name: str, base_url: str, script: str, *, seconds: float, connections: int = 8, threads: int = 1
) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        completed = subprocess.run(
            [
                require_wrk(), f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
                "--timeout", "10s", "-s", handle.name, base_url,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        )  # fmt: skip
    finally:
        Path(handle.name).unlink()
    line = next(line for line in completed.stdout.splitlines() if line.startswith("BENCH "))
    figures = json.loads(line.removeprefix("BENCH "))
    return Result(
        name=name,
        requests=figures["requests"],
        seconds=figures["duration_us"] / 1e6,
        errors=figures["errors"],
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
    )
