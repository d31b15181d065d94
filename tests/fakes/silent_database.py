"""A PostgreSQL server that has hung: it accepts TCP connections on 127.0.0.1 and never says a word.

The worst a database can do to the bot: no refusal to react to, only silence. A driver connecting to it
waits for the server's first message until its own connect timeout (storage.db.CONNECT_TIMEOUT_SECONDS).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType


class SilentDatabase:
    """`url` points SQLAlchemy at it; connections are accepted, held open and never read or answered."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self._held: list[socket.socket] = []
        self._closed = threading.Event()
        self._accepting = threading.Thread(target=self._accept, name="silent-database", daemon=True)

    @property
    def url(self) -> str:
        port = self._listener.getsockname()[1]
        return f"postgresql+psycopg://planbot@127.0.0.1:{port}/planbot"

    @property
    def connections(self) -> int:
        return len(self._held)

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                connection, _ = self._listener.accept()
            except OSError:  # closed
                return
            self._held.append(connection)

    def __enter__(self) -> SilentDatabase:
        self._accepting.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._closed.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        self._listener.close()
        for connection in self._held:
            connection.close()
        self._accepting.join(timeout=5)
