//! The control API: HTTP/1.1 with JSON bodies on the unix socket
//! /run/runr/runr.sock (mode 0600), and on request on TCP with a bearer
//! token. Every face (the native CLI, systemctl, journalctl, systemd-run)
//! is a client of it.
//!
//! - `types`: the request and response bodies, shared by server and clients.
//! - `routes`: the one table of routes and what each does.
//! - `backend`: the `ApiBackend` trait the engine implements.
//! - `server`: the listeners (unix socket, TCP API, probe port).
//! - `client`: the small blocking client the faces use.
//! - `auth`: the TCP API's bearer token.
//! - `stdio_pass`: handing a client's stdin/stdout/stderr to the daemon
//!   (`systemd-run --pipe`).
//!
//! docs/api.md shows every route with a curl example.

pub mod auth;
pub mod backend;
pub mod client;
pub mod metrics;
pub mod routes;
pub mod server;
pub mod stdio_pass;
pub mod types;
pub mod uri;

pub use backend::{ApiBackend, ApiError, ApiResult, ErrorKind};
pub use client::{Client, ClientError};
pub use server::{ControlServer, DEFAULT_SOCKET_PATH, ServerConfig, ServerError};
