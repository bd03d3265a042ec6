//! The Remote Workers API (`google.devtools.remoteworkers.v1test2`), which BuildGrid's
//! Bots service speaks: the messages a worker sends and reads, written out with prost
//! (no crate ships them; field numbers from googleapis' `bots.proto` and
//! `worker.proto`), and the two calls a worker makes.

use anyhow::{Context, Result};
use bazel_remote_apis::google::protobuf::Any;
use bazel_remote_apis::google::rpc::Status;
use tonic::codegen::http::uri::PathAndQuery;
use tonic::transport::Channel;

#[derive(Clone, PartialEq, prost::Message)]
pub struct BotSession {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(string, tag = "2")]
    pub bot_id: String,
    #[prost(enumeration = "BotStatus", tag = "3")]
    pub status: i32,
    #[prost(message, optional, tag = "4")]
    pub worker: Option<Worker>,
    #[prost(message, repeated, tag = "5")]
    pub leases: Vec<Lease>,
    #[prost(string, tag = "7")]
    pub version: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, prost::Enumeration)]
#[repr(i32)]
pub enum BotStatus {
    Unspecified = 0,
    Ok = 1,
    Unhealthy = 2,
    HostRebooting = 3,
    BotTerminating = 4,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct Lease {
    #[prost(string, tag = "7")]
    pub id: String,
    #[prost(message, optional, tag = "8")]
    pub payload: Option<Any>,
    #[prost(message, optional, tag = "9")]
    pub result: Option<Any>,
    #[prost(enumeration = "LeaseState", tag = "2")]
    pub state: i32,
    #[prost(message, optional, tag = "3")]
    pub status: Option<Status>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, prost::Enumeration)]
#[repr(i32)]
pub enum LeaseState {
    Unspecified = 0,
    Pending = 1,
    Active = 2,
    Completed = 4,
    Cancelled = 5,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct Worker {
    #[prost(message, repeated, tag = "1")]
    pub devices: Vec<Device>,
    #[prost(message, repeated, tag = "2")]
    pub properties: Vec<KeyValue>,
    #[prost(message, repeated, tag = "3")]
    pub configs: Vec<KeyValue>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct Device {
    #[prost(string, tag = "1")]
    pub handle: String,
    #[prost(message, repeated, tag = "2")]
    pub properties: Vec<KeyValue>,
}

/// `Worker.Property`, `Worker.Config` and `Device.Property` are all this.
#[derive(Clone, PartialEq, prost::Message)]
pub struct KeyValue {
    #[prost(string, tag = "1")]
    pub key: String,
    #[prost(string, tag = "2")]
    pub value: String,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct CreateBotSessionRequest {
    #[prost(string, tag = "1")]
    pub parent: String,
    #[prost(message, optional, tag = "2")]
    pub bot_session: Option<BotSession>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct UpdateBotSessionRequest {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(message, optional, tag = "2")]
    pub bot_session: Option<BotSession>,
}

impl KeyValue {
    pub fn new(key: &str, value: &str) -> Self {
        KeyValue {
            key: key.into(),
            value: value.into(),
        }
    }
}

/// A client of the Bots service.
pub struct Bots {
    grpc: tonic::client::Grpc<Channel>,
}

impl Bots {
    pub fn new(channel: Channel) -> Self {
        Bots {
            grpc: tonic::client::Grpc::new(channel),
        }
    }

    /// Opens a session; the server may hand it leases at once.
    pub async fn create(
        &mut self,
        request: tonic::Request<CreateBotSessionRequest>,
    ) -> Result<BotSession> {
        self.call(
            request,
            "/google.devtools.remoteworkers.v1test2.Bots/CreateBotSession",
        )
        .await
        .context("CreateBotSession")
    }

    /// Reports the session's leases; the server answers with the leases it now holds
    /// for the bot, waiting for new work up to the call's deadline when it has none.
    pub async fn update(
        &mut self,
        request: tonic::Request<UpdateBotSessionRequest>,
    ) -> Result<BotSession> {
        self.call(
            request,
            "/google.devtools.remoteworkers.v1test2.Bots/UpdateBotSession",
        )
        .await
        .context("UpdateBotSession")
    }

    async fn call<M: prost::Message + Send + Sync + 'static>(
        &mut self,
        request: tonic::Request<M>,
        path: &'static str,
    ) -> Result<BotSession, tonic::Status> {
        self.grpc
            .ready()
            .await
            .map_err(|e| tonic::Status::unavailable(e.to_string()))?;
        let codec = tonic_prost::ProstCodec::default();
        let response = self
            .grpc
            .unary(request, PathAndQuery::from_static(path), codec)
            .await?;
        Ok(response.into_inner())
    }
}
