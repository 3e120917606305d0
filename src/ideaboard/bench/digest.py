"""The weekly digest under load: `ideaboard digest send` for every reader, into a local
SMTP sink, while wrk reads the board. Reports readers per second, the sender's peak
memory, and the board's p99 during the run next to its p99 alone."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from ideaboard.bench import servers
from ideaboard.weeks import DigestSchedule, latest_digest_week


class CountingSink:
    """An SMTP server that accepts everything and only counts (aiosmtpd handler)."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.count += 1
        return "250 OK"


@dataclass(frozen=True)
class DigestRun:
    readers: int
    seconds: float
    peak_rss_mb: float
    returncode: int

    @property
    def readers_per_second(self) -> float:
        return self.readers / self.seconds if self.seconds else 0.0


def _peak_rss_mb(pid: int) -> float | None:
    """The process's high-water mark of resident memory (Linux /proc), or None."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def send_digest(env: dict[str, str], while_running: Any) -> DigestRun:
    """Run the digest for the week just past into a counting sink; call `while_running()`
    (a wrk run on the board) meanwhile."""
    handler = CountingSink()
    port = servers.free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    week = latest_digest_week(datetime.now(UTC), DigestSchedule())
    try:
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "ideaboard.cli", "digest", "send", "--week", week],
            env={
                **os.environ,
                **env,
                "IDEABOARD_SMTP_URL": f"smtp://127.0.0.1:{port}?starttls=off",
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        peak = 0.0

        def watch() -> None:
            nonlocal peak
            while process.poll() is None:
                peak = max(peak, _peak_rss_mb(process.pid) or 0.0)
                time.sleep(0.05)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        while_running()
        returncode = process.wait()
        seconds = time.monotonic() - started
        watcher.join()
    finally:
        controller.stop()
    return DigestRun(
        readers=handler.count, seconds=seconds, peak_rss_mb=round(peak, 1), returncode=returncode
    )
