"""Real `ideaboard` processes on 127.0.0.1 for the scale-out tests: app servers and a
worker started the way deploy/ starts them, each with its own data directory, so
nothing can pass between them except through PostgreSQL."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

CLI = [sys.executable, "-m", "ideaboard.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    url: str = ""

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no goodbye, as when a machine dies."""
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


@dataclass
class Cluster:
    """Processes sharing one database and one secret key."""

    env: dict[str, str]
    workdir: Path
    processes: list[Process] = field(default_factory=list)

    def _start(self, name: str, args: list[str], extra: dict[str, str]) -> Process:
        data_dir = self.workdir / name
        data_dir.mkdir(parents=True, exist_ok=True)
        log = self.workdir / f"{name}.log"
        with log.open("wb") as output:  # the child keeps its own copy of the handle
            popen = subprocess.Popen(
                [*CLI, *args],
                env={**os.environ, **self.env, "IDEABOARD_DATA_DIR": str(data_dir), **extra},
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        process = Process(name, popen, log)
        self.processes.append(process)
        return process

    def app(self, name: str, **extra: str) -> Process:
        port = free_port()
        process = self._start(name, ["serve", "--port", str(port)], extra)
        process.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{process.url}/healthz", timeout=2).status_code == 200:
                    return process
            except httpx.TransportError:
                pass
            if process.popen.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start:\n{process.output()}")
            time.sleep(0.1)

    def worker(self, name: str = "worker", **extra: str) -> Process:
        process = self._start(name, ["worker"], extra)
        deadline = time.monotonic() + 30
        while "ideaboard worker:" not in process.output():
            if process.popen.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start:\n{process.output()}")
            time.sleep(0.1)
        return process

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """A one-off command (`digest send`, ...) against the same database."""
        return subprocess.run(
            [*CLI, *args],
            env={**os.environ, **self.env, "IDEABOARD_DATA_DIR": str(self.workdir / "cli")},
            capture_output=True,
            text=True,
            timeout=120,
        )

    def stop(self) -> None:
        for process in self.processes:
            process.stop()
