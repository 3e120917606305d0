"""One POST to a receiver someone else runs, with the guards a server-side request needs.

- Only http and https, to a name that resolves to public addresses; private, loopback,
  link-local and other special addresses are refused unless the operator allow-listed
  their network (`IDEABOARD_WEBHOOK_ALLOWED_NETWORKS`: an intranet board's receivers).
  A name with any refused address is refused: it cannot slip one in later.
- The address checked is the address used: the request goes to that IP, with the name in
  the Host header and in TLS (SNI and the certificate's check), so a second lookup
  cannot send it elsewhere (DNS rebinding).
- No redirect is followed, no proxy from the environment is used, the answer must come
  within the timeout, and at most `BODY_CAP` bytes of its body are read, for at most
  `BODY_SECONDS`: a slow or endless body is cut off, and the status still counts.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx2

BODY_CAP = 4096
BODY_SECONDS = 2.0
USER_AGENT = "ideaboard-webhooks/1"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(Exception):
    """The URL or the address it resolves to may not be sent to; the message says why."""


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no answer (refused, timed out, connection failed)
    body: str = ""
    error: str = ""

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def parse_networks(text: str) -> tuple[Network, ...]:
    """`10.0.0.0/8, 192.168.1.20` as networks; ValueError names what is not one."""
    networks = []
    for part in text.replace(";", ",").split(","):
        if part.strip():
            networks.append(ipaddress.ip_network(part.strip(), strict=False))
    return tuple(networks)


def check_url(url: str) -> str:
    """The reason this URL can never be sent to, or ""."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        return "The address must start with https:// (or http://)."
    if not parts.hostname:
        return "The address must name a host."
    if parts.username or parts.password:
        return "The address must not carry a user name or password."
    try:
        parts.port  # noqa: B018 (a bad port raises)
    except ValueError:
        return "The address has a port that is not a number."
    return ""


def allowed(address: Address, networks: tuple[Network, ...]) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if any(address in network for network in networks):
        return True
    return address.is_global and not address.is_multicast


async def resolve(host: str, port: int, networks: tuple[Network, ...]) -> Address:
    """The address to send to, after checking every address the name has."""
    try:
        literal: Address | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except OSError as error:
            raise Refused(f"{host} does not resolve: {error}") from None
        addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
    refused = [address for address in addresses if not allowed(address, networks)]
    if refused or not addresses:
        raise Refused(
            f"{host} resolves to {refused[0] if refused else 'nothing'}, a private or"
            " special address; allow its network in IDEABOARD_WEBHOOK_ALLOWED_NETWORKS"
            " to send there"
        )
    return addresses[0]


async def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    networks: tuple[Network, ...],
    seconds: float,
) -> Answer:
    """POST `body` to `url` under the guards above. Never raises for the receiver's
    faults: they come back as an Answer with `error`."""
    problem = check_url(url)
    if problem:
        return Answer(status=None, error=problem)
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        address = await resolve(host, port, networks)
    except Refused as error:
        return Answer(status=None, error=str(error))
    pinned = f"[{address}]" if address.version == 6 else str(address)
    target = urlunsplit((parts.scheme, f"{pinned}:{port}", parts.path or "/", parts.query, ""))
    limits = httpx2.Timeout(seconds, connect=min(seconds, 5.0))
    async with httpx2.AsyncClient(
        follow_redirects=False, trust_env=False, timeout=limits
    ) as client:
        request = client.build_request(
            "POST",
            target,
            content=body,
            headers={
                **headers,
                "Host": parts.netloc.rpartition("@")[2],
                "User-Agent": USER_AGENT,
                "Content-Type": "application/json",
            },
            extensions={"sni_hostname": host},
        )
        try:
            async with asyncio.timeout(seconds):
                response = await client.send(request, stream=True)
        except (httpx2.HTTPError, TimeoutError, OSError) as error:
            return Answer(status=None, error=_describe(error, seconds))
        try:
            text = await _read_some(response)
        finally:
            await response.aclose()
    if 300 <= response.status_code < 400:
        where = response.headers.get("location", "")[:200]
        return Answer(response.status_code, text, f"Redirects are not followed (to {where}).")
    return Answer(response.status_code, text)


async def _read_some(response: httpx2.Response) -> str:
    """The start of the body: up to BODY_CAP bytes, within BODY_SECONDS."""
    taken = bytearray()
    try:
        async with asyncio.timeout(BODY_SECONDS):
            async for chunk in response.aiter_raw():
                taken += chunk
                if len(taken) >= BODY_CAP:
                    break
    except (httpx2.HTTPError, TimeoutError, OSError):
        pass  # what came is enough: the status is the answer
    return bytes(taken[:BODY_CAP]).decode("utf-8", "replace")


def _describe(error: BaseException, seconds: float) -> str:
    if isinstance(error, TimeoutError | httpx2.TimeoutException):
        return f"No answer within {seconds:g} seconds."
    return f"{type(error).__name__}: {error}"[:500]
