"""Fetching a document from an http(s) URL, safely.

A bot that fetches any URL a chat user pastes can be turned against the network it runs in (cloud metadata
at 169.254.169.254, admin pages on 10.x hosts). So unless private addresses are allowed (intranet document
servers need that), every hop's host is resolved and refused when any address it resolves to is loopback,
link-local, private or otherwise not global. An IPv6 address that wraps an IPv4 one (::ffff:10.0.0.1,
::10.0.0.1, 6to4 2002:a00:1::, NAT64 64:ff9b::a00:1) is judged by the IPv4 address inside it.

Each host is resolved once, within the timeout (getaddrinfo itself has none), and the connection goes to the
address that was checked: the request is sent to that IP with the host name in the Host header and, over
https, as the TLS server name, so the certificate is still verified for the name. A DNS server that answers
differently the second time (DNS rebinding) therefore gains nothing. Through an HTTP proxy set in the
environment (HTTPS_PROXY…) the name goes to the proxy, which resolves it: the proxy's own rules apply. Redirects are followed by hand, at most
five, so that each hop is checked. The body is read as a stream and abandoned as soon as it passes the size
limit.
"""

from __future__ import annotations

import ipaddress
import socket
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as ResolveTimeout
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
# IPv6 ranges that carry an IPv4 address in their last 32 bits: NAT64's well-known prefix and the deprecated
# IPv4-compatible addresses (::a.b.c.d); ::ffff:a.b.c.d and 6to4 have their own ipaddress properties
NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
# NAT64 prefixes a network chose for itself (RFC 8215) lead wherever that network routes them
LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")


@dataclass(frozen=True, slots=True)
class Hop:
    """One request as sent: to the checked address, with what the server needs to know the host by."""

    url: str
    headers: dict[str, str]
    extensions: dict[str, object]


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
                hop = pinned_hop(current, allow_private=allow_private, resolve=resolve, timeout=timeout)
                with client.stream(
                    "GET", hop.url, headers=hop.headers, extensions=hop.extensions
                ) as response:
                    location = response.headers.get("location")
                    if response.status_code in REDIRECT_STATUSES and location:
                        # relative to the address as named, not to the IP it was sent to
                        current = str(httpx.URL(current).join(location))
                        continue
                    check_status(response, url)
                    content = read_limited(response, max_bytes=max_bytes, deadline=deadline, url=url)
                    return FetchedBytes(
                        content=content,
                        content_type=response.headers.get("content-type"),
                        final_url=current,
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


def pinned_hop(url: str, *, allow_private: bool, resolve: Resolver, timeout: float) -> Hop:
    """The request for `url`, sent to the address check_destination approved (unless private ones are allowed:
    then the name is left to the HTTP client, as an intranet proxy may need)."""
    addresses = check_destination(url, allow_private=allow_private, resolve=resolve, timeout=timeout)
    parsed = httpx.URL(url)
    if not addresses or parsed.host.strip("[]") == addresses[0] or through_proxy(url):
        return Hop(url, {}, {})
    headers = {"Host": parsed.netloc.decode("ascii")}
    extensions: dict[str, object] = {"sni_hostname": parsed.host} if parsed.scheme == "https" else {}
    return Hop(str(parsed.copy_with(host=addresses[0])), headers, extensions)


def through_proxy(url: str) -> bool:
    """Whether httpx sends `url` to a proxy named in the environment (it then connects, not we)."""
    parsed = httpx.URL(url)
    proxies = urllib.request.getproxies_environment()
    if not (proxies.get(parsed.scheme) or proxies.get("all")):
        return False
    return not urllib.request.proxy_bypass_environment(parsed.host, proxies)


def check_destination(
    url: str, *, allow_private: bool, resolve: Resolver, timeout: float = 10.0
) -> list[str]:
    """Refuse URLs that are not http(s), and hosts on private networks unless allowed; the addresses checked
    (none when private addresses are allowed: nothing was resolved)."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as error:
        raise fetch_error(url, f"invalid URL: {error}") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise fetch_error(url, "only http:// and https:// addresses can be fetched")
    if allow_private:
        return []
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    addresses = host_addresses(parsed.host, port, resolve, url, timeout=timeout)
    for address in addresses:
        if not is_public(address):
            shown = address if parsed.host.strip("[]") == address else f"{parsed.host} → {address}"
            raise DocumentError(
                "private_address",
                f"出于安全考虑，不读取内网、本机或保留地址（{shown}）。如确需读取内网文件服务器，"
                "请由管理员设置 PLANBOT_ALLOW_PRIVATE_URLS=true。",
                f"For safety, private, loopback and reserved addresses are not fetched ({shown.replace('→', '->')}). "
                "If an intranet document server is needed, an administrator can set PLANBOT_ALLOW_PRIVATE_URLS=true.",
            )
    return addresses


def host_addresses(host: str, port: int, resolve: Resolver, url: str, *, timeout: float = 10.0) -> list[str]:
    literal = host.strip("[]")
    try:
        return [str(ipaddress.ip_address(literal))]
    except ValueError:
        pass
    # getaddrinfo cannot be given a timeout: it runs in a thread of its own, which is left behind if it hangs
    resolver = ThreadPoolExecutor(max_workers=1, thread_name_prefix="planbot-resolve")
    try:
        addresses = resolver.submit(resolve, host, port).result(timeout=timeout)
    except ResolveTimeout:
        raise fetch_error(url, f"resolving {host} took more than {timeout:g} s") from None
    except OSError as error:
        raise fetch_error(url, f"cannot resolve {host}: {error}") from None
    finally:
        resolver.shutdown(wait=False)
    if not addresses:
        raise fetch_error(url, f"cannot resolve {host}")
    return addresses


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])  # drop an IPv6 zone id such as fe80::1%eth0
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in LOCAL_NAT64:
            return False
        inner = embedded_ipv4(ip)
        if inner is not None:
            return inner.is_global and not inner.is_multicast
    return ip.is_global and not ip.is_multicast


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries to its destination, or None."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in NAT64 or ip in IPV4_COMPATIBLE:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


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
