"""The body scan that checks every message before it is decoded: it finds the end of what
thriftpy2's own encoders write (every field type, both protocols), asks for more bytes at
every cut short of it, and refuses lengths over the bounds, nesting past the depth, and
claims the bytes cannot back; and a server closes a connection that sends them, unanswered,
while it serves others."""

from __future__ import annotations

import asyncio
import struct
from pathlib import Path
from typing import Any

import pytest
import thriftpy2
from conftest import jobs
from thriftpy2.protocol.binary import TBinaryProtocol
from thriftpy2.protocol.compact import TCompactProtocol
from thriftpy2.transport.memory import TMemoryBuffer

from thrift_bidi import Bounds, Codec, ProtocolError, aio
from thrift_bidi.scan import Short, body_end

everything = thriftpy2.load(
    str(Path(__file__).resolve().parents[2] / "tests" / "idl" / "everything.thrift"), module_name="everything_thrift"
)
PROTOCOLS = {"binary": TBinaryProtocol, "compact": TCompactProtocol}


def full() -> Any:
    e = everything
    point = e.Point(x=1, y=-2)
    return e.Everything(
        a_bool=True, a_byte=-3, an_i16=-300, an_i32=70000, an_i64=-(1 << 40), a_double=3.5,
        a_string="héllo", a_binary=b"\x00\xff", a_color=e.Color.GREEN, a_point=point,
        a_shape=e.Shape(polygon=[point, point]),
        ints=[1, -1, 1 << 40], strings={"a", "b"}, points={"p": point, "q": e.Point(x=0, y=0)},
        nested=[{1: {5, -5}}, {}], by_color={e.Color.RED: [1.0, 2.0]}, maybe_int=0, maybe_string="",
        maybe_point=point, must="m", flags=[True, False, True] * 7, blobs={b"x", b""},
        shapes=[e.Shape(name="n"), e.Shape(radius=0.5)], far_bool=False,
    )


def encode(protocol: str, value: Any) -> bytes:
    buffer = TMemoryBuffer()
    value.write(PROTOCOLS[protocol](buffer))
    return buffer.getvalue()


@pytest.mark.parametrize("protocol", ["binary", "compact"])
def test_the_scan_ends_where_thriftpy2s_encoding_ends(protocol: str) -> None:
    data = encode(protocol, full())
    assert body_end(protocol, data, 0, Bounds()) == len(data)
    assert body_end(protocol, data + b"next", 0, Bounds()) == len(data)
    for cut in range(len(data)):
        with pytest.raises(Short):
            body_end(protocol, data[:cut], 0, Bounds())


@pytest.mark.parametrize("protocol", ["binary", "compact"])
def test_bounds_are_refused(protocol: str) -> None:
    e = everything
    data = encode(protocol, e.Everything(a_string="x" * 100, must="m"))
    with pytest.raises(ProtocolError, match="string of 100 bytes"):
        body_end(protocol, data, 0, Bounds(max_string_len=99))
    data = encode(protocol, e.Everything(ints=list(range(50)), must="m"))
    with pytest.raises(ProtocolError, match="50 elements"):
        body_end(protocol, data, 0, Bounds(max_container_len=49))
    data = encode(protocol, e.Everything(nested=[{1: {5}}], must="m"))
    assert body_end(protocol, data, 0, Bounds(max_depth=5)) == len(data)
    with pytest.raises(ProtocolError, match="nested deeper"):
        body_end(protocol, data, 0, Bounds(max_depth=3))


def test_claims_past_the_bytes_and_unknown_types() -> None:
    # Binary: a list<i64> claiming a million elements in a few bytes, a negative string.
    claim = bytes([15]) + struct.pack("!h", 12) + bytes([10]) + struct.pack("!i", 1_000_000)
    with pytest.raises(Short):
        body_end("binary", claim + b"\x00" * 16, 0, Bounds())
    negative = bytes([11]) + struct.pack("!h", 7) + struct.pack("!i", -5)
    with pytest.raises(ProtocolError, match="negative"):
        body_end("binary", negative, 0, Bounds())
    with pytest.raises(ProtocolError, match="unknown type"):
        body_end("binary", bytes([99]) + struct.pack("!h", 1), 0, Bounds())
    with pytest.raises(ProtocolError, match="varint"):
        body_end("compact", bytes([0x05]) + b"\xff" * 11, 0, Bounds())


def test_a_server_drops_a_connection_whose_message_is_over_the_bounds() -> None:
    class Worker:
        def __init__(self, peer: aio.Peer) -> None:
            pass

        async def checksum(self, name: str) -> int:
            return len(name)

    def call(name_len: int) -> bytes:
        args = jobs.Jobs.checksum_args(name="n" * name_len)
        body = Codec().encode("checksum", 1, 1, args)
        return body

    async def run() -> None:
        codec = Codec(bounds=Bounds(max_string_len=1000))
        server = aio.Server(jobs.Jobs, Worker, codec=codec)
        port = await server.start()
        good = await aio.connect("127.0.0.1", port, jobs.Jobs, timeout=10)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(call(1001))
        await writer.drain()
        assert await asyncio.wait_for(reader.read(), 10) == b"", "closed, unanswered"
        writer.close()
        assert await good.checksum("x" * 1000) == 1000, "at the bound, and the others served"
        good.close()
        await server.close()

    asyncio.run(run())
