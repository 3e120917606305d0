"""Do sign-in, sign-up and password reset take as long for an address with an account
as for one without? If not, the answer's timing tells a stranger who works here.

Each round sends the same request for a known and an unknown address, in alternating
order, one at a time, each from its own client address (so that no abuse limit is hit;
the server trusts X-Forwarded-For from the bench). Figures are medians in ms.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import httpx

FLOWS = ("sign-in", "sign-up", "reset")
PAUSE = 0.2  # lets a sign-up's background hash finish before the next request


@dataclass(frozen=True)
class Timing:
    flow: str
    known_ms: float
    unknown_ms: float
    statuses: tuple[int, ...]  # every answer's status, known and unknown alike

    @property
    def ratio(self) -> float:
        return self.known_ms / self.unknown_ms if self.unknown_ms else 0.0


def _form(flow: str, email: str, csrf: str) -> tuple[str, dict[str, str]]:
    if flow == "sign-in":
        return "/login", {"email": email, "password": "not the password", "_csrf_token": csrf}
    if flow == "sign-up":
        return "/signup", {
            "name": "Timing Test",
            "email": email,
            "password": "a long enough passphrase",
            "department_id": "1",
            "_csrf_token": csrf,
        }
    return "/password/forgot", {"email": email, "_csrf_token": csrf}


def measure(base_url: str, known: list[str], csrf: str) -> list[Timing]:
    """`known`: addresses with an account, one per round."""
    timings = []
    sender = 0
    with httpx.Client(base_url=base_url, cookies={"csrftoken": csrf}, timeout=30) as client:
        for flow in FLOWS:
            spent: dict[bool, list[float]] = {True: [], False: []}
            statuses = []
            for n, address in enumerate(known):
                pair = [(True, address), (False, f"nobody-{n}-{flow}@example.com")]
                for is_known, email in pair if n % 2 else reversed(pair):
                    sender += 1
                    path, form = _form(flow, email, csrf)
                    headers = {"X-Forwarded-For": f"10.9.{sender // 250}.{sender % 250 + 1}"}
                    started = time.perf_counter()
                    response = client.post(path, data=form, headers=headers)
                    spent[is_known].append((time.perf_counter() - started) * 1000)
                    statuses.append(response.status_code)
                    time.sleep(PAUSE)
            timings.append(
                Timing(
                    flow,
                    round(statistics.median(spent[True]), 2),
                    round(statistics.median(spent[False]), 2),
                    tuple(sorted(set(statuses))),
                )
            )
    return timings


def widest_gap(timings: list[Timing]) -> float:
    """How far apart known and unknown are, at worst: |known / unknown - 1|."""
    return round(max(abs(t.ratio - 1) for t in timings), 3)
