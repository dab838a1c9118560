"""The golden transcript of a bidirectional session (`tests/vectors/bidi.txt`, every message
encoded by Apache's Python library; the Rust tests check it is still what that writes and
play it against the Rust runtime): its client side played against a Python server, and its
server side against a Python client. What each sends must be the transcript's, byte for
byte."""

from __future__ import annotations

import asyncio
import struct
from pathlib import Path
from typing import Any

from conftest import fnv1a, jobs

from thrift_bidi import aio

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors" / "bidi.txt"
BOUND = 10


def transcript() -> list[tuple[str, str, bytes]]:
    lines = VECTORS.read_text().splitlines()
    return [(side, what, bytes.fromhex(data)) for side, what, data in (line.split("\t") for line in lines)]


async def play(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, ours: str) -> None:
    for side, what, frame in transcript():
        if side == ours:
            writer.write(frame)
            await writer.drain()
            continue
        length = await asyncio.wait_for(reader.readexactly(4), BOUND)
        body = await asyncio.wait_for(reader.readexactly(struct.unpack("!I", length)[0]), BOUND)
        assert (length + body).hex() == frame.hex(), what


class Worker:
    """The jobs server's handler: pulls the input through callbacks, pushing its progress."""

    def __init__(self, peer: aio.Peer) -> None:
        self.source = peer.callbacks(jobs.JobSource, timeout=BOUND)

    async def checksum(self, name: str) -> int:
        data = b""
        for index in range(1 << 20):
            chunk = await self.source.chunk(name, index)
            if not chunk:
                break
            data += chunk
            await self.source.progress(name, len(data))
        return fnv1a(data)


class Source:
    async def chunk(self, name: str, index: int) -> bytes:
        return b"abc"[index * 3 : index * 3 + 3] if name == "in.txt" else b""

    async def progress(self, name: str, done: int) -> None:
        pass


def test_a_python_server_answers_the_transcripts_client_side() -> None:
    async def run() -> None:
        server = aio.Server(jobs.Jobs, Worker, callback_service=jobs.JobSource)
        port = await server.start()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        await play(reader, writer, "c")
        writer.close()
        await server.close()

    asyncio.run(run())


def test_a_python_client_answers_the_transcripts_server_side() -> None:
    async def run() -> Any:
        played = asyncio.get_running_loop().create_future()

        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                await play(reader, writer, "s")
                played.set_result(None)
            except BaseException as e:
                played.set_exception(e)

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        client = await aio.connect(
            "127.0.0.1", port, jobs.Jobs, handler=Source(), callback_service=jobs.JobSource, timeout=BOUND
        )
        sum_ = await client.checksum("in.txt")
        await asyncio.wait_for(played, BOUND)
        client.close()
        server.close()
        return sum_

    assert asyncio.run(run()) == fnv1a(b"abc")
