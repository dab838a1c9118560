"""Bad input: a peer that sends a malformed frame, a huge length claim or garbage after the
hello fails the connection cleanly, every pending call raising, with no task left behind; a
server sending the same to a Python server's client side closes only that connection, while
the server goes on serving others; and a message trickled past the frame timeout is dropped."""

from __future__ import annotations

import asyncio
import struct
from typing import Any, Awaitable, Callable

import pytest
from conftest import jobs

from thrift_bidi import Codec, Disconnected, Limits, aio

Serve = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def fake_server(serve: Serve) -> tuple[asyncio.base_events.Server, int]:
    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


class Source:
    async def chunk(self, name: str, index: int) -> bytes:
        return b""

    async def progress(self, name: str, done: int) -> None:
        pass


def answers_hello_then(bad: bytes, ended: asyncio.Event) -> Serve:
    """A server that reads the hello, answers nothing, and sends `bad` once the first call
    after it has arrived; `ended` is set when the client has hung up."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            for _ in range(2):  # the hello, then the call
                (size,) = struct.unpack("!i", await reader.readexactly(4))
                await reader.readexactly(size)
            writer.write(bad)
            await writer.drain()
            await reader.read()  # until the client hangs up
            writer.close()
        finally:
            ended.set()

    return serve


@pytest.mark.parametrize(
    "bad",
    [
        struct.pack("!i", 12) + b"\x00" * 12,  # a frame that is no message
        struct.pack("!I", 0xFFFFFFF0),  # a 4 GiB claim
        b"GET / HTTP/1.1\r\n\r\n",  # garbage after the hello
        struct.pack("!i", 5) + b"\x80\x01\x00\x02\x00",  # a frame that ends inside its message
    ],
    ids=["not-a-message", "huge-claim", "garbage", "cut-short"],
)
def test_bad_frames_fail_every_pending_call_and_leave_nothing(bad: bytes) -> None:
    async def run() -> None:
        ended = asyncio.Event()
        server, port = await fake_server(answers_hello_then(bad, ended))
        client = await aio.connect(
            "127.0.0.1", port, jobs.Jobs, handler=Source(), callback_service=jobs.JobSource,
            codec=Codec(max_frame=1 << 20),
        )
        calls = [asyncio.ensure_future(client.checksum(f"x{i}")) for i in range(3)]
        for call in calls:
            with pytest.raises(Disconnected):
                await asyncio.wait_for(call, 10)
        await asyncio.wait_for(client.closed(), 10)
        await asyncio.wait_for(ended.wait(), 10)  # the fake server saw the client hang up
        server.close()
        await asyncio.wait_for(server.wait_closed(), 10)
        await asyncio.sleep(0)  # the fake server's task, ended, leaves the loop's set
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        assert others == [], "the connection's tasks ended"

    asyncio.run(run())


def test_a_python_server_drops_a_bad_client_and_serves_the_others() -> None:
    class Worker:
        def __init__(self, peer: aio.Peer) -> None:
            pass

        async def checksum(self, name: str) -> int:
            return len(name)

    async def run() -> None:
        server = aio.Server(jobs.Jobs, Worker, limits=Limits(frame_timeout=0.5), codec=Codec(max_frame=1 << 16))
        port = await server.start()
        good = await aio.connect("127.0.0.1", port, jobs.Jobs, timeout=10)
        for bad in [struct.pack("!I", 1 << 20), b"\x00\x00\x00\x08\xff\xff\xff\xff\xff\xff\xff\xff"]:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(bad)
            await writer.drain()
            assert await asyncio.wait_for(reader.read(), 10) == b"", "closed, unanswered"
            writer.close()
        # A message trickled in: two bytes, then nothing past the frame timeout.
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"\x00\x00")
        await writer.drain()
        assert await asyncio.wait_for(reader.read(), 10) == b"", "dropped after the frame timeout"
        writer.close()
        assert await good.checksum("four") == 4, "the others are served"
        good.close()
        await server.close()

    asyncio.run(run())
