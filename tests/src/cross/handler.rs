//! `cross-server`'s handler: every ThriftTest method with the reference behaviour that
//! `ThriftTest.thrift`'s doc comments describe (echo, the fixed `testMapMap` and
//! `testInsanity` answers, the exceptions chosen by argument), and `SecondService`.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use thrift_bidi::{Bytes, Error};

use crate::generated::default::thrift_test::{
    Insanity, Numberz, SecondService, ThriftTest, ThriftTestTestExceptionError as ExceptionError,
    ThriftTestTestMultiExceptionError as MultiExceptionError, UserId, Xception, Xception2, Xtruct,
    Xtruct2,
};

/// The reference ThriftTest implementation.
#[derive(Clone, Copy, Debug, Default)]
pub struct Handler;

type Answer<T> = Result<T, Error>;

impl ThriftTest for Handler {
    async fn test_void(&self) -> Answer<()> {
        Ok(())
    }
    /// Echoes `thing`, and the call's headers (over THeader) in the reply's.
    async fn test_string(&self, thing: String) -> Answer<String> {
        for (key, value) in thrift_bidi::call::headers().iter() {
            thrift_bidi::call::set_reply_header(key.clone(), value.clone());
        }
        Ok(thing)
    }
    async fn test_bool(&self, thing: bool) -> Answer<bool> {
        Ok(thing)
    }
    async fn test_byte(&self, thing: i8) -> Answer<i8> {
        Ok(thing)
    }
    async fn test_i32(&self, thing: i32) -> Answer<i32> {
        Ok(thing)
    }
    async fn test_i64(&self, thing: i64) -> Answer<i64> {
        Ok(thing)
    }
    async fn test_double(&self, thing: f64) -> Answer<f64> {
        Ok(thing)
    }
    async fn test_binary(&self, thing: Bytes) -> Answer<Bytes> {
        Ok(thing)
    }
    async fn test_struct(&self, thing: Xtruct) -> Answer<Xtruct> {
        Ok(thing)
    }
    async fn test_nest(&self, thing: Xtruct2) -> Answer<Xtruct2> {
        Ok(thing)
    }
    async fn test_map(&self, thing: HashMap<i32, i32>) -> Answer<HashMap<i32, i32>> {
        Ok(thing)
    }
    async fn test_string_map(
        &self,
        thing: HashMap<String, String>,
    ) -> Answer<HashMap<String, String>> {
        Ok(thing)
    }
    async fn test_set(&self, thing: HashSet<i32>) -> Answer<HashSet<i32>> {
        Ok(thing)
    }
    async fn test_list(&self, thing: Vec<i32>) -> Answer<Vec<i32>> {
        Ok(thing)
    }
    async fn test_enum(&self, thing: Numberz) -> Answer<Numberz> {
        Ok(thing)
    }
    async fn test_typedef(&self, thing: UserId) -> Answer<UserId> {
        Ok(thing)
    }
    async fn test_map_map(&self, _hello: i32) -> Answer<HashMap<i32, HashMap<i32, i32>>> {
        let negative = (-4..=-1).map(|i| (i, i)).collect();
        let positive = (1..=4).map(|i| (i, i)).collect();
        Ok(HashMap::from([(-4, negative), (4, positive)]))
    }
    async fn test_insanity(
        &self,
        argument: Insanity,
    ) -> Answer<HashMap<UserId, HashMap<Numberz, Insanity>>> {
        let first = HashMap::from([(Numberz::TWO, argument.clone()), (Numberz::THREE, argument)]);
        let second = HashMap::from([(Numberz::SIX, Insanity::default())]);
        Ok(HashMap::from([(1, first), (2, second)]))
    }
    async fn test_multi(
        &self,
        arg0: i8,
        arg1: i32,
        arg2: i64,
        _arg3: HashMap<i16, String>,
        _arg4: Numberz,
        _arg5: UserId,
    ) -> Answer<Xtruct> {
        Ok(Xtruct {
            string_thing: "Hello2".to_owned(),
            byte_thing: arg0,
            i32_thing: arg1,
            i64_thing: arg2,
        })
    }
    async fn test_exception(&self, arg: String) -> Result<(), ExceptionError> {
        match arg.as_str() {
            "Xception" => Err(ExceptionError::Err1(Xception {
                error_code: 1001,
                message: arg,
            })),
            "TException" => Err(Error::internal("testException(\"TException\")").into()),
            _ => Ok(()),
        }
    }
    async fn test_multi_exception(
        &self,
        arg0: String,
        arg1: String,
    ) -> Result<Xtruct, MultiExceptionError> {
        match arg0.as_str() {
            "Xception" => Err(MultiExceptionError::Err1(Xception {
                error_code: 1001,
                message: "This is an Xception".to_owned(),
            })),
            "Xception2" => Err(MultiExceptionError::Err2(Xception2 {
                error_code: 2002,
                struct_thing: Xtruct {
                    string_thing: "This is an Xception2".to_owned(),
                    ..Xtruct::default()
                },
            })),
            _ => Ok(Xtruct {
                string_thing: arg1,
                ..Xtruct::default()
            }),
        }
    }
    async fn test_oneway(&self, seconds_to_sleep: i32) -> Answer<()> {
        let seconds = u64::try_from(seconds_to_sleep).unwrap_or(0);
        tokio::time::sleep(Duration::from_secs(seconds)).await;
        Ok(())
    }
}

impl SecondService for Handler {
    async fn secondtest_string(&self, thing: String) -> Answer<String> {
        Ok(format!("testString(\"{thing}\")"))
    }
}
