"""Python callback round trips and push throughput, against a plain thriftpy2 call, in the
same run (`python python/bench/callbacks.py [N]`, from the repository root).

- plain: a thriftpy2 client calls a thriftpy2 server (`ask_nickname`, framed binary, its
  default cython protocol), one call at a time;
- callback: a `thrift_bidi` server calls back a `thrift_bidi` client (`ask_nickname`), one call
  at a time, timed on the server;
- pushes: the server sends N `on_message` oneways; the time until the client has them all.

Each side runs its own event loop (or threads) in this one process.
"""

from __future__ import annotations

import asyncio
import socket
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

import thriftpy2
import thriftpy2.rpc
import thriftpy2.transport

from thrift_bidi import aio

ROOT = Path(__file__).resolve().parents[2]
chat = thriftpy2.load(str(ROOT / "idl-examples" / "idl" / "chat.thrift"), module_name="chat_thrift")


class Nick:
    def __init__(self) -> None:
        self.received = 0
        self.all_in = threading.Event()
        self.expected = 0

    def ask_nickname(self, suggestion: str) -> str:
        return suggestion

    def on_message(self, msg: Any) -> None:
        self.received += 1
        if self.received == self.expected:
            self.all_in.set()


def plain(n: int) -> list[float]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    framed = thriftpy2.transport.TFramedTransportFactory()
    server = thriftpy2.rpc.make_server(chat.ChatCallback, Nick(), "127.0.0.1", port, trans_factory=framed)
    threading.Thread(target=server.serve, daemon=True).start()
    time.sleep(0.2)
    client = thriftpy2.rpc.make_client(chat.ChatCallback, "127.0.0.1", port, trans_factory=framed)
    times = []
    for _ in range(n):
        start = time.perf_counter()
        client.ask_nickname("x")
        times.append(time.perf_counter() - start)
    client.close()
    return times


def bidi(n: int, pushes: int) -> tuple[list[float], float]:
    nick = Nick()
    nick.expected = pushes
    measured: dict[str, Any] = {}
    connected = threading.Event()

    class Session:
        def __init__(self, peer: aio.Peer) -> None:
            self.back = peer.callbacks(chat.ChatCallback)
            self.peer = peer
            measured["session"] = self

        async def join(self, room: str) -> None:
            connected.set()

    server_loop = asyncio.new_event_loop()
    server = aio.Server(chat.Chat, Session, callback_service=chat.ChatCallback)
    port = server_loop.run_until_complete(server.start())
    threading.Thread(target=server_loop.run_forever, daemon=True).start()

    client_loop = asyncio.new_event_loop()
    client = client_loop.run_until_complete(
        aio.connect("127.0.0.1", port, chat.Chat, handler=nick, callback_service=chat.ChatCallback)
    )
    threading.Thread(target=client_loop.run_forever, daemon=True).start()
    asyncio.run_coroutine_threadsafe(client.callbacks_ready(), client_loop).result(10)
    asyncio.run_coroutine_threadsafe(client.join("bench"), client_loop).result(10)
    connected.wait(10)
    back = measured["session"].back

    async def round_trips() -> list[float]:
        times = []
        for _ in range(n):
            start = time.perf_counter()
            await back.ask_nickname("x")
            times.append(time.perf_counter() - start)
        return times

    async def push() -> float:
        message = chat.Message(room="bench", sender="server", text="x" * 32)
        start = time.perf_counter()
        for _ in range(pushes):
            await back.on_message(message)
        await asyncio.get_running_loop().run_in_executor(None, nick.all_in.wait, 60)
        return time.perf_counter() - start

    times = asyncio.run_coroutine_threadsafe(round_trips(), server_loop).result(120)
    elapsed = asyncio.run_coroutine_threadsafe(push(), server_loop).result(120)

    async def hang_up() -> None:
        client.close()
        await client.closed()

    asyncio.run_coroutine_threadsafe(hang_up(), client_loop).result(10)
    asyncio.run_coroutine_threadsafe(server.close(), server_loop).result(10)
    return times, pushes / elapsed


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    plain_times = plain(n)
    callback_times, push_rate = bidi(n, n * 4)
    p_plain = statistics.median(plain_times) * 1e6
    p_callback = statistics.median(callback_times) * 1e6
    print(f"plain thriftpy2 call, p50:       {p_plain:8.1f} us")
    print(f"thrift_bidi callback round trip: {p_callback:8.1f} us ({p_callback / p_plain:.2f}x the plain call)")
    print(f"thrift_bidi pushes:              {push_rate:8.0f} /s ({push_rate * p_plain / 1e6:.2f} per plain call's time)")


if __name__ == "__main__":
    main()
