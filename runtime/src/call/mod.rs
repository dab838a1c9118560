//! The call being handled, and the reply being awaited, as the task running it sees them:
//! for now their THeader headers. (A handler runs in a task of its own, and a caller awaits
//! its reply in its own task, so each sees only its own call's.)
//!
//! ```no_run
//! # async fn handler() -> Result<String, thrift_bidi::Error> {
//! // Inside a handler: the headers the client sent, and one for the reply.
//! let user = thrift_bidi::call::headers().get("user").cloned();
//! thrift_bidi::call::set_reply_header("served-by", "node-7");
//! # Ok(String::new())
//! # }
//! ```

use std::cell::RefCell;
use std::future::Future;

use crate::headers::Headers;

/// The call a handler is answering.
struct Handling {
    headers: Headers,
    reply: RefCell<Headers>,
}

tokio::task_local! {
    static HANDLING: Handling;
    static AWAITING: RefCell<Option<Headers>>;
}

/// The headers of the call being handled (none outside a handler, or without THeader).
pub fn headers() -> Headers {
    HANDLING
        .try_with(|handling| handling.headers.clone())
        .unwrap_or_default()
}

/// Adds a header to the reply of the call being handled (sent over THeader only; outside a
/// handler it does nothing).
pub fn set_reply_header(key: impl Into<bytes::Bytes>, value: impl Into<bytes::Bytes>) {
    let _ = HANDLING.try_with(|handling| handling.reply.borrow_mut().insert(key, value));
}

/// Runs `handler` as the handling of a call that came with `headers`; the headers it set for
/// its reply. `None` (a transport without headers) runs it as it is: it would see none, and
/// what it set would go nowhere.
pub(crate) async fn handle<T>(
    headers: Option<Headers>,
    handler: impl Future<Output = T>,
) -> (T, Headers) {
    let Some(headers) = headers else {
        return (handler.await, Headers::new());
    };
    let handling = Handling {
        headers,
        reply: RefCell::default(),
    };
    HANDLING
        .scope(handling, async {
            let answer = handler.await;
            let reply = HANDLING.with(|handling| handling.reply.take());
            (answer, reply)
        })
        .await
}

/// Runs a service's `call` as [`handle`] does; its answer, carrying the headers it set.
pub(crate) async fn answer(
    headers: Option<Headers>,
    call: impl Future<Output = Option<crate::Outgoing>>,
) -> Option<crate::Outgoing> {
    let (answer, reply_headers) = handle(headers, call).await;
    answer.map(|mut answer| {
        answer.headers = reply_headers;
        answer
    })
}

/// Runs `call` (a client call, or several in turn) and returns, with its answer, the headers
/// of the last reply it received.
///
/// ```no_run
/// # async fn example(client: thrift_bidi::Channel) {
/// let (answer, headers) = thrift_bidi::call::with_reply_headers(async {
///     // a generated client's call on a THeader channel
/// })
/// .await;
/// # }
/// ```
pub async fn with_reply_headers<T>(call: impl Future<Output = T>) -> (T, Headers) {
    AWAITING
        .scope(RefCell::default(), async {
            let answer = call.await;
            let headers = AWAITING.with(RefCell::take).unwrap_or_default();
            (answer, headers)
        })
        .await
}

/// Keeps the headers of a reply for [`with_reply_headers`], when the caller asked for them.
pub(crate) fn received_reply(headers: &Headers) {
    let _ = AWAITING.try_with(|last| *last.borrow_mut() = Some(headers.clone()));
}
