//! The client assembled from the builder's settings: each checked, then the HTTP clients, the
//! headers and the engine made from them.

use std::sync::Arc;

use reqwest::Url;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue};
use zeroize::Zeroizing;

use super::headers::{added_header, user_agent};
use super::http::{http_client, with_caller_client};
use super::url::{normalize_base_url, without_userinfo};
use super::{ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT};
use crate::auth::Credentials;
use crate::client::Client;
use crate::connection::ICEBERG_REST_ENDPOINT;
use crate::engine::{Engine, Policy};
use crate::error::ConfigError;
use crate::generated;
use crate::iceberg::Iceberg;
use crate::validate::AccountId;
use crate::wire::{Outgoing, Routes};

impl ClientBuilder {
    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<Client, ConfigError> {
        let account_id = self
            .account_id
            .map(AccountId::new)
            .transpose()
            .map_err(ConfigError::Input)?;
        let credentials = match (self.api_token, self.api_key) {
            (Some(token), None) => Credentials::ApiToken(token),
            (None, Some((email, key))) => Credentials::ApiKey { email, key },
            (None, None) => return Err(ConfigError::MissingCredentials),
            (Some(_), Some(_)) => return Err(ConfigError::ConflictingCredentials),
        };
        let (base_url, local_http) = normalize_base_url(
            self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL),
            self.allow_insecure_http,
        )?;
        let mut headers = credentials.headers()?;
        // Every operation answers JSON; the generated code, given no response types, does not
        // say so itself.
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let user_agent = user_agent(self.user_agent_suffix.as_deref())?;
        let user_agent = HeaderValue::try_from(user_agent).map_err(|_| ConfigError::UserAgent {
            reason: "the suffix must be 1 to 256 characters of visible ASCII and spaces",
        })?;
        headers.insert(reqwest::header::USER_AGENT, user_agent.clone());
        let mut secrets = vec![Zeroizing::new(credentials.secret().to_owned())];
        for (name, value) in &self.headers {
            let (name, header) = added_header(name, value)?;
            headers.append(name, header);
            secrets.push(Zeroizing::new(value.expose().to_owned()));
        }
        let caller_client = self.http_client.is_some();
        let iceberg_proxy = self.proxy.clone();
        let http = match self.http_client {
            Some(client) => with_caller_client(
                client,
                self.timeout,
                self.connect_timeout,
                self.proxy.as_ref(),
                !self.root_certificates.is_empty(),
            )?,
            None => http_client(
                self.proxy,
                local_http,
                &self.root_certificates,
                self.timeout.unwrap_or(DEFAULT_TIMEOUT),
                self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
            )?,
        };
        let iceberg_url = self.iceberg_url.as_deref().unwrap_or(ICEBERG_REST_ENDPOINT);
        let (iceberg_url, iceberg_local_http) =
            normalize_base_url(iceberg_url, self.allow_insecure_http).map_err(
                |error| match error {
                    ConfigError::BaseUrl { url, reason } => ConfigError::IcebergUrl { url, reason },
                    other => other,
                },
            )?;
        let iceberg_url = Url::parse(&iceberg_url).map_err(|error| ConfigError::IcebergUrl {
            url: without_userinfo(&iceberg_url),
            reason: error.to_string(),
        })?;
        // The Iceberg endpoint gets a client of its own when it is reached otherwise than the
        // API: plain http on loopback never through a proxy, a remote host through the proxy
        // asked for (or the environment's), whatever the API's URL is.
        let iceberg_http = if iceberg_local_http != local_http && !caller_client {
            http_client(
                iceberg_proxy,
                iceberg_local_http,
                &self.root_certificates,
                self.timeout.unwrap_or(DEFAULT_TIMEOUT),
                self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
            )?
        } else {
            http.clone()
        };
        let iceberg = Iceberg::new(
            iceberg_url,
            iceberg_http,
            headers
                .get(AUTHORIZATION)
                .cloned()
                .filter(|_| matches!(credentials, Credentials::ApiToken(_))),
            user_agent,
        );
        let routes = Routes::new(self.paths, &base_url);
        let api =
            generated::Client::new_with_client(&base_url, http, Outgoing::new(routes, headers));
        let engine = Engine::new(
            api,
            iceberg,
            credentials.scheme(),
            secrets.into(),
            self.max_response_bytes,
            Policy {
                retry: self.retry,
                operation_timeout: self.operation_timeout,
                sweep: None,
            },
            Arc::default(),
        );
        Ok(Client::new(engine, account_id))
    }
}
