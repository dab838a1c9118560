"""Checks a message body before anything decodes it: walks the binary or compact encoding of
a struct, finds where it ends, and refuses what is over the limits (a string or container
length, a nesting depth) or claims more than the bytes left, so that decoding a message never
allocates more than its bytes can back.

Input: a message's bytes after its header. Output: where the body ends, or `ProtocolError`
(`Short` when the bytes end first: a buffered reader waits for more).
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ProtocolError


class Short(Exception):
    """The bytes end before the body does."""


@dataclass(frozen=True)
class Bounds:
    """What one message may hold: the Rust runtime's defaults (`docs/limits.md`)."""

    max_string_len: int = 16 << 20
    max_container_len: int = 1 << 20
    max_depth: int = 64


# Binary: the fixed sizes of the scalar types, by type id.
_BINARY_FIXED = {2: 1, 3: 1, 4: 8, 6: 2, 8: 4, 10: 8, 16: 16}
# Compact: the types of the compact encoding, by its type id, as the binary ids.
_COMPACT_TYPES = {1: 2, 2: 2, 3: 3, 4: 6, 5: 8, 6: 10, 7: 4, 8: 11, 9: 15, 10: 14, 11: 13, 12: 12, 13: 16}


class _Walk:
    def __init__(self, data: bytes, pos: int, bounds: Bounds) -> None:
        self.data = data
        self.pos = pos
        self.bounds = bounds

    def take(self, size: int) -> int:
        start = self.pos
        self.pos += size
        if self.pos > len(self.data):
            raise Short()
        return start

    def left(self) -> int:
        return len(self.data) - self.pos

    def count(self, size: int, smallest: int, what: str) -> None:
        if size < 0:
            raise ProtocolError(f"a negative {what} length ({size})")
        if size > self.bounds.max_container_len:
            raise ProtocolError(f"a {what} of {size} elements is over the {self.bounds.max_container_len} limit")
        if size * smallest > self.left():
            # More than the bytes left could hold: wait for them (buffered), never allocate.
            self.take(size * smallest)

    def string(self, size: int) -> None:
        if size < 0:
            raise ProtocolError(f"a negative string length ({size})")
        if size > self.bounds.max_string_len:
            raise ProtocolError(f"a string of {size} bytes is over the {self.bounds.max_string_len}-byte limit")
        self.take(size)

    def depth(self, depth: int) -> None:
        if depth > self.bounds.max_depth:
            raise ProtocolError(f"nested deeper than {self.bounds.max_depth}")


class _Binary(_Walk):
    def i32(self) -> int:
        start = self.take(4)
        return int.from_bytes(self.data[start : start + 4], "big", signed=True)

    def byte(self) -> int:
        return self.data[self.take(1)]

    def value(self, ttype: int, depth: int) -> None:
        fixed = _BINARY_FIXED.get(ttype)
        if fixed is not None:
            self.take(fixed)
        elif ttype == 11:
            self.string(self.i32())
        elif ttype == 12:
            self.struct(depth + 1)
        elif ttype == 13:
            key, value = self.byte(), self.byte()
            size = self.i32()
            self.depth(depth + 1)
            self.count(size, 2, "map")
            for _ in range(size):
                self.value(key, depth + 1)
                self.value(value, depth + 1)
        elif ttype in (14, 15):
            element = self.byte()
            size = self.i32()
            self.depth(depth + 1)
            self.count(size, 1, "list")
            for _ in range(size):
                self.value(element, depth + 1)
        else:
            raise ProtocolError(f"unknown type {ttype}")

    def struct(self, depth: int) -> None:
        self.depth(depth)
        while True:
            ttype = self.byte()
            if ttype == 0:
                return
            self.take(2)
            self.value(ttype, depth)


class _Compact(_Walk):
    def varint(self) -> int:
        value = shift = 0
        for _ in range(10):
            byte = self.data[self.take(1)]
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7
        raise ProtocolError("a varint over 10 bytes")

    def value(self, ctype: int, depth: int, in_container: bool = False) -> None:
        ttype = _COMPACT_TYPES.get(ctype)
        if ttype is None:
            raise ProtocolError(f"unknown compact type {ctype}")
        if ttype == 2:
            if in_container:
                self.take(1)  # a bool in a container is a byte; in a field, its header
        elif ttype == 3:
            self.take(1)
        elif ttype in (6, 8, 10):
            self.varint()
        elif ttype == 4:
            self.take(8)
        elif ttype == 16:
            self.take(16)
        elif ttype == 11:
            self.string(self.varint())
        elif ttype == 12:
            self.struct(depth + 1)
        elif ttype == 13:
            size = self.varint()
            self.depth(depth + 1)
            self.count(size, 2, "map")
            if size:
                types = self.data[self.take(1)]
                for _ in range(size):
                    self.value(types >> 4, depth + 1, True)
                    self.value(types & 0x0F, depth + 1, True)
        else:
            header = self.data[self.take(1)]
            size = header >> 4
            if size == 15:
                size = self.varint()
            self.depth(depth + 1)
            self.count(size, 1, "list")
            for _ in range(size):
                self.value(header & 0x0F, depth + 1, True)

    def struct(self, depth: int) -> None:
        self.depth(depth)
        while True:
            header = self.data[self.take(1)]
            if header == 0:
                return
            if header >> 4 == 0:
                self.varint()  # a field id written whole
            self.value(header & 0x0F, depth)


def body_end(protocol: str, data: bytes, start: int, bounds: Bounds) -> int:
    """Where the struct that starts at `start` of `data` ends."""
    walk = _Compact(data, start, bounds) if protocol == "compact" else _Binary(data, start, bounds)
    try:
        walk.struct(1)
    except IndexError:
        raise Short() from None
    return walk.pos
