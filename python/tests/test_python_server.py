"""Python as the server: the Rust `jobs-client` (callbacks, declared exceptions both ways,
pushes in order, 50 jobs at once on one connection) passes its checks against a jobs server
written with this library, threaded and asyncio; plain clients (Apache's Python, thriftpy2's)
of a Python server are never called back; and a client of this library against a plain
thriftpy2 server reports its callbacks unavailable."""

from __future__ import annotations

import asyncio
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import thriftpy2.rpc
from conftest import BIN, fnv1a, jobs
from thrift.protocol import TBinaryProtocol  # type: ignore[import-untyped]
from thrift.server import TServer  # type: ignore[import-untyped]
from thrift.TMultiplexedProcessor import TMultiplexedProcessor  # type: ignore[import-untyped]
from thrift.transport import TSocket, TTransport  # type: ignore[import-untyped]

from thrift_bidi import Callbacks, Codec, Unavailable, aio, sync


def run_jobs_client(port: int, codec: Codec) -> None:
    done = subprocess.run(
        [str(BIN / "jobs-client"), "--port", str(port), "--transport", codec.transport, "--protocol", codec.protocol],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr + done.stdout


class ThreadedWorker:
    """Pulls a job's input from the client that asked, blocking on each callback."""

    def __init__(self, peer: sync.Peer) -> None:
        self.source = peer.callbacks(jobs.JobSource, timeout=30)

    def checksum(self, name: str) -> int:
        data = b""
        for index in range(1 << 20):
            try:
                chunk = self.source.chunk(name, index)
            except jobs.NoSuchInput as e:
                raise jobs.JobFailed(name=name, why=f"the client has no input {e.name!r}")
            if not chunk:
                break
            data += chunk
            self.source.progress(name, len(data))
        return fnv1a(data)


class AsyncWorker:
    """The same, with the asyncio API."""

    def __init__(self, peer: aio.Peer) -> None:
        self.source = peer.callbacks(jobs.JobSource, timeout=30)

    async def checksum(self, name: str) -> int:
        data = b""
        for index in range(1 << 20):
            try:
                chunk = await self.source.chunk(name, index)
            except jobs.NoSuchInput as e:
                raise jobs.JobFailed(name=name, why=f"the client has no input {e.name!r}")
            if not chunk:
                break
            data += chunk
            await self.source.progress(name, len(data))
        return fnv1a(data)


@pytest.mark.parametrize("codec", [Codec(), Codec("buffered", "compact")], ids=["framed-binary", "buffered-compact"])
def test_the_rust_jobs_client_against_a_threaded_python_server(codec: Codec) -> None:
    server = sync.Server(jobs.Jobs, ThreadedWorker, callback_service=jobs.JobSource, codec=codec)
    port = server.start()
    try:
        run_jobs_client(port, codec)
    finally:
        server.close()


def test_the_rust_jobs_client_against_an_asyncio_python_server() -> None:
    loop = asyncio.new_event_loop()
    server = aio.Server(jobs.Jobs, AsyncWorker, callback_service=jobs.JobSource)
    port = loop.run_until_complete(server.start())
    thread = threading.Thread(target=loop.run_forever)
    thread.start()
    try:
        run_jobs_client(port, Codec())
    finally:
        asyncio.run_coroutine_threadsafe(server.close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def test_plain_clients_of_a_python_server_are_never_called_back() -> None:
    calls: list[str] = []
    refused: list[BaseException] = []

    class Worker:
        def __init__(self, peer: sync.Peer) -> None:
            self.peer = peer

        def checksum(self, name: str) -> int:
            calls.append(name)
            assert not self.peer.said_hello
            try:
                self.peer.callbacks(jobs.JobSource).chunk(name, 0)
            except Unavailable as e:
                refused.append(e)
            return 7

    server = sync.Server(jobs.Jobs, Worker, callback_service=jobs.JobSource)
    port = server.start()
    try:
        plain = thriftpy2.rpc.make_client(jobs.Jobs, "127.0.0.1", port, timeout=10_000,
                                          trans_factory=thriftpy2.transport.TFramedTransportFactory())
        assert plain.checksum("x") == 7
        plain.close()
    finally:
        server.close()
    assert calls == ["x"] and len(refused) == 1


def test_a_client_of_a_plain_server_reports_callbacks_unavailable() -> None:
    class Plain:
        def checksum(self, name: str) -> int:
            return 42

    with socket.socket() as probe:  # a free port (make_server takes no port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    plain = thriftpy2.rpc.make_server(jobs.Jobs, Plain(), "127.0.0.1", port,
                                      trans_factory=thriftpy2.transport.TFramedTransportFactory())
    plain.trans.listen()
    plain.trans.listen = lambda: None  # serve() would listen again, on a new socket
    thread = threading.Thread(target=plain.serve, daemon=True)
    thread.start()

    class Source:
        def chunk(self, name: str, index: int) -> bytes:
            raise AssertionError("a plain server never calls back")

        def progress(self, name: str, done: int) -> None:
            raise AssertionError("a plain server never calls back")

    with sync.connect("127.0.0.1", port, jobs.Jobs, handler=Source(), callback_service=jobs.JobSource, timeout=10) as client:
        assert client.checksum("x") == 42
        assert client.callbacks_ready(timeout=10) == Callbacks.UNAVAILABLE
    plain.close()


CERTS = Path(__file__).resolve().parents[2] / "tests" / "certs"


def test_tls_both_ways() -> None:
    """The Rust jobs-client over TLS against a Python server, with Python's `ssl`."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(CERTS / "server.pem"), str(CERTS / "server.key"))
    server = sync.Server(jobs.Jobs, ThreadedWorker, callback_service=jobs.JobSource, ssl=context)
    port = server.start()
    try:
        done = subprocess.run(
            [str(BIN / "jobs-client"), "--port", str(port), "--tls-ca", str(CERTS / "ca.pem")],
            capture_output=True, text=True, timeout=120,
        )
        assert done.returncode == 0, done.stderr + done.stdout
        # Without TLS, the client gets nowhere.
        plain = subprocess.run(
            [str(BIN / "jobs-client"), "--port", str(port)], capture_output=True, text=True, timeout=120
        )
        assert plain.returncode != 0
    finally:
        server.close()


def apache_jobs(out: Path) -> Any:
    """Apache's Python for the jobs IDL (`thrift --gen py`, written to `out`): its `Jobs`."""
    idl = Path(__file__).resolve().parents[2] / "idl-examples" / "idl" / "jobs.thrift"
    subprocess.run(["thrift", "--gen", "py", "-out", str(out), str(idl)], check=True, timeout=60)
    sys.path.insert(0, str(out))
    try:
        from jobs import Jobs  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(out))
    return Jobs


def test_apaches_python_client_of_a_python_server_is_never_called_back(tmp_path: Path) -> None:
    """Apache's own Python (`thrift --gen py`, the library the venv pins) as a plain client."""
    ApacheJobs = apache_jobs(tmp_path)
    hellos: list[bool] = []

    class Worker:
        def __init__(self, peer: sync.Peer) -> None:
            self.peer = peer

        def checksum(self, name: str) -> int:
            hellos.append(self.peer.said_hello)
            with pytest.raises(Unavailable):
                self.peer.callbacks(jobs.JobSource).progress(name, 1)
            return len(name)

    server = sync.Server(jobs.Jobs, Worker, callback_service=jobs.JobSource)
    port = server.start()
    try:
        transport = TTransport.TFramedTransport(TSocket.TSocket("127.0.0.1", port))
        client = ApacheJobs.Client(TBinaryProtocol.TBinaryProtocol(transport))
        transport.open()
        assert [client.checksum("abc"), client.checksum("de")] == [3, 2]
        transport.close()
    finally:
        server.close()
    assert hellos == [False, False]


def test_a_python_server_gone_mid_callback_fails_the_rust_clients_call() -> None:
    calling = threading.Event()

    class Vanishing(ThreadedWorker):
        def checksum(self, name: str) -> int:
            calling.set()
            return super().checksum(name)  # its first chunk never comes

    server = sync.Server(jobs.Jobs, Vanishing, callback_service=jobs.JobSource)
    port = server.start()
    client = subprocess.Popen(
        [str(BIN / "jobs-client"), "--port", str(port), "--expect-disconnect"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert calling.wait(30), "the job started"
        time.sleep(0.2)  # the callback is on its way to the client
    finally:
        server.close()
    out, err = client.communicate(timeout=60)
    assert client.returncode == 0, err + out


def test_a_server_that_closes_on_the_hello_gets_a_plain_client(tmp_path: Path) -> None:
    """Apache's multiplexed processor without a default service closes the connection on the
    unprefixed hello: the client connects again without it (docs/bidi.md rule 3.3)."""
    ApacheJobs = apache_jobs(tmp_path)

    class Plain:
        def checksum(self, name: str) -> int:
            return len(name)

    processor = TMultiplexedProcessor()
    processor.registerProcessor("Jobs", ApacheJobs.Processor(Plain()))
    listening = TSocket.TServerSocket(host="127.0.0.1", port=0)
    listening.listen()
    port = listening.handle.getsockname()[1]
    server = TServer.TThreadedServer(
        processor, listening, TTransport.TFramedTransportFactory(), TBinaryProtocol.TBinaryProtocolFactory(),
        daemon=True,
    )
    listening.listen = lambda: None  # already listening, on the port we know
    threading.Thread(target=server.serve, daemon=True).start()

    class Source:
        def chunk(self, name: str, index: int) -> bytes:
            raise AssertionError("a plain server never calls back")

        def progress(self, name: str, done: int) -> None:
            raise AssertionError("a plain server never calls back")

    with sync.connect(
        "127.0.0.1", port, jobs.Jobs, handler=Source(), callback_service=jobs.JobSource,
        multiplexed="Jobs", timeout=10,
    ) as client:
        assert client.callbacks_ready(timeout=10) == Callbacks.UNAVAILABLE
        assert client.checksum("abcd") == 4, "calls go on, on the new connection"
    listening.close()
