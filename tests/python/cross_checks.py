"""What the cross test's Python peers do on each cell (tests/python/cross.py runs them): the
reference ThriftTest handler (ThriftTest.thrift's doc comments), and the client's checks of
every method, which record Apache's failure bits: 1 base types, 2 structs, 4 containers,
8 exceptions, 64 unknown."""

import math
import sys
import time

BASETYPES, STRUCTS, CONTAINERS, EXCEPTIONS, UNKNOWN = 1, 2, 4, 8, 64


class Handler:
    """The reference ThriftTest behaviour (ThriftTest.thrift's doc comments)."""

    def __init__(self, peer):
        self.t = peer.types
        self.application_exception = peer.application_exception

    def echo(self, thing, *_):
        return thing

    testString = testBool = testByte = testI32 = testI64 = testDouble = echo
    testBinary = testStruct = testNest = testMap = testStringMap = echo
    testSet = testList = testEnum = testTypedef = echo

    def testVoid(self):
        pass

    def testMapMap(self, hello):
        return {-4: {i: i for i in range(-4, 0)}, 4: {i: i for i in range(1, 5)}}

    def testInsanity(self, argument):
        n = self.t.Numberz
        return {1: {n.TWO: argument, n.THREE: argument}, 2: {n.SIX: self.t.Insanity()}}

    def testMulti(self, arg0, arg1, arg2, arg3, arg4, arg5):
        return self.t.Xtruct(string_thing="Hello2", byte_thing=arg0, i32_thing=arg1,
                             i64_thing=arg2)

    def testException(self, arg):
        if arg == "Xception":
            raise self.t.Xception(errorCode=1001, message=arg)
        if arg == "TException":
            raise self.application_exception(
                self.application_exception.INTERNAL_ERROR, "testException(TException)")

    def testMultiException(self, arg0, arg1):
        if arg0 == "Xception":
            raise self.t.Xception(errorCode=1001, message="This is an Xception")
        if arg0 == "Xception2":
            raise self.t.Xception2(
                errorCode=2002, struct_thing=self.t.Xtruct(string_thing="This is an Xception2"))
        return self.t.Xtruct(string_thing=arg1)

    def testOneway(self, seconds):
        time.sleep(seconds)

    def secondtestString(self, thing):
        return 'testString("%s")' % thing


class Checks:
    """Calls every method and records the failure bits."""

    def __init__(self, peer, client):
        self.t, self.c, self.code = peer.types, client, 0
        self.application_exception = peer.application_exception

    def check(self, bit, name, got, want):
        if got != want:
            self.fail(bit, "%s: got %r, want %r" % (name, got, want))

    def fail(self, bit, message):
        self.code |= bit
        print("FAILED", message, file=sys.stderr)

    def xtruct(self, text, n):
        return self.t.Xtruct(string_thing=text, byte_thing=n, i32_thing=n, i64_thing=n)

    def run(self, second):
        c, t = self.c, self.t
        self.check(BASETYPES, "testVoid", c.testVoid(), None)
        for s in ["", "Test", "Ünïcödé ∀ 🦀", "long" * 1000]:
            self.check(BASETYPES, "testString", c.testString(s), s)
        for b in [True, False]:
            self.check(BASETYPES, "testBool", c.testBool(b), b)
        for b in [0, 1, -1, -128, 127]:
            self.check(BASETYPES, "testByte", c.testByte(b), b)
        for i in [0, -1, 190000013, -2**31, 2**31 - 1]:
            self.check(BASETYPES, "testI32", c.testI32(i), i)
        for i in [0, -34359738368, -2**63, 2**63 - 1]:
            self.check(BASETYPES, "testI64", c.testI64(i), i)
        for d in [-5.2723202328325, 0.0, 1e-300, sys.float_info.max, math.inf]:
            self.check(BASETYPES, "testDouble", c.testDouble(d), d)
        for blob in [b"", bytes(range(256))]:
            self.check(BASETYPES, "testBinary", c.testBinary(blob), blob)
        self.check(BASETYPES, "testTypedef", c.testTypedef(309858235082523), 309858235082523)

        thing = t.Xtruct(string_thing="Zero", byte_thing=1, i32_thing=-3, i64_thing=-5)
        self.check(STRUCTS, "testStruct", c.testStruct(thing), thing)
        nest = t.Xtruct2(byte_thing=1, struct_thing=self.xtruct("Zero", 1), i32_thing=5)
        self.check(STRUCTS, "testNest", c.testNest(nest), nest)
        n = t.Numberz
        for value in [n.ONE, n.TWO, n.THREE, n.FIVE, n.EIGHT]:
            self.check(STRUCTS, "testEnum", c.testEnum(value), value)
        insanity = t.Insanity(userMap={n.FIVE: 5, n.EIGHT: 8},
                              xtructs=[self.xtruct("Goodbye4", 4), self.xtruct("Hello2", 2)])
        want = {1: {n.TWO: insanity, n.THREE: insanity}, 2: {n.SIX: t.Insanity()}}
        self.check(STRUCTS, "testInsanity", normalize(c.testInsanity(insanity)),
                   normalize(want))
        multi = c.testMulti(9, 11, 12, {1: "first", -2: "second"}, n.TWO, 13)
        self.check(STRUCTS, "testMulti", multi,
                   t.Xtruct(string_thing="Hello2", byte_thing=9, i32_thing=11, i64_thing=12))

        self.check(CONTAINERS, "testMap", c.testMap({i: i - 10 for i in range(5)}),
                   {i: i - 10 for i in range(5)})
        strings = {"a": "2", "b": "blah", "some": "thing"}
        self.check(CONTAINERS, "testStringMap", c.testStringMap(strings), strings)
        # thriftpy2 hands sets over as lists.
        got = c.testSet(set(range(-2, 3)))
        self.check(CONTAINERS, "testSet", set(got), set(range(-2, 3)))
        for items in [[], list(range(-2, 3))]:
            self.check(CONTAINERS, "testList", c.testList(items), items)
        self.check(CONTAINERS, "testMapMap", c.testMapMap(1),
                   {-4: {-4: -4, -3: -3, -2: -2, -1: -1}, 4: {1: 1, 2: 2, 3: 3, 4: 4}})

        self.exceptions()
        start = time.monotonic()
        c.testOneway(1)
        took = time.monotonic() - start
        if took > 0.5:
            self.fail(BASETYPES, "testOneway: took %.3fs, as if it waited" % took)
        self.check(BASETYPES, "testI32 after testOneway", c.testI32(-1), -1)
        if second is not None:
            self.check(BASETYPES, "secondtestString", second.secondtestString("secondService"),
                       'testString("secondService")')

    def expect_raise(self, name, call, kind, check):
        try:
            call()
        except kind as e:
            check(e)
        except Exception as e:  # noqa: BLE001 - any other failure is the check failing
            self.fail(EXCEPTIONS, "%s: raised %r" % (name, e))
        else:
            self.fail(EXCEPTIONS, "%s: raised nothing" % name)

    def exceptions(self):
        c, t = self.c, self.t
        self.expect_raise(
            "testException(Xception)", lambda: c.testException("Xception"), t.Xception,
            lambda e: self.check(EXCEPTIONS, "Xception", (e.errorCode, e.message),
                                 (1001, "Xception")))
        self.expect_raise(
            "testException(TException)", lambda: c.testException("TException"),
            self.application_exception, lambda e: None)
        self.check(EXCEPTIONS, "testException(success)", c.testException("success"), None)
        self.expect_raise(
            "testMultiException(Xception)", lambda: c.testMultiException("Xception", "test 1"),
            t.Xception,
            lambda e: self.check(EXCEPTIONS, "Xception", (e.errorCode, e.message),
                                 (1001, "This is an Xception")))
        self.expect_raise(
            "testMultiException(Xception2)",
            lambda: c.testMultiException("Xception2", "test 2"), t.Xception2,
            lambda e: self.check(EXCEPTIONS, "Xception2",
                                 (e.errorCode, e.struct_thing.string_thing),
                                 (2002, "This is an Xception2")))
        result = c.testMultiException("no exception", "test 3")
        self.check(EXCEPTIONS, "testMultiException", result.string_thing, "test 3")


def normalize(value):
    """Structs as plain data, where an unset field and an empty container are the same: a
    field of default requiredness is always written (empty, by a server in a typed
    language) but a Python struct made without it holds None."""
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    if hasattr(value, "__dict__"):
        fields = vars(value).items()
        return {k: normalize(v) for k, v in fields if not k.startswith("_") and v not in (None, {}, [])}
    return value
