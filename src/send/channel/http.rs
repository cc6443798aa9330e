//! The one HTTP client of the portal channels (the sandbox, Chorus Pro and
//! the plateformes), and the rules every call to a server Facteur does not
//! control follows:
//!
//! - **Addresses are parsed, never prefix-tested** ([`check_url`]): https,
//!   or plain http only to a loopback host (an IP literal in 127.0.0.0/8,
//!   `::1`, or exactly `localhost`); a URL carrying user information
//!   (`http://127.0.0.1:80@example.org/`) is refused, whatever its scheme.
//! - **No redirects.** A portal API that answers 3xx gets no second request
//!   (the client never follows): the call fails for good with « le portail
//!   a renvoyé vers une autre adresse : … » ([`ChannelError::Redirected`]),
//!   so neither a token request's `client_secret`, a `cpro-account` header
//!   nor an invoice ever reaches another address.
//! - **Bodies are capped while they stream** ([`read_capped`]): a JSON
//!   answer at most [`JSON_CAP`], a downloaded file at the caller's cap,
//!   judged from `Content-Length` before anything is read and again as
//!   chunks arrive.
//! - **Numbers a server sends are capped** before any arithmetic:
//!   `Retry-After` ([`MAX_RETRY_AFTER`]), a token's `expires_in`
//!   ([`MAX_TOKEN_LIFETIME`]); the same for duration settings read from the
//!   environment ([`env_seconds`]).
//! - **One OAuth2 client-credentials token cache** ([`TokenCache`]): cached,
//!   renewed before it expires, dropped when the portal answers 401 so the
//!   caller tries once more with a fresh one.
//!
//! Deliberately not here: any portal's wire format, retries and back-off
//! (the outbox decides), the kind of failure beyond what HTTP says
//! ([`super::http_error`], [`super::status_error`]), and mail (SMTP and IMAP
//! have their own clients in [`super::mail`]). Never logs a request body, a
//! token or a secret.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::Mutex;

use super::{ChannelError, http_error, install_crypto, status_error};

/// A JSON answer is at most this large.
pub const JSON_CAP: usize = 16 * 1024 * 1024;
/// An error answer is read only this far (its message is all we keep).
pub const ERROR_BODY_CAP: usize = 64 * 1024;
/// The longest wait a portal's `Retry-After` may impose.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);
/// The longest a token is trusted to live, whatever `expires_in` says.
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// A token's lifetime when the answer does not say.
const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);
/// Renew the token when less than this is left (or half its lifetime, for
/// tokens that live less than two minutes).
const REFRESH_MARGIN: Duration = Duration::from_secs(60);
/// The longest duration an environment setting may ask for (a week).
pub const MAX_ENV_SECONDS: u64 = 7 * 24 * 3600;

/// Why an address cannot be used for a portal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error("« {0} » n'est pas une adresse web valable / is not a valid web address")]
    Invalid(String),
    #[error(
        "l'adresse ne doit pas contenir de nom d'utilisateur ni de mot de passe (partie avant « @ ») / the address must not carry a user name or password (the part before \"@\")"
    )]
    UserInfo,
    #[error(
        "l'adresse doit commencer par https:// (http:// seulement vers cet ordinateur : 127.0.0.1, ::1 ou localhost) / the address must be https:// (plain http only to this computer: 127.0.0.1, ::1 or localhost)"
    )]
    NotHttps,
}

/// Whether `host` (as a URL gives it: `[::1]` in brackets) is this machine:
/// an IP literal in 127.0.0.0/8, `::1`, or exactly `localhost`.
pub fn is_loopback_host(host: &str) -> bool {
    let h = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    h.eq_ignore_ascii_case("localhost") || h.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A portal's address, parsed: https, or http to a loopback host; never
/// with user information. Returns the URL as written (trimmed, without a
/// trailing `/`), which the channels extend with their paths.
pub fn check_url(raw: &str) -> Result<String, UrlError> {
    let trimmed = raw.trim().trim_end_matches('/');
    let url = url::Url::parse(trimmed).map_err(|_| UrlError::Invalid(trimmed.to_string()))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlError::UserInfo);
    }
    let host = match url.host() {
        Some(url::Host::Domain(d)) => d.to_string(),
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        None => return Err(UrlError::Invalid(trimmed.to_string())),
    };
    match url.scheme() {
        "https" => {}
        "http" if is_loopback_host(&host) => {}
        "http" => return Err(UrlError::NotHttps),
        _ => return Err(UrlError::Invalid(trimmed.to_string())),
    }
    // A query or fragment in a base URL would be lost or misplaced once a
    // path is appended: refuse rather than guess.
    if url.query().is_some() || url.fragment().is_some() {
        return Err(UrlError::Invalid(trimmed.to_string()));
    }
    Ok(trimmed.to_string())
}

/// Whether a URL that passed [`check_url`] names this machine.
pub fn is_loopback_url(checked: &str) -> bool {
    url::Url::parse(checked)
        .ok()
        .and_then(|u| u.host_str().map(is_loopback_host))
        .unwrap_or(false)
}

/// [`check_url`] for an account's setting, as the channel's configuration
/// error.
pub fn base_url(account: &str, key: &str, raw: &str) -> Result<String, ChannelError> {
    check_url(raw).map_err(|e| ChannelError::Config {
        account: account.to_string(),
        detail: format!("the setting \"{key}\": {e}"),
    })
}

/// The HTTP client of a portal API: the given timeout for a whole call,
/// at most 10 s to connect, and no redirects followed (a 3xx comes back
/// to the caller, which refuses it with [`refuse_redirect`]).
pub fn client(timeout: Duration) -> Result<reqwest::Client, reqwest::Error> {
    install_crypto();
    reqwest::Client::builder()
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("facteur/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// A 3xx answer as the permanent failure it is (the client follows none).
pub fn refuse_redirect(resp: &reqwest::Response) -> Result<(), ChannelError> {
    if !resp.status().is_redirection() {
        return Ok(());
    }
    let location = resp
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(|l| l.chars().take(300).collect::<String>())
        .unwrap_or_else(|| "(adresse non donnée / no address given)".into());
    tracing::warn!(status = resp.status().as_u16(), %location, "a portal answered a redirect; not followed");
    Err(ChannelError::Redirected(location))
}

/// Sends a request: a failure to send becomes its [`ChannelError`] kind, a
/// redirect is refused.
pub async fn send(req: reqwest::RequestBuilder) -> Result<reqwest::Response, ChannelError> {
    let resp = req.send().await.map_err(|e| http_error(&e))?;
    refuse_redirect(&resp)?;
    Ok(resp)
}

/// The body of an answer, at most `cap` bytes: a larger `Content-Length`
/// is refused before anything is read, and the reading stops as soon as
/// the chunks pass the cap (the rest is never downloaded).
pub async fn read_capped(
    mut resp: reqwest::Response,
    cap: usize,
    what: &str,
) -> Result<Vec<u8>, ChannelError> {
    let too_large = || {
        ChannelError::Protocol(format!(
            "the answer to {what} is larger than {} (refused)",
            human_size(cap)
        ))
    };
    if resp
        .content_length()
        .is_some_and(|n| usize::try_from(n).map_or(true, |n| n > cap))
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| http_error(&e))? {
        if body.len().saturating_add(chunk.len()) > cap {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// An error answer's text, read no further than [`ERROR_BODY_CAP`]; empty
/// when it cannot be read (the status says enough).
pub async fn error_text(resp: reqwest::Response) -> String {
    let mut resp = resp;
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = resp.chunk().await {
        let room = ERROR_BODY_CAP.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= ERROR_BODY_CAP {
            break;
        }
    }
    String::from_utf8_lossy(&body).into_owned()
}

/// A JSON answer read under [`JSON_CAP`].
pub async fn read_json(resp: reqwest::Response, what: &str) -> Result<Value, ChannelError> {
    let bytes = read_capped(resp, JSON_CAP, what).await?;
    serde_json::from_slice(&bytes)
        .map_err(|e| ChannelError::Protocol(format!("{what} did not answer JSON: {e}")))
}

fn human_size(bytes: usize) -> String {
    if bytes >= 1024 * 1024 && bytes.is_multiple_of(1024 * 1024) {
        format!("{} MiB", bytes / (1024 * 1024))
    } else {
        format!("{bytes} bytes")
    }
}

/// A `Retry-After` header given in seconds, at most [`MAX_RETRY_AFTER`]
/// (any number a server sends, however large, is safe).
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let v = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    // Digits only: a number too large for u64 is still "a long time".
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let secs = v.parse::<u64>().unwrap_or(u64::MAX);
    Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER))
}

/// A token answer's `expires_in` (a number or a string of digits), at most
/// [`MAX_TOKEN_LIFETIME`]; the default when missing or unreadable.
pub fn token_lifetime(v: &Value) -> Duration {
    let secs = v.get("expires_in").and_then(|e| {
        e.as_u64()
            .or_else(|| e.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
            .or_else(|| {
                let s = e.as_str()?.trim();
                (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| s.parse::<u64>().unwrap_or(u64::MAX))
            })
    });
    match secs {
        Some(s) => Duration::from_secs(s).min(MAX_TOKEN_LIFETIME),
        None => DEFAULT_TOKEN_LIFETIME,
    }
}

/// A duration in seconds (fractions allowed) from the environment variable
/// `name`: `None` when unset, negative or not a number; at most
/// [`MAX_ENV_SECONDS`], so no value makes a later sum overflow.
pub fn env_seconds(name: &str) -> Option<Duration> {
    parse_seconds(&std::env::var(name).ok()?)
}

/// A number of seconds as a setting gives it (`30`, `0.2`), capped at
/// [`MAX_ENV_SECONDS`].
pub fn parse_seconds(v: &str) -> Option<Duration> {
    let secs = v.trim().parse::<f64>().ok()?;
    if !secs.is_finite() || secs < 0.0 {
        return None;
    }
    // `from_secs_f64` panics on values past u64 seconds: cap first.
    Some(Duration::from_secs_f64(secs.min(MAX_ENV_SECONDS as f64)))
}

struct Token {
    value: String,
    expires_at: Instant,
    lifetime: Duration,
}

/// An OAuth2 client-credentials token, cached for one account and renewed
/// before it expires. The form holds the client secret: it is sent only
/// to `url`, and never logged.
pub struct TokenCache {
    account: String,
    /// Who issues the token, for messages ("PISTE", "the plateforme").
    issuer: &'static str,
    url: String,
    form: Vec<(&'static str, String)>,
    /// Strings scrubbed from every message (the secret).
    secrets: Vec<String>,
    slot: Mutex<Option<Token>>,
}

impl TokenCache {
    /// A cache asking `url` for tokens with `client_id`, `client_secret`
    /// and an optional `scope`.
    pub fn new(
        account: &str,
        issuer: &'static str,
        url: String,
        client_id: &str,
        client_secret: &str,
        scope: Option<&str>,
    ) -> TokenCache {
        let mut form = vec![
            ("grant_type", "client_credentials".to_string()),
            ("client_id", client_id.to_string()),
            ("client_secret", client_secret.to_string()),
        ];
        if let Some(s) = scope {
            form.push(("scope", s.to_string()));
        }
        TokenCache {
            account: account.to_string(),
            issuer,
            url,
            form,
            secrets: vec![client_secret.to_string()],
            slot: Mutex::new(None),
        }
    }

    /// Where tokens are asked for.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A valid bearer token: the cached one, or a new one when little of
    /// its life is left.
    pub async fn bearer(&self, http: &reqwest::Client) -> Result<String, ChannelError> {
        let mut slot = self.slot.lock().await;
        if let Some(t) = slot.as_ref() {
            let margin = REFRESH_MARGIN.min(t.lifetime / 2);
            if t.expires_at.saturating_duration_since(Instant::now()) > margin {
                return Ok(t.value.clone());
            }
        }
        let token = self.fetch(http).await?;
        let value = token.value.clone();
        *slot = Some(token);
        Ok(value)
    }

    /// Forgets `used` if it is still the cached token (the portal refused
    /// it: the next [`TokenCache::bearer`] asks for a new one).
    pub async fn forget(&self, used: &str) {
        let mut slot = self.slot.lock().await;
        if slot.as_ref().is_some_and(|t| t.value == used) {
            *slot = None;
        }
    }

    /// `text` with the secret and `token` replaced by `***`.
    pub fn redact(&self, text: &str, token: Option<&str>) -> String {
        let mut s = text.to_string();
        for secret in self.secrets.iter().map(String::as_str).chain(token) {
            if secret.len() >= 4 {
                s = s.replace(secret, "***");
            }
        }
        s
    }

    async fn fetch(&self, http: &reqwest::Client) -> Result<Token, ChannelError> {
        let asked = Instant::now();
        let resp = send(http.post(&self.url).form(&self.form)).await?;
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            let after = retry_after(resp.headers());
            let detail = self.redact(&token_error_message(&error_text(resp).await), None);
            tracing::warn!(account = %self.account, status, issuer = self.issuer, "the token request was refused");
            return Err(match status {
                400 | 401 | 403 => ChannelError::Auth {
                    account: self.account.clone(),
                    detail: format!(
                        "{} refused the client id and secret (HTTP {status}): {detail}",
                        self.issuer
                    ),
                },
                _ => status_error(status, after, &detail),
            });
        }
        let v = read_json(resp, "the token request").await?;
        let value = v
            .get("access_token")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .ok_or_else(|| {
                ChannelError::Protocol(format!(
                    "{}'s token answer has no access_token",
                    self.issuer
                ))
            })?;
        let lifetime = token_lifetime(&v);
        tracing::debug!(account = %self.account, lifetime_s = lifetime.as_secs(), issuer = self.issuer, "new token");
        Ok(Token {
            value,
            // Capped above, so this cannot overflow; saturate anyway.
            expires_at: asked.checked_add(lifetime).unwrap_or(asked),
            lifetime,
        })
    }
}

/// The useful part of an OAuth2 error answer (`error`, `error_description`)
/// or its text, short.
fn token_error_message(body: &str) -> String {
    if let Ok(v) = serde_json::from_str::<Value>(body) {
        let parts: Vec<&str> = ["error", "error_description", "message", "detail"]
            .iter()
            .filter_map(|k| v.get(*k).and_then(Value::as_str))
            .collect();
        if !parts.is_empty() {
            return parts.join(": ");
        }
    }
    let t = body.trim();
    if t.is_empty() {
        "no details given".into()
    } else {
        t.chars().take(300).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_parsed_loopback_hosts_may_use_plain_http() {
        for ok in [
            "https://api.piste.gouv.fr",
            "https://api.piste.gouv.fr/",
            "http://127.0.0.1:8917",
            "http://127.8.9.1/x",
            "http://localhost:1234/api",
            "http://[::1]:9000",
        ] {
            assert!(check_url(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            check_url("http://127.0.0.1:80@example.org/"),
            Err(UrlError::UserInfo)
        );
        assert_eq!(
            check_url("https://user:pw@example.org/"),
            Err(UrlError::UserInfo)
        );
        for bad in [
            "http://example.org",
            "http://localhost.example.org",
            "http://127.0.0.1.example.org",
            "http://10.0.0.1",
            "http://[::2]",
        ] {
            assert_eq!(check_url(bad), Err(UrlError::NotHttps), "{bad}");
        }
        for bad in [
            "ftp://127.0.0.1",
            "not a url",
            "https://x.fr/?a=b",
            "file:///etc",
        ] {
            assert!(matches!(check_url(bad), Err(UrlError::Invalid(_))), "{bad}");
        }
        assert!(is_loopback_url("http://[::1]:9000"));
        assert!(!is_loopback_url("https://example.org"));
    }

    #[test]
    fn numbers_from_servers_and_settings_are_capped() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert(
            reqwest::header::RETRY_AFTER,
            "18446744073709551615".parse().unwrap(),
        );
        assert_eq!(retry_after(&h), Some(MAX_RETRY_AFTER));
        h.insert(
            reqwest::header::RETRY_AFTER,
            "99999999999999999999999".parse().unwrap(),
        );
        assert_eq!(retry_after(&h), Some(MAX_RETRY_AFTER));
        h.insert(reqwest::header::RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(reqwest::header::RETRY_AFTER, "-3".parse().unwrap());
        assert_eq!(retry_after(&h), None);

        let v = serde_json::json!({ "expires_in": 18446744073709551615u64 });
        assert_eq!(token_lifetime(&v), MAX_TOKEN_LIFETIME);
        let v = serde_json::json!({ "expires_in": "184467440737095516150" });
        assert_eq!(token_lifetime(&v), MAX_TOKEN_LIFETIME);
        let v = serde_json::json!({ "expires_in": 1e300 });
        assert_eq!(token_lifetime(&v), MAX_TOKEN_LIFETIME);
        let v = serde_json::json!({ "expires_in": -5 });
        assert_eq!(token_lifetime(&v), DEFAULT_TOKEN_LIFETIME);
        let v = serde_json::json!({ "expires_in": 120 });
        assert_eq!(token_lifetime(&v), Duration::from_secs(120));

        assert_eq!(
            parse_seconds("18446744073709551615"),
            Some(Duration::from_secs(MAX_ENV_SECONDS))
        );
        assert_eq!(parse_seconds(" 30 "), Some(Duration::from_secs(30)));
        assert_eq!(
            parse_seconds("1e300"),
            Some(Duration::from_secs(MAX_ENV_SECONDS))
        );
        assert_eq!(parse_seconds("0.25"), Some(Duration::from_millis(250)));
        assert_eq!(parse_seconds("inf"), None);
        assert_eq!(parse_seconds("NaN"), None);
        assert_eq!(parse_seconds("-1"), None);
        assert_eq!(parse_seconds("abc"), None);
    }
}
