"""The threaded API, for synchronous code: the same clients and servers as `thrift_bidi.aio`,
run on an event loop in a background thread. A call blocks the calling thread until its
reply; any number of threads may share one client (a long poll in one, requests in another).
Handlers are plain functions, run on a bounded pool of threads, so a handler may block, and
may call the peer back in turn.

Input: what `thrift_bidi.aio` takes. Output: blocking clients and servers.

Do not call a blocking client from the loop's own thread (an asyncio handler): use the
asyncio API there.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ssl as _ssl
import threading
from typing import Any, Callable, Coroutine, Optional, TypeVar

from . import aio
from .aio import Callbacks
from .connection import SERVER_LIMITS, Limits
from .wire import Codec

T = TypeVar("T")


class _Loop:
    """An event loop on a daemon thread of its own."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="thrift-bidi", daemon=True)
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: Optional[float] = None) -> T:
        if threading.current_thread() is self.thread:
            raise RuntimeError("a blocking thrift-bidi call from its own event loop would wait forever")
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)


_shared: Optional[_Loop] = None
_shared_lock = threading.Lock()


def _loop() -> _Loop:
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = _Loop()
        return _shared


class _Pool:
    """The threads a client's or server's handlers run on (at most `workers`), ended when it
    closes."""

    def __init__(self, loop: _Loop, workers: int) -> None:
        self._loop = loop
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="thrift-bidi-handler"
        )

    async def run(self, function: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        return await self._loop.loop.run_in_executor(self._pool, lambda: function(*args))

    def shutdown(self) -> None:
        # Handlers still running finish on their threads; nothing new starts.
        self._pool.shutdown(wait=False, cancel_futures=True)


class Client:
    """A blocking client: ``client.method(args...)`` returns the result, or raises."""

    def __init__(self, inner: aio.Client, loop: _Loop, pool: Optional[_Pool] = None) -> None:
        self._inner = inner
        self._loop = loop
        self._pool = pool

    def __getattr__(self, api: str) -> Callable[..., Any]:
        if api.startswith("_"):
            raise AttributeError(api)
        getattr(self._inner, api)  # fails for a method the service does not have

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._loop.run(self._inner.call(api, *args, **kwargs))

        call.__name__ = api
        return call

    @property
    def callbacks(self) -> Callbacks:
        """What this client knows now about its server calling it back."""
        return self._inner.callbacks

    def callbacks_ready(self, timeout: Optional[float] = None) -> Callbacks:
        """Waits for the server's answer to the hello."""
        return self._loop.run(self._inner.callbacks_ready(), timeout)

    def close(self) -> None:
        """Closes the connection and waits for its end (and ends its handlers' threads)."""

        async def close() -> None:
            self._inner.close()
            await self._inner.closed()

        self._loop.run(close())
        if self._pool is not None:
            self._pool.shutdown()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()


def connect(
    host: str,
    port: int,
    service: Any,
    *,
    handler: Any = None,
    callback_service: Any = None,
    codec: Codec = Codec(),
    limits: Limits = Limits(),
    ssl: Optional[_ssl.SSLContext] = None,
    server_hostname: Optional[str] = None,
    timeout: Optional[float] = None,
    connect_timeout: float = 10.0,
    multiplexed: Optional[str] = None,
    workers: int = 8,
) -> Client:
    """Connects as `thrift_bidi.aio.connect` does; the handler's methods run on a pool of
    `workers` threads."""
    loop = _loop()
    pool = _Pool(loop, workers)
    inner = loop.run(
        aio.connect(
            host,
            port,
            service,
            handler=handler,
            callback_service=callback_service,
            codec=codec,
            limits=limits,
            ssl=ssl,
            server_hostname=server_hostname,
            timeout=timeout,
            connect_timeout=connect_timeout,
            multiplexed=multiplexed,
            _run=pool.run,
        )
    )
    return Client(inner, loop, pool)


class Peer:
    """A connection a server accepted, as the handler made for it sees it."""

    def __init__(self, inner: aio.Peer, loop: _Loop) -> None:
        self._inner = inner
        self._loop = loop
        #: The client's address.
        self.address: Any = inner.address

    def callbacks(
        self, callback_service: Any, *, timeout: Optional[float] = None, multiplexed: bool = False
    ) -> Client:
        """A blocking client of the callback service on this connection (its calls fail with
        `Unavailable` unless the client said hello; `multiplexed` as in `thrift_bidi.aio`)."""
        inner = self._inner.callbacks(callback_service, timeout=timeout, multiplexed=multiplexed)
        return Client(inner, self._loop)

    @property
    def said_hello(self) -> bool:
        """Whether the client said hello (and may be called back)."""
        return self._inner.said_hello


class Server:
    """A server whose handlers are plain functions run on a pool of `workers` threads."""

    def __init__(
        self,
        service: Any,
        make_handler: Callable[[Peer], Any],
        *,
        callback_service: Any = None,
        codec: Codec = Codec(),
        limits: Limits = SERVER_LIMITS,
        ssl: Optional[_ssl.SSLContext] = None,
        workers: int = 32,
    ) -> None:
        self._loop = _loop()
        self._pool = _Pool(self._loop, workers)
        self._inner = aio.Server(
            service,
            lambda peer: make_handler(Peer(peer, self._loop)),
            callback_service=callback_service,
            codec=codec,
            limits=limits,
            ssl=ssl,
            _run=self._pool.run,
        )

    def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Listens on `host`:`port` (0: any free port); the port."""
        return self._loop.run(self._inner.start(host, port))

    def close(self) -> None:
        """Stops listening, closes every connection, and ends its handlers' threads."""
        self._loop.run(self._inner.close())
        self._pool.shutdown()
