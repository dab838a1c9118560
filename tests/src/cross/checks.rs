//! `cross-client`'s checks: every ThriftTest method called with known arguments and its answer
//! compared with the reference behaviour, as Apache's own test clients do. Failures are
//! reported by the exit-code bits of Apache's `test/README.md`.

use std::collections::{HashMap, HashSet};
use std::fmt::Debug;
use std::future::Future;
use std::time::{Duration, Instant};

use thrift_bidi::{Bytes, Error};

use crate::generated::default::thrift_test::{
    Insanity, Numberz, SecondServiceClient, ThriftTestClient,
    ThriftTestTestExceptionError as ExceptionError,
    ThriftTestTestMultiExceptionError as MultiExceptionError, Xception, Xception2, Xtruct, Xtruct2,
};

/// Exit-code bit: a base type came back wrong.
pub const BASETYPES: u8 = 1;
/// Exit-code bit: a struct, enum or typedef came back wrong.
pub const STRUCTS: u8 = 2;
/// Exit-code bit: a container came back wrong.
pub const CONTAINERS: u8 = 4;
/// Exit-code bit: an exception was wrong or missing.
pub const EXCEPTIONS: u8 = 8;
/// Exit-code bit: anything else (cannot connect, the connection failed).
pub const UNKNOWN: u8 = 64;
/// Exit-code bit: a call timed out.
pub const TIMEOUT: u8 = 128;

/// The outcome of one run of the checks.
#[derive(Debug, Default)]
pub struct Report {
    /// The exit-code bits of the failed checks (0: all passed).
    pub code: u8,
    /// One line per failed check.
    pub failures: Vec<String>,
}

/// Why a check failed.
enum Failure {
    Wrong(String),
    Rpc(Error),
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Self::Rpc(error)
    }
}

type Checked = Result<(), Failure>;

#[allow(clippy::needless_pass_by_value)] // answers come by value; the call sites read better
fn expect<T: PartialEq + Debug>(got: T, want: T) -> Checked {
    if got == want {
        Ok(())
    } else {
        Err(Failure::Wrong(format!("got {got:?}, want {want:?}")))
    }
}

impl Report {
    async fn check(&mut self, bit: u8, name: &str, check: impl Future<Output = Checked>) {
        let failure = match check.await {
            Ok(()) => return,
            Err(Failure::Wrong(message)) => (bit, message),
            Err(Failure::Rpc(Error::Timeout)) => (bit | TIMEOUT, "timed out".to_owned()),
            Err(Failure::Rpc(e @ (Error::Disconnected | Error::Io(_)))) => {
                (bit | UNKNOWN, e.to_string())
            }
            Err(Failure::Rpc(e)) => (bit, e.to_string()),
        };
        self.code |= failure.0;
        self.failures.push(format!("{name}: {}", failure.1));
    }
}

/// Calls every ThriftTest method (and `SecondService`'s, when multiplexed) and checks the
/// answers.
pub async fn run(client: &ThriftTestClient, second: Option<&SecondServiceClient>) -> Report {
    let mut report = Report::default();
    base_types(&mut report, client).await;
    structs(&mut report, client).await;
    containers(&mut report, client).await;
    exceptions(&mut report, client).await;
    oneway(&mut report, client).await;
    if let Some(second) = second {
        report
            .check(BASETYPES, "secondtestString", async {
                let got = second.secondtest_string("secondService".to_owned()).await?;
                expect(got.as_str(), "testString(\"secondService\")")
            })
            .await;
    }
    report
}

async fn base_types(report: &mut Report, c: &ThriftTestClient) {
    report
        .check(BASETYPES, "testVoid", async { Ok(c.test_void().await?) })
        .await;
    report
        .check(BASETYPES, "testString", async {
            for s in ["", "Test", "Ünïcödé ∀ 🦀", &"long".repeat(1000)] {
                expect(c.test_string(s.to_owned()).await?.as_str(), s)?;
            }
            Ok(())
        })
        .await;
    report
        .check(BASETYPES, "testBool", async {
            expect(c.test_bool(true).await?, true)?;
            expect(c.test_bool(false).await?, false)
        })
        .await;
    report
        .check(BASETYPES, "testByte", async {
            for b in [0, 1, -1, i8::MIN, i8::MAX] {
                expect(c.test_byte(b).await?, b)?;
            }
            Ok(())
        })
        .await;
    report
        .check(BASETYPES, "testI32", async {
            for i in [0, -1, 190_000_013, i32::MIN, i32::MAX] {
                expect(c.test_i32(i).await?, i)?;
            }
            Ok(())
        })
        .await;
    report
        .check(BASETYPES, "testI64", async {
            for i in [0, -34_359_738_368, i64::MIN, i64::MAX] {
                expect(c.test_i64(i).await?, i)?;
            }
            Ok(())
        })
        .await;
    report
        .check(BASETYPES, "testDouble", async {
            for d in [
                -5.272_320_232_832_5,
                0.0,
                -0.0,
                1e-300,
                f64::MAX,
                f64::INFINITY,
            ] {
                expect(c.test_double(d).await?.to_bits(), d.to_bits())?;
            }
            Ok(())
        })
        .await;
    report
        .check(BASETYPES, "testBinary", async {
            for bytes in [Vec::new(), (0..=255).collect()] {
                let bytes = Bytes::from(bytes);
                expect(c.test_binary(bytes.clone()).await?, bytes)?;
            }
            Ok(())
        })
        .await;
    report
        .check(BASETYPES, "testTypedef", async {
            expect(
                c.test_typedef(309_858_235_082_523).await?,
                309_858_235_082_523,
            )
        })
        .await;
}

fn xtruct(text: &str, n: i8) -> Xtruct {
    Xtruct {
        string_thing: text.to_owned(),
        byte_thing: n,
        i32_thing: n.into(),
        i64_thing: n.into(),
    }
}

async fn structs(report: &mut Report, c: &ThriftTestClient) {
    report
        .check(STRUCTS, "testStruct", async {
            let thing = Xtruct {
                string_thing: "Zero".to_owned(),
                byte_thing: 1,
                i32_thing: -3,
                i64_thing: -5,
            };
            expect(c.test_struct(thing.clone()).await?, thing)
        })
        .await;
    report
        .check(STRUCTS, "testNest", async {
            let thing = Xtruct2 {
                byte_thing: 1,
                struct_thing: xtruct("Zero", 1),
                i32_thing: 5,
            };
            expect(c.test_nest(thing.clone()).await?, thing)
        })
        .await;
    report
        .check(STRUCTS, "testEnum", async {
            for n in [
                Numberz::ONE,
                Numberz::TWO,
                Numberz::THREE,
                Numberz::FIVE,
                Numberz::EIGHT,
            ] {
                expect(c.test_enum(n).await?, n)?;
            }
            Ok(())
        })
        .await;
    report
        .check(STRUCTS, "testInsanity", async {
            let argument = Insanity {
                user_map: HashMap::from([(Numberz::FIVE, 5), (Numberz::EIGHT, 8)]),
                xtructs: vec![xtruct("Goodbye4", 4), xtruct("Hello2", 2)],
            };
            let want = HashMap::from([
                (
                    1,
                    HashMap::from([
                        (Numberz::TWO, argument.clone()),
                        (Numberz::THREE, argument.clone()),
                    ]),
                ),
                (2, HashMap::from([(Numberz::SIX, Insanity::default())])),
            ]);
            expect(c.test_insanity(argument).await?, want)
        })
        .await;
    report
        .check(STRUCTS, "testMulti", async {
            let arg3 = HashMap::from([(1, "first".to_owned()), (-2, "second".to_owned())]);
            let got = c.test_multi(9, 11, 12, arg3, Numberz::TWO, 13).await?;
            let want = Xtruct {
                string_thing: "Hello2".to_owned(),
                byte_thing: 9,
                i32_thing: 11,
                i64_thing: 12,
            };
            expect(got, want)
        })
        .await;
}

async fn containers(report: &mut Report, c: &ThriftTestClient) {
    report
        .check(CONTAINERS, "testMap", async {
            let thing: HashMap<i32, i32> = (0..5).map(|i| (i, i - 10)).collect();
            expect(c.test_map(thing.clone()).await?, thing)
        })
        .await;
    report
        .check(CONTAINERS, "testStringMap", async {
            let thing: HashMap<String, String> = [("a", "2"), ("b", "blah"), ("some", "thing")]
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .into();
            expect(c.test_string_map(thing.clone()).await?, thing)
        })
        .await;
    report
        .check(CONTAINERS, "testSet", async {
            let thing: HashSet<i32> = (-2..3).collect();
            expect(c.test_set(thing.clone()).await?, thing)
        })
        .await;
    report
        .check(CONTAINERS, "testList", async {
            for thing in [Vec::new(), (-2..3).collect::<Vec<i32>>()] {
                expect(c.test_list(thing.clone()).await?, thing)?;
            }
            Ok(())
        })
        .await;
    report
        .check(CONTAINERS, "testMapMap", async {
            let want = HashMap::from([
                (-4, HashMap::from([(-4, -4), (-3, -3), (-2, -2), (-1, -1)])),
                (4, HashMap::from([(1, 1), (2, 2), (3, 3), (4, 4)])),
            ]);
            expect(c.test_map_map(1).await?, want)
        })
        .await;
}

async fn exceptions(report: &mut Report, c: &ThriftTestClient) {
    report
        .check(EXCEPTIONS, "testException", async {
            match c.test_exception("Xception".to_owned()).await {
                Err(ExceptionError::Err1(e)) => expect(
                    e,
                    Xception {
                        error_code: 1001,
                        message: "Xception".to_owned(),
                    },
                )?,
                other => return Err(Failure::Wrong(format!("Xception: got {other:?}"))),
            }
            match c.test_exception("TException".to_owned()).await {
                Err(ExceptionError::Rpc(Error::Application(_))) => {}
                other => return Err(Failure::Wrong(format!("TException: got {other:?}"))),
            }
            match c.test_exception("success".to_owned()).await {
                Ok(()) => Ok(()),
                other => Err(Failure::Wrong(format!("success: got {other:?}"))),
            }
        })
        .await;
    report
        .check(EXCEPTIONS, "testMultiException", async {
            let call = |arg0: &str| c.test_multi_exception(arg0.to_owned(), "test 1".to_owned());
            match call("Xception").await {
                Err(MultiExceptionError::Err1(e)) => expect(
                    e,
                    Xception {
                        error_code: 1001,
                        message: "This is an Xception".to_owned(),
                    },
                )?,
                other => return Err(Failure::Wrong(format!("Xception: got {other:?}"))),
            }
            match call("Xception2").await {
                Err(MultiExceptionError::Err2(e)) => expect(
                    e,
                    Xception2 {
                        error_code: 2002,
                        struct_thing: Xtruct {
                            string_thing: "This is an Xception2".to_owned(),
                            ..Xtruct::default()
                        },
                    },
                )?,
                other => return Err(Failure::Wrong(format!("Xception2: got {other:?}"))),
            }
            match call("no exception").await {
                Ok(got) => expect(got.string_thing.as_str(), "test 1"),
                other => Err(Failure::Wrong(format!("no exception: got {other:?}"))),
            }
        })
        .await;
}

/// A oneway call returns without waiting for the server's one-second sleep, and the
/// connection still serves calls afterwards.
async fn oneway(report: &mut Report, c: &ThriftTestClient) {
    report
        .check(BASETYPES, "testOneway", async {
            let start = Instant::now();
            c.test_oneway(1).await?;
            let took = start.elapsed();
            if took > Duration::from_millis(500) {
                return Err(Failure::Wrong(format!("took {took:?}, as if it waited")));
            }
            expect(c.test_i32(-1).await?, -1)
        })
        .await;
}
