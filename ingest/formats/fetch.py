"""Fetching a document from an http(s) URL, safely.

A bot that fetches any URL a chat user pastes can be turned against the network it runs in (cloud metadata
at 169.254.169.254, admin pages on 10.x hosts). So unless private addresses are allowed (intranet document
servers need that), every hop's host is resolved and refused when any address it resolves to is loopback,
link-local, private or otherwise not global. Redirects are followed by hand, at most five, so that each hop
is checked. The body is read as a stream and abandoned as soon as it passes the size limit.

Known limit: the address is checked when resolved here and httpx resolves again to connect, so a DNS server
that answers differently the second time (DNS rebinding) is not stopped. Pin `allow_private=False`
deployments behind an egress proxy when that matters.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from urllib.parse import unquote

import httpx

from ingest.errors import DocumentError
from ingest.formats.refusals import too_large_error

MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# The per-operation timeout bounds each connect and read; a server trickling bytes is bounded by this.
TOTAL_TIMEOUT_FACTOR = 3
USER_AGENT = "planbot/0.1 (+document loader)"

Resolver = Callable[[str, int], list[str]]


@dataclass(frozen=True, slots=True)
class FetchedBytes:
    content: bytes
    content_type: str | None
    final_url: str
    filename: str | None  # from Content-Disposition, else the last part of the URL path


def system_resolver(host: str, port: int) -> list[str]:
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def fetch_url(
    url: str,
    *,
    max_bytes: int,
    allow_private: bool,
    timeout: float,
    transport: httpx.BaseTransport | None = None,
    resolve: Resolver = system_resolver,
    max_redirects: int = MAX_REDIRECTS,
) -> FetchedBytes:
    """GET a URL's body. Raises DocumentError: private_address, too_many_redirects, too_large, not_found,
    fetch_failed."""
    deadline = time.monotonic() + TOTAL_TIMEOUT_FACTOR * timeout
    current = url.strip()
    try:
        with httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT},
        ) as client:
            for _hop in range(max_redirects + 1):
                check_destination(current, allow_private=allow_private, resolve=resolve)
                with client.stream("GET", current) as response:
                    location = response.headers.get("location")
                    if response.status_code in REDIRECT_STATUSES and location:
                        current = str(response.url.join(location))
                        continue
                    check_status(response, url)
                    content = read_limited(response, max_bytes=max_bytes, deadline=deadline, url=url)
                    return FetchedBytes(
                        content=content,
                        content_type=response.headers.get("content-type"),
                        final_url=str(response.url),
                        filename=filename_of(response),
                    )
    except httpx.TimeoutException:
        raise timeout_error(url) from None
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        raise fetch_error(url, f"{type(error).__name__}: {error}") from None
    raise DocumentError(
        "too_many_redirects",
        f"网址跳转超过 {max_redirects} 次，已停止：{url}。请直接提供文件的最终地址，或下载后按文件导入。",
        f"More than {max_redirects} redirects, stopped: {url}. Give the document's final address, or download "
        "it and load the file.",
    )


def check_destination(url: str, *, allow_private: bool, resolve: Resolver) -> None:
    """Refuse URLs that are not http(s), and hosts on private networks unless allowed."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as error:
        raise fetch_error(url, f"invalid URL: {error}") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise fetch_error(url, "only http:// and https:// addresses can be fetched")
    if allow_private:
        return
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    for address in host_addresses(parsed.host, port, resolve, url):
        if not is_public(address):
            shown = address if parsed.host.strip("[]") == address else f"{parsed.host} → {address}"
            raise DocumentError(
                "private_address",
                f"出于安全考虑，不读取内网、本机或保留地址（{shown}）。如确需读取内网文件服务器，"
                "请由管理员设置 PLANBOT_ALLOW_PRIVATE_URLS=true。",
                f"For safety, private, loopback and reserved addresses are not fetched ({shown.replace('→', '->')}). "
                "If an intranet document server is needed, an administrator can set PLANBOT_ALLOW_PRIVATE_URLS=true.",
            )


def host_addresses(host: str, port: int, resolve: Resolver, url: str) -> list[str]:
    literal = host.strip("[]")
    try:
        return [str(ipaddress.ip_address(literal))]
    except ValueError:
        pass
    try:
        addresses = resolve(host, port)
    except OSError as error:
        raise fetch_error(url, f"cannot resolve {host}: {error}") from None
    if not addresses:
        raise fetch_error(url, f"cannot resolve {host}")
    return addresses


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])  # drop an IPv6 zone id such as fe80::1%eth0
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_status(response: httpx.Response, url: str) -> None:
    if response.status_code in (404, 410):
        raise DocumentError(
            "not_found",
            f"网址上找不到文件（HTTP {response.status_code}）：{url}。请检查地址是否正确、文件是否已下架。",
            f"No document at this address (HTTP {response.status_code}): {url}. Check the address.",
        )
    if response.status_code >= 400 or response.status_code < 200:
        raise fetch_error(url, f"HTTP {response.status_code}")


def read_limited(response: httpx.Response, *, max_bytes: int, deadline: float, url: str) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large_error(url, int(declared), max_bytes)
    chunks: list[bytes] = []
    received = 0
    # iter_bytes yields decompressed bytes, so a small gzip bomb is stopped at the limit too
    for chunk in response.iter_bytes():
        received += len(chunk)
        if received > max_bytes:
            raise too_large_error(url, received, max_bytes)
        if time.monotonic() > deadline:
            raise timeout_error(url)
        chunks.append(chunk)
    return b"".join(chunks)


def filename_of(response: httpx.Response) -> str | None:
    disposition = response.headers.get("content-disposition")
    if disposition:
        message = Message()
        message["content-disposition"] = disposition
        name = message.get_filename()
        if name:
            return unquote(name)
    last = response.url.path.rsplit("/", 1)[-1]
    return unquote(last) or None


def timeout_error(url: str) -> DocumentError:
    return DocumentError(
        "fetch_failed",
        f"读取网址超时：{url}。请稍后重试，或下载后按文件导入。",
        f"Timed out fetching {url}. Try again later, or download the document and load the file.",
    )


def fetch_error(url: str, reason: str) -> DocumentError:
    return DocumentError(
        "fetch_failed",
        f"无法读取网址：{url}（{reason}）。请检查地址和网络，或下载后按文件导入。",
        f"Could not fetch {url} ({reason}). Check the address and the network, or download the document and "
        "load the file.",
    )
