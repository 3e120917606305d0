"""A seconds-long run of `make bench`, so the harness cannot rot between real runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ideaboard.bench.figures import TARGETS
from ideaboard.bench.pages import TARGETS as PAGE_TARGETS

if shutil.which("wrk") is None:
    if os.environ.get("CI"):
        pytest.fail("wrk is missing: CI must install Debian's wrk", pytrace=False)
    pytest.skip("the benchmark smoke test needs wrk (apt-get install wrk)", allow_module_level=True)


def test_bench_smoke_run_writes_every_figure(tmp_path: Path) -> None:
    output = tmp_path / "bench" / "latest.json"
    env = {k: v for k, v in os.environ.items() if k != "IDEABOARD_TEST_POSTGRES_URL"}
    completed = subprocess.run(
        [sys.executable, "-m", "ideaboard.bench", "--smoke", "--output", str(output)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr
    figures = json.loads(output.read_text())
    for key in TARGETS:
        assert key in figures
    # Each main page's cost, on the demo company and on the bench company (300 ideas).
    pages = [f"page_{page}_vs_bare_{label}" for page in PAGE_TARGETS
             for label in ("demo_sqlite", "300_sqlite")]  # fmt: skip
    for measured in [
        *pages,
        "vote_vs_bare_post",
        "board_p50_growth_1k_to_100k",
        "search_p99_vs_board_p99",
        "insights_p99_vs_board_p99",
        "digest_readers_per_second",
        "board_p99_during_digest_vs_alone",
    ]:
        assert figures[measured] > 0
    assert figures["errors"] == 0
    names = {run["name"] for run in figures["runs"]}
    assert {
        "bare GET",
        "bare POST",
        "board page (demo sqlite)",
        "triage page (300 sqlite)",
    } <= names
    assert any(name.startswith("vote POST") for name in names)
    # Everyone in the smoke dataset (50 people) got the digest, in a sink that counted.
    assert figures["digests"]["sqlite"]["readers"] == 50
    assert figures["digests"]["sqlite"]["peak_rss_mb"] > 0
    assert "page_board_vs_bare_demo_sqlite" in completed.stdout
    # Known and unknown addresses were answered alike (one status per flow), and timed.
    flows = {t["flow"]: t for t in figures["enumeration"]}
    assert set(flows) == {"sign-in", "sign-up", "reset"}
    assert flows["sign-in"]["statuses"] == [422]
    assert flows["sign-up"]["statuses"] == flows["reset"]["statuses"] == [200]
    assert all(t["known_ms"] > 0 and t["unknown_ms"] > 0 for t in flows.values())


def test_soak_smoke_run_holds_half_the_rate_and_reports_memory(tmp_path: Path) -> None:
    output = tmp_path / "bench" / "latest.json"
    env = {k: v for k, v in os.environ.items() if k != "IDEABOARD_TEST_POSTGRES_URL"}
    completed = subprocess.run(
        [sys.executable, "-m", "ideaboard.bench", "--soak", "--smoke", "--output", str(output)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    soak = json.loads(output.with_name("soak.json").read_text())["sqlite"]
    assert soak["status_5xx"] == soak["database_locked"] == soak["tracebacks"] == 0
    assert 0 < soak["target_rps"] < soak["max_rps"]
    assert soak["run"]["requests"] > 0 and soak["run"]["errors"] == 0
    assert len(soak["rss_mb"]) >= 3 and soak["rss_end_mb"] > 0
    assert "rss_end_vs_warm" in completed.stdout
