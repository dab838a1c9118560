"""Plain Python peers of the bidirectional chat (tests/tests/bidi_python.rs): a client that
calls the chat server's ordinary methods, and a plain chat server, on Apache's `thrift`
library (code from `thrift --gen py`) or on `thriftpy2`. Framed transport, binary protocol.

    chat_peer.py client|server --impl apache|thriftpy2 --port N --idl chat.thrift --gen-py DIR

The client exits 0 when every call answered as it should. A plain client that the server
called back would take that CALL for the reply it awaits, and fail. The server prints
`listening on PORT` and serves until killed.
"""

import argparse
import sys


def apache(args):
    sys.path.insert(0, args.gen_py)
    from chat import Chat, ttypes
    from thrift.protocol import TBinaryProtocol
    from thrift.server import TServer
    from thrift.transport import TSocket, TTransport

    def client():
        transport = TTransport.TFramedTransport(TSocket.TSocket("127.0.0.1", args.port))
        transport.open()
        return Chat.Client(TBinaryProtocol.TBinaryProtocol(transport))

    def serve(handler):
        class Announcing(TSocket.TServerSocket):
            def listen(self):
                super().listen()
                print("listening on", self.handle.getsockname()[1], flush=True)

        server = TServer.TThreadedServer(
            Chat.Processor(handler), Announcing(host="127.0.0.1", port=args.port),
            TTransport.TFramedTransportFactory(), TBinaryProtocol.TBinaryProtocolFactory(),
            daemon=True)
        server.serve()

    return ttypes, client, serve


def thriftpy2_peer(args):
    import thriftpy2
    from thriftpy2.protocol import TBinaryProtocolFactory
    from thriftpy2.rpc import make_client
    from thriftpy2.server import TThreadedServer
    from thriftpy2.thrift import TProcessor
    from thriftpy2.transport import TFramedTransportFactory, TServerSocket

    chat = thriftpy2.load(args.idl, module_name="chat_thrift")

    def client():
        return make_client(chat.Chat, "127.0.0.1", args.port,
                           proto_factory=TBinaryProtocolFactory(),
                           trans_factory=TFramedTransportFactory(), timeout=10_000)

    def serve(handler):
        class Announcing(TServerSocket):
            def listen(self):
                super().listen()
                print("listening on", self.sock.getsockname()[1], flush=True)

        socket = Announcing(host="127.0.0.1", port=args.port, client_timeout=None)
        server = TThreadedServer(
            TProcessor(chat.Chat, handler), socket, itrans_factory=TFramedTransportFactory(),
            iprot_factory=TBinaryProtocolFactory(), daemon=True)
        server.serve()

    return chat, client, serve


class PlainChat:
    """A chat server without callbacks: it only answers."""

    def __init__(self, types):
        self.types, self.joined = types, set()

    def join(self, room):
        self.joined.add(room)

    def say(self, room, text):
        if room not in self.joined:
            raise self.types.NotJoined(room=room)

    def rooms(self):
        return sorted(self.joined)


def run_client(types, client):
    c = client()
    c.join("py")
    c.say("py", "hello from python")
    rooms = c.rooms()
    if "py" not in rooms:
        print("FAILED rooms:", rooms, file=sys.stderr)
        return 1
    try:
        c.say("elsewhere", "nobody hears this")
    except types.NotJoined as e:
        if e.room != "elsewhere":
            print("FAILED NotJoined names", e.room, file=sys.stderr)
            return 1
    else:
        print("FAILED say in a room not joined raised nothing", file=sys.stderr)
        return 1
    c.say("py", "goodbye")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("role", choices=["client", "server"])
    parser.add_argument("--impl", choices=["apache", "thriftpy2"], required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--idl", required=True)
    parser.add_argument("--gen-py", required=True)
    args = parser.parse_args()
    types, client, serve = (apache if args.impl == "apache" else thriftpy2_peer)(args)
    if args.role == "server":
        serve(PlainChat(types))
        return 0
    return run_client(types, client)


if __name__ == "__main__":
    sys.exit(main())
