"""What the tests share: the example IDL loaded with thriftpy2, and the Rust example programs
(`idl-examples`, built by `cargo test` or `cargo build -p idl-examples`) started as
processes on free loopback ports, each killed when its test ends."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path
from typing import Callable, Iterator

import pytest
import thriftpy2

ROOT = Path(__file__).resolve().parents[2]
IDL = ROOT / "idl-examples" / "idl"
BIN = Path(os.environ.get("THRIFT_BIDI_BIN", ROOT / "target" / "debug"))

chat = thriftpy2.load(str(IDL / "chat.thrift"), module_name="chat_thrift")
jobs = thriftpy2.load(str(IDL / "jobs.thrift"), module_name="jobs_thrift")
mailbox = thriftpy2.load(str(IDL / "mailbox.thrift"), module_name="mailbox_thrift")


class Program:
    """A Rust program started for a test, and the port it listens on."""

    def __init__(self, name: str, *args: str) -> None:
        path = BIN / name
        if not path.exists():
            pytest.fail(f"{path} is missing: build it with `cargo build -p idl-examples`")
        self.process = subprocess.Popen(
            [str(path), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        line = self._first_line(timeout=30)
        if "listening on " not in line:
            self.stop()
            pytest.fail(f"{name} printed {line!r}")
        self.port = int(line.rsplit(":", 1)[1])

    def _first_line(self, timeout: float) -> str:
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.append(self.process.stdout.readline()))  # type: ignore[union-attr]
        reader.start()
        reader.join(timeout)
        return lines[0].strip() if lines else ""

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()


@pytest.fixture
def program() -> Iterator[Callable[..., Program]]:
    """Starts Rust programs: ``program("jobs-server", "--protocol", "compact")``."""
    started: list[Program] = []

    def start(name: str, *args: str) -> Program:
        started.append(Program(name, *args))
        return started[-1]

    yield start
    for running in started:
        running.stop()


def fnv1a(data: bytes) -> int:
    """The jobs example's checksum (64-bit FNV-1a, as a signed i64)."""
    value = 0xCBF29CE484222325
    for byte in data:
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return value - (1 << 64) if value >= 1 << 63 else value


def sample(size: int, seed: int = 0) -> bytes:
    """`size` bytes of input that differ with `seed`."""
    return bytes((i * 31 + seed * 7 + (i >> 8)) & 0xFF for i in range(size))


