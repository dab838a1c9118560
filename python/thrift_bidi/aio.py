"""The asyncio API: `connect` gives a `Client` whose methods are the service's, any number of
calls in flight at once from any number of tasks; a `Server` serves a service and can call
back the clients that said hello.

Input: a thriftpy2 service (from `thriftpy2.load`), a handler object, and where to connect or
listen. Output: clients and servers speaking the bidirectional rules of `docs/bidi.md`.

A handler's methods are named as the IDL's functions; they may be `async def` (awaited on the
loop) or plain functions (called on the loop, so they must not block).
"""

from __future__ import annotations

import asyncio
import enum
import logging
import ssl as _ssl
from typing import Any, Awaitable, Callable, Optional

from thriftpy2.thrift import TApplicationException, args_to_kwargs

from .connection import SERVER_LIMITS, Connection, Limits, Service, run_inline
from .errors import Disconnected, Unavailable
from .wire import CALL, EXCEPTION, HELLO, ONEWAY, RULES_VERSION, Codec, Hello, HelloReply

log = logging.getLogger("thrift_bidi")


class Callbacks(enum.Enum):
    """What a client knows about its server calling it back."""

    #: It serves no callbacks, so it sent no hello.
    NOT_OFFERED = "not offered"
    #: The hello has not been answered yet.
    PENDING = "pending"
    #: The server answered the hello: it may call this client back.
    AVAILABLE = "available"
    #: A plain server: it will never call back.
    UNAVAILABLE = "unavailable"


class Client:
    """Calls a service's methods on a connection: ``await client.method(args...)``. Cheap to
    share between tasks; each call waits for its own reply."""

    def __init__(
        self,
        connection: Connection,
        service: Any,
        *,
        timeout: Optional[float] = None,
        multiplexed: Optional[str] = None,
        to_client: bool = False,
    ) -> None:
        self._connection = connection
        self._service = service
        self._timeout = timeout
        self._prefix = f"{multiplexed}:" if multiplexed else ""
        self._to_client = to_client
        self._callbacks = Callbacks.NOT_OFFERED
        self._answered = asyncio.Event()
        self._answered.set()
        self._hello_task: Optional[asyncio.Task[None]] = None
        #: Connects again (as a plain client), for a server that closes on the hello.
        self._reopen: Optional[Callable[[], Awaitable[Connection]]] = None

    def __getattr__(self, api: str) -> Callable[..., Awaitable[Any]]:
        if api.startswith("_") or api not in self._service.thrift_services:
            raise AttributeError(f"{self._service.__name__} has no method {api!r}")

        async def call(*args: Any, **kwargs: Any) -> Any:
            return await self.call(api, *args, **kwargs)

        call.__name__ = api
        return call

    async def call(self, api: str, *args: Any, timeout: Optional[float] = None, **kwargs: Any) -> Any:
        """Calls `api` with `args`: its result, or the exception its reply carries. `timeout`
        (seconds) bounds this call, instead of the client's."""
        if self._to_client and not self._connection.peer_hello:
            raise Unavailable("the client did not say hello: it takes no calls")
        args_cls = getattr(self._service, api + "_args")
        result_cls = getattr(self._service, api + "_result")
        message = args_cls(**args_to_kwargs(args_cls.thrift_spec, *args, **kwargs))
        oneway = bool(getattr(result_cls, "oneway", False))
        reply = await self._connection.call(
            self._prefix + api,
            ONEWAY if oneway else CALL,
            message,
            timeout if timeout is not None else self._timeout,
        )
        if reply is None:
            return None
        if reply.kind == EXCEPTION:
            raise reply.body(TApplicationException)
        if reply.name not in (api, self._prefix + api):
            # Apache's multiplexed processor names the method alone; anything else is wrong.
            raise TApplicationException(
                TApplicationException.WRONG_METHOD_NAME, f"called {api}, reply names {reply.name}"
            )
        result = reply.body(result_cls)
        for spec in result.thrift_spec.values():
            if spec[1] != "success" and getattr(result, spec[1], None) is not None:
                raise getattr(result, spec[1])
        if "success" in (spec[1] for spec in result.thrift_spec.values()):
            if result.success is None:
                raise TApplicationException(TApplicationException.MISSING_RESULT, f"{api}: no result")
            return result.success
        return None

    async def _hello(self, callback_service: str) -> None:
        """Says hello, naming `callback_service`, and learns from the answer whether the
        server will call back."""
        self._callbacks = Callbacks.PENDING
        self._answered.clear()
        hello = Hello(min_version=RULES_VERSION, max_version=RULES_VERSION, callback_service=callback_service)
        try:
            reply = await self._connection.call(HELLO, CALL, hello, None)
            if reply is not None and reply.kind != EXCEPTION:
                reply.body(HelloReply)
                self._callbacks = Callbacks.AVAILABLE
            else:
                self._callbacks = Callbacks.UNAVAILABLE
        except Disconnected:
            # Some plain servers close the connection on a method they do not have (Apache's
            # multiplexed processor without a default service): when the server closed it
            # (not this side, nor a failure), connect once more, without the hello, as a
            # plain client (docs/bidi.md rule 3.3).
            self._callbacks = Callbacks.UNAVAILABLE
            if self._reopen is not None and self._connection.peer_closed:
                try:
                    self._connection = await self._reopen()
                except (OSError, asyncio.TimeoutError) as e:
                    log.warning("connecting again without the hello failed: %s", e)
        except Exception:
            self._callbacks = Callbacks.UNAVAILABLE
        finally:
            self._answered.set()

    @property
    def callbacks(self) -> Callbacks:
        """What this client knows now about its server calling it back."""
        return self._callbacks

    async def callbacks_ready(self) -> Callbacks:
        """Waits for the server's answer to the hello."""
        await self._answered.wait()
        return self._callbacks

    @property
    def connection(self) -> Connection:
        """The connection the calls go over."""
        return self._connection

    def close(self) -> None:
        """Closes the connection: pending calls fail with `Disconnected`."""
        self._connection.close()

    async def closed(self) -> None:
        """Waits until the connection has closed."""
        await self._connection.closed()


async def connect(
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
    _run: Any = run_inline,
) -> Client:
    """Connects to a server of `service`. With a `handler` for `callback_service`, it says
    hello first, and serves the server's calls back on the same connection. `timeout` bounds
    each call (seconds; none by default)."""
    async def open() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        hostname = server_hostname if ssl else None
        opening = asyncio.open_connection(host, port, ssl=ssl, server_hostname=hostname)
        return await asyncio.wait_for(opening, connect_timeout)

    stream = await open()
    local = None
    if handler is not None:
        if callback_service is None:
            raise ValueError("a handler needs its callback_service")
        local = Service(callback_service, handler, _run)
    connection = Connection(stream, codec, limits, local, accepted=False)
    client = Client(connection, service, timeout=timeout, multiplexed=multiplexed)
    if local is not None:

        async def reopen() -> Connection:
            return Connection(await open(), codec, limits, None, accepted=False)

        client._reopen = reopen
        # Written first, before any call this client makes (the task writes it on its first
        # step, which the sleep lets run); its answer is not waited for.
        client._hello_task = asyncio.ensure_future(client._hello(local.name))
        await asyncio.sleep(0)
    return client


class Peer:
    """A connection a server accepted, as the handler made for it sees it."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        #: The client's address.
        self.address: Any = connection.peer

    def callbacks(
        self, callback_service: Any, *, timeout: Optional[float] = None, multiplexed: bool = False
    ) -> Client:
        """A client of the callback service on this connection: its calls fail with
        `Unavailable` unless the client said hello. `multiplexed` names the callback service
        on each call (`JobSource:chunk`), for a client of a multiplexed server."""
        name = callback_service.__name__ if multiplexed else None
        return Client(self.connection, callback_service, timeout=timeout, multiplexed=name, to_client=True)

    @property
    def said_hello(self) -> bool:
        """Whether the client said hello (and may be called back)."""
        return self.connection.peer_hello


class Server:
    """Serves `service` with a handler made for each connection by `make_handler(peer)`.
    Given a `callback_service`, it answers hellos, so its handlers may call back the clients
    that said hello (`peer.callbacks(callback_service)`)."""

    def __init__(
        self,
        service: Any,
        make_handler: Callable[[Peer], Any],
        *,
        callback_service: Any = None,
        codec: Codec = Codec(),
        limits: Limits = SERVER_LIMITS,
        ssl: Optional[_ssl.SSLContext] = None,
        _run: Any = run_inline,
    ) -> None:
        self._service = service
        self._make = make_handler
        self._callback = callback_service
        self._codec = codec
        self._limits = limits
        self._ssl = ssl
        self._run = _run
        self._server: Optional[asyncio.base_events.Server] = None
        self._connections: set[Connection] = set()

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Listens on `host`:`port` (0: any free port); the port."""
        self._server = await asyncio.start_server(self._accept, host, port, ssl=self._ssl)
        sockets = self._server.sockets
        return int(sockets[0].getsockname()[1]) if sockets else port

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = Connection(
            (reader, writer),
            self._codec,
            self._limits,
            None,
            accepted=True,
            offers_callbacks=self._callback is not None,
        )
        connection.service = Service(self._service, self._make(Peer(connection)), self._run)
        self._connections.add(connection)
        try:
            await connection.closed()
        finally:
            self._connections.discard(connection)

    async def close(self) -> None:
        """Stops listening and closes every connection."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for connection in list(self._connections):
            connection.close()
        await asyncio.gather(*(c.closed() for c in list(self._connections)), return_exceptions=True)


__all__ = ["Callbacks", "Client", "Peer", "Server", "connect", "Disconnected", "Unavailable"]
