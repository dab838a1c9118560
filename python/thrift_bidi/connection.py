"""The connection core both sides run (`docs/bidi.md`): one reader task that routes every
message by its type, replies and exceptions to this side's pending calls by seqid, calls and
oneways to the local service (calls each in a task of their own, oneways in order on one
task); writes whole messages one at a time; and fails every pending call when the
connection ends.

Input: an asyncio stream pair, a `Codec`, `Limits` and the local service (if any). Output: a
`Connection` this side calls the peer through.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Optional

from thriftpy2.thrift import TApplicationException

from .errors import Disconnected, ProtocolError, ThriftBidiError, Timeout
from .wire import CALL, EXCEPTION, HELLO, ONEWAY, REPLY, RULES_VERSION, Codec, Hello, HelloReply, Message, Reader

log = logging.getLogger("thrift_bidi")

#: fbthrift's code for a call refused for load, which the Rust runtime answers too.
LOADSHEDDING = 11
#: Apache's code for a protocol version nobody speaks.
INVALID_PROTOCOL = 9

#: Bytes a connection leaves unwritten before a sender waits for the peer to take them.
_HIGH_WATER = 64 << 10

#: How a handler is run: awaited as it is, or (the threaded API) on a thread of a pool.
Runner = Callable[[Callable[..., Any], tuple[Any, ...]], Awaitable[Any]]


async def run_inline(function: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    """Runs `function` on the event loop, awaiting what it returns if it is awaitable."""
    value = function(*args)
    if inspect.isawaitable(value):
        value = await value
    return value


@dataclass(frozen=True)
class Limits:
    """What a peer may make this side hold, and how long it may take (the Rust runtime's
    defaults, `docs/limits.md`).

    - `max_in_flight`: incoming calls running at once; more are answered ``LOADSHEDDING``.
    - `max_incoming_bytes`: bytes of incoming calls and oneways held; a call over it is
      answered ``LOADSHEDDING``, a oneway waits (nothing more is read until it fits).
    - `frame_timeout`: seconds a message may take from its first byte to its last.
    - `write_timeout`: seconds one write may wait for the peer to take bytes.
    - `idle_timeout`: seconds with nothing received, sent or running after which the
      connection closes (`None`: never). Servers use 300 by default (`SERVER_LIMITS`),
      clients none.
    """

    max_in_flight: int = 1000
    max_incoming_bytes: int = 16 << 20
    frame_timeout: float = 30.0
    write_timeout: float = 30.0
    idle_timeout: Optional[float] = None


#: A server's defaults: those of `Limits`, and connections idle for 5 minutes closed.
SERVER_LIMITS = Limits(idle_timeout=300.0)


class Service:
    """A thriftpy2 service and the handler that implements it: what a connection hands its
    incoming calls to. `run` decides where the handler's methods run."""

    def __init__(self, service: Any, handler: Any, run: Runner = run_inline) -> None:
        self.service = service
        self.handler = handler
        self.name: str = service.__name__
        self._run = run

    async def answer(self, call: Message) -> Optional[tuple[str, int, Any]]:
        """Runs `call`; the answer to send (name, kind, body), or `None` for a oneway."""
        # Multiplexed names (`Service:method`) must name this service (docs/bidi.md section 6).
        prefix, _, api = call.name.rpartition(":")
        oneway = call.kind == ONEWAY
        if api not in self.service.thrift_services or prefix not in ("", self.name):
            if oneway:
                log.debug("oneway call of an unknown method %s", call.name)
                return None
            failure = TApplicationException(TApplicationException.UNKNOWN_METHOD, f"unknown method {api}")
            return call.name, EXCEPTION, failure
        try:
            args = call.body(getattr(self.service, api + "_args"))
        except ProtocolError as e:
            if oneway:
                log.warning("oneway %s: %s", call.name, e)
                return None
            return call.name, EXCEPTION, TApplicationException(TApplicationException.PROTOCOL_ERROR, str(e))
        result = getattr(self.service, api + "_result")()
        values = tuple(args.__dict__[spec[1]] for spec in args.thrift_spec.values())
        try:
            result.success = await self._run(getattr(self.handler, api), values)
        except TApplicationException as e:
            return None if oneway else (call.name, EXCEPTION, e)
        except asyncio.CancelledError:
            raise
        except Exception as e:
            if not _declared(result, e):
                log.warning("%s failed: %r", call.name, e)
                if oneway:
                    return None
                failure = TApplicationException(TApplicationException.INTERNAL_ERROR, f"{type(e).__name__}: {e}")
                return call.name, EXCEPTION, failure
        return None if oneway else (call.name, REPLY, result)


def _declared(result: Any, error: Exception) -> bool:
    """Sets `error` on `result` if it is one of the exceptions the method declares."""
    for spec in result.thrift_spec.values():
        if spec[1] != "success" and len(spec) > 2 and isinstance(spec[2], type) and isinstance(error, spec[2]):
            setattr(result, spec[1], error)
            return True
    return False


class Connection:
    """One connection, on either side."""

    def __init__(
        self,
        stream: tuple[asyncio.StreamReader, asyncio.StreamWriter],
        codec: Codec,
        limits: Limits,
        service: Optional[Service],
        *,
        accepted: bool,
        offers_callbacks: bool = False,
    ) -> None:
        self.codec = codec
        #: A server whose service has a callback service: it answers hellos.
        self.offers_callbacks = offers_callbacks
        self.limits = limits
        self.service = service
        self.accepted = accepted
        self._reader = Reader(stream[0], codec, limits.frame_timeout)
        self._writer = stream[1]
        self._write_lock = asyncio.Lock()
        self._pending: dict[int, asyncio.Future[Message]] = {}
        self._next_seqid = 0
        self._running: set[asyncio.Task[None]] = set()
        self._held = 0
        self._room = asyncio.Condition()
        self._oneways: asyncio.Queue[Optional[Message]] = asyncio.Queue()
        self._closed = asyncio.Event()
        self._error: Optional[BaseException] = None
        #: Whether the peer said hello (a server may call it back).
        self.peer_hello = False
        #: Whether the peer ended the connection cleanly (between messages).
        self.peer_closed = False
        self.peer: Any = stream[1].get_extra_info("peername")
        self._tasks = [
            asyncio.ensure_future(self._read_all()),
            asyncio.ensure_future(self._run_oneways()),
        ]
        loop = asyncio.get_running_loop()
        self._active = loop.time()
        self._idle: Optional[asyncio.TimerHandle] = None
        if limits.idle_timeout is not None:
            self._idle = loop.call_later(limits.idle_timeout, self._check_idle)

    def _check_idle(self) -> None:
        """Closes the connection if nothing was received, sent or running for the idle
        timeout; looks again when it would next be due."""
        timeout = self.limits.idle_timeout
        assert timeout is not None
        loop = asyncio.get_running_loop()
        busy = self._pending or self._running or self._held
        quiet = loop.time() - self._active
        if not busy and quiet >= timeout:
            log.info("connection idle for %s s: closed", timeout)
            self._close(None)
            return
        self._idle = loop.call_later(timeout if busy else timeout - quiet, self._check_idle)

    # Calls this side makes.

    def _seqid(self) -> int:
        while True:
            self._next_seqid = self._next_seqid % 0x7FFFFFFF + 1
            if self._next_seqid not in self._pending:
                return self._next_seqid

    async def call(self, name: str, kind: int, args: Any, timeout: Optional[float]) -> Optional[Message]:
        """Sends a CALL (its reply, or `Timeout`) or a ONEWAY (`None` once written)."""
        if self._closed.is_set():
            raise Disconnected("the connection is closed")
        seqid = self._seqid()
        data = self.codec.encode(name, kind, seqid, args)
        if kind == ONEWAY:
            await self._send(data)
            return None
        loop = asyncio.get_running_loop()
        reply: asyncio.Future[Message] = loop.create_future()
        self._pending[seqid] = reply
        # A timer on the future itself (cheaper than `wait_for`, which makes a task per call).
        expiry = None
        if timeout is not None:
            late = Timeout(f"no reply to {name} within {timeout} s")

            def expire() -> None:
                if not reply.done():
                    reply.set_exception(late)

            expiry = loop.call_later(timeout, expire)
        try:
            await self._send(data)
            return await reply
        finally:
            if expiry is not None:
                expiry.cancel()
            # A late reply finds no call and is dropped (docs/bidi.md rule 2.2).
            self._pending.pop(seqid, None)

    async def _send(self, data: bytes) -> None:
        async with self._write_lock:
            if self._closed.is_set():
                raise Disconnected("the connection is closed")
            self._writer.write(data)
            self._active = asyncio.get_running_loop().time()
            if self._writer.transport.get_write_buffer_size() < _HIGH_WATER:
                return  # taken by the socket, or little left: nothing to wait for
            try:
                await asyncio.wait_for(self._writer.drain(), self.limits.write_timeout)
            except asyncio.TimeoutError:
                self._close(ProtocolError(f"the peer took nothing for {self.limits.write_timeout} s"))
                raise Disconnected("the peer stopped reading") from None
            except (ConnectionError, OSError) as e:
                self._close(e)
                raise Disconnected(str(e)) from None

    # What the peer sends.

    async def _read_all(self) -> None:
        error: Optional[BaseException] = None
        try:
            while True:
                message = await self._reader.read()
                if message is None:
                    self.peer_closed = True
                    break
                self._active = asyncio.get_running_loop().time()
                await self._route(message)
        except asyncio.CancelledError:
            pass
        except (ThriftBidiError, ConnectionError, OSError) as e:
            log.warning("connection closed: %s", e)
            error = e
        self._close(error)

    async def _route(self, message: Message) -> None:
        if message.kind in (REPLY, EXCEPTION):
            waiting = self._pending.pop(message.seqid, None)
            if waiting is None or waiting.done():
                log.debug("reply for no pending call dropped: %s #%d", message.name, message.seqid)
            else:
                waiting.set_result(message)
            return
        if message.name == HELLO and message.kind == CALL:
            await self._answer_hello(message)
            return
        if message.kind == ONEWAY:
            async with self._room:
                await self._room.wait_for(lambda: self._held + len(message) <= self.limits.max_incoming_bytes)
                self._held += len(message)
            self._oneways.put_nowait(message)
            return
        over = len(self._running) >= self.limits.max_in_flight
        if over or self._held + len(message) > self.limits.max_incoming_bytes:
            failure = TApplicationException(LOADSHEDDING, "overloaded")
            await self._send(self.codec.encode(message.name, EXCEPTION, message.seqid, failure))
            return
        self._held += len(message)
        task = asyncio.ensure_future(self._handle(message))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _answer_hello(self, hello: Message) -> None:
        if not self.offers_callbacks:
            failure = TApplicationException(TApplicationException.UNKNOWN_METHOD, f"unknown method {HELLO}")
            await self._send(self.codec.encode(HELLO, EXCEPTION, hello.seqid, failure))
            return
        try:
            says = hello.body(Hello)
        except ProtocolError as e:
            failure = TApplicationException(TApplicationException.PROTOCOL_ERROR, str(e))
            await self._send(self.codec.encode(HELLO, EXCEPTION, hello.seqid, failure))
            return
        if not (says.min_version or 0) <= RULES_VERSION <= (says.max_version or 0):
            failure = TApplicationException(INVALID_PROTOCOL, f"versions {says.min_version}..{says.max_version}")
            await self._send(self.codec.encode(HELLO, EXCEPTION, hello.seqid, failure))
            return
        await self._send(self.codec.encode(HELLO, REPLY, hello.seqid, HelloReply(version=RULES_VERSION)))
        self.peer_hello = True

    async def _handle(self, message: Message) -> None:
        try:
            await self._answer(message)
        finally:
            await self._release(len(message))

    async def _answer(self, message: Message) -> None:
        if self.service is None:
            answer: Optional[tuple[str, int, Any]] = None
            if message.kind == CALL:
                failure = TApplicationException(TApplicationException.UNKNOWN_METHOD, f"unknown method {message.name}")
                answer = (message.name, EXCEPTION, failure)
        else:
            answer = await self.service.answer(message)
        if answer is not None:
            name, kind, body = answer
            try:
                await self._send(self.codec.encode(name, kind, message.seqid, body))
            except Disconnected:
                pass

    async def _release(self, size: int) -> None:
        async with self._room:
            self._held -= size
            self._room.notify_all()

    async def _run_oneways(self) -> None:
        while True:
            message = await self._oneways.get()
            if message is None:
                return
            try:
                await self._answer(message)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # a oneway's failure has nobody to tell
                log.warning("oneway %s failed: %r", message.name, e)
            finally:
                await self._release(len(message))

    # The end.

    def _close(self, error: Optional[BaseException]) -> None:
        if self._closed.is_set():
            return
        self._error = error
        self._closed.set()
        if self._idle is not None:
            self._idle.cancel()
        for waiting in self._pending.values():
            if not waiting.done():
                waiting.set_exception(Disconnected(f"the connection closed: {error}" if error else "the connection closed"))
        self._pending.clear()
        current = asyncio.current_task()
        for task in [*self._running, *self._tasks]:
            if task is not current:
                task.cancel()
        self._writer.close()

    def close(self) -> None:
        """Closes the connection: pending calls fail with `Disconnected`, handlers still
        running are cancelled."""
        self._close(None)

    @property
    def is_closed(self) -> bool:
        """Whether the connection has closed."""
        return self._closed.is_set()

    async def closed(self) -> None:
        """Waits until the connection has closed, and its tasks have ended."""
        await self._closed.wait()
        await asyncio.gather(*self._tasks, *self._running, return_exceptions=True)
        try:
            await self._writer.wait_closed()
        except (ConnectionError, OSError):
            pass
