//! The server side of `idl/approvals.thrift` that the typed-callback and blocking-client tests
//! share: a desk that has each connection's client approve its requests.

use thrift_bidi::Connection;

use crate::generated::default::approvals::{
    ApproverClient, Requests, RequestsServer, RequestsSubmitError,
};

/// Has the connection's client approve each request; a denial is rethrown with `?` as the
/// request's `refused`, a failed call back as its `Rpc`.
#[derive(Debug)]
pub struct Desk {
    approver: ApproverClient,
}

impl Requests for Desk {
    async fn submit(&self, request: String) -> Result<String, RequestsSubmitError> {
        let approved = self.approver.approve(request.clone()).await?;
        Ok(format!("{request}: {approved}"))
    }
}

/// The service for a new connection: a desk calling that connection's client back.
pub fn desk(connection: &Connection) -> RequestsServer<Desk> {
    RequestsServer::new(Desk {
        approver: ApproverClient::new(connection.callbacks()),
    })
}
