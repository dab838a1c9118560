"""A Python client with callbacks against the Rust `jobs-server`: the server pulls the job's
input from the client through two-way callbacks in the middle of the call and pushes its
progress; declared exceptions go both ways; 50 jobs run at once on one connection; and a
server that vanishes in the middle of a callback fails the pending call without leaving a
task behind."""

from __future__ import annotations

import asyncio
import ssl
import threading
from pathlib import Path
from typing import Any

import pytest
from conftest import fnv1a, jobs, sample
from thriftpy2.thrift import TApplicationException

from thrift_bidi import Callbacks, Codec, Disconnected, aio, sync

CHUNK = 64 << 10


class Source:
    """The client's inputs, served chunk by chunk; the progress pushed, in order."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.pushed: list[tuple[str, int]] = []
        self.chunks = 0

    async def chunk(self, name: str, index: int) -> bytes:
        if name not in self.files:
            raise jobs.NoSuchInput(name=name)
        self.chunks += 1
        return self.files[name][index * CHUNK : (index + 1) * CHUNK]

    async def progress(self, name: str, done: int) -> None:
        self.pushed.append((name, done))


async def connect(port: int, source: Any, codec: Codec = Codec()) -> aio.Client:
    client = await aio.connect(
        "127.0.0.1", port, jobs.Jobs, handler=source, callback_service=jobs.JobSource,
        codec=codec, timeout=30,
    )
    assert await client.callbacks_ready() == Callbacks.AVAILABLE
    return client


@pytest.mark.parametrize(
    "codec", [Codec(), Codec("buffered", "compact")], ids=["framed-binary", "buffered-compact"]
)
def test_the_server_pulls_the_input_through_callbacks_mid_call(program: Any, codec: Codec) -> None:
    server = program("jobs-server", "--transport", codec.transport, "--protocol", codec.protocol)
    data = sample(1 << 20)
    source = Source({"data.bin": data})

    async def run() -> None:
        client = await connect(server.port, source, codec)
        assert await client.checksum("data.bin") == fnv1a(data)
        client.close()
        await client.closed()

    asyncio.run(run())
    assert source.chunks == 17, "16 chunks of 64 KiB and the empty one"
    assert source.pushed == [("data.bin", (i + 1) * CHUNK) for i in range(16)], "in order"


def test_declared_exceptions_go_both_ways(program: Any) -> None:
    server = program("jobs-server")

    async def run() -> None:
        client = await connect(server.port, Source({}))
        # The client's NoSuchInput reaches the server, whose JobFailed comes back.
        with pytest.raises(jobs.JobFailed) as failed:
            await client.checksum("missing.bin")
        assert failed.value.name == "missing.bin"
        assert "missing.bin" in failed.value.why
        client.close()

    asyncio.run(run())


def test_fifty_jobs_at_once_on_one_connection(program: Any) -> None:
    server = program("jobs-server")
    files = {f"f{i}": sample(1000 + 97 * i, seed=i) for i in range(50)}

    async def run() -> list[int]:
        client = await connect(server.port, Source(files))
        sums = await asyncio.gather(*(client.checksum(name) for name in files))
        client.close()
        return list(sums)

    assert asyncio.run(run()) == [fnv1a(data) for data in files.values()]


def test_a_server_gone_mid_callback_fails_the_call_and_leaves_nothing(program: Any) -> None:
    server = program("jobs-server")

    class Stuck(Source):
        def __init__(self) -> None:
            super().__init__({"data.bin": sample(1000)})
            self.called = asyncio.Event()

        async def chunk(self, name: str, index: int) -> bytes:
            self.called.set()
            await asyncio.sleep(60)  # the server is killed meanwhile
            return b""

    async def run() -> None:
        source = Stuck()
        client = await connect(server.port, source)
        job = asyncio.ensure_future(client.checksum("data.bin"))
        await asyncio.wait_for(source.called.wait(), 10)
        server.stop()
        with pytest.raises(Disconnected):
            await asyncio.wait_for(job, 10)
        await asyncio.wait_for(client.closed(), 10)
        with pytest.raises(Disconnected):
            await client.checksum("data.bin")
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        assert others == [], "the connection's tasks, and the stuck handler, ended"

    asyncio.run(run())


def test_the_threaded_client_serves_callbacks_on_its_pool(program: Any) -> None:
    server = program("jobs-server")
    data = sample(300_000)
    seen: set[str] = set()

    class Threaded:
        def chunk(self, name: str, index: int) -> bytes:
            seen.add(threading.current_thread().name)
            return data[index * CHUNK : (index + 1) * CHUNK]

        def progress(self, name: str, done: int) -> None:
            pass

    with sync.connect(
        "127.0.0.1", server.port, jobs.Jobs, handler=Threaded(), callback_service=jobs.JobSource, timeout=30
    ) as client:
        assert client.callbacks_ready(timeout=10) == Callbacks.AVAILABLE
        assert client.checksum("x") == fnv1a(data)
    assert seen and all(name.startswith("thrift-bidi-handler") for name in seen), seen


def test_over_tls_to_the_rust_jobs_server(program: Any) -> None:
    certs = Path(__file__).resolve().parents[2] / "tests" / "certs"
    server = program(
        "jobs-server", "--tls-cert", str(certs / "server.pem"), "--tls-key", str(certs / "server.key")
    )
    context = ssl.create_default_context(cafile=str(certs / "ca.pem"))
    data = sample(200_000)

    async def run() -> None:
        client = await aio.connect(
            "127.0.0.1", server.port, jobs.Jobs, handler=Source({"d": data}), callback_service=jobs.JobSource,
            ssl=context, server_hostname="localhost", timeout=30,
        )
        assert await client.callbacks_ready() == Callbacks.AVAILABLE
        assert await client.checksum("d") == fnv1a(data)
        client.close()
        await client.closed()

    asyncio.run(run())
    other = ssl.create_default_context(cafile=str(certs / "other-ca.pem"))

    async def refused() -> None:
        with pytest.raises(ssl.SSLError):
            await aio.connect("127.0.0.1", server.port, jobs.Jobs, ssl=other, server_hostname="localhost")

    asyncio.run(refused())


def test_multiplexed_names_both_ways(program: Any) -> None:
    """`Jobs:checksum` to a multiplexed Rust server, which calls back `JobSource:chunk`."""
    server = program("jobs-server", "--multiplexed")
    data = sample(100_000)

    async def run() -> None:
        client = await aio.connect(
            "127.0.0.1", server.port, jobs.Jobs, handler=Source({"d": data}), callback_service=jobs.JobSource,
            multiplexed="Jobs", timeout=30,
        )
        assert await client.callbacks_ready() == Callbacks.AVAILABLE
        assert await client.checksum("d") == fnv1a(data)
        with pytest.raises(jobs.JobFailed):
            await client.checksum("missing")
        client.close()
        plain = await aio.connect("127.0.0.1", server.port, jobs.Jobs, timeout=30)
        with pytest.raises(TApplicationException) as unknown:
            await plain.checksum("d")  # no `Jobs:` prefix: no such service there
        assert unknown.value.type == TApplicationException.UNKNOWN_METHOD
        plain.close()

    asyncio.run(run())
