"""The seed scenario, against the Rust `mailbox-server`: one client object, a thread
long-polling `get_message()` while the main thread calls `send_request()`, 10,000 rounds. Each
round checks, with `waiting()`, that the long poll is still pending on the server while
`send_request` goes through on the same client, so a client that serialized its calls (a lock
around the whole client) could not pass. And the callback form of the same scenario: a Python
chat client, pushed messages by the Rust chat server and asked for its nickname."""

from __future__ import annotations

import queue
import threading
import time
from typing import Any

from conftest import chat, mailbox

from thrift_bidi import Callbacks, Timeout, sync

ROUNDS = 10_000


def test_a_long_poll_and_requests_share_one_client(program: Any) -> None:
    server = program("mailbox-server")
    client = sync.connect("127.0.0.1", server.port, mailbox.Mailbox, timeout=30)
    assert client.callbacks == Callbacks.NOT_OFFERED
    polled: "queue.Queue[str]" = queue.Queue()
    go = threading.Semaphore(0)

    def poller() -> None:
        for _ in range(ROUNDS):
            go.acquire()
            polled.put(client.get_message())

    thread = threading.Thread(target=poller)
    thread.start()
    try:
        for i in range(ROUNDS):
            go.release()
            deadline = time.monotonic() + 10
            while client.waiting() != 1:  # the poll is open on the server...
                assert time.monotonic() < deadline, f"round {i}: the long poll never arrived"
            client.send_request(f"message {i}")  # ...while this call goes through
            assert polled.get(timeout=10) == f"message {i}"
    finally:
        for _ in range(ROUNDS):
            go.release()
        client.close()
        thread.join(timeout=10)
    assert not thread.is_alive()


class Listener:
    """A chat user: the messages pushed to it, in order, and its answer when asked its name."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.messages: "queue.Queue[tuple[str, str]]" = queue.Queue()
        self.asked = 0

    def on_message(self, msg: Any) -> None:
        self.messages.put((msg.sender, msg.text))

    def ask_nickname(self, suggestion: str) -> str:
        self.asked += 1
        return self.name


def test_the_callback_form_against_the_rust_chat_server(program: Any) -> None:
    server = program("chat-server", "--port", "0")
    users = [Listener("ann"), Listener("bob")]
    clients = [
        sync.connect(
            "127.0.0.1", server.port, chat.Chat, handler=user, callback_service=chat.ChatCallback, timeout=30
        )
        for user in users
    ]
    try:
        for client in clients:
            assert client.callbacks_ready(timeout=10) == Callbacks.AVAILABLE
            client.join("py")
        texts = [f"line {i}" for i in range(100)]
        for text in texts:
            clients[0].say("py", text)
        for user in users:
            said = []
            while len(said) < len(texts):
                sender, text = user.messages.get(timeout=10)
                if sender == "ann" and text.startswith("line "):
                    said.append(text)
            assert said == texts, "pushed in the order said"
            assert user.asked == 1, "the server asked each user's nickname once"
    finally:
        for client in clients:
            client.close()


def test_a_call_that_times_out_leaves_the_connection_in_step(program: Any) -> None:
    server = program("mailbox-server")
    client = sync.connect("127.0.0.1", server.port, mailbox.Mailbox, timeout=30)
    try:
        started = time.monotonic()
        try:
            client.get_message(timeout=0.2)
            raise AssertionError("an empty mailbox answered")
        except Timeout:
            pass
        assert time.monotonic() - started < 10
        # The abandoned poll is still open on the server; the message it takes is answered
        # to a call nobody waits for, and dropped.
        assert client.waiting() == 1
        client.send_request("first")
        deadline = time.monotonic() + 10
        while client.waiting() != 0:
            assert time.monotonic() < deadline
        for i in range(100):
            client.send_request(f"next {i}")
            assert client.get_message() == f"next {i}", "each reply to its own call"
    finally:
        client.close()
