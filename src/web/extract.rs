//! Extractors of what a request says about its client: its address (the socket's peer, or
//! `X-Forwarded-For` through `--trusted-proxies`) for the per-address limits, and the anonymous
//! visitor id of votes and views.

use std::net::{IpAddr, SocketAddr};

use axum::extract::FromRequestParts;
use axum::extract::connect_info::ConnectInfo;
use axum::http::header;
use axum::http::request::Parts;

use crate::domain::TrustedProxies;
use crate::domain::token::visitor_id;
use crate::error::AppError;
use crate::limits::address_key;
use crate::web::state::AppState;

/// The anonymous id of the client making a request.
pub struct Visitor(pub String);

/// The client address of a request: the socket's peer, or what `X-Forwarded-For` says when
/// the peer is one of `proxies` (see [`TrustedProxies::client`]); empty when unknown.
pub fn client_ip(parts: &Parts, proxies: &TrustedProxies) -> String {
    let Some(peer) = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip())
    else {
        return String::new();
    };
    let forwarded = parts
        .headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok());
    proxies.client(peer, forwarded).to_string()
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let ip = client_ip(parts, &state.config.trusted_proxies);
        let ua = parts
            .headers
            .get(header::USER_AGENT)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .unwrap_or_default();
        Ok(Visitor(visitor_id(&state.visitor_secret, &ip, &ua)))
    }
}

/// The client address of a request (see [`client_ip`]); empty when unknown.
pub struct ClientAddr(pub String);

impl ClientAddr {
    /// The key the per-address limits use (see [`address_key`]).
    pub fn key(&self) -> IpAddr {
        address_key(&self.0)
    }
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(client_ip(parts, &state.config.trusted_proxies)))
    }
}
