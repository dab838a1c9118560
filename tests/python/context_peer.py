"""Apache's Python over THeader, for the per-call context test (tests/tests/context_python.rs).

    context_peer.py client --port N --gen-py DIR
        calls Ledger.balance("ledger") with the headers user=alice and request-id=42; exits 0
        when the answer is 5 (the length of the user the Rust handler read from its context)
        and the reply carries the header served-by=rust, 1 otherwise, saying why on stderr
    context_peer.py server --gen-py DIR --record FILE
        serves Ledger over THeader on a free loopback port (prints `listening on PORT`) and
        appends each call's method and the headers it came with to FILE, one JSON line each
"""

import argparse
import json
import sys


def client(args, Ledger, THeaderProtocol, TSocket):
    from thrift.transport.THeaderTransport import THeaderClientType

    socket = TSocket.TSocket("127.0.0.1", args.port)
    socket.setTimeout(10_000)
    protocol = THeaderProtocol.THeaderProtocol(socket, [THeaderClientType.HEADERS])
    socket.open()
    protocol.set_header(b"user", b"alice")
    protocol.set_header(b"request-id", b"42")
    answer = Ledger.Client(protocol).balance("ledger")
    served_by = protocol.get_headers().get(b"served-by")
    socket.close()
    if answer != 5 or served_by != b"rust":
        print(f"answer {answer}, served-by {served_by!r}", file=sys.stderr)
        return 1
    return 0


def server(args, Ledger, THeaderProtocol, TSocket):
    from thrift.server import TServer
    from thrift.transport import THeaderTransport, TTransport

    class Books:
        """Answers 0, recording each call's headers as the protocol read them."""

        protocol = None

        def record(self, method):
            headers = {k.decode(): v.decode() for k, v in self.protocol.get_headers().items()}
            with open(args.record, "a") as out:
                out.write(json.dumps({"method": method, "headers": headers}) + "\n")
            return 0

        def balance(self, account):
            return self.record("balance")

        def deposit(self, account, amount):
            return self.record("deposit")

        def audit(self, account):
            return self.record("audit")

    books = Books()

    class Recording(Ledger.Processor):
        def process(self, iprot, oprot):
            books.protocol = iprot
            return super().process(iprot, oprot)

    class Announcing(TSocket.TServerSocket):
        def listen(self):
            super().listen()
            print(f"listening on {self.handle.getsockname()[1]}", flush=True)

    factory = THeaderProtocol.THeaderProtocolFactory([THeaderTransport.THeaderClientType.HEADERS])
    socket = Announcing(host="127.0.0.1", port=0)
    plain = TTransport.TTransportFactoryBase()
    TServer.TSimpleServer(Recording(books), socket, plain, factory).serve()
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["client", "server"])
    parser.add_argument("--port", type=int)
    parser.add_argument("--gen-py", required=True)
    parser.add_argument("--record")
    args = parser.parse_args()
    sys.path.insert(0, args.gen_py)
    from ledger import Ledger
    from thrift.protocol import THeaderProtocol
    from thrift.transport import TSocket

    role = client if args.role == "client" else server
    return role(args, Ledger, THeaderProtocol, TSocket)


if __name__ == "__main__":
    sys.exit(main())
