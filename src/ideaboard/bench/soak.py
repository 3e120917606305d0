"""`make soak` (`make bench BENCH_ARGS=--soak`): the board under a steady mixed load for
ten minutes, at half the maximum rate measured a moment before on the same machine.

The load is what a busy office does: board pages in every sort, idea pages, searches,
votes and comments (htmx POSTs with the CSRF token). It passes with zero 5xx answers,
zero "database is locked" (or any traceback) in the server's log, and memory that stops
growing once warm: the resident set at the end is within 10 % of the one after warm-up.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ideaboard.bench import dataset, run, servers, wrk
from ideaboard.domain import CLOSED_STATUSES
from ideaboard.security import session_csrf_token

WARM_UP = 0.2  # the first fifth of the soak: caches fill, the allocator settles
TARGETS = {
    "status_5xx": ("<=", 0),
    "database_locked": ("<=", 0),
    "tracebacks": ("<=", 0),
    "rss_end_vs_warm": ("<=", 1.10),
}


@dataclass
class Soak:
    backend: str
    minutes: float
    max_rps: float = 0.0
    target_rps: float = 0.0
    delay_ms: int = 0
    result: wrk.Result | None = None
    database_locked: int = 0
    tracebacks: int = 0
    rss_mb: list[tuple[float, float]] = field(default_factory=list)  # (seconds in, MB)

    def rss_warm_mb(self) -> float:
        after = [mb for t, mb in self.rss_mb if t >= self.minutes * 60 * WARM_UP]
        return statistics.fmean(after[:3]) if after else 0.0

    def rss_end_mb(self) -> float:
        return statistics.fmean(mb for _, mb in self.rss_mb[-3:]) if self.rss_mb else 0.0

    def figures(self) -> dict[str, float]:
        assert self.result is not None
        return {
            "status_5xx": self.result.status_5xx,
            "database_locked": self.database_locked,
            "tracebacks": self.tracebacks,
            "rss_end_vs_warm": round(self.rss_end_mb() / self.rss_warm_mb(), 3)
            if self.rss_warm_mb()
            else 0.0,
        }


def mixed_script(token: str, csrf: str, rows: dataset.Rows, *, delay_ms: int | None) -> str:
    """A wrk script for the office's mix; with `delay_ms`, each connection pauses that
    long after every answer (the pacing), and 5xx answers are counted."""
    ideas = [str(i[0]) for i in rows.ideas[:: max(1, len(rows.ideas) // 500)]]
    open_ideas = [str(i[0]) for i in rows.ideas if i[7] not in CLOSED_STATUSES][::7][:500]
    boards = ["/", "/?sort=top", "/?sort=new", "/?sort=trending", "/?sort=discussed",
              "/?status=planned", "/?sort=top&status=under_review"]  # fmt: skip
    cookie = f"ideaboard_session={token}; csrftoken={csrf}"
    pacing = "" if delay_ms is None else f"delay = function() return {delay_ms} end"
    return f"""
local get_headers = {{["Cookie"] = "{cookie}"}}
local post_headers = {{["Cookie"] = "{cookie}", ["HX-Request"] = "true",
  ["Content-Type"] = "application/x-www-form-urlencoded"}}
local boards = {wrk.lua_list(boards)}
local ideas = {wrk.lua_list([f"/ideas/{n}" for n in ideas])}
local searches = {wrk.lua_list([f"/?q={word}" for word in dataset.WORDS[:40]])}
local votes = {wrk.lua_list([f"/ideas/{n}/vote" for n in open_ideas])}
local comments = {wrk.lua_list([f"/ideas/{n}/comments" for n in open_ideas[:100]])}
local csrf = "{csrf}"
local sent = 0
fivexx = 0
math.randomseed(7)
request = function()
  sent = sent + 1
  local r = math.random(100)
  if r <= 50 then return wrk.format("GET", boards[math.random(#boards)], get_headers)
  elseif r <= 72 then return wrk.format("GET", ideas[math.random(#ideas)], get_headers)
  elseif r <= 80 then return wrk.format("GET", searches[math.random(#searches)], get_headers)
  elseif r <= 96 then
    return wrk.format("POST", votes[math.random(#votes)], post_headers,
      "voted=" .. math.random(0, 1) .. "&_csrf_token=" .. csrf)
  else
    return wrk.format("POST", comments[math.random(#comments)], post_headers,
      "body=Soak+comment+number+" .. sent .. "&_csrf_token=" .. csrf)
  end
end
response = function(status, headers, body)
  if status >= 500 then fivexx = fivexx + 1 end
end
{pacing}
{wrk.REPORT}
"""


def resident_mb(pid: int) -> float:
    """Resident memory of a process and its children (uvicorn's workers), in MB."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        total += int(found.group(1)) / 1024 if found else 0.0
        pending += [int(child) for child in children]
    return total


def soak(plan: run.Plan, backend: str, minutes: float, warm_seconds: float) -> Soak:
    """Build and load the dataset, find the maximum rate, then hold half of it."""
    rows = dataset.build_rows(plan.size)
    outcome = Soak(backend, minutes)
    connections = plan.connections
    with dataset.database(backend, f"soak-{backend}", plan.output.parent) as url:
        token = dataset.load(backend, url, rows)
        csrf = session_csrf_token(run.SECRET, token)  # the signed-in session's own
        env = {
            "IDEABOARD_DATABASE_URL": url,
            "IDEABOARD_SECRET_KEY": run.SECRET,
            "IDEABOARD_DATA_DIR": str(plan.output.parent),
            "IDEABOARD_BACKGROUND_JOBS": "false",
        }
        with servers.serving_process(servers.board_server(workers=1), env, "/healthz") as server:
            flat_out = wrk.run("soak: maximum", server.url,
                               mixed_script(token, csrf, rows, delay_ms=None),
                               seconds=warm_seconds, connections=connections)  # fmt: skip
            outcome.max_rps = flat_out.rps
            outcome.target_rps = flat_out.rps / 2
            # Each connection waits for its answer, then pauses: interval = latency + pause.
            interval_ms = connections * 1000 / outcome.target_rps
            guess = max(1, int(interval_ms * 0.8))
            trial = wrk.run("soak: pacing", server.url,
                            mixed_script(token, csrf, rows, delay_ms=guess),
                            seconds=warm_seconds, connections=connections)  # fmt: skip
            latency_ms = max(0.0, connections * 1000 / trial.rps - guess) if trial.rps else 0.0
            outcome.delay_ms = max(1, round(interval_ms - latency_ms))
            started = time.monotonic()

            def sample() -> None:
                outcome.rss_mb.append(
                    (round(time.monotonic() - started, 1), round(resident_mb(server.pid), 1))
                )

            outcome.result = wrk.run(
                f"soak ({backend})", server.url,
                mixed_script(token, csrf, rows, delay_ms=outcome.delay_ms),
                seconds=minutes * 60, connections=connections,
                every=(max(1.0, minutes * 60 / 60), sample),
            )  # fmt: skip
            sample()
            log = server.log.read_text(errors="replace")
            outcome.database_locked = log.count("database is locked")
            outcome.tracebacks = log.count("Traceback (most recent call last)")
    return outcome


def report(soaks: list[Soak]) -> str:
    lines = []
    for s in soaks:
        assert s.result is not None
        r = s.result
        lines += [
            f"soak on {s.backend}: {s.minutes:g} min at half of {s.max_rps:.1f} req/s"
            f" (pause {s.delay_ms} ms per connection)",
            f"  achieved {r.rps:.1f} req/s (target {s.target_rps:.1f}), {r.requests:,} requests,"
            f" p50 {r.p50_ms:.1f} ms, p99 {r.p99_ms:.1f} ms, non-2xx/3xx {r.errors}",
            f"  resident memory: {s.rss_mb[0][1]:.0f} MB at start, {s.rss_warm_mb():.0f} MB"
            f" after warm-up, {s.rss_end_mb():.0f} MB at the end,"
            f" peak {max(mb for _, mb in s.rss_mb):.0f} MB",
        ]
        for key, value in s.figures().items():
            op, target = TARGETS[key]
            met = value <= target
            lines.append(f"  {key:<22} {value:>8}  {'met' if met else 'MISSED'} ({op} {target})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    plan = run.parse_args(argv)
    wrk.require_wrk()
    plan.output.parent.mkdir(parents=True, exist_ok=True)
    minutes = 0.1 if plan.smoke else plan.soak_minutes
    warm_seconds = 2 if plan.smoke else 20
    soaks = []
    for backend in plan.backends:
        print(f"Soak on {backend}: {plan.size.ideas:,} ideas, {minutes:g} minutes…", flush=True)
        soaks.append(soak(plan, backend, minutes, warm_seconds))
    print(report(soaks))
    output = plan.output.with_name("soak.json")
    output.write_text(
        json.dumps(
            {
                s.backend: {
                    **s.figures(),
                    "minutes": s.minutes,
                    "max_rps": round(s.max_rps, 1),
                    "target_rps": round(s.target_rps, 1),
                    "delay_ms": s.delay_ms,
                    "run": asdict(s.result) | {"rps": round(s.result.rps, 1)} if s.result else {},
                    "rss_mb": s.rss_mb,
                    "rss_warm_mb": round(s.rss_warm_mb(), 1),
                    "rss_end_mb": round(s.rss_end_mb(), 1),
                }
                for s in soaks
            }
            | {"dataset": asdict(plan.size), "measured_at": datetime.now(UTC).isoformat()},
            indent=2,
        )
    )
    print(f"Figures written to {output}")
    failed = any(value > TARGETS[key][1] for s in soaks for key, value in s.figures().items())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
