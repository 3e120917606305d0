"""Run the benchmark: baselines, then the board on SQLite (and PostgreSQL), in one run.

Every target is a ratio of two figures measured here, minutes apart, on the same
machine, so the verdicts hold on a laptop as on a server.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from litestar.middleware.csrf import generate_csrf_token

from ideaboard.bench import dataset, digest, enumeration, pages, servers, wrk
from ideaboard.bench.figures import met, ratios, report
from ideaboard.domain import CLOSED_STATUSES
from ideaboard.security import session_csrf_token

SECRET = "benchmark-secret-" + "k" * 32
WARM_UP_SECONDS = 5


@dataclass(frozen=True)
class Plan:
    size: dataset.Size
    small_ideas: int
    seconds: float
    connections: int
    backends: tuple[str, ...]
    output: Path
    smoke: bool = False
    soak_minutes: float = 10
    pages_only: bool = False


def parse_args(argv: list[str] | None) -> Plan:
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__)
    parser.add_argument("--ideas", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--votes", type=int, default=1_000_000)
    parser.add_argument("--comments", type=int, default=200_000)
    parser.add_argument(
        "--small-ideas", type=int, default=1_000, help="the board's size for growth"
    )
    parser.add_argument("--seconds", type=float, default=10, help="wrk duration per endpoint")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--smoke", action="store_true", help="tiny dataset, one second each")
    parser.add_argument(
        "--soak", action="store_true", help="hold half the maximum rate (see bench.soak)"
    )
    parser.add_argument(
        "--pages", action="store_true", help="only the page costs, on the demo company"
    )
    parser.add_argument("--minutes", type=float, default=10, help="how long the soak lasts")
    parser.add_argument("--output", type=Path, default=Path("var/bench/latest.json"))
    args = parser.parse_args(argv)
    size = dataset.Size(
        users=args.users, ideas=args.ideas, votes=args.votes, comments=args.comments
    )
    small, seconds = args.small_ideas, args.seconds
    if args.smoke:
        size, small, seconds = dataset.Size(users=50, ideas=300, votes=1500, comments=300), 60, 1
    postgres = os.environ.get("IDEABOARD_TEST_POSTGRES_URL", "").strip()
    backends = ("sqlite", "postgres") if postgres and not args.smoke else ("sqlite",)
    return Plan(
        size, small, seconds, args.connections, backends, args.output, args.smoke, args.minutes,
        args.pages,
    )  # fmt: skip


def headers(token: str, csrf: str) -> dict[str, str]:
    return {"Cookie": f"ideaboard_session={token}; csrftoken={csrf}"}


def post_headers(token: str, csrf: str) -> dict[str, str]:
    return {
        **headers(token, csrf),
        "Content-Type": "application/x-www-form-urlencoded",
        "HX-Request": "true",
    }


def board_env(plan: Plan, url: str) -> dict[str, str]:
    return {
        "IDEABOARD_DATABASE_URL": url,
        "IDEABOARD_SECRET_KEY": SECRET,
        "IDEABOARD_DATA_DIR": str(plan.output.parent),
        # As with several app servers: the scheduler and mail run in `ideaboard worker`,
        # so no digest starts on its own in the middle of a measurement.
        "IDEABOARD_BACKGROUND_JOBS": "false",
        # Issue #18: every figure is of pages cheap by construction, not by a cache.
        "IDEABOARD_PAGE_CACHE": "off",
    }


def measure_pages(
    plan: Plan, url: str, visit: pages.Visit, baseline: str, figures: dict[str, float]
) -> list[wrk.Result]:
    """Each main page's cost at one connection, against the bare GET (`bench.pages`)."""
    with servers.serving(servers.board_server(workers=1), board_env(plan, url), "/healthz") as base:
        warm = pages.scripts(SECRET, visit)
        for script in warm.values():
            wrk.run("warm-up", base, script, seconds=1, connections=1)
        results, ratios = pages.measure(SECRET, visit, base, baseline, seconds=plan.seconds)
    figures.update(ratios)
    return results


def dataset_visit(backend: str, url: str, rows: dataset.Rows) -> pages.Visit:
    """The bench company's visitors: a member, and the manager of department 1."""
    open_ids = [i[0] for i in rows.ideas if i[7] not in CLOSED_STATUSES][::7][:500]
    return pages.Visit(
        label=f"{len(rows.ideas):,} {backend}",
        member_token=pages.new_session(backend, url, dataset.MEMBER),
        manager_token=pages.new_session(backend, url, dataset.MANAGER),
        idea_ids=[idea[0] for idea in rows.ideas[:: max(1, len(rows.ideas) // 500)]],
        open_idea_ids=open_ids,
        words=dataset.WORDS[:40],
    )


def measure_board(
    plan: Plan,
    backend: str,
    url: str,
    token: str,
    rows: dataset.Rows,
    *,
    manager: str,
    digests: dict[str, digest.DigestRun],
    baseline: str,
) -> list[wrk.Result]:
    """The board's runs at `plan.connections`; `baseline` is the baseline server, whose
    bare POST is measured in turns with the vote's. `token` is the admin's session,
    `manager` the session of department 1's manager."""
    csrf = generate_csrf_token(SECRET)  # a visitor's, for the baseline server
    mine = session_csrf_token(SECRET, token)  # the signed-in session's own
    env = board_env(plan, url)
    label = f"{backend} {len(rows.ideas):,}"
    results = []
    with servers.serving(servers.board_server(workers=1), env, "/healthz") as base:

        def get(name: str, paths: list[str], session: str = token) -> None:
            own = session_csrf_token(SECRET, session)
            script = wrk.request_script(paths=paths, headers=headers(session, own))
            run = wrk.run(
                f"{name} ({label})", base, script, seconds=plan.seconds,
                connections=plan.connections,
            )  # fmt: skip
            results.append(run)

        ids = [str(idea[0]) for idea in rows.ideas[:: max(1, len(rows.ideas) // 500)]]
        # Not measured: the first requests after a start read a cold database cache,
        # which says nothing of the board a day into its life.
        warm = [f"/?sort={sort}" for sort in ("hot", "top", "new", "trending")]
        warm += [f"/ideas/{n}" for n in ids] + [f"/?q={word}" for word in dataset.WORDS[:40]]
        warming = wrk.request_script(paths=warm, headers=headers(token, mine))
        seconds = min(WARM_UP_SECONDS, plan.seconds)
        wrk.run("warm-up", base, warming, seconds=seconds, connections=plan.connections)
        get("board hot", ["/"])
        for sort in ("top", "new", "trending"):
            get(f"board {sort}", [f"/?sort={sort}"])
        get("idea page", [f"/ideas/{n}" for n in ids])
        get("search", [f"/?q={word}" for word in dataset.WORDS[:40]])
        # /insights, read from what its loop counted ahead (dataset.count_insights), each
        # page in turns with the board (its p99 is the figure's yardstick, and a tail
        # moves with the machine's mood): an admin's default quarter and year, a
        # manager's quarter, and dates of one's choice, a year from a Wednesday and the
        # longest range allowed (five years, past the dataset's first idea), issue #22.
        today = datetime.now(UTC).date()
        pages = [("quarter", "", token), ("year", "range=year", token),
                 ("manager", "", manager)]  # fmt: skip
        for name, days in (("custom year", 362), ("custom 5 years", 5 * 365 - 7)):
            start = (today - timedelta(days=days)).isoformat()
            pages.append((name, f"range=custom&start={start}&end={today}", token))
        board = wrk.request_script(paths=["/"], headers=headers(token, mine))
        for name, query, session in pages:
            own = session_csrf_token(SECRET, session)
            page = wrk.request_script(paths=[f"/insights?{query}"], headers=headers(session, own))
            turns = wrk.run_alternately(
                wrk.Load(f"board hot (beside insights {name}, {label})", base, board),
                wrk.Load(f"insights {name} ({label})", base, page),
                seconds=plan.seconds,
                connections=plan.connections,
            )
            results.extend(turns)
        open_ids = [str(i[0]) for i in rows.ideas if i[7] not in CLOSED_STATUSES][::7][:500]
        script = wrk.request_script(
            method="POST",
            paths=[f"/ideas/{n}/vote" for n in open_ids],
            headers=post_headers(token, mine),
            bodies=[f"voted={v}&_csrf_token={mine}" for v in (0, 1)],
        )
        results.extend(
            wrk.run_alternately(
                wrk.Load(f"bare POST (beside {label})", baseline, bare_post_script(csrf)),
                wrk.Load(f"vote POST ({label})", base, script),
                seconds=plan.seconds,
                connections=plan.connections,
            )
        )
        digests[backend] = digest.send_digest(env, lambda: get("board hot during digest", ["/"]))
    if backend == "postgres":
        # Scale-out, measured: the same board from two app processes (uvicorn workers
        # sharing the port, as two servers behind a proxy share the load).
        with servers.serving(servers.board_server(workers=2), env, "/healthz") as base:
            get("board hot, 2 processes", ["/"])
    return results


def measure_enumeration(plan: Plan, url: str) -> list[enumeration.Timing]:
    env = {
        **board_env(plan, url),
        # Each request comes "from" its own address, so no per-address limit is reached.
        "IDEABOARD_FORWARDED_ALLOW_IPS": "127.0.0.1",
    }
    # Medians of 60 pairs: a few milliseconds each, so fewer leave the machine's noise
    # (a millisecond here and there) larger than the 10 % margin.
    rounds = 4 if plan.smoke else 60
    known = [f"user{n}@example.com" for n in range(2, rounds + 2)]
    with servers.serving(servers.board_server(workers=1), env, "/healthz") as base:
        return enumeration.measure(base, known, generate_csrf_token(SECRET))


def bare_post_script(csrf: str) -> str:
    return wrk.request_script(
        method="POST",
        paths=["/bare"],
        headers={
            "Cookie": f"csrftoken={csrf}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        bodies=[f"next=/&_csrf_token={csrf}"],
    )


def baseline_env(plan: Plan) -> dict[str, str]:
    return {"IDEABOARD_SECRET_KEY": SECRET, "IDEABOARD_DATA_DIR": str(plan.output.parent)}


def measure_baselines(plan: Plan, baseline: str) -> list[wrk.Result]:
    """Each baseline alone, for the table; the ratios use the turns beside the board."""
    csrf = generate_csrf_token(SECRET)
    run = [
        ("bare GET", wrk.request_script(paths=["/bare"], headers={"Cookie": f"csrftoken={csrf}"})),
        ("bare POST", bare_post_script(csrf)),
    ]
    return [
        wrk.run(name, baseline, script, seconds=plan.seconds, connections=plan.connections)
        for name, script in run
    ]


def measure_backends(
    plan: Plan,
    digests: dict[str, digest.DigestRun],
    timings: list[enumeration.Timing],
    baseline: str,
    figures: dict[str, float],
) -> list[wrk.Result]:
    """Every backend: the demo company's page costs, then the bench company at the small
    size and at the full one, each on a fresh database, the small one kept beside the
    full one for the growth figure."""
    results: list[wrk.Result] = []
    for backend in plan.backends:
        print(f"{backend}: the demo company…", flush=True)
        with dataset.database(backend, f"{backend}-demo", plan.output.parent) as url:
            subprocess.run(
                [sys.executable, "-m", "ideaboard.cli", "demo"],
                env={**os.environ, **board_env(plan, url)}, check=True, capture_output=True,
            )  # fmt: skip
            visit = pages.demo_visit(backend, url)
            results += measure_pages(plan, url, visit, baseline, figures)
        if plan.pages_only:
            continue
        small_size = dataset.scaled(plan.size, plan.small_ideas)
        print(f"{backend}: {small_size.ideas:,} ideas, {small_size.votes:,} votes…", flush=True)
        small_rows = dataset.build_rows(small_size)
        small_label = f"{backend}-{plan.small_ideas}"
        with dataset.database(backend, small_label, plan.output.parent) as small_url:
            small = Loaded(small_url, dataset.load(backend, small_url, small_rows), small_rows)
            if backend == "sqlite":
                print("sqlite: sign-in, sign-up and reset, known vs unknown…", flush=True)
                timings.extend(measure_enumeration(plan, small_url))
            size = dataset.scaled(plan.size, plan.size.ideas)
            print(f"{backend}: {size.ideas:,} ideas, {size.votes:,} votes…", flush=True)
            rows = dataset.build_rows(size)
            label = f"{backend}-{plan.size.ideas}"
            with dataset.database(backend, label, plan.output.parent) as url:
                large = Loaded(url, dataset.load(backend, url, rows), rows)
                results += measure_growth(plan, backend, small, large)
                visit = dataset_visit(backend, url, rows)
                results += measure_pages(plan, url, visit, baseline, figures)
                results += measure_board(
                    plan, backend, url, large.token, rows, manager=visit.manager_token,
                    digests=digests, baseline=baseline,
                )  # fmt: skip
    return results


@dataclass(frozen=True)
class Loaded:
    url: str
    token: str  # the admin's session
    rows: dataset.Rows


def measure_growth(plan: Plan, backend: str, small: Loaded, large: Loaded) -> list[wrk.Result]:
    """The hot board of the small and the full company, served side by side and measured
    in alternate turns: their ratio holds while the machine's speed drifts."""
    loads = []
    with contextlib.ExitStack() as servers_up:
        for loaded in (small, large):
            base = servers_up.enter_context(servers.serving(
                servers.board_server(workers=1), board_env(plan, loaded.url), "/healthz"
            ))  # fmt: skip
            mine = session_csrf_token(SECRET, loaded.token)
            script = wrk.request_script(paths=["/"], headers=headers(loaded.token, mine))
            seconds = min(WARM_UP_SECONDS, plan.seconds)
            wrk.run("warm-up", base, script, seconds=seconds, connections=plan.connections)
            name = f"board hot, growth ({backend} {len(loaded.rows.ideas):,})"
            loads.append(wrk.Load(name, base, script))
        return list(wrk.run_alternately(
            loads[0], loads[1], seconds=plan.seconds * 2, connections=plan.connections
        ))  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    plan = parse_args(argv)
    wrk.require_wrk()
    plan.output.parent.mkdir(parents=True, exist_ok=True)
    results: list[wrk.Result] = []
    digests: dict[str, digest.DigestRun] = {}
    timings: list[enumeration.Timing] = []
    page_costs: dict[str, float] = {}
    print(f"Baselines ({plan.seconds:g} s each)…", flush=True)
    with servers.serving(servers.baseline_server(workers=1), baseline_env(plan), "/bare") as base:
        results += measure_baselines(plan, base)
        results += measure_backends(plan, digests, timings, base, page_costs)
    by_name = {r.name: r for r in results}
    figures: dict[str, float | None] = {**page_costs}
    if not plan.pages_only:
        figures |= ratios(by_name, digests, timings)
    errors = (
        sum(r.errors for r in results)
        + sum(d.returncode != 0 for d in digests.values())
        + sum(len(t.statuses) != 1 for t in timings)  # known and unknown answered apart
    )
    print(report(results, figures))
    for t in timings:
        print(
            f"{t.flow} (sqlite): known {t.known_ms:.1f} ms, unknown {t.unknown_ms:.1f} ms"
            f" (median), status {', '.join(map(str, t.statuses))}"
        )
    for backend, run in digests.items():
        print(
            f"digest ({backend}): {run.readers:,} readers in {run.seconds:.1f} s"
            f" = {run.readers_per_second:.0f}/s, sender's peak RSS {run.peak_rss_mb:.0f} MB"
            + ("" if run.returncode == 0 else f", exit code {run.returncode}")
        )
    print(f"{'errors':<40} {errors:>9}")
    document = {
        **figures,
        "errors": errors,
        "runs": [asdict(r) | {"rps": round(r.rps, 1)} for r in results],
        "digests": {
            backend: asdict(run) | {"readers_per_second": round(run.readers_per_second, 1)}
            for backend, run in digests.items()
        },
        "enumeration": [asdict(t) | {"ratio": round(t.ratio, 3)} for t in timings],
        "dataset": asdict(plan.size),
        "seconds_per_run": plan.seconds,
        "connections": plan.connections,
        "measured_at": datetime.now(UTC).isoformat(),
    }
    plan.output.write_text(json.dumps(document, indent=2))
    print(f"Figures written to {plan.output}")
    missed = [key for key, value in figures.items() if not met(key, value)]
    if plan.smoke:
        return 1 if errors else 0  # a tiny dataset: the harness is checked, not the targets
    if missed or errors:
        print(f"Missed: {', '.join(missed) or 'none'}; errors: {errors}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
