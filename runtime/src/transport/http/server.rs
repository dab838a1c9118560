//! The HTTP server side of a connection the `Server` accepted: hyper reads its requests, one
//! at a time; each POST's body is one message for the service, and the response's body its
//! answer (empty for a oneway, answered once it has run).
//!
//! A oneway is answered at once (as Apache's `THttpServer` does, so a client does not wait
//! for it) and then run, in arrival order, on the connection's oneway task; the oneways held
//! count against the incoming budget (`max_incoming_bytes`), and one over it is answered only
//! once it fits.
//!
//! Input: a byte stream and the connection's service. Output: responses; a status other than
//! 200 for a request that is not a Thrift call (405 another method, 404 another path when one
//! is set, 415 another content type, 413 a body over the frame limit, 408 one that does not
//! arrive within the frame timeout, 400 one that is not one whole message).

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming as Body;
use hyper::header::{HeaderValue, ALLOW, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::{mpsc, watch};

use super::{body_codec, message, protocol_of};
use crate::budget::Budget;
use crate::call::{self, Origin};
use crate::connection::{spawn_oneways, timed_out, CloseReason, Guarded, Settings, Shared};
use crate::io::{Stream, WriteDeadline};
use crate::message::Outgoing;
use crate::protocol::MessageType;
use crate::service::Service;
use crate::transport::MessageWriter;

/// The HTTP header that carries a call's deadline, as the milliseconds its caller will still
/// wait (THeader's `client_timeout`, spelled as HTTP headers usually are).
pub(crate) const TIMEOUT_HEADER: &str = "thrift-client-timeout";

/// How a server speaks HTTP (feature `http`): give it to
/// [`Server::http`](crate::Server::http). Requests may go to any path (as Apache's servers
/// take them) unless one is set.
#[derive(Clone, Debug, Default)]
pub struct ServerHttp {
    path: Option<String>,
}

impl ServerHttp {
    /// Any path; the server's frame limit bounds bodies, its frame timeout each request.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes requests to `path` only (`"/thrift"`, say), answering others with 404.
    #[must_use]
    pub fn path(mut self, path: &str) -> Self {
        self.path = Some(path.to_owned());
        self
    }
}

/// What every request of a connection is answered with.
struct Answering<S> {
    service: Arc<S>,
    settings: Settings,
    path: Option<String>,
    /// The connection's oneway task, and the budget of the oneways it holds.
    oneways: mpsc::UnboundedSender<crate::Incoming>,
    budget: Arc<Budget>,
    /// The connection's id and peer, for its calls' contexts.
    origin: Origin,
}

/// Serves the HTTP requests that come over `stream` until it closes, it idles for the frame
/// timeout between requests, or `stop` asks (then the request under way is answered first).
pub(crate) async fn serve<S: Service>(
    stream: impl Stream,
    service: S,
    settings: Settings,
    http: ServerHttp,
    mut stop: watch::Receiver<bool>,
    shared: Arc<Shared>,
) -> CloseReason {
    let service = Arc::new(service);
    let answering = Arc::new(Answering {
        oneways: spawn_oneways(service.clone(), shared.origin.clone()),
        budget: Budget::new(settings.max_incoming_bytes),
        origin: shared.origin.clone(),
        service,
        settings,
        path: http.path,
    });
    let respond = hyper::service::service_fn(move |request| {
        let answering = answering.clone();
        async move { Ok::<_, Infallible>(answering.answer(request).await) }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        // A client may shut its side down once its requests are sent, and still be answered.
        .half_close(true)
        // Also how long a kept-alive connection may wait for its next request.
        .header_read_timeout(settings.frame_timeout);
    // hyper has no write timeout: a client that stops reading is dropped after this one.
    let stream = WriteDeadline::new(stream, settings.write_timeout);
    let connection = builder.serve_connection(TokioIo::new(stream), respond);
    tokio::pin!(connection);
    let stopping = async {
        // A stop whose sender is gone never comes.
        if stop.wait_for(|stop| *stop).await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let (served, reason) = tokio::select! {
        served = connection.as_mut() => (served, CloseReason::PeerClosed),
        () = stopping => {
            connection.as_mut().graceful_shutdown();
            (connection.await, CloseReason::Shutdown)
        }
    };
    shared.close();
    match served {
        Ok(()) => reason,
        Err(e) => {
            tracing::debug!(error = %e, "HTTP connection closed");
            CloseReason::Failed(e.to_string())
        }
    }
}

impl<S: Service> Answering<S> {
    async fn answer(&self, request: Request<Body>) -> Response<Full<Bytes>> {
        let (request, body) = request.into_parts();
        if request.method != Method::POST {
            let mut refused = status(StatusCode::METHOD_NOT_ALLOWED, "Thrift calls are POSTs");
            refused
                .headers_mut()
                .insert(ALLOW, HeaderValue::from_static("POST"));
            return refused;
        }
        if self
            .path
            .as_ref()
            .is_some_and(|path| request.uri.path() != path)
        {
            return status(StatusCode::NOT_FOUND, "no Thrift service at this path");
        }
        let content_type = request.headers.get(CONTENT_TYPE).cloned();
        let codec = self.settings.codec;
        let protocol = content_type
            .as_ref()
            .and_then(|value| value.to_str().ok())
            .and_then(|value| protocol_of(value, codec.protocol));
        let Some(protocol) = protocol else {
            let message = "a Thrift call is application/x-thrift or application/vnd.apache.thrift.{binary,compact,json}";
            return status(StatusCode::UNSUPPORTED_MEDIA_TYPE, message);
        };
        let body = match self.body(&request.headers, body).await {
            Ok(body) => body,
            Err(refused) => return refused,
        };
        let mut call = match message(body, body_codec(codec, protocol)).await {
            Ok(call) => call,
            Err(e) => return status(StatusCode::BAD_REQUEST, &e.to_string()),
        };
        with_request_headers(&mut call.headers, &request.headers);
        match call.kind() {
            MessageType::Call => {}
            MessageType::Oneway => {
                call.held = Some(self.budget.hold_when_room(call.frame.len()).await);
                // The oneway task lives as long as this connection's requests.
                let _ = self.oneways.send(call);
                return reply(Bytes::new(), content_type);
            }
            MessageType::Reply | MessageType::Exception => {
                return status(StatusCode::BAD_REQUEST, "a request's message is a call");
            }
        }
        let context = call.context(&self.origin);
        let (answering, framing) = (context.clone(), call.framing);
        let timed_out = || Some(timed_out(&answering, protocol, framing));
        let handled = Guarded::new(call::answer(context, self.service.call(call), timed_out));
        let handled = handled.await;
        let answer = match handled {
            Ok(Some(answer)) => answer,
            Ok(None) => return reply(Bytes::new(), content_type),
            Err(_) => {
                tracing::error!(method = answering.method(), "a handler panicked");
                return status(StatusCode::INTERNAL_SERVER_ERROR, "the handler panicked");
            }
        };
        reply(encode(answer, codec), content_type)
    }

    /// The request's body (sent with `headers`), if it is one the server takes.
    async fn body(
        &self,
        headers: &hyper::HeaderMap,
        body: Body,
    ) -> Result<Bytes, Response<Full<Bytes>>> {
        let max = self.settings.codec.max_frame;
        let too_large = || {
            let message = format!("a Thrift message is at most {max} bytes");
            status(StatusCode::PAYLOAD_TOO_LARGE, &message)
        };
        let declared = headers
            .get(CONTENT_LENGTH)
            .and_then(|len| len.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|len| len > max as u64) {
            return Err(too_large());
        }
        let limit = self.settings.frame_timeout;
        let read = Limited::new(body, max).collect();
        let body = match tokio::time::timeout(limit, read).await {
            Ok(Ok(body)) => body.to_bytes(),
            Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => return Err(too_large()),
            Ok(Err(e)) => return Err(status(StatusCode::BAD_REQUEST, &e.to_string())),
            Err(_) => {
                let message = format!("the body did not arrive within {limit:?}");
                return Err(status(StatusCode::REQUEST_TIMEOUT, &message));
            }
        };
        if body.is_empty() {
            return Err(status(StatusCode::BAD_REQUEST, "no message in the body"));
        }
        Ok(body)
    }
}

/// Adds the request's headers to a call's (THeader's own first), so that its context has them:
/// its deadline (`thrift-client-timeout`, as THeader's `client_timeout`), its `traceparent`,
/// and the client's own.
fn with_request_headers(call: &mut crate::Headers, request: &hyper::HeaderMap) {
    for (name, value) in request {
        let key = match name.as_str() {
            TIMEOUT_HEADER => call::TIMEOUT_HEADER,
            other => other,
        };
        if call.get(key).is_none() {
            let value = Bytes::copy_from_slice(value.as_bytes());
            call.insert(Bytes::copy_from_slice(key.as_bytes()), value);
        }
    }
}

/// `answer`'s bytes, as its call came.
fn encode(answer: Outgoing, codec: crate::Codec) -> Bytes {
    let codec = body_codec(codec, answer.protocol);
    let mut writer = MessageWriter::new(tokio::io::sink(), codec);
    writer.push(answer);
    writer.take().freeze()
}

/// A 200 response carrying `body`, in the content type the request had.
fn reply(body: Bytes, content_type: Option<HeaderValue>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    if let Some(content_type) = content_type {
        response.headers_mut().insert(CONTENT_TYPE, content_type);
    }
    response
}

/// A response with `status`, saying `why` in plain text.
fn status(status: StatusCode, why: &str) -> Response<Full<Bytes>> {
    tracing::debug!(%status, why, "HTTP request refused");
    let mut response = Response::new(Full::new(Bytes::from(format!("{why}\n"))));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
