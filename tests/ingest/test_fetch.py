"""Loading documents from URLs: a real local HTTP server for the happy paths, redirects and size limits;
a mock transport and resolver for hosts that must not be reached (private-address refusal at every hop)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest

from ingest.errors import DocumentError
from ingest.formats.fetch import fetch_url
from ingest.load import load_source
from tests.fakes.http_server import FakeHttpServer, Reply, running_server
from tests.ingest.fixtures_load.builders import chinese_lines, docx_bytes, pdf_bytes

TEXT = "区发展改革局牵头，会同区统计局建立规划实施年度监测制度。\n"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PUBLIC_IP = "93.184.215.14"  # any global address: the mock transport never connects


@pytest.fixture(autouse=True)
def no_proxy_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> Iterator[FakeHttpServer]:
    with running_server() as running:
        yield running


def load(url: str, **options: object):
    settings = {"allow_private": True, "timeout": 5.0, **options}
    return load_source(url, **settings)  # type: ignore[arg-type]


def refusal(url: str, **options: object) -> DocumentError:
    with pytest.raises(DocumentError) as caught:
        load(url, **options)
    return caught.value


# --- formats and content types ----------------------------------------------------------------------------


def test_plain_text_with_a_charset_in_the_content_type(server):
    url = server.route(
        "/plan.txt", Reply(body=TEXT.encode("gbk"), headers={"Content-Type": "text/plain; charset=GBK"})
    )
    loaded = load(url)
    assert loaded.text == TEXT
    assert loaded.format == "txt"
    assert loaded.source == url


def test_a_pdf_served_as_octet_stream_is_sniffed_from_its_bytes(server):
    raw = pdf_bytes([chinese_lines(["区财政局负责落实规划实施所需资金，确保重点项目按期推进。"])])
    url = server.route(
        "/download?id=7", Reply(body=raw, headers={"Content-Type": "application/octet-stream"})
    )
    loaded = load(url)
    assert loaded.format == "pdf"
    assert loaded.text == "区财政局负责落实规划实施所需资金，确保重点项目按期推进。"


def test_a_docx_by_content_type_and_disposition(server):
    raw = docx_bytes(["区发展改革局牵头。"])
    headers = {"Content-Type": DOCX_TYPE, "Content-Disposition": 'attachment; filename="plan.docx"'}
    loaded = load(server.route("/file/9", Reply(body=raw, headers=headers)))
    assert loaded.format == "docx"
    assert loaded.text == "区发展改革局牵头。"


def test_an_html_page_gives_its_main_text(server):
    page = "<html><body><div class='nav'><a href='/'>首页</a></div><p>区政府每年报告规划实施情况。</p></body></html>"
    url = server.route("/art/1.html", Reply(body=page.encode("utf-8"), headers={"Content-Type": "text/html"}))
    assert load(url).text == "区政府每年报告规划实施情况。"


def test_a_wps_file_named_by_disposition_gets_the_legacy_message(server, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    headers = {
        "Content-Type": "application/octet-stream",
        "Content-Disposition": "attachment; filename=notice.wps",
    }
    body = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256))
    error = refusal(server.route("/dl", Reply(body=body, headers=headers)))
    assert error.code == "legacy_format"
    assert "WPS" in error.zh


def test_sha256_is_of_the_downloaded_bytes(server):
    import hashlib

    raw = TEXT.encode("big5", errors="ignore")
    url = server.route("/p.txt", Reply(body=raw))
    assert load(url).sha256 == hashlib.sha256(raw).hexdigest()


# --- redirects ---------------------------------------------------------------------------------------------


def test_five_redirects_are_followed(server):
    server.route("/final.txt", Reply(body=TEXT.encode("utf-8")))
    assert load(server.redirect_chain(5, "/final.txt")).text == TEXT
    assert server.requested == [*(f"/hop/{hop}" for hop in range(5)), "/final.txt"]


def test_a_sixth_redirect_is_refused(server):
    server.route("/final.txt", Reply(body=TEXT.encode("utf-8")))
    error = refusal(server.redirect_chain(6, "/final.txt"))
    assert error.code == "too_many_redirects"
    assert "5" in error.zh and "redirects" in error.en
    assert "/final.txt" not in server.requested


@pytest.mark.parametrize("status", [301, 303, 307, 308])
def test_every_redirect_status_is_followed(server, status):
    server.route("/final.txt", Reply(body=TEXT.encode("utf-8")))
    assert load(server.redirect_chain(2, "/final.txt", status=status)).text == TEXT


# --- size limit --------------------------------------------------------------------------------------------


def test_a_declared_length_over_the_limit_is_refused_before_the_body(server):
    url = server.route("/big.txt", Reply(body=TEXT.encode("utf-8"), headers={"Content-Length": str(10**9)}))
    error = refusal(url, max_bytes=1024)
    assert error.code == "too_large"


def test_a_stream_without_length_is_cut_at_the_limit(server):
    # 64 MB on offer; the loader must stop after the first megabyte rather than read it all
    url = server.route("/endless.txt", Reply(body=("规划" * 2048).encode("utf-8"), chunked=True, repeat=5000))
    error = refusal(url, max_bytes=1024 * 1024)
    assert error.code == "too_large"
    assert "大小上限" in error.zh


def test_reading_stops_at_the_first_chunk_past_the_limit():
    sent: list[int] = []

    def endless() -> Iterator[bytes]:
        for index in range(100_000):
            sent.append(index)
            yield b"x" * 1024

    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=endless()))
    with pytest.raises(DocumentError) as caught:
        fetch_url(
            f"http://{PUBLIC_IP}/a.txt",
            max_bytes=10 * 1024,
            allow_private=False,
            timeout=1.0,
            transport=transport,
        )
    assert caught.value.code == "too_large"
    assert len(sent) == 11  # ten chunks fit, the eleventh passes the limit, nothing more is pulled


def test_a_stream_within_the_limit_is_read_whole(server):
    url = server.route("/chunks.txt", Reply(body=TEXT.encode("utf-8"), chunked=True, repeat=3))
    assert load(url).text == TEXT * 3


# --- HTTP failures -----------------------------------------------------------------------------------------


def test_404_is_not_found(server):
    error = refusal(server.url("/missing.txt"))
    assert error.code == "not_found"
    assert "404" in error.zh


def test_500_is_a_failed_fetch(server):
    error = refusal(server.route("/err", Reply(status=500, body=b"oops")))
    assert error.code == "fetch_failed"
    assert "HTTP 500" in error.en


def test_a_server_that_does_not_answer_times_out(server):
    held = threading.Event()
    url = server.route("/slow.txt", Reply(body=TEXT.encode("utf-8"), hold=held))
    try:
        error = refusal(url, timeout=0.2)
    finally:
        held.set()
    assert error.code == "fetch_failed"
    assert "超时" in error.zh and "Timed out" in error.en


def test_a_closed_port_is_a_failed_fetch(server):
    port = server.port
    server.stop()
    error = refusal(f"http://127.0.0.1:{port}/plan.txt")
    assert error.code == "fetch_failed"


def test_an_empty_body_is_an_empty_document(server):
    assert refusal(server.route("/empty.txt", Reply(body=b""))).code == "empty"


# --- private addresses -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "[::1]",
        "169.254.169.254",
        "10.1.2.3",
        "192.168.1.10",
        "172.16.0.5",
        "[fe80::1]",
        "0.0.0.0",
        "100.64.0.1",
        "[::ffff:127.0.0.1]",
    ],
)
def test_private_loopback_and_link_local_hosts_are_refused_without_connecting(host):
    def must_not_connect(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"connected to {request.url}")

    error = refusal(
        f"http://{host}/plan.txt", allow_private=False, transport=httpx.MockTransport(must_not_connect)
    )
    assert error.code == "private_address"
    assert "PLANBOT_ALLOW_PRIVATE_URLS" in error.zh and "PLANBOT_ALLOW_PRIVATE_URLS" in error.en


def test_the_real_local_server_is_refused_unless_private_addresses_are_allowed(server):
    url = server.route("/plan.txt", Reply(body=TEXT.encode("utf-8")))
    assert refusal(url, allow_private=False).code == "private_address"
    assert server.requested == []
    assert load(url, allow_private=True).text == TEXT


def test_a_redirect_to_a_private_host_is_refused_at_that_hop():
    asked: list[str] = []

    def site(request: httpx.Request) -> httpx.Response:
        asked.append(f"http://{request.headers['host']}{request.url.raw_path.decode()}")
        if request.headers["host"] == "www.example.gov.cn":
            return httpx.Response(302, headers={"Location": "http://intranet.example/secret.txt"})
        return httpx.Response(200, text=TEXT)

    def resolve(host: str, port: int) -> list[str]:
        return {"www.example.gov.cn": [PUBLIC_IP], "intranet.example": ["10.0.0.8"]}[host]

    with pytest.raises(DocumentError) as caught:
        fetch_url(
            "http://www.example.gov.cn/plan.txt",
            max_bytes=1024,
            allow_private=False,
            timeout=1.0,
            transport=httpx.MockTransport(site),
            resolve=resolve,
        )
    assert caught.value.code == "private_address"
    assert "intranet.example" in caught.value.zh
    assert asked == ["http://www.example.gov.cn/plan.txt"]


def test_a_host_resolving_to_any_private_address_is_refused():
    def resolve(host: str, port: int) -> list[str]:
        return [PUBLIC_IP, "127.0.0.1"]

    with pytest.raises(DocumentError) as caught:
        fetch_url(
            "https://mixed.example/plan.txt",
            max_bytes=1024,
            allow_private=False,
            timeout=1.0,
            transport=httpx.MockTransport(lambda request: httpx.Response(200, text=TEXT)),
            resolve=resolve,
        )
    assert caught.value.code == "private_address"


def test_a_public_host_is_fetched_through_an_injected_transport():
    def site(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=TEXT.encode("gbk"), headers={"Content-Type": "text/plain"})

    loaded = load_source(
        f"http://{PUBLIC_IP}/plan.txt", allow_private=False, timeout=1.0, transport=httpx.MockTransport(site)
    )
    assert loaded.text == TEXT


def test_a_host_that_does_not_resolve_is_a_failed_fetch():
    def resolve(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    with pytest.raises(DocumentError) as caught:
        fetch_url(
            "http://nowhere.invalid/", max_bytes=1024, allow_private=False, timeout=1.0, resolve=resolve
        )
    assert caught.value.code == "fetch_failed"
    assert "nowhere.invalid" in caught.value.en


@pytest.mark.parametrize("url", ["ftp://example.com/plan.txt", "http:///plan.txt"])
def test_only_http_urls_with_a_host_are_fetched(url):
    with pytest.raises(DocumentError) as caught:
        fetch_url(url, max_bytes=1024, allow_private=True, timeout=1.0)
    assert caught.value.code == "fetch_failed"


# --- addresses that wrap others, DNS rebinding, slow resolvers ----------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "[64:ff9b::a00:1]",  # NAT64 of 10.0.0.1
        "[64:ff9b::a9fe:a9fe]",  # NAT64 of 169.254.169.254
        "[2002:a00:1::]",  # 6to4 of 10.0.0.1
        "[2002:7f00:1::1]",  # 6to4 of 127.0.0.1
        "[::a00:1]",  # IPv4-compatible 10.0.0.1
        "[::7f00:1]",  # IPv4-compatible 127.0.0.1
        "[::ffff:a9fe:a9fe]",  # IPv4-mapped 169.254.169.254
        "[64:ff9b:1::a00:1]",  # a network's own NAT64 prefix
    ],
)
def test_ipv6_addresses_wrapping_private_ipv4_are_refused(host):
    def must_not_connect(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"connected to {request.url}")

    error = refusal(
        f"http://{host}/plan.txt", allow_private=False, transport=httpx.MockTransport(must_not_connect)
    )
    assert error.code == "private_address"


def test_a_name_resolving_to_nat64_of_a_private_address_is_refused():
    with pytest.raises(DocumentError) as caught:
        fetch_url(
            "https://docs.example/plan.txt",
            max_bytes=1024,
            allow_private=False,
            timeout=1.0,
            transport=httpx.MockTransport(lambda request: httpx.Response(200, text=TEXT)),
            resolve=lambda host, port: ["64:ff9b::a00:8"],
        )
    assert caught.value.code == "private_address"


def test_wrapped_public_addresses_are_still_fetched():
    loaded = load_source(
        "http://[64:ff9b::5db8:d70e]/plan.txt",  # NAT64 of the public PUBLIC_IP
        allow_private=False,
        timeout=1.0,
        transport=httpx.MockTransport(lambda request: httpx.Response(200, text=TEXT)),
    )
    assert loaded.text == TEXT


def test_the_connection_goes_to_the_address_that_was_checked():
    """A rebinding DNS server answers a public address first and a private one after: only the first counts."""
    answers = iter([[PUBLIC_IP], ["127.0.0.1"], ["127.0.0.1"]])
    sent: list[httpx.Request] = []

    def resolve(host: str, port: int) -> list[str]:
        return next(answers)

    def site(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, text=TEXT)

    fetched = fetch_url(
        "https://docs.example:8443/plan.txt?v=1",
        max_bytes=1024,
        allow_private=False,
        timeout=1.0,
        transport=httpx.MockTransport(site),
        resolve=resolve,
    )
    [request] = sent
    assert str(request.url) == f"https://{PUBLIC_IP}:8443/plan.txt?v=1"
    assert request.headers["host"] == "docs.example:8443"
    assert request.extensions["sni_hostname"] == "docs.example"  # the certificate is checked for the name
    assert fetched.final_url == "https://docs.example:8443/plan.txt?v=1"
    assert next(answers) == ["127.0.0.1"]  # resolved once: the second answer was never asked for


def test_a_relative_redirect_keeps_the_host_name():
    sent: list[httpx.Request] = []

    def site(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if request.url.path == "/old.txt":
            return httpx.Response(302, headers={"Location": "/new.txt"})
        return httpx.Response(200, text=TEXT)

    fetched = fetch_url(
        "http://docs.example/old.txt",
        max_bytes=1024,
        allow_private=False,
        timeout=1.0,
        transport=httpx.MockTransport(site),
        resolve=lambda host, port: [PUBLIC_IP],
    )
    assert [request.headers["host"] for request in sent] == ["docs.example", "docs.example"]
    assert fetched.final_url == "http://docs.example/new.txt"


def test_a_resolver_that_hangs_is_given_up_after_the_timeout():
    release = threading.Event()

    def hanging(host: str, port: int) -> list[str]:
        release.wait(30)
        return [PUBLIC_IP]

    try:
        with pytest.raises(DocumentError) as caught:
            fetch_url(
                "http://slow.example/plan.txt",
                max_bytes=1024,
                allow_private=False,
                timeout=0.2,
                resolve=hanging,
            )
    finally:
        release.set()
    assert caught.value.code == "fetch_failed"
    assert "slow.example" in caught.value.en and "0.2 s" in caught.value.en


def test_through_a_proxy_from_the_environment_the_name_is_left_to_the_proxy(monkeypatch):
    from ingest.formats.fetch import through_proxy

    assert not through_proxy("https://docs.example/plan.txt")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "intranet.example")
    assert through_proxy("https://docs.example/plan.txt")
    assert not through_proxy("http://docs.example/plan.txt")  # only https goes through this proxy
    assert not through_proxy("https://intranet.example/plan.txt")
