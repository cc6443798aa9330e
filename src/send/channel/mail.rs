//! The mail-deposit channel (Generix style): an invoice goes to the portal as
//! the attachment of a mail sent over SMTP, one invoice per mail, and the
//! portal's answers come back later as notification mails, read over IMAP.
//!
//! Sending builds one message per invoice (the PDF, each annex as an extra
//! attachment, a short French and English text, the number in the subject)
//! and returns its Message-ID as the portal reference. Pulling reads the new
//! mails of one mailbox since a cursor (`"<UIDVALIDITY>:<last UID>"`), keeps
//! only those whose From is the portal's sender (`portal_sender`: an address,
//! or `@domain` for a whole domain) and recognises them with patterns that are
//! data ([`Patterns`], `data/mail_patterns.json`, or a file named by the
//! `patterns_file` setting). Each notification becomes a [`PortalEvent`] in
//! the portal's own words (« rejetée », « refusée », « émise »…) for
//! [`crate::mirror::lifecycle::map`]; every mail set aside is listed in
//! [`Pulled::ignored`] with the reason, never dropped silently.
//!
//! A mailbox may hold thousands of mails: each pull reads at most
//! [`BATCH`] of them past the cursor, their size and headers first, and
//! downloads only the bodies of mails from the portal's sender that are no
//! larger than [`MAX_NOTICE_BYTES`]; it says whether more remain
//! ([`Pulled::more`]) so the outbox records each batch (events and cursor
//! together) before asking for the next. A notification is dated by the
//! server's INTERNALDATE (when the mail arrived), never later than now,
//! not by the sender's `Date:` header, which anyone may write. Where the
//! receiving server adds `Authentication-Results` (the topmost, or the
//! one of `imap_authserv_id`), its verdict is logged with the notice, and a
//! notice that fails DKIM, SPF or DMARC is set aside with the reason.
//!
//! Settings: `smtp_host`, `smtp_port`, `smtp_tls` (`implicit` | `starttls` |
//! `none`, the last only for a server on this machine), `smtp_user`, `from`,
//! `portal_address`; for the answers `imap_host`, `imap_port`, `imap_tls`,
//! `imap_user`, `imap_mailbox` (INBOX), `portal_sender`; optionally
//! `tls_ca_file` (an extra PEM root for a self-hosted server),
//! `patterns_file` and `timeout_secs` (60: how long SMTP waits for each
//! answer of the server). Secrets, from the [`SecretStore`] only: `smtp_password`,
//! `imap_password`.
//!
//! Deliberately not here: retries and the offline checks before sending (the
//! outbox), telling whether the portal got a mail (a mailbox cannot:
//! [`Lookup::CannotTell`]), replaying a refused invoice (only the portal's
//! « Rejeu Facture » button does that), and checking signatures itself:
//! the From filter and the receiving server's `Authentication-Results`
//! keep strangers' mail out of the statuses; where the server adds no such
//! header, the From filter is all there is. Mail bodies, addresses' passwords and attachments are
//! never logged; the wire-level logs of the SMTP and IMAP libraries would
//! carry them, so the binaries switch those targets off
//! ([`WIRE_LOG_TARGETS`]).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use async_imap::Client;
use futures_util::StreamExt as _;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};
use mail_parser::MessageParser;
use regex::Regex;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName};
use serde::Deserialize;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use super::{
    Channel, ChannelError, Delivered, Lookup, Outgoing, PortalEvent, Pulled, SendKind, Tracked,
    error_chain,
};
use crate::mirror::lifecycle::{self, Status, Vocabulary};
use crate::send::accounts::{Account, SecretStore};

/// Log targets of the mail libraries that write the raw SMTP/IMAP dialogue
/// (passwords in AUTH/LOGIN, whole messages) at debug/trace level. Binaries
/// set them to `off` whatever the user's filter says.
pub const WIRE_LOG_TARGETS: &[&str] = &["lettre", "async_imap", "imap_proto"];

/// The patterns shipped with Facteur.
const BUILTIN_PATTERNS: &str = include_str!("../../../data/mail_patterns.json");

/// The portal's limit for one attachment (Generix: 40 Mo).
pub const MAX_ATTACHMENT_BYTES: usize = 40 * 1024 * 1024;

const SMTP_TIMEOUT: Duration = Duration::from_secs(60);
/// How long one batch of a pull may take.
const IMAP_TIMEOUT: Duration = Duration::from_secs(120);
/// Mails read per pull (sizes and headers); the cursor is recorded after
/// each batch.
pub const BATCH: usize = 500;
/// A portal notification is a few kilobytes: a larger mail from the
/// portal's sender is set aside unread.
pub const MAX_NOTICE_BYTES: u32 = 2 * 1024 * 1024;
/// Longest excerpt of a mail kept as the raw reason.
const EXCERPT_CHARS: usize = 300;

/// How a connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TlsMode {
    /// TLS from the first byte (SMTPS 465, IMAPS 993).
    Implicit,
    /// Plain, then STARTTLS before anything else; refused if the server cannot.
    StartTls,
    /// No TLS: only for a server on this machine.
    None,
}

/// Whose notifications are believed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Trusted {
    Address(String),
    /// Any address `…@domain`.
    Domain(String),
}

impl Trusted {
    fn parse(s: &str) -> Option<Trusted> {
        let s = s.trim().to_lowercase();
        if let Some(domain) = s.strip_prefix('@') {
            (!domain.is_empty() && !domain.contains('@')).then(|| Trusted::Domain(domain.into()))
        } else {
            (s.contains('@')).then_some(Trusted::Address(s))
        }
    }

    fn trusts(&self, from: &str) -> bool {
        let from = from.trim().to_lowercase();
        match self {
            Trusted::Address(a) => from == *a,
            Trusted::Domain(d) => from.rsplit_once('@').is_some_and(|(_, dom)| dom == d),
        }
    }

    fn describe(&self) -> String {
        match self {
            Trusted::Address(a) => a.clone(),
            Trusted::Domain(d) => format!("@{d}"),
        }
    }
}

/// Where to read the portal's answers. Holds a password: no `Debug`.
struct Imap {
    host: String,
    port: u16,
    tls: TlsMode,
    user: String,
    password: String,
    mailbox: String,
    trusted: Trusted,
    /// Whose `Authentication-Results` count (`imap_authserv_id`); `None`:
    /// the topmost header, the one the receiving server added last.
    authserv_id: Option<String>,
    tls_config: Arc<rustls::ClientConfig>,
}

/// A portal reached by mail deposit, or (account kind `email`) customers
/// reached by a direct e-mail of the PDF.
pub struct MailChannel {
    account: String,
    from: Mailbox,
    /// The portal's deposit address; `None` for direct e-mail, where each
    /// invoice names its recipient ([`Outgoing::recipient`]).
    to: Option<Mailbox>,
    /// Direct e-mail to customers rather than a portal's deposit.
    direct: bool,
    smtp: AsyncSmtpTransport<Tokio1Executor>,
    /// How long the server may take to answer (`timeout_secs`).
    smtp_timeout: Duration,
    /// `host:port`, for messages.
    smtp_server: String,
    imap: Option<Imap>,
    patterns: Patterns,
}

/// Reads an account's settings.
struct Settings<'a> {
    account: &'a Account,
}

impl Settings<'_> {
    fn config(&self, detail: String) -> ChannelError {
        ChannelError::Config {
            account: self.account.name.clone(),
            detail,
        }
    }

    fn opt(&self, key: &str) -> Option<&str> {
        self.account
            .settings
            .get(key)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    fn req(&self, key: &str) -> Result<&str, ChannelError> {
        self.opt(key).ok_or_else(|| {
            self.config(format!(
                "the setting \"{key}\" is missing (facteur account add … --set {key}=…)"
            ))
        })
    }

    fn tls(&self, key: &str, default: TlsMode, host: &str) -> Result<TlsMode, ChannelError> {
        let mode = match self.opt(key).map(str::to_ascii_lowercase).as_deref() {
            None => default,
            Some("implicit" | "tls" | "ssl") => TlsMode::Implicit,
            Some("starttls") => TlsMode::StartTls,
            Some("none") => TlsMode::None,
            Some(other) => {
                return Err(self.config(format!(
                    "{key}=\"{other}\" is not a TLS mode: implicit, starttls or none"
                )));
            }
        };
        if mode == TlsMode::None && !is_loopback(host) {
            return Err(self.config(format!(
                "{key}=none would send the password and the invoices in clear to {host}: \
                 it is only allowed for a server on this machine (127.0.0.1, ::1, localhost); \
                 use implicit or starttls"
            )));
        }
        Ok(mode)
    }

    fn port(&self, key: &str, default: u16) -> Result<u16, ChannelError> {
        match self.opt(key) {
            None => Ok(default),
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| self.config(format!("{key}=\"{p}\" is not a port number"))),
        }
    }

    fn address(&self, key: &str) -> Result<Mailbox, ChannelError> {
        let raw = self.req(key)?;
        raw.parse::<Mailbox>()
            .map_err(|e| self.config(format!("{key}=\"{raw}\" is not a mail address: {e}")))
    }

    fn secret(&self, secrets: &dyn SecretStore, field: &str) -> Result<String, ChannelError> {
        match secrets.get(&self.account.name, field) {
            Ok(Some(v)) if !v.is_empty() => Ok(v),
            Ok(_) => Err(self.config(format!(
                "the secret \"{field}\" is not in the keyring (facteur account add … --secret {field})"
            ))),
            // Keyring errors name the field, never the value.
            Err(e) => Err(self.config(e.to_string())),
        }
    }
}

/// 127.0.0.0/8, ::1 or `localhost`.
fn is_loopback(host: &str) -> bool {
    let h = host.trim().trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.eq_ignore_ascii_case("localhost.")
        || h.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn ring() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

impl MailChannel {
    /// Builds the channel from an account's settings and its secrets.
    pub fn from_account(
        account: &Account,
        secrets: &dyn SecretStore,
    ) -> Result<MailChannel, ChannelError> {
        let s = Settings { account };
        let name = account.name.clone();

        // Extra trusted roots, shared by SMTP and IMAP.
        let ca_pem = match s.opt("tls_ca_file") {
            None => None,
            Some(path) => Some(
                std::fs::read(path)
                    .map_err(|e| s.config(format!("cannot read tls_ca_file \"{path}\": {e}")))?,
            ),
        };
        let roots: Vec<CertificateDer<'static>> = match &ca_pem {
            None => Vec::new(),
            Some(pem) => {
                let certs = CertificateDer::pem_slice_iter(pem)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| s.config(format!("tls_ca_file is not PEM certificates: {e}")))?;
                if certs.is_empty() {
                    return Err(s.config("tls_ca_file holds no certificate".into()));
                }
                certs
            }
        };

        // SMTP.
        let smtp_host = s.req("smtp_host")?.to_string();
        let smtp_tls = s.tls("smtp_tls", TlsMode::StartTls, &smtp_host)?;
        let smtp_port = s.port(
            "smtp_port",
            match smtp_tls {
                TlsMode::Implicit => 465,
                TlsMode::StartTls => 587,
                TlsMode::None => 25,
            },
        )?;
        let smtp_user = s.req("smtp_user")?.to_string();
        let smtp_timeout = match s.opt("timeout_secs") {
            None => SMTP_TIMEOUT,
            Some(v) => v
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=3600).contains(n))
                .map(Duration::from_secs)
                .ok_or_else(|| s.config(format!("timeout_secs=\"{v}\" must be 1 to 3600")))?,
        };
        let from = s.address("from")?;
        let direct = account.kind == crate::send::accounts::Kind::Email;
        let to = if direct {
            None
        } else {
            Some(s.address("portal_address")?)
        };
        let smtp_password = s.secret(secrets, "smtp_password")?;
        let tls = match smtp_tls {
            TlsMode::None => Tls::None,
            mode => {
                let mut params = TlsParameters::builder(smtp_host.clone());
                if let Some(pem) = &ca_pem {
                    let cert = Certificate::from_pem(pem)
                        .map_err(|e| s.config(format!("tls_ca_file: {e}")))?;
                    params = params.add_root_certificate(cert);
                }
                let params = params
                    .build_rustls()
                    .map_err(|e| s.config(format!("TLS set-up for {smtp_host}: {e}")))?;
                if mode == TlsMode::Implicit {
                    Tls::Wrapper(params)
                } else {
                    Tls::Required(params)
                }
            }
        };
        let smtp = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp_host.clone())
            .port(smtp_port)
            .tls(tls)
            .timeout(Some(smtp_timeout))
            .credentials(Credentials::new(smtp_user, smtp_password))
            .build();

        // IMAP, for the answers; an account without it can only send.
        let imap = match s.opt("imap_host") {
            None => None,
            Some(host) => {
                let host = host.to_string();
                let tls = s.tls("imap_tls", TlsMode::Implicit, &host)?;
                let port = s.port(
                    "imap_port",
                    if tls == TlsMode::Implicit { 993 } else { 143 },
                )?;
                let sender = s.req("portal_sender")?;
                let trusted = Trusted::parse(sender).ok_or_else(|| {
                    s.config(format!(
                        "portal_sender=\"{sender}\" is neither an address nor @domain"
                    ))
                })?;
                let verifier =
                    rustls_platform_verifier::Verifier::new_with_extra_roots(roots.clone(), ring())
                        .map_err(|e| s.config(format!("TLS set-up for {host}: {e}")))?;
                let tls_config = rustls::ClientConfig::builder_with_provider(ring())
                    .with_safe_default_protocol_versions()
                    .map_err(|e| s.config(format!("TLS set-up for {host}: {e}")))?
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::new(verifier))
                    .with_no_client_auth();
                Some(Imap {
                    port,
                    tls,
                    user: s.req("imap_user")?.to_string(),
                    password: s.secret(secrets, "imap_password")?,
                    mailbox: s.opt("imap_mailbox").unwrap_or("INBOX").to_string(),
                    trusted,
                    authserv_id: s
                        .opt("imap_authserv_id")
                        .map(|a| a.trim().to_ascii_lowercase())
                        .filter(|a| !a.is_empty()),
                    tls_config: Arc::new(tls_config),
                    host,
                })
            }
        };

        let patterns = match s.opt("patterns_file") {
            None => Patterns::builtin(),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| s.config(format!("cannot read patterns_file \"{path}\": {e}")))?;
                Patterns::from_json(&text)
                    .map_err(|e| s.config(format!("patterns_file \"{path}\": {e}")))?
            }
        };

        Ok(MailChannel {
            account: name,
            from,
            to,
            direct,
            smtp,
            smtp_timeout,
            smtp_server: format!("{smtp_host}:{smtp_port}"),
            imap,
            patterns,
        })
    }

    /// The message for one invoice, with its Message-ID (without `<>`).
    fn message(&self, out: &Outgoing) -> Result<(Message, String), ChannelError> {
        let domain = self.from.email.domain().to_string();
        let id = format!(
            "facteur.{}.{}.{:016x}@{domain}",
            out.invoice_id,
            out.submission_id,
            fastrand::u64(..)
        );
        let number = one_line(&out.number);
        let file = file_name(&out.file_name, "facture.pdf");
        let annex_names: Vec<String> = out
            .annexes
            .iter()
            .enumerate()
            .map(|(i, a)| file_name(&a.file_name, &format!("annexe-{}", i + 1)))
            .collect();
        let (annexes_fr, annexes_en) = if annex_names.is_empty() {
            (String::new(), String::new())
        } else {
            let list = annex_names.join(", ");
            (
                format!("\nAnnexes jointes : {list}."),
                format!("\nAttached annexes: {list}."),
            )
        };
        let corrected = matches!(out.kind, SendKind::Resend);
        let text = format!(
            "Bonjour,\n\n\
             Veuillez trouver ci-joint la facture {number} ({file}).{annexes_fr}\n\
             Ce message contient une seule facture{}.\n\n\
             Hello,\n\n\
             Please find attached invoice {number} ({file}).{annexes_en}\n\
             This message holds one invoice only{}.\n\n\
             -- \nEnvoyé avec Facteur / Sent with Facteur\n",
            if corrected {
                ", qui remplace une facture rejetée"
            } else {
                ""
            },
            if corrected {
                ", replacing a rejected one"
            } else {
                ""
            },
        );
        let invalid = |e: String| ChannelError::Invalid(format!("cannot build the mail: {e}"));
        let pdf = ContentType::parse("application/pdf").map_err(|e| invalid(e.to_string()))?;
        let mut parts = MultiPart::mixed()
            .singlepart(SinglePart::plain(text))
            .singlepart(Attachment::new(file).body(out.pdf.clone(), pdf));
        for (annex, name) in out.annexes.iter().zip(annex_names) {
            let ct = ContentType::parse(content_type(&name)).map_err(|e| invalid(e.to_string()))?;
            parts = parts.singlepart(Attachment::new(name).body(annex.bytes.clone(), ct));
        }
        let to = match (&out.recipient, &self.to) {
            (Some(r), _) => r
                .parse::<Mailbox>()
                .map_err(|e| invalid(format!("\"{r}\" is not a mail address: {e}")))?,
            (None, Some(to)) => to.clone(),
            (None, None) => {
                return Err(ChannelError::Invalid(
                    "no recipient: a direct e-mail goes to the customer's address in the directory"
                        .into(),
                ));
            }
        };
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(format!("Facture {number}"))
            .message_id(Some(format!("<{id}>")))
            .date_now()
            .multipart(parts)
            .map_err(|e| invalid(e.to_string()))?;
        Ok((message, id))
    }

    fn smtp_error(&self, e: &lettre::transport::smtp::Error) -> ChannelError {
        let detail = format!("{}: {}", self.smtp_server, error_chain(e));
        if let Some(cert) = certificate_problem(e) {
            return self.untrusted_certificate(&self.smtp_server, &cert);
        }
        // lettre names a failure to connect only in its wording: nothing
        // was said to the server, so nothing can have been taken.
        if e.to_string().starts_with("Connection error") {
            return ChannelError::Unreachable(detail);
        }
        if e.is_timeout() {
            return ChannelError::Timeout(detail);
        }
        if let Some(code) = e.status() {
            let code = u16::from(code);
            return match code {
                // 530 authentication required, 534/535/538 credentials refused.
                530 | 534 | 535 | 538 => ChannelError::Auth {
                    account: self.account.clone(),
                    detail,
                },
                // The server answered "not now": it did not take the mail.
                400..=499 => ChannelError::Unavailable(detail),
                _ => ChannelError::Refused(detail),
            };
        }
        if let Some(cert) = certificate_problem(e) {
            return self.untrusted_certificate(&self.smtp_server, &cert);
        }
        if e.is_client() {
            return if detail.contains("authentication") {
                ChannelError::Auth {
                    account: self.account.clone(),
                    detail,
                }
            } else {
                ChannelError::Config {
                    account: self.account.clone(),
                    detail,
                }
            };
        }
        if e.is_response() {
            return ChannelError::Protocol(detail);
        }
        if e.is_tls() {
            return ChannelError::Unreachable(detail);
        }
        // The connection broke once made: maybe after the DATA went.
        ChannelError::Interrupted(detail)
    }

    fn untrusted_certificate(&self, server: &str, problem: &str) -> ChannelError {
        ChannelError::Config {
            account: self.account.clone(),
            detail: format!(
                "the TLS certificate of {server} is not trusted ({problem}); \
                 for a self-hosted server, name its certificate authority with --set tls_ca_file=…"
            ),
        }
    }

    fn io_error(&self, server: &str, e: &std::io::Error) -> ChannelError {
        if let Some(cert) = certificate_problem(e) {
            return self.untrusted_certificate(server, &cert);
        }
        let detail = format!("{server}: {}", error_chain(e));
        match e.kind() {
            std::io::ErrorKind::TimedOut => ChannelError::Timeout(detail),
            _ => ChannelError::Unreachable(detail),
        }
    }

    fn imap_error(&self, server: &str, doing: &str, e: async_imap::error::Error) -> ChannelError {
        use async_imap::error::Error as E;
        match e {
            E::Io(io) => self.io_error(server, &io),
            E::ConnectionLost => {
                ChannelError::Unreachable(format!("{server}: connection lost while {doing}"))
            }
            E::No(m) | E::Bad(m) => ChannelError::Refused(format!("{server}: {doing}: {m}")),
            other => ChannelError::Protocol(format!("{server}: {doing}: {other}")),
        }
    }

    /// Logs in, reads the new mails and logs out.
    async fn fetch_new<T>(
        &self,
        imap: &Imap,
        mut client: Client<T>,
        greeted: bool,
        cursor: Option<Cursor>,
        tracked: &[Tracked],
    ) -> Result<Batch, ChannelError>
    where
        T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
    {
        let server = format!("{}:{}", imap.host, imap.port);
        if !greeted {
            greeting(&mut client)
                .await
                .map_err(|e| self.io_error(&server, &e))?;
        }
        let mut session =
            client
                .login(&imap.user, &imap.password)
                .await
                .map_err(|(e, _)| match e {
                    async_imap::error::Error::No(m) | async_imap::error::Error::Bad(m) => {
                        ChannelError::Auth {
                            account: self.account.clone(),
                            detail: format!("{server}: {m}"),
                        }
                    }
                    other => self.imap_error(&server, "logging in", other),
                })?;
        // EXAMINE: read-only, leaves the flags (\Seen…) as the user had them.
        let mailbox = session.examine(&imap.mailbox).await.map_err(|e| match e {
            async_imap::error::Error::No(m) => ChannelError::Config {
                account: self.account.clone(),
                detail: format!("the mailbox \"{}\" cannot be opened: {m}", imap.mailbox),
            },
            other => self.imap_error(&server, "opening the mailbox", other),
        })?;
        let validity = mailbox.uid_validity.unwrap_or(0);
        let after = match cursor {
            Some(c) if c.validity == validity => c.last,
            Some(c) => {
                tracing::info!(
                    account = %self.account,
                    old = c.validity,
                    new = validity,
                    "the mailbox's UIDVALIDITY changed: reading it all again"
                );
                0
            }
            None => 0,
        };
        let mut batch = Batch {
            cursor: Cursor {
                validity,
                last: after,
            },
            pulled: Pulled::default(),
            mails: 0,
        };
        let may_have_new = mailbox.exists > 0 && mailbox.uid_next.is_none_or(|n| n > after + 1);
        if may_have_new {
            self.read_batch(imap, &mut session, &server, after, tracked, &mut batch)
                .await?;
        }
        if let Err(e) = session.logout().await {
            tracing::debug!(account = %self.account, error = %e, "IMAP logout failed");
        }
        Ok(batch)
    }

    /// Reads the next [`BATCH`] mails after UID `after`: sizes and headers
    /// first, then the bodies of the portal's notices only, each read into
    /// an event (or set aside) as it arrives, so at most one body is held.
    async fn read_batch<T>(
        &self,
        imap: &Imap,
        session: &mut async_imap::Session<T>,
        server: &str,
        after: u32,
        tracked: &[Tracked],
        batch: &mut Batch,
    ) -> Result<(), ChannelError>
    where
        T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
    {
        let mut uids: Vec<u32> = session
            .uid_search(format!("UID {}:*", after.saturating_add(1)))
            .await
            .map_err(|e| self.imap_error(server, "searching", e))?
            .into_iter()
            // `n:*` also names the last mail when nothing is newer.
            .filter(|u| *u > after)
            .collect();
        uids.sort_unstable();
        let total = uids.len();
        uids.truncate(BATCH);
        let (Some(&first), Some(&last)) = (uids.first(), uids.last()) else {
            return Ok(());
        };
        // Sizes and headers of the batch (the search listed every UID in
        // first..=last).
        let mut wanted = Vec::new();
        {
            let mut stream = session
                .uid_fetch(
                    format!("{first}:{last}"),
                    "(UID RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER])",
                )
                .await
                .map_err(|e| self.imap_error(server, "fetching headers", e))?;
            let parser = MessageParser::default();
            while let Some(item) = stream.next().await {
                let fetch = item.map_err(|e| self.imap_error(server, "fetching headers", e))?;
                let Some(uid) = fetch.uid.filter(|u| (first..=last).contains(u)) else {
                    continue;
                };
                batch.mails += 1;
                let head = fetch.header().and_then(|h| parser.parse_headers(h));
                let from = head
                    .as_ref()
                    .and_then(|m| m.from())
                    .and_then(|a| a.first())
                    .and_then(|a| a.address())
                    .map(one_line)
                    .unwrap_or_default();
                let subject = head
                    .as_ref()
                    .and_then(|m| m.subject())
                    .map(one_line)
                    .unwrap_or_default();
                if !imap.trusted.trusts(&from) {
                    tracing::warn!(account = %self.account, uid, from = %from, "mail from a sender other than the portal's ignored");
                    batch.pulled.ignored.push(format!(
                        "mail {uid} from \"{from}\" (« {} »): not the portal's sender {}, ignored",
                        excerpt(&subject, 80),
                        imap.trusted.describe()
                    ));
                    continue;
                }
                let size = fetch.size.unwrap_or(0);
                if size > MAX_NOTICE_BYTES {
                    tracing::warn!(account = %self.account, uid, size, "a mail from the portal too large for a notice ignored");
                    batch.pulled.ignored.push(format!(
                        "mail {uid} from the portal (« {} »): {size} bytes, larger than a \
                         notification ({MAX_NOTICE_BYTES}), not read",
                        excerpt(&subject, 80)
                    ));
                    continue;
                }
                let auth = fetch
                    .header()
                    .and_then(|h| authentication_results(h, imap.authserv_id.as_deref()));
                if let Some(a) = &auth {
                    tracing::info!(account = %self.account, uid, results = %a.summary, "Authentication-Results of a portal notice");
                    if let Some(failed) = &a.failed {
                        tracing::warn!(account = %self.account, uid, failed = %failed, "a notice in the portal's name failed authentication: set aside");
                        batch.pulled.ignored.push(format!(
                            "mail {uid} in the portal's name (« {} »): {failed} according to \
                             the receiving server (Authentication-Results: {}), set aside / \
                             courriel au nom du portail écarté : {failed} selon le serveur de réception",
                            excerpt(&subject, 80),
                            excerpt(&a.summary, 200)
                        ));
                        continue;
                    }
                }
                wanted.push((uid, auth.map(|a| a.summary)));
            }
        }
        // The bodies of the portal's notices, one at a time.
        if !wanted.is_empty() {
            let set = wanted
                .iter()
                .map(|(u, _)| u.to_string())
                .collect::<Vec<_>>()
                .join(",");
            let mut stream = session
                .uid_fetch(set, "(UID INTERNALDATE BODY.PEEK[])")
                .await
                .map_err(|e| self.imap_error(server, "fetching", e))?;
            let now = now_ms();
            while let Some(item) = stream.next().await {
                let fetch = item.map_err(|e| self.imap_error(server, "fetching", e))?;
                let Some((uid, auth)) =
                    fetch.uid.and_then(|u| wanted.iter().find(|(w, _)| *w == u))
                else {
                    continue;
                };
                // When the server received it, never later than now: the
                // sender's Date: is whatever the sender wrote.
                let at_ms = fetch
                    .internal_date()
                    .map(|d| d.timestamp_millis())
                    .unwrap_or(now)
                    .min(now);
                let raw = fetch
                    .body()
                    .map(|b| &b[..b.len().min(MAX_NOTICE_BYTES as usize)]);
                match self.read_mail(imap, tracked, *uid, raw, at_ms, auth.as_deref()) {
                    Ok(event) => batch.pulled.events.push(event),
                    Err(why) => batch.pulled.ignored.push(why),
                }
            }
        }
        batch.cursor.last = last;
        let remaining = total.saturating_sub(uids.len());
        batch.pulled.more = remaining > 0;
        batch.pulled.remaining = Some(remaining as u64);
        tracing::info!(account = %self.account, read = uids.len(), remaining, last_uid = last, "a batch of the mailbox read");
        Ok(())
    }

    async fn fetch(
        &self,
        imap: &Imap,
        cursor: Option<Cursor>,
        tracked: &[Tracked],
    ) -> Result<Batch, ChannelError> {
        let server = format!("{}:{}", imap.host, imap.port);
        let tcp = TcpStream::connect((imap.host.as_str(), imap.port))
            .await
            .map_err(|e| self.io_error(&server, &e))?;
        let connector = tokio_rustls::TlsConnector::from(Arc::clone(&imap.tls_config));
        let name = ServerName::try_from(imap.host.clone()).map_err(|e| ChannelError::Config {
            account: self.account.clone(),
            detail: format!("imap_host \"{}\": {e}", imap.host),
        })?;
        match imap.tls {
            TlsMode::None => {
                self.fetch_new(imap, Client::new(tcp), false, cursor, tracked)
                    .await
            }
            TlsMode::Implicit => {
                let tls = connector
                    .connect(name, tcp)
                    .await
                    .map_err(|e| self.io_error(&server, &e))?;
                self.fetch_new(imap, Client::new(tls), false, cursor, tracked)
                    .await
            }
            TlsMode::StartTls => {
                let mut client = Client::new(tcp);
                greeting(&mut client)
                    .await
                    .map_err(|e| self.io_error(&server, &e))?;
                client
                    .run_command_and_check_ok("STARTTLS", None)
                    .await
                    .map_err(|e| self.imap_error(&server, "starting TLS (STARTTLS)", e))?;
                let tls = connector
                    .connect(name, client.into_inner())
                    .await
                    .map_err(|e| self.io_error(&server, &e))?;
                // No second greeting after STARTTLS.
                self.fetch_new(imap, Client::new(tls), true, cursor, tracked)
                    .await
            }
        }
    }

    /// One mail from the portal's sender read into an event, or why it is
    /// set aside. `at_ms`: when the server received it.
    fn read_mail(
        &self,
        imap: &Imap,
        tracked: &[Tracked],
        uid: u32,
        raw: Option<&[u8]>,
        at_ms: i64,
        auth: Option<&str>,
    ) -> Result<PortalEvent, String> {
        let parser = MessageParser::default();
        let Some(msg) = raw.and_then(|raw| parser.parse(raw)) else {
            tracing::warn!(account = %self.account, uid, "unreadable mail ignored");
            return Err(format!("mail {uid}: not a readable mail, ignored"));
        };
        let from = msg
            .from()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .map(one_line)
            .unwrap_or_default();
        let subject = msg.subject().map(one_line).unwrap_or_default();
        // The headers were judged already; the whole mail must say the same.
        if !imap.trusted.trusts(&from) {
            return Err(format!(
                "mail {uid} from \"{from}\" (« {} »): not the portal's sender {}, ignored",
                excerpt(&subject, 80),
                imap.trusted.describe()
            ));
        }
        {
            let body = msg.body_text(0).map(|b| b.into_owned()).unwrap_or_default();
            let Some(found) = self.patterns.recognise(&subject, &body) else {
                tracing::warn!(
                    account = %self.account,
                    uid,
                    "mail from the portal that no pattern recognises ignored"
                );
                return Err(format!(
                    "mail {uid} from the portal (« {} »): no pattern recognises it, ignored",
                    excerpt(&subject, 80)
                ));
            };
            // The invoice: by number, else by the Message-ID it answers.
            let answers: Vec<String> = [msg.in_reply_to(), msg.references()]
                .into_iter()
                .flat_map(|h| {
                    h.as_text_list()
                        .map(|l| l.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                        .or_else(|| h.as_text().map(|s| vec![s.to_string()]))
                        .unwrap_or_default()
                })
                .collect();
            let by_number = found.number.as_deref().and_then(|n| {
                tracked
                    .iter()
                    .find(|t| t.number.trim().eq_ignore_ascii_case(n.trim()))
            });
            let by_reply = || {
                tracked.iter().find(|t| {
                    answers
                        .iter()
                        .any(|a| a.trim_matches(['<', '>']) == t.portal_ref)
                })
            };
            let hit = by_number.or_else(by_reply);
            let number = found
                .number
                .clone()
                .or_else(|| hit.map(|t| t.number.clone()));
            let Some(number) = number else {
                tracing::warn!(
                    account = %self.account,
                    uid,
                    pattern = %found.pattern,
                    "portal notification without an invoice number ignored"
                );
                return Err(format!(
                    "mail {uid} from the portal (« {} »): recognised as « {} » but names no \
                     invoice number, ignored",
                    excerpt(&subject, 80),
                    found.raw_status
                ));
            };
            tracing::info!(
                account = %self.account,
                uid,
                pattern = %found.pattern,
                number = %number,
                known = hit.is_some(),
                authentication = auth.unwrap_or("none given"),
                "portal notification read"
            );
            Ok(PortalEvent {
                portal_ref: hit.map(|t| t.portal_ref.clone()),
                number: Some(number),
                at_ms,
                vocabulary: Vocabulary::Generix,
                raw_status: found.raw_status,
                raw_reason: found.raw_reason,
            })
        }
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Reads the server's greeting.
async fn greeting<T>(client: &mut Client<T>) -> std::io::Result<()>
where
    T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    match client.read_response().await? {
        Some(_) => Ok(()),
        None => Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "the server closed the connection before its greeting",
        )),
    }
}

/// The certificate verification failure somewhere in an error's causes.
fn certificate_problem(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(rustls::Error::InvalidCertificate(c)) = err.downcast_ref::<rustls::Error>() {
            return Some(format!("{c:?}"));
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
            && let Some(rustls::Error::InvalidCertificate(c)) =
                inner.downcast_ref::<rustls::Error>()
        {
            return Some(format!("{c:?}"));
        }
        cur = err.source();
    }
    None
}

/// Control characters (a header injection, a stray newline) become spaces.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

/// A file name fit for an attachment: no directories, no control characters.
fn file_name(name: &str, fallback: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean = one_line(base);
    if clean.is_empty() {
        fallback.to_string()
    } else {
        clean
    }
}

fn content_type(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "xml" => "application/xml",
        "csv" => "text/csv",
        "txt" => "text/plain",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// At most `max` characters, whitespace collapsed.
fn excerpt(s: &str, max: usize) -> String {
    let collapsed = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= max {
        collapsed
    } else {
        let mut t: String = collapsed.chars().take(max).collect();
        t.push('…');
        t
    }
}

/// Where the previous pull stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cursor {
    validity: u32,
    last: u32,
}

impl Cursor {
    fn parse(s: &str) -> Option<Cursor> {
        let (v, l) = s.trim().split_once(':')?;
        Some(Cursor {
            validity: v.parse().ok()?,
            last: l.parse().ok()?,
        })
    }

    fn render(self) -> String {
        format!("{}:{}", self.validity, self.last)
    }
}

/// What one batch of a pull read.
struct Batch {
    cursor: Cursor,
    pulled: Pulled,
    /// Mails looked at (headers read).
    mails: usize,
}

/// What the receiving server's `Authentication-Results` says.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AuthResults {
    /// The header's text, on one line.
    summary: String,
    /// `dkim=fail`, `spf=fail`, `dmarc=fail`… when a check failed.
    failed: Option<String>,
}

/// The `Authentication-Results` header (RFC 8601) that counts in a mail's
/// header block: the one whose authserv-id is `authserv_id`, or else the
/// topmost (added last, by the receiving server; those below may come from
/// the sender). `None` when there is none.
fn authentication_results(header: &[u8], authserv_id: Option<&str>) -> Option<AuthResults> {
    let text = String::from_utf8_lossy(header);
    // Unfold continuation lines, then take the matching fields in order.
    let mut fields: Vec<String> = Vec::new();
    for line in text.split('\n') {
        let line = line.trim_end_matches('\r');
        if line.starts_with([' ', '\t']) {
            if let Some(last) = fields.last_mut() {
                last.push(' ');
                last.push_str(line.trim());
            }
        } else {
            fields.push(line.to_string());
        }
    }
    let value = fields.iter().find_map(|f| {
        let (name, value) = f.split_once(':')?;
        if !name.trim().eq_ignore_ascii_case("authentication-results") {
            return None;
        }
        let value = value.trim();
        let id = value
            .split(|c: char| c == ';' || c.is_whitespace())
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match authserv_id {
            Some(want) if id != want => None,
            _ => Some(value.to_string()),
        }
    })?;
    let lower = value.to_ascii_lowercase();
    let failed: Vec<String> = ["dkim", "spf", "dmarc"]
        .iter()
        .filter_map(|method| {
            lower
                .split(';')
                .map(str::trim)
                .filter_map(|r| r.strip_prefix(&format!("{method}=")))
                .map(|rest| rest.split_whitespace().next().unwrap_or(""))
                .find(|res| matches!(*res, "fail" | "permerror"))
                .map(|res| format!("{method}={res}"))
        })
        .collect();
    Some(AuthResults {
        summary: one_line(&value),
        failed: (!failed.is_empty()).then(|| failed.join(", ")),
    })
}

impl Channel for MailChannel {
    fn kind(&self) -> &'static str {
        if self.direct { "email" } else { "mail_deposit" }
    }

    fn account(&self) -> &str {
        &self.account
    }

    fn vocabulary(&self) -> Vocabulary {
        Vocabulary::Generix
    }

    fn precheck(&self, out: &Outgoing) -> Result<(), ChannelError> {
        let kind = if self.direct {
            crate::send::accounts::Kind::Email
        } else {
            crate::send::accounts::Kind::MailDeposit
        };
        super::require_pdf(out, kind, &self.account)?;
        if out.number.trim().is_empty() {
            return Err(ChannelError::Invalid(
                "the invoice has no number: a mail deposit names it in the subject".into(),
            ));
        }
        let too_big = |what: &str, len: usize| {
            ChannelError::Invalid(format!(
                "{what} is {:.1} MB; the portal takes at most 40 MB per attachment",
                len as f64 / (1024.0 * 1024.0)
            ))
        };
        if out.pdf.len() > MAX_ATTACHMENT_BYTES {
            return Err(too_big("the invoice PDF", out.pdf.len()));
        }
        for a in &out.annexes {
            if a.bytes.len() > MAX_ATTACHMENT_BYTES {
                return Err(too_big(
                    &format!("the annex {}", a.file_name),
                    a.bytes.len(),
                ));
            }
        }
        Ok(())
    }

    async fn send(&self, out: &Outgoing) -> Result<Delivered, ChannelError> {
        self.precheck(out)?;
        let (message, id) = self.message(out)?;
        // lettre's own timeout covers connecting only: a server that never
        // answers the DATA would be waited on for ever. The whole mail gets
        // the account's timeout, plus the time to upload it at a slow
        // 100 kB/s (base64 makes it a third bigger).
        let bytes = out.pdf.len() + out.annexes.iter().map(|a| a.bytes.len()).sum::<usize>();
        let deadline = self.smtp_timeout + Duration::from_millis(bytes as u64 * 4 / 3 / 100);
        let sent = match tokio::time::timeout(deadline, self.smtp.send(message)).await {
            Ok(r) => r.map_err(|e| self.smtp_error(&e)),
            Err(_) => Err(ChannelError::Timeout(format!(
                "{}: no answer within {} s",
                self.smtp_server,
                deadline.as_secs()
            ))),
        };
        match sent {
            Ok(_) => {
                if self.direct {
                    tracing::info!(
                        account = %self.account,
                        invoice = out.invoice_id,
                        number = %one_line(&out.number),
                        message_id = %id,
                        annexes = out.annexes.len(),
                        "invoice mailed to the customer"
                    );
                } else {
                    tracing::info!(
                        account = %self.account,
                        invoice = out.invoice_id,
                        number = %one_line(&out.number),
                        message_id = %id,
                        annexes = out.annexes.len(),
                        "invoice mailed to the portal"
                    );
                }
                // A customer's mailbox sends no statuses back: the invoice
                // is issued once the mail server took it.
                let events = match (&out.recipient, self.direct) {
                    (Some(to), true) => vec![PortalEvent {
                        portal_ref: Some(id.clone()),
                        number: None,
                        at_ms: crate::mirror::store::now_ms(),
                        vocabulary: Vocabulary::Local,
                        raw_status: crate::mirror::lifecycle::Status::Issued
                            .as_str()
                            .to_string(),
                        raw_reason: Some(format!("envoyée par e-mail à {to}")),
                    }],
                    _ => Vec::new(),
                };
                Ok(Delivered {
                    portal_ref: id,
                    events,
                })
            }
            Err(e) => {
                // Once connected, a broken connection or a timeout cannot
                // say whether the server took the DATA: ambiguous (a
                // mailbox cannot be asked, so the invoice is to verify).
                let err = e.after_write();
                tracing::warn!(
                    account = %self.account,
                    invoice = out.invoice_id,
                    error = %err,
                    "mailing the invoice failed"
                );
                Err(err)
            }
        }
    }

    async fn lookup(&self, _out: &Outgoing) -> Result<Lookup, ChannelError> {
        // A mailbox cannot say whether the portal took a mail.
        Ok(Lookup::CannotTell)
    }

    async fn replay(&self, _portal_ref: &str) -> Result<Vec<PortalEvent>, ChannelError> {
        Err(ChannelError::Unsupported(
            "replay an invoice by mail: use the « Rejeu Facture » button of the portal \
             (menu « Accéder à ») once the mandate is signed",
        ))
    }

    async fn pull(
        &self,
        tracked: &[Tracked],
        cursor: Option<&str>,
    ) -> Result<Pulled, ChannelError> {
        let Some(imap) = &self.imap else {
            return Err(ChannelError::Config {
                account: self.account.clone(),
                detail: "no imap_host: the portal's answers cannot be read \
                         (set imap_host, imap_user, portal_sender and the secret imap_password)"
                    .into(),
            });
        };
        let cursor = cursor.and_then(|c| {
            let parsed = Cursor::parse(c);
            if parsed.is_none() {
                tracing::warn!(account = %self.account, cursor = c, "unreadable mail cursor: reading the mailbox again");
            }
            parsed
        });
        let batch = tokio::time::timeout(IMAP_TIMEOUT, self.fetch(imap, cursor, tracked))
            .await
            .map_err(|_| {
                ChannelError::Timeout(format!(
                    "{}:{} did not answer within {} s",
                    imap.host,
                    imap.port,
                    IMAP_TIMEOUT.as_secs()
                ))
            })??;
        let mut pulled = batch.pulled;
        pulled.cursor = Some(batch.cursor.render());
        tracing::debug!(
            account = %self.account,
            mails = batch.mails,
            events = pulled.events.len(),
            ignored = pulled.ignored.len(),
            "mailbox read"
        );
        Ok(pulled)
    }
}

// ---------------------------------------------------------------------------
// Patterns: how notifications are recognised, as data.

#[derive(Deserialize)]
struct PatternFile {
    /// Default number regex.
    number: Option<String>,
    patterns: Vec<PatternSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatternSpec {
    name: String,
    subject: Option<String>,
    body: Option<String>,
    #[serde(default)]
    text: Vec<String>,
    raw_status: String,
    raw_reason: Option<String>,
    reason: Option<String>,
    number: Option<String>,
    example: Option<Example>,
    #[serde(default, rename = "_doc")]
    _doc: Option<serde_json::Value>,
}

/// A sample mail and what a pattern must make of it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub subject: String,
    pub body: String,
    pub number: String,
    /// The canonical status ([`Status::as_str`]) the portal's words map to.
    pub status: String,
    pub reason_code: Option<String>,
}

struct Pattern {
    name: String,
    subject: Option<Regex>,
    body: Option<Regex>,
    text: Vec<Regex>,
    raw_status: String,
    raw_reason: Option<String>,
    reason: Option<Regex>,
    number: Regex,
    example: Option<Example>,
}

/// The recognisers of portal notifications, loaded from JSON.
pub struct Patterns {
    patterns: Vec<Pattern>,
}

impl std::fmt::Debug for Patterns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

/// What a pattern read in a mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recognised {
    /// The pattern's name.
    pub pattern: String,
    pub raw_status: String,
    pub raw_reason: Option<String>,
    pub number: Option<String>,
}

fn compile(what: &str, re: &str) -> Result<Regex, String> {
    Regex::new(re).map_err(|e| format!("{what}: {e}"))
}

/// The first capture of `re` in `hay`: group `name` or else group 1,
/// passing `keep`.
fn capture(re: &Regex, hay: &str, name: &str, keep: impl Fn(&str) -> bool) -> Option<String> {
    re.captures_iter(hay)
        .filter_map(|c| c.name(name).or_else(|| c.get(1)).map(|m| m.as_str()))
        .map(str::trim)
        .find(|s| !s.is_empty() && keep(s))
        .map(str::to_string)
}

impl Patterns {
    /// The patterns shipped in `data/mail_patterns.json`.
    pub fn builtin() -> Patterns {
        match Patterns::from_json(BUILTIN_PATTERNS) {
            Ok(p) => p,
            // A unit test loads the shipped file: it cannot fail in a build
            // that passed its tests.
            Err(e) => panic!("data/mail_patterns.json is broken: {e}"),
        }
    }

    /// Loads and checks patterns: every regex compiles, every raw status is
    /// a word of the Generix vocabulary, every example gives what it says.
    pub fn from_json(json: &str) -> Result<Patterns, String> {
        let file: PatternFile =
            serde_json::from_str(json).map_err(|e| format!("not a patterns file: {e}"))?;
        let default_number = file
            .number
            .as_deref()
            .map(|re| compile("number", re))
            .transpose()?;
        let mut patterns = Vec::new();
        for spec in file.patterns {
            let n = &spec.name;
            if spec.subject.is_none() && spec.body.is_none() && spec.text.is_empty() {
                return Err(format!(
                    "pattern \"{n}\" has no subject, body or text condition"
                ));
            }
            let mapped = lifecycle::map(
                Vocabulary::Generix,
                &spec.raw_status,
                spec.raw_reason.as_deref(),
            );
            if !mapped.known {
                return Err(format!(
                    "pattern \"{n}\": raw_status \"{}\" is not a Generix status",
                    spec.raw_status
                ));
            }
            let number = match (&spec.number, &default_number) {
                (Some(re), _) => compile(&format!("{n}.number"), re)?,
                (None, Some(re)) => re.clone(),
                (None, None) => {
                    return Err(format!(
                        "pattern \"{n}\" has no number regex (nor a default)"
                    ));
                }
            };
            patterns.push(Pattern {
                subject: spec
                    .subject
                    .as_deref()
                    .map(|re| compile(&format!("{n}.subject"), re))
                    .transpose()?,
                body: spec
                    .body
                    .as_deref()
                    .map(|re| compile(&format!("{n}.body"), re))
                    .transpose()?,
                text: spec
                    .text
                    .iter()
                    .map(|re| compile(&format!("{n}.text"), re))
                    .collect::<Result<_, _>>()?,
                raw_status: spec.raw_status,
                raw_reason: spec.raw_reason,
                reason: spec
                    .reason
                    .as_deref()
                    .map(|re| compile(&format!("{n}.reason"), re))
                    .transpose()?,
                number,
                example: spec.example,
                name: spec.name,
            });
        }
        let loaded = Patterns { patterns };
        for p in &loaded.patterns {
            if let Some(ex) = &p.example {
                loaded.check_example(&p.name, ex)?;
            }
        }
        Ok(loaded)
    }

    /// Whether `ex` is recognised by pattern `name` and maps as it says.
    fn check_example(&self, name: &str, ex: &Example) -> Result<(), String> {
        let got = self
            .recognise(&ex.subject, &ex.body)
            .ok_or_else(|| format!("pattern \"{name}\": its example is not recognised"))?;
        if got.pattern != name {
            return Err(format!(
                "pattern \"{name}\": its example is taken by the earlier pattern \"{}\"",
                got.pattern
            ));
        }
        if got.number.as_deref() != Some(ex.number.as_str()) {
            return Err(format!(
                "pattern \"{name}\": example number {:?} read, {:?} expected",
                got.number, ex.number
            ));
        }
        let want = Status::parse(&ex.status)
            .ok_or_else(|| format!("pattern \"{name}\": unknown status \"{}\"", ex.status))?;
        let m = lifecycle::map(
            Vocabulary::Generix,
            &got.raw_status,
            got.raw_reason.as_deref(),
        );
        if m.status != Some(want) || m.reason_code != ex.reason_code {
            return Err(format!(
                "pattern \"{name}\": example maps to {:?} {:?}, expected {want:?} {:?}",
                m.status, m.reason_code, ex.reason_code
            ));
        }
        Ok(())
    }

    /// The pattern names, in order.
    pub fn names(&self) -> Vec<&str> {
        self.patterns.iter().map(|p| p.name.as_str()).collect()
    }

    /// The examples the file carries, by pattern name.
    pub fn examples(&self) -> Vec<(&str, &Example)> {
        self.patterns
            .iter()
            .filter_map(|p| p.example.as_ref().map(|e| (p.name.as_str(), e)))
            .collect()
    }

    /// The first pattern that recognises a mail, and what it read.
    pub fn recognise(&self, subject: &str, body: &str) -> Option<Recognised> {
        let both = format!("{subject}\n{body}");
        let p = self.patterns.iter().find(|p| {
            p.subject.as_ref().is_none_or(|re| re.is_match(subject))
                && p.body.as_ref().is_none_or(|re| re.is_match(body))
                && p.text.iter().all(|re| re.is_match(&both))
        })?;
        let has_digit = |s: &str| s.bytes().any(|b| b.is_ascii_digit());
        let number = capture(&p.number, subject, "number", has_digit)
            .or_else(|| capture(&p.number, body, "number", has_digit));
        // The portal's own words win over the literal reason.
        let said = p.reason.as_ref().and_then(|re| {
            capture(re, body, "reason", |_| true)
                .or_else(|| capture(re, subject, "reason", |_| true))
        });
        let raw_reason = said
            .map(|s| excerpt(&s, EXCERPT_CHARS))
            .or_else(|| p.raw_reason.clone());
        Some(Recognised {
            pattern: p.name.clone(),
            raw_status: p.raw_status.clone(),
            raw_reason,
            number,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::mirror::lifecycle::{DEST_ERR, DOUBLON, MANDAT_ABSENT, VIDEOCODAGE};
    use crate::send::accounts::{AccountError, Kind};

    #[test]
    fn the_shipped_patterns_load_and_every_example_maps_as_it_says() {
        let p = Patterns::builtin();
        // Every pattern carries an example, checked by from_json.
        assert_eq!(p.examples().len(), p.names().len());
        for (name, ex) in p.examples() {
            let got = p.recognise(&ex.subject, &ex.body).unwrap();
            assert_eq!(got.pattern, name);
            let m = lifecycle::map(
                Vocabulary::Generix,
                &got.raw_status,
                got.raw_reason.as_deref(),
            );
            assert_eq!(m.status, Status::parse(&ex.status), "{name}");
            assert_eq!(m.reason_code, ex.reason_code, "{name}");
        }
    }

    /// The notifications the Generix guide describes, written here rather
    /// than taken from the file, each to its canonical status.
    #[test]
    fn every_generix_notification_maps_to_its_canonical_status() {
        let p = Patterns::builtin();
        // Subject, body, status, reason code, raw reason kept.
        type Case = (
            &'static str,
            &'static str,
            Status,
            Option<&'static str>,
            Option<&'static str>,
        );
        let cases: &[Case] = &[
            (
                "Facture FA-77 rejetée",
                "Votre facture n° FA-77 a été rejetée.\nMotif du rejet : 1 - Le client référencé n'existe pas.\n",
                Status::Rejected,
                Some(DEST_ERR),
                Some("Le client référencé n'existe pas."),
            ),
            (
                "Votre facture FA-78",
                "La facture n° FA-78 est refusée.\nMotif de refus : Mandat absent\n",
                Status::Refused,
                Some(MANDAT_ABSENT),
                Some("Mandat absent"),
            ),
            (
                "Facture refusée",
                "Facture n° FA-79 : refusée (doublon).",
                Status::Refused,
                Some(DOUBLON),
                Some("Doublon"),
            ),
            (
                "Facture FA-80",
                "Votre facture FA-80 a été émise.",
                Status::Issued,
                None,
                None,
            ),
            (
                "Facture FA-81",
                "Votre facture n° FA-81 : vidéocodage en cours.",
                Status::Deposited,
                Some(VIDEOCODAGE),
                None,
            ),
        ];
        for (subject, body, status, code, reason) in cases {
            let got = p
                .recognise(subject, body)
                .unwrap_or_else(|| panic!("{subject}"));
            assert!(got.number.as_deref().unwrap().starts_with("FA-"), "{got:?}");
            assert_eq!(got.raw_reason.as_deref(), *reason, "{subject}");
            let m = lifecycle::map(
                Vocabulary::Generix,
                &got.raw_status,
                got.raw_reason.as_deref(),
            );
            assert_eq!(m.status, Some(*status), "{subject}: {got:?}");
            assert_eq!(m.reason_code.as_deref(), *code, "{subject}: {got:?}");
            assert!(m.known && m.status != Some(Status::Unknown));
        }
        assert_eq!(p.recognise("Newsletter", "Nos nouveautés du mois"), None);
    }

    #[test]
    fn a_broken_patterns_file_is_refused_with_the_reason() {
        let bad_regex = r#"{"number":"(?P<number>\\d+)","patterns":[{"name":"x","text":["("],"raw_status":"émise"}]}"#;
        assert!(
            Patterns::from_json(bad_regex)
                .unwrap_err()
                .contains("x.text")
        );
        let unknown_word = r#"{"number":"(\\d+)","patterns":[{"name":"x","text":["a"],"raw_status":"validée par le chef"}]}"#;
        assert!(
            Patterns::from_json(unknown_word)
                .unwrap_err()
                .contains("not a Generix status")
        );
        let wrong_example = r#"{"number":"(\\d+)","patterns":[{"name":"x","text":["émise"],"raw_status":"émise",
            "example":{"subject":"s","body":"facture 12 émise","number":"12","status":"rejected"}}]}"#;
        assert!(
            Patterns::from_json(wrong_example)
                .unwrap_err()
                .contains("expected")
        );
    }

    #[test]
    fn senders_and_cursors() {
        let a = Trusted::parse("Factures@Portail.example").unwrap();
        assert!(a.trusts("factures@portail.example"));
        assert!(!a.trusts("autre@portail.example"));
        let d = Trusted::parse("@portail.example").unwrap();
        assert!(d.trusts("noreply@PORTAIL.example"));
        assert!(!d.trusts("x@evil-portail.example"));
        assert!(!d.trusts("x@portail.example.evil"));
        assert_eq!(Trusted::parse("nobody"), None);
        assert_eq!(Trusted::parse("@"), None);

        let c = Cursor::parse("1795409004:42").unwrap();
        assert_eq!(c.render(), "1795409004:42");
        assert_eq!(Cursor::parse("42"), None);
        assert_eq!(Cursor::parse("a:b"), None);

        assert!(is_loopback("127.0.0.1") && is_loopback("::1") && is_loopback("[::1]"));
        assert!(is_loopback("localhost") && is_loopback("127.3.2.1"));
        assert!(!is_loopback("smtp.example.fr") && !is_loopback("10.0.0.1"));
        assert_eq!(one_line("F-1\r\nBcc: x@y"), "F-1  Bcc: x@y");
        assert_eq!(file_name("../../etc/passwd", "f"), "passwd");
        assert_eq!(file_name("a\\b\\", "f"), "f");
    }

    struct Keys(BTreeMap<String, String>);

    impl SecretStore for Keys {
        fn set(&self, _: &str, _: &str, _: &str) -> Result<(), AccountError> {
            Ok(())
        }
        fn get(&self, _: &str, field: &str) -> Result<Option<String>, AccountError> {
            Ok(self.0.get(field).cloned())
        }
        fn delete(&self, _: &str, _: &str) -> Result<(), AccountError> {
            Ok(())
        }
    }

    fn account(settings: &[(&str, &str)]) -> Account {
        Account {
            name: "generix".into(),
            kind: Kind::MailDeposit,
            settings: settings
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            secret_fields: vec![],
        }
    }

    #[test]
    fn settings_are_checked_when_the_channel_is_built() {
        let keys = Keys(BTreeMap::from([
            ("smtp_password".into(), "pw-smtp".into()),
            ("imap_password".into(), "pw-imap".into()),
        ]));
        let base = [
            ("smtp_host", "smtp.example.fr"),
            ("smtp_user", "boulangerie"),
            ("from", "compta@boulangerie.example"),
            ("portal_address", "depot-123@portail.example"),
        ];
        assert!(MailChannel::from_account(&account(&base), &keys).is_ok());
        let err = |settings: &[(&str, &str)]| match MailChannel::from_account(
            &account(settings),
            &keys,
        ) {
            Err(ChannelError::Config { detail, .. }) => detail,
            Err(other) => panic!("{other}"),
            Ok(_) => panic!("accepted {settings:?}"),
        };
        assert!(err(&base[1..]).contains("\"smtp_host\""));
        let mut plain = base.to_vec();
        plain.push(("smtp_tls", "none"));
        assert!(err(&plain).contains("smtp_tls=none"));
        let mut odd = base.to_vec();
        odd.push(("smtp_tls", "maybe"));
        assert!(err(&odd).contains("not a TLS mode"));
        let mut imap = base.to_vec();
        imap.push(("imap_host", "imap.example.fr"));
        imap.push(("imap_user", "boulangerie"));
        assert!(err(&imap).contains("\"portal_sender\""));
        imap.push(("portal_sender", "@portail.example"));
        assert!(MailChannel::from_account(&account(&imap), &keys).is_ok());
        imap.push(("imap_tls", "none"));
        assert!(err(&imap).contains("imap_tls=none"));
    }
}
