"""Limits on what a peer makes this side hold: incoming calls over `max_in_flight` are
answered LOADSHEDDING at once while the others run; oneways over `max_incoming_bytes` wait
(the reader reads nothing more) and all arrive, in order; and a threaded client's handler
threads end when it closes, even after its connection failed under it."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from conftest import chat, jobs
from thriftpy2.thrift import TApplicationException

from thrift_bidi import Disconnected, Limits, aio, sync


def test_calls_over_the_in_flight_limit_are_answered_loadshedding() -> None:
    release = asyncio.Event()

    class Slow:
        def __init__(self, peer: aio.Peer) -> None:
            pass

        async def checksum(self, name: str) -> int:
            await release.wait()
            return 1

    async def run() -> None:
        server = aio.Server(jobs.Jobs, Slow, limits=Limits(max_in_flight=2))
        port = await server.start()
        client = await aio.connect("127.0.0.1", port, jobs.Jobs, timeout=10)
        running = [asyncio.ensure_future(client.checksum(f"r{i}")) for i in range(2)]
        await asyncio.sleep(0.2)  # both running on the server
        shed = await asyncio.gather(*(client.checksum(f"s{i}") for i in range(3)), return_exceptions=True)
        assert all(isinstance(e, TApplicationException) and e.type == 11 for e in shed), shed
        release.set()
        assert await asyncio.gather(*running) == [1, 1]
        assert await client.checksum("after") == 1, "served again once there is room"
        client.close()
        await server.close()

    asyncio.run(run())


PUSHES = 8000


def test_oneways_over_the_incoming_budget_wait_and_all_arrive_in_order() -> None:
    received: list[str] = []
    gate = threading.Event()

    class Listener:
        def on_message(self, msg: Any) -> None:
            gate.wait(10)  # the first holds the budget until the test has sent them all
            received.append(msg.text)

        def ask_nickname(self, suggestion: str) -> str:
            return "x"

    sent: list[str] = []

    class Session:
        def __init__(self, peer: sync.Peer) -> None:
            self.back = peer.callbacks(chat.ChatCallback, timeout=10)

        def join(self, room: str) -> None:
            for i in range(PUSHES):  # ~1 KB each, far more than the budget and the socket buffers
                text = f"{i:04d}" + "x" * 1000
                self.back.on_message(chat.Message(room=room, sender="s", text=text))
                sent.append(text)

    server = sync.Server(chat.Chat, Session, callback_service=chat.ChatCallback)
    port = server.start()
    client = sync.connect(
        "127.0.0.1", port, chat.Chat, handler=Listener(), callback_service=chat.ChatCallback,
        limits=Limits(max_incoming_bytes=8 << 10), timeout=30,
    )
    try:
        client.callbacks_ready(timeout=10)
        joining = threading.Thread(target=client.join, args=("r",))
        joining.start()
        time.sleep(0.5)
        assert len(sent) < PUSHES, "the pushes wait while the client holds its budget"
        gate.set()
        joining.join(30)
        deadline = time.monotonic() + 30
        while len(received) < PUSHES:
            assert time.monotonic() < deadline, len(received)
            time.sleep(0.01)
        assert received == sent, "every push, in order"
    finally:
        client.close()
        server.close()


def handler_threads() -> int:
    return sum(t.name.startswith("thrift-bidi-handler") for t in threading.enumerate())


def test_a_threaded_clients_threads_end_when_it_closes_after_a_failure() -> None:
    before = handler_threads()
    entered = threading.Event()

    class Source:
        def chunk(self, name: str, index: int) -> bytes:
            entered.set()
            time.sleep(0.2)
            return b""

        def progress(self, name: str, done: int) -> None:
            pass

    class Worker:
        def __init__(self, peer: sync.Peer) -> None:
            self.peer = peer
            self.back = peer.callbacks(jobs.JobSource, timeout=10)

        def checksum(self, name: str) -> int:
            self.back.chunk(name, 0)
            return 0

    server = sync.Server(jobs.Jobs, Worker, callback_service=jobs.JobSource)
    port = server.start()
    client = sync.connect("127.0.0.1", port, jobs.Jobs, handler=Source(), callback_service=jobs.JobSource, timeout=10)
    failed: list[BaseException] = []

    def call() -> None:
        try:
            client.checksum("x")
        except BaseException as e:
            failed.append(e)

    caller = threading.Thread(target=call)
    caller.start()
    assert entered.wait(10)
    server.close()  # the server goes while the client's handler runs
    caller.join(10)
    assert len(failed) == 1 and isinstance(failed[0], Disconnected), failed
    client.close()
    deadline = time.monotonic() + 10
    while handler_threads() > before:
        assert time.monotonic() < deadline, [t.name for t in threading.enumerate()]
        time.sleep(0.01)


def test_idle_connections_close_and_busy_ones_do_not() -> None:
    class Slow:
        def __init__(self, peer: aio.Peer) -> None:
            pass

        async def checksum(self, name: str) -> int:
            await asyncio.sleep(1.0)  # longer than the idle timeout, but running
            return 5

    async def run() -> None:
        server = aio.Server(jobs.Jobs, Slow, limits=Limits(idle_timeout=0.3))
        port = await server.start()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        started = time.monotonic()
        assert await asyncio.wait_for(reader.read(), 10) == b"", "an idle connection is closed"
        assert time.monotonic() - started < 5
        writer.close()
        busy = await aio.connect("127.0.0.1", port, jobs.Jobs, timeout=10)
        assert await busy.checksum("x") == 5, "a call running keeps it open"
        await asyncio.wait_for(busy.closed(), 10)  # and once nothing runs, it goes
        await server.close()

    asyncio.run(run())


def test_a_client_that_stops_reading_is_dropped_after_the_write_timeout() -> None:
    from thrift_bidi.wire import CALL, HELLO, Codec, Hello

    outcome: "asyncio.Future[BaseException]"

    class Session:
        def __init__(self, peer: aio.Peer) -> None:
            self.back = peer.callbacks(chat.ChatCallback)

        async def join(self, room: str) -> None:
            message = chat.Message(room=room, sender="s", text="x" * 60_000)
            try:
                while True:  # far more than any socket buffer holds
                    await self.back.on_message(message)
            except Exception as e:
                outcome.set_result(e)
                raise

        async def rooms(self) -> list[str]:
            return ["r"]

    async def run() -> None:
        nonlocal outcome
        outcome = asyncio.get_running_loop().create_future()
        server = aio.Server(chat.Chat, Session, callback_service=chat.ChatCallback, limits=Limits(write_timeout=0.5))
        port = await server.start()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        codec = Codec()
        hello = Hello(min_version=1, max_version=1, callback_service="ChatCallback")
        writer.write(codec.encode(HELLO, CALL, 1, hello))
        writer.write(codec.encode("join", CALL, 2, chat.Chat.join_args(room="r")))
        await writer.drain()
        # ... and never reads.
        failure = await asyncio.wait_for(outcome, 20)
        assert isinstance(failure, Disconnected), failure
        good = await aio.connect("127.0.0.1", port, chat.Chat, timeout=10)
        assert await good.rooms() == ["r"], "the others are served"
        good.close()
        writer.close()
        await server.close()

    asyncio.run(run())
