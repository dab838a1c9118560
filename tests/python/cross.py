"""Python peers of the cross test (tests/tests/cross.rs): a ThriftTest server and a
checking client on Apache's `thrift` library or on `thriftpy2`, with the command line of
Apache's cross-test binaries.

    cross.py server|client --impl apache|thriftpy2 --transport buffered|framed|zlib|http
             --protocol binary|compact|json|header|multi|multic|multij|multih [--multiplex]
             [--zlib] [--ssl --certs DIR] (--port N | --domain-socket PATH)
             --idl THRIFTTEST.thrift --gen-py DIR

What each cell is, as Apache's own test programs (test/py) build it: `zlib` is zlib over
buffered (`TZlibTransport`); `header` is THeader on the transport given (on framed, each
THeader frame framed again); `--ssl` serves the test certificate (DIR/server.pem) and asks
for a client certificate signed by the test CA, and the client trusts that CA and presents
DIR/client.pem. `http` is each call a POST to http://127.0.0.1:PORT/ (https with `--ssl`),
the body the bare message (`THttpClient`, `THttpServer`); as Apache's programs do, it ignores
`--domain-socket`. thriftpy2 0.7 has no zlib transport, no THeader and no TLS in its HTTP
server; its JSON is its Apache-compatible `TApacheJSONProtocol`.

The server prints `listening on PORT` (it takes port 0 for any free one) and serves until
killed. The client exits with Apache's failure bits: 1 base types, 2 structs, 4 containers,
8 exceptions, 64 unknown.
"""

import argparse
import logging
import os
import ssl
import sys

from cross_checks import UNKNOWN, Checks, Handler


class Apache:
    """Apache's `thrift` library, with the code `thrift --gen py` wrote for ThriftTest."""

    def __init__(self, args):
        sys.path.insert(0, args.gen_py)
        from thrift.protocol import (
            TBinaryProtocol,
            TCompactProtocol,
            THeaderProtocol,
            TJSONProtocol,
            TMultiplexedProtocol,
        )
        from thrift.transport import THeaderTransport, THttpClient, TSSLSocket, TZlibTransport
        from thrift.server import THttpServer, TServer
        from thrift.Thrift import TApplicationException
        from thrift.TMultiplexedProcessor import TMultiplexedProcessor
        from thrift.transport import TSocket, TTransport
        from ThriftTest import SecondService, ThriftTest, ttypes

        self.types = ttypes
        self.application_exception = TApplicationException
        self.services = {"ThriftTest": ThriftTest, "SecondService": SecondService}
        every_client_type = [
            THeaderTransport.THeaderClientType.HEADERS,
            THeaderTransport.THeaderClientType.FRAMED_BINARY,
            THeaderTransport.THeaderClientType.UNFRAMED_BINARY,
            THeaderTransport.THeaderClientType.FRAMED_COMPACT,
            THeaderTransport.THeaderClientType.UNFRAMED_COMPACT,
        ]
        header = THeaderProtocol.THeaderProtocolFactory
        self.protocol = {
            "binary": TBinaryProtocol.TBinaryProtocolFactory(),
            "compact": TCompactProtocol.TCompactProtocolFactory(),
            "json": TJSONProtocol.TJSONProtocolFactory(),
            "header": header(every_client_type) if args.role == "server" else header(),
        }[args.protocol]
        self.transport = {
            "buffered": TTransport.TBufferedTransportFactory(),
            "framed": TTransport.TFramedTransportFactory(),
            "http": None,
        }[args.transport]
        self.THttpClient, self.THttpServer = THttpClient.THttpClient, THttpServer.THttpServer
        if args.zlib:
            zlib = TZlibTransport.TZlibTransport
            if args.role == "server":
                # TestServer.py: zlib straight on the connection.
                self.transport = TZlibTransport.TZlibTransportFactory()
            else:
                # TestClient.py: zlib over the buffered (or framed) transport.
                self.transport = ZlibOver(self.transport, zlib)
        self.TSocket, self.TServer, self.TSSLSocket = TSocket, TServer, TSSLSocket
        self.TMultiplexedProtocol = TMultiplexedProtocol.TMultiplexedProtocol
        self.TMultiplexedProcessor = TMultiplexedProcessor

    def serve(self, args, handlers):
        processors = {name: self.services[name].Processor(h) for name, h in handlers.items()}
        if args.multiplex:
            processor = self.TMultiplexedProcessor()
            for name, p in processors.items():
                processor.registerProcessor(name, p)
        else:
            processor = processors["ThriftTest"]

        if args.transport == "http":
            # TestServer.py: THttpServer, TLS by its own arguments.
            tls = {}
            if args.ssl:
                tls = {"cert_file": cert(args, "server.pem"), "key_file": cert(args, "server.key"),
                       "cafile": cert(args, "ca.pem")}
            server = self.THttpServer(processor, ("127.0.0.1", args.port), self.protocol, **tls)
            announce(server.httpd.socket)
            server.serve()
            return

        class Announcing(self.TSocket.TServerSocket):
            def listen(self):
                super().listen()
                announce(self.handle)

        if args.ssl:
            class AnnouncingSsl(self.TSSLSocket.TSSLServerSocket):
                def listen(self):
                    super().listen()
                    announce(self.handle)

            socket = AnnouncingSsl(
                host="127.0.0.1", port=args.port, certfile=cert(args, "server.pem"),
                keyfile=cert(args, "server.key"), ca_certs=cert(args, "ca.pem"),
                cert_reqs=ssl.CERT_REQUIRED, ssl_version=ssl.PROTOCOL_TLS_SERVER,
            )
        else:
            socket = Announcing(host="127.0.0.1", port=args.port, unix_socket=args.domain_socket)
        server = self.TServer.TThreadedServer(
            processor, socket, self.transport, self.protocol, daemon=True
        )
        server.serve()

    def clients(self, args):
        if args.transport == "http":
            # TestClient.py: THttpClient straight under the protocol.
            scheme = "https" if args.ssl else "http"
            tls = {}
            if args.ssl:
                tls = {"cafile": cert(args, "ca.pem"), "cert_file": cert(args, "client.pem"),
                       "key_file": cert(args, "client.key")}
            transport = self.THttpClient("%s://localhost:%d/" % (scheme, args.port), **tls)
            transport.setTimeout(10_000)
            return self.connected(args, transport)
        if args.ssl:
            socket = self.TSSLSocket.TSSLSocket(
                "127.0.0.1", args.port, ca_certs=cert(args, "ca.pem"),
                certfile=cert(args, "client.pem"), keyfile=cert(args, "client.key"),
                cert_reqs=ssl.CERT_REQUIRED, ssl_version=ssl.PROTOCOL_TLS_CLIENT,
            )
        else:
            socket = self.TSocket.TSocket("127.0.0.1", args.port, unix_socket=args.domain_socket)
        socket.setTimeout(10_000)
        return self.connected(args, self.transport.getTransport(socket))

    def connected(self, args, transport):
        transport.open()
        protocol = self.protocol.getProtocol(transport)

        def client(name):
            proto = self.TMultiplexedProtocol(protocol, name) if args.multiplex else protocol
            return self.services[name].Client(proto)

        return client("ThriftTest"), client("SecondService") if args.multiplex else None


class Thriftpy2:
    """`thriftpy2`, with the types it loads from ThriftTest.thrift (its default, Cython, binary
    protocol and transports; its compact protocol is pure Python)."""

    def __init__(self, args):
        import thriftpy2
        from thriftpy2.protocol import (
            TApacheJSONProtocolFactory,
            TBinaryProtocolFactory,
            TCompactProtocolFactory,
            TMultiplexedProtocol,
        )
        from thriftpy2.http import THttpClient, THttpServer
        from thriftpy2.transport.sslsocket import TSSLServerSocket, TSSLSocket
        from thriftpy2.server import TThreadedServer
        from thriftpy2.thrift import (
            TApplicationException,
            TClient,
            TMultiplexedProcessor,
            TProcessor,
        )
        from thriftpy2.transport import (
            TBufferedTransportFactory,
            TFramedTransportFactory,
            TServerSocket,
            TSocket,
        )

        self.types = thriftpy2.load(args.idl, module_name="ThriftTest_thrift")
        self.application_exception = TApplicationException
        self.protocol = {
            "binary": TBinaryProtocolFactory(),
            "compact": TCompactProtocolFactory(),
            "json": TApacheJSONProtocolFactory(),
        }[args.protocol]
        self.TSSLServerSocket, self.TSSLSocket = TSSLServerSocket, TSSLSocket
        self.transport = {
            "buffered": TBufferedTransportFactory(),
            "framed": TFramedTransportFactory(),
            # make_client and make_server's layering: buffered over the HTTP body.
            "http": TBufferedTransportFactory(),
        }[args.transport]
        self.THttpClient, self.THttpServer = THttpClient, THttpServer
        self.TServerSocket, self.TSocket, self.TThreadedServer = (
            TServerSocket,
            TSocket,
            TThreadedServer,
        )
        self.TClient, self.TProcessor = TClient, TProcessor
        self.TMultiplexedProcessor, self.TMultiplexedProtocol = (
            TMultiplexedProcessor,
            TMultiplexedProtocol,
        )

    def serve(self, args, handlers):
        processors = {
            name: self.TProcessor(getattr(self.types, name), h) for name, h in handlers.items()
        }
        if args.multiplex:
            processor = self.TMultiplexedProcessor()
            for name, p in processors.items():
                processor.register_processor(name, p)
        else:
            processor = processors["ThriftTest"]

        if args.transport == "http":
            # thriftpy2.http.make_server's server (which has no TLS).
            server = self.THttpServer(
                processor, ("127.0.0.1", args.port), itrans_factory=self.transport,
                iprot_factory=self.protocol,
            )
            announce(server.httpd.socket)
            server.serve()
            return

        class Announcing(self.TServerSocket):
            def listen(self):
                super().listen()
                announce(self.sock)

        where = {"unix_socket": args.domain_socket} if args.domain_socket else {}
        if args.ssl:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=cert(args, "ca.pem"))
            context.load_cert_chain(cert(args, "server.pem"), cert(args, "server.key"))
            context.verify_mode = ssl.CERT_REQUIRED

            class AnnouncingSsl(self.TSSLServerSocket):
                def listen(self):
                    super().listen()
                    announce(self.sock)

            socket = AnnouncingSsl(
                host="127.0.0.1", port=args.port, client_timeout=None, ssl_context=context
            )
        else:
            socket = Announcing(host="127.0.0.1", port=args.port, client_timeout=None, **where)
        server = self.TThreadedServer(
            processor, socket, itrans_factory=self.transport, iprot_factory=self.protocol,
            daemon=True,
        )
        server.serve()

    def clients(self, args):
        if args.transport == "http":
            context = None
            if args.ssl:
                context = ssl.create_default_context(cafile=cert(args, "ca.pem"))
                context.load_cert_chain(cert(args, "client.pem"), cert(args, "client.key"))
            scheme = "https" if args.ssl else "http"
            socket = self.THttpClient(
                "%s://localhost:%d/" % (scheme, args.port), timeout=10_000,
                ssl_context_factory=lambda: context,
            )
            return self.connected(args, self.transport.get_transport(socket))
        where = {"unix_socket": args.domain_socket} if args.domain_socket else {}
        if args.ssl:
            context = ssl.create_default_context(cafile=cert(args, "ca.pem"))
            context.load_cert_chain(cert(args, "client.pem"), cert(args, "client.key"))
            socket = self.TSSLSocket(
                "127.0.0.1", args.port, socket_timeout=10_000, connect_timeout=5_000,
                ssl_context=context,
            )
        else:
            socket = self.TSocket(
                "127.0.0.1", args.port, socket_timeout=10_000, connect_timeout=5_000, **where
            )
        return self.connected(args, self.transport.get_transport(socket))

    def connected(self, args, transport):
        transport.open()
        protocol = self.protocol.get_protocol(transport)

        def client(name):
            proto = self.TMultiplexedProtocol(protocol, name) if args.multiplex else protocol
            return self.TClient(getattr(self.types, name), proto)

        return client("ThriftTest"), client("SecondService") if args.multiplex else None


class ZlibOver:
    """A transport factory: zlib over what `inner` makes (TestClient.py's layering)."""

    def __init__(self, inner, zlib):
        self.inner, self.zlib = inner, zlib

    def getTransport(self, socket):
        return self.zlib(self.inner.getTransport(socket), 9)


def cert(args, name):
    return os.path.join(args.certs, name)


def announce(sock):
    name = sock.getsockname()
    print("listening on", name if isinstance(name, str) else name[1], flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("role", choices=["server", "client"])
    parser.add_argument("--impl", choices=["apache", "thriftpy2"], required=True)
    parser.add_argument(
        "--transport", choices=["buffered", "framed", "zlib", "http"], default="buffered"
    )
    parser.add_argument(
        "--protocol",
        choices=["binary", "compact", "json", "header", "multi", "multic", "multij", "multih"],
        default="binary",
    )
    parser.add_argument("--multiplex", action="store_true")
    parser.add_argument("--zlib", action="store_true")
    parser.add_argument("--ssl", action="store_true")
    parser.add_argument("--certs")
    parser.add_argument("--port", type=int, default=9090)
    parser.add_argument("--domain-socket")
    parser.add_argument("--idl", required=True)
    parser.add_argument("--gen-py", required=True)
    args = parser.parse_args()
    # Apache's protocol names: multiplexed forms, and zlib as a transport (over buffered).
    multiplexed = {"multi": "binary", "multic": "compact", "multij": "json", "multih": "header"}
    if args.protocol in multiplexed:
        args.protocol, args.multiplex = multiplexed[args.protocol], True
    if args.transport == "zlib":
        args.transport, args.zlib = "buffered", True
    peer = (Apache if args.impl == "apache" else Thriftpy2)(args)
    if args.role == "server":
        # testException("TException") is expected; Apache's processor would log it as an error.
        logging.getLogger().addHandler(logging.NullHandler())
        handler = Handler(peer)
        peer.serve(args, {"ThriftTest": handler, "SecondService": handler})
        return 0
    try:
        client, second = peer.clients(args)
    except Exception as e:  # noqa: BLE001 - cannot connect
        print("FAILED cannot connect:", e, file=sys.stderr)
        return UNKNOWN
    checks = Checks(peer, client)
    try:
        checks.run(second)
    except Exception as e:  # noqa: BLE001 - a call failed outright
        checks.fail(UNKNOWN, "call failed: %r" % e)
    return checks.code


if __name__ == "__main__":
    sys.exit(main())
