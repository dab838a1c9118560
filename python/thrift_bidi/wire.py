"""Messages on the wire: Thrift messages in thriftpy2's binary or compact protocol, framed
(each after its 4-byte length) or buffered (back to back), read from an asyncio stream within
the limits, and the hello of the bidirectional rules (`docs/bidi.md` section 3).

Input: bytes from a stream. Output: `Message`s, whose bodies decode into thriftpy2 structs on
demand; and the bytes of the messages this side sends.
"""

from __future__ import annotations

import asyncio
import struct
from dataclasses import dataclass
from typing import Any, Optional, Type, TypeVar

from thriftpy2.protocol.binary import TBinaryProtocol
from thriftpy2.protocol.compact import TCompactProtocol
from thriftpy2.thrift import TMessageType, TPayload, TType

from .errors import Disconnected, FrameTooLarge, ProtocolError
from .scan import Bounds, Short, body_end

#: The name of the hello call, which no IDL function can have.
HELLO = "thrift-bidi.hello"
#: The version of the wire rules this library speaks.
RULES_VERSION = 1

CALL = TMessageType.CALL
REPLY = TMessageType.REPLY
EXCEPTION = TMessageType.EXCEPTION
ONEWAY = TMessageType.ONEWAY

P = TypeVar("P")

#: thriftpy2's pure-Python protocols (which read through any transport), by name.
_PROTOCOLS: dict[str, Any] = {"binary": TBinaryProtocol, "compact": TCompactProtocol}


class Hello(TPayload):
    """The hello's args: the rule versions a client speaks and its callback service."""

    thrift_spec = {
        1: (TType.I32, "min_version", False),
        2: (TType.I32, "max_version", False),
        3: (TType.STRING, "callback_service", False),
    }

    def __init__(
        self,
        min_version: Optional[int] = None,
        max_version: Optional[int] = None,
        callback_service: Optional[str] = None,
    ) -> None:
        self.min_version = min_version
        self.max_version = max_version
        self.callback_service = callback_service


class HelloReply(TPayload):
    """The hello's result: the version both sides use."""

    thrift_spec = {0: (TType.I32, "version", False)}

    def __init__(self, version: Optional[int] = None) -> None:
        self.version = version


class _Short(Exception):
    """The bytes end before the message does (buffered: wait for more)."""


class _Cursor:
    """A read-only thriftpy2 transport over bytes, which refuses to read past their end."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def read(self, size: int) -> bytes:
        if size < 0:
            raise ProtocolError(f"a negative length ({size})")
        end = self.pos + size
        if end > len(self.data):
            raise _Short()
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk


class _Sink:
    """A write-only thriftpy2 transport collecting bytes."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.parts.append(bytes(data))

    def flush(self) -> None:
        pass


@dataclass(frozen=True)
class Codec:
    """How a connection's messages are written: `transport` is ``"framed"`` (the default) or
    ``"buffered"``, `protocol` ``"binary"`` (the default) or ``"compact"``; `max_frame` bounds
    every message read, in bytes (16 MiB by default), and `bounds` what one message may hold
    (string and container lengths, nesting), checked before it is decoded."""

    transport: str = "framed"
    protocol: str = "binary"
    max_frame: int = 16 << 20
    bounds: Bounds = Bounds()

    def __post_init__(self) -> None:
        if self.transport not in ("framed", "buffered"):
            raise ValueError(f"transport {self.transport!r}: framed or buffered")
        if self.protocol not in ("binary", "compact"):
            raise ValueError(f"protocol {self.protocol!r}: binary or compact")

    def on(self, trans: Any) -> Any:
        """A thriftpy2 protocol of this codec over `trans`."""
        return _PROTOCOLS[self.protocol](trans)

    def encode(self, name: str, kind: int, seqid: int, body: Any) -> bytes:
        """The bytes of a message, framed as this codec frames."""
        sink = _Sink()
        proto = self.on(sink)
        proto.write_message_begin(name, kind, seqid)
        body.write(proto)
        proto.write_message_end()
        data = b"".join(sink.parts)
        if self.transport == "framed":
            return struct.pack("!i", len(data)) + data
        return data


@dataclass(frozen=True)
class Message:
    """A message read whole: its header, and its bytes to decode the body from."""

    name: str
    kind: int
    seqid: int
    data: bytes
    codec: Codec

    def body(self, cls: Type[P]) -> P:
        """The body decoded as `cls` (args, result, or `TApplicationException`)."""
        proto = self.codec.on(_Cursor(self.data))
        try:
            proto.read_message_begin()
            value = cls()
            value.read(proto)  # type: ignore[attr-defined]
        except _Short:
            raise ProtocolError(f"{self.name}: the body ends early") from None
        except ProtocolError:
            raise
        except Exception as e:  # thriftpy2 raises several kinds on bad input
            raise ProtocolError(f"{self.name}: {e}") from e
        return value

    def __len__(self) -> int:
        return len(self.data)


def _header(codec: Codec, data: bytes) -> tuple[str, int, int, int]:
    """The name, kind and seqid of the message at the start of `data`, and where it ends;
    `_Short` when `data` ends first."""
    cursor = _Cursor(data)
    proto = codec.on(cursor)
    try:
        name, kind, seqid = proto.read_message_begin()
    except (_Short, ProtocolError):
        raise
    except Exception as e:
        raise ProtocolError(f"not a Thrift message: {e}") from e
    if kind not in (CALL, REPLY, EXCEPTION, ONEWAY):
        raise ProtocolError(f"message type {kind}")
    if not isinstance(name, str):
        name = bytes(name).decode("utf-8", "replace")
    try:
        end = body_end(codec.protocol, data, cursor.pos, codec.bounds)
    except Short:
        raise _Short() from None
    return name, kind, seqid, end


class Reader:
    """Reads whole messages from a stream, each within the codec's `max_frame` and arriving
    within `frame_timeout` seconds of its first byte."""

    def __init__(self, stream: asyncio.StreamReader, codec: Codec, frame_timeout: float) -> None:
        self._stream = stream
        self._codec = codec
        self._timeout = frame_timeout
        self._buffer = b""

    async def read(self) -> Optional[Message]:
        """The next message; `None` when the peer closed between messages."""
        if self._codec.transport == "framed":
            return await self._framed()
        return await self._buffered()

    async def _exactly(self, size: int) -> bytes:
        try:
            return await self._stream.readexactly(size)
        except asyncio.IncompleteReadError:
            raise Disconnected("the peer closed in the middle of a message") from None

    async def _framed(self) -> Optional[Message]:
        first = await self._stream.read(1)
        if not first:
            return None
        # The rest of the message within the frame timeout: a timer cancels this task (cheaper
        # than `wait_for`, which makes a task per read).
        task = asyncio.current_task()
        assert task is not None
        expired: list[bool] = []

        def expire() -> None:
            expired.append(True)
            task.cancel()

        timer = asyncio.get_running_loop().call_later(self._timeout, expire)
        try:
            (size,) = struct.unpack("!I", first + await self._exactly(3))
            if size > self._codec.max_frame:
                raise FrameTooLarge(f"a frame of {size} bytes is over the {self._codec.max_frame}-byte limit")
            data = await self._exactly(size)
        except asyncio.CancelledError:
            if expired:
                raise ProtocolError(f"a message did not arrive whole within {self._timeout} s") from None
            raise
        finally:
            timer.cancel()
        try:
            name, kind, seqid, end = _header(self._codec, data)
        except _Short:
            raise ProtocolError("a frame ends inside its message") from None
        if end != len(data):
            raise ProtocolError(f"{len(data) - end} bytes after the message in its frame")
        return Message(name, kind, seqid, data, self._codec)

    async def _buffered(self) -> Optional[Message]:
        loop = asyncio.get_running_loop()
        started: Optional[float] = None
        while True:
            if self._buffer:
                try:
                    name, kind, seqid, end = _header(self._codec, self._buffer)
                except _Short:
                    pass
                else:
                    data, self._buffer = self._buffer[:end], self._buffer[end:]
                    return Message(name, kind, seqid, data, self._codec)
                if len(self._buffer) > self._codec.max_frame:
                    raise FrameTooLarge(
                        f"a message over the {self._codec.max_frame}-byte limit"
                    )
                started = started if started is not None else loop.time()
            left = None if started is None else self._timeout - (loop.time() - started)
            if left is not None and left <= 0:
                raise ProtocolError(f"a message did not arrive whole within {self._timeout} s")
            try:
                more = await asyncio.wait_for(self._stream.read(64 << 10), left)
            except asyncio.TimeoutError:
                raise ProtocolError(
                    f"a message did not arrive whole within {self._timeout} s"
                ) from None
            if not more:
                if self._buffer:
                    raise Disconnected("the peer closed in the middle of a message")
                return None
            self._buffer += more
