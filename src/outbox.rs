//! The outbox: how an invoice goes from "checked" to "at the portal"
//! exactly once, and how the portals' answers come back.
//!
//! Every delivery is an attempt in the store: `queued` → `sending` → `sent`
//! | `failed` | `to_verify`. The exact bytes that were checked are copied to
//! `FACTEUR_HOME/outbox/<sha256>.pdf` when queued, checked again just before
//! sending, and that copy is what leaves. `sending` is committed before any
//! byte leaves the machine; so after a crash an attempt found `sending` is
//! never resent blindly: the portal is asked whether it holds the invoice
//! (Chorus Pro, the sandbox), and a channel that cannot tell (mail) leaves it
//! "to verify" for the user. Transient failures are retried with exponential
//! backoff and jitter; permanent ones stop with the portal's words. One
//! process at a time works the outbox (a lock file in `FACTEUR_HOME`, freed
//! by the OS even on kill -9).
//!
//! Deliberately not here: the wire protocols ([`crate::channel`]), the
//! offline rules ([`crate::check`]), the table layout ([`crate::store`]),
//! and any printing (callers get [`Step`]s).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::accounts::{self, Account, Kind, SecretStore};
use crate::channel::afnor::AfnorChannel;
use crate::channel::chorus::ChorusChannel;
use crate::channel::mail::MailChannel;
use crate::channel::print::PrintChannel;
use crate::channel::sandbox::SandboxChannel;
use crate::channel::{
    Annex, Channel, ChannelError, Delivered, Lookup, Outgoing, PortalEvent, Pulled, SendKind,
    Tracked,
};
use crate::check::{self, Options, Report};
use crate::lifecycle::{Status, Vocabulary};
use crate::store::{
    self, NewEvent, NewSubmission, OpenSubmission, Outcome, PullCounts, PulledEvent, Source, Store,
    StoreError, SubmitDecision,
};

#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Account(#[from] accounts::AccountError),
    #[error(transparent)]
    Channel(#[from] ChannelError),
    #[error("cannot use {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no account named \"{0}\" (see `facteur account list`)")]
    NoAccount(String),
    #[error(
        "invoice {0} cannot be replayed: only an invoice refused for « Mandat absent » can / seul un refus « Mandat absent » se rejoue"
    )]
    NotReplayable(String),
    #[error(
        "invoice {0} cannot be corrected by a new invoice: only a rejected invoice, or one refused for another reason than « Mandat absent », is / seule une facture rejetée ou refusée (hors « Mandat absent ») se corrige"
    )]
    NotCorrectable(String),
    #[error(
        "the corrected invoice must carry a new number, not {0} again / la facture corrigée doit porter un nouveau numéro"
    )]
    SameNumber(String),
    #[error("the outbox copy of invoice {0} is missing or altered: {1}")]
    Payload(String, String),
}

type Result<T> = std::result::Result<T, OutboxError>;

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutboxError + '_ {
    move |source| OutboxError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// How transient failures are retried.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    /// Tries in all, the first included.
    pub attempts: u32,
    pub base: Duration,
    pub cap: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            attempts: 5,
            base: Duration::from_secs(2),
            cap: Duration::from_secs(120),
        }
    }
}

impl Retry {
    /// The default, with `FACTEUR_RETRY_BASE_MS` and `FACTEUR_RETRY_ATTEMPTS`
    /// honoured (tests and impatient users).
    pub fn from_env() -> Retry {
        let mut r = Retry::default();
        if let Some(ms) = env_u64("FACTEUR_RETRY_BASE_MS") {
            r.base = Duration::from_millis(ms);
        }
        if let Some(n) = env_u64("FACTEUR_RETRY_ATTEMPTS") {
            r.attempts = n.clamp(1, 100) as u32;
        }
        r
    }

    /// The wait before try `n + 1` (n ≥ 1): base·2ⁿ⁻¹ capped, with "equal
    /// jitter" (half fixed, half random) so many clients do not retry in
    /// step; a portal's Retry-After wins when longer (still capped).
    pub fn delay(&self, n: u32, retry_after: Option<Duration>) -> Duration {
        let exp = self
            .base
            .saturating_mul(1u32 << (n.saturating_sub(1)).min(20))
            .min(self.cap);
        let half = exp / 2;
        let jitter = Duration::from_nanos(fastrand::u64(0..=half.as_nanos() as u64));
        let d = half + jitter;
        match retry_after {
            Some(ra) if ra > d => ra.min(self.cap),
            _ => d,
        }
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.trim().parse().ok()
}

/// Whoever holds this works the outbox; the OS frees it when the process
/// ends, however it ends.
pub struct OutboxLock {
    _file: File,
}

impl OutboxLock {
    /// Waits for the lock (another Facteur may be sending).
    pub fn acquire(home: &Path) -> Result<OutboxLock> {
        let path = home.join("outbox.lock");
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io(&path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                tracing::info!("another Facteur is working the outbox; waiting");
                file.lock().map_err(io(&path))?;
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(&path)(e)),
        }
        Ok(OutboxLock { _file: file })
    }
}

/// Every channel Facteur has, as one type.
pub enum AnyChannel {
    Sandbox(SandboxChannel),
    Chorus(Box<ChorusChannel>),
    Mail(Box<MailChannel>),
    Print(PrintChannel),
    Plateforme(Box<AfnorChannel>),
}

impl AnyChannel {
    /// The channel for an account, its secrets read from `secrets` now.
    pub fn for_account(
        account: &Account,
        secrets: &dyn SecretStore,
    ) -> std::result::Result<AnyChannel, ChannelError> {
        match account.kind {
            Kind::Sandbox => {
                let default = crate::sandbox_server::default_url();
                let url = account.settings.get("url").unwrap_or(&default);
                Ok(AnyChannel::Sandbox(SandboxChannel::new(
                    &account.name,
                    url,
                )?))
            }
            Kind::ChorusPro => Ok(AnyChannel::Chorus(Box::new(ChorusChannel::from_account(
                account, secrets,
            )?))),
            Kind::MailDeposit | Kind::Email => Ok(AnyChannel::Mail(Box::new(
                MailChannel::from_account(account, secrets)?,
            ))),
            Kind::Print => Ok(AnyChannel::Print(PrintChannel::from_account(account)?)),
            Kind::Plateforme => Ok(AnyChannel::Plateforme(Box::new(
                AfnorChannel::from_account(account, secrets)?,
            ))),
        }
    }
}

/// Calls the same method on whichever channel it is.
macro_rules! each {
    ($self:ident, $c:ident => $e:expr) => {
        match $self {
            AnyChannel::Sandbox($c) => $e,
            AnyChannel::Chorus($c) => $e,
            AnyChannel::Mail($c) => $e,
            AnyChannel::Print($c) => $e,
            AnyChannel::Plateforme($c) => $e,
        }
    };
}

impl Channel for AnyChannel {
    fn kind(&self) -> &'static str {
        each!(self, c => c.kind())
    }
    fn account(&self) -> &str {
        each!(self, c => c.account())
    }
    fn vocabulary(&self) -> Vocabulary {
        each!(self, c => c.vocabulary())
    }
    fn precheck(&self, out: &Outgoing) -> std::result::Result<(), ChannelError> {
        each!(self, c => c.precheck(out))
    }
    async fn send(&self, out: &Outgoing) -> std::result::Result<Delivered, ChannelError> {
        each!(self, c => c.send(out).await)
    }
    async fn lookup(&self, out: &Outgoing) -> std::result::Result<Lookup, ChannelError> {
        each!(self, c => c.lookup(out).await)
    }
    async fn replay(
        &self,
        portal_ref: &str,
    ) -> std::result::Result<Vec<PortalEvent>, ChannelError> {
        each!(self, c => c.replay(portal_ref).await)
    }
    async fn pull(
        &self,
        tracked: &[Tracked],
        cursor: Option<&str>,
    ) -> std::result::Result<Pulled, ChannelError> {
        each!(self, c => c.pull(tracked, cursor).await)
    }
}

/// The name of the built-in demonstration account.
pub const SANDBOX_ACCOUNT: &str = "sandbox";

/// The name of the built-in demonstration plateforme agréée account
/// (`facteur sandbox serve-pa`).
pub const SANDBOX_PA_ACCOUNT: &str = "sandbox-pa";

/// The account to send through: the named one, or the built-in sandbox
/// (which exists even when no account was ever added).
pub fn resolve_account(store: &Store, name: Option<&str>) -> Result<Account> {
    let name = name.unwrap_or(SANDBOX_ACCOUNT);
    match accounts::find(store, name)? {
        Some(a) => Ok(a),
        None if name == SANDBOX_ACCOUNT => Ok(Account {
            name: SANDBOX_ACCOUNT.to_string(),
            kind: Kind::Sandbox,
            settings: [("url".to_string(), crate::sandbox_server::default_url())].into(),
            secret_fields: Vec::new(),
        }),
        None if name == SANDBOX_PA_ACCOUNT => Ok(Account {
            name: SANDBOX_PA_ACCOUNT.to_string(),
            kind: Kind::Plateforme,
            settings: [
                ("url".to_string(), crate::pa_server::default_url()),
                ("simulation".to_string(), "true".to_string()),
            ]
            .into(),
            secret_fields: Vec::new(),
        }),
        None => Err(OutboxError::NoAccount(name.to_string())),
    }
}

/// What queueing one checked file did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "queued")]
pub enum Enqueued {
    Queued {
        invoice_id: i64,
        submission_id: i64,
    },
    /// The store says no (check failed, already sent, duplicate…).
    Refused(SubmitDecision),
    /// The file carries no invoice number: nothing to send.
    NoInvoice,
    /// The file changed on disk since it was checked.
    Changed,
}

/// Queues the invoice of a checked, recorded file: copies the exact bytes
/// into the outbox folder, then opens the attempt.
pub fn enqueue(
    store: &mut Store,
    home: &Path,
    report: &Report,
    invoice_id: Option<i64>,
    account: &Account,
    now_ms: i64,
) -> Result<Enqueued> {
    enqueue_kind(
        store,
        home,
        report,
        invoice_id,
        account,
        "submit",
        &[],
        None,
        now_ms,
    )
}

/// Queues the invoice of a checked, recorded file where routing sent it:
/// the target's account, with the customer's address for a direct e-mail.
pub fn enqueue_routed(
    store: &mut Store,
    home: &Path,
    report: &Report,
    invoice_id: Option<i64>,
    target: &crate::route::Target,
    annexes: &[PathBuf],
    now_ms: i64,
) -> Result<Enqueued> {
    let account = resolve_account(store, Some(&target.account))?;
    enqueue_kind(
        store,
        home,
        report,
        invoice_id,
        &account,
        "submit",
        annexes,
        target.recipient.as_deref(),
        now_ms,
    )
}

/// Like [`enqueue`], with files that go with the invoice (a mail deposit
/// sends each as its own attachment). They are copied into the outbox too.
pub fn enqueue_with_annexes(
    store: &mut Store,
    home: &Path,
    report: &Report,
    invoice_id: Option<i64>,
    account: &Account,
    annexes: &[PathBuf],
    now_ms: i64,
) -> Result<Enqueued> {
    enqueue_kind(
        store, home, report, invoice_id, account, "submit", annexes, None, now_ms,
    )
}

/// Queues an invoice already checked and recorded, by its id (the desktop
/// window's « Envoyer »): its file is read again from where it was found and
/// must still be the very bytes that were checked. An invoice announced as
/// the correction of a rejected one ([`Store::prepare_correction`]) goes as
/// that correction.
pub fn enqueue_invoice(
    store: &mut Store,
    home: &Path,
    invoice_id: i64,
    account: &Account,
    now_ms: i64,
) -> Result<Enqueued> {
    let Some(inv) = store.invoice(invoice_id)? else {
        return Ok(Enqueued::NoInvoice);
    };
    let mut report = Report::for_file(&inv.path);
    report.sha256 = Some(inv.sha256.clone());
    // The corrected invoice the user announced for a rejected one goes as
    // its correction, and the link is kept.
    if let Some(original) = store.corrects(invoice_id)? {
        let queued = enqueue_correction(
            store,
            home,
            &report,
            Some(invoice_id),
            original,
            account,
            now_ms,
        )?;
        if matches!(queued, Enqueued::Queued { .. }) {
            store.mark_corrected(original, invoice_id)?;
        }
        return Ok(queued);
    }
    enqueue_kind(
        store,
        home,
        &report,
        Some(invoice_id),
        account,
        "submit",
        &[],
        None,
        now_ms,
    )
}

/// Like [`enqueue_invoice`], where routing sent it: the target's account,
/// with the customer's address for a direct e-mail.
pub fn enqueue_invoice_to(
    store: &mut Store,
    home: &Path,
    invoice_id: i64,
    target: &crate::route::Target,
    now_ms: i64,
) -> Result<Enqueued> {
    let Some(inv) = store.invoice(invoice_id)? else {
        return Ok(Enqueued::NoInvoice);
    };
    let account = resolve_account(store, Some(&target.account))?;
    if store.corrects(invoice_id)?.is_some() {
        // A correction goes as such (same checks, same link).
        return enqueue_invoice(store, home, invoice_id, &account, now_ms);
    }
    let mut report = Report::for_file(&inv.path);
    report.sha256 = Some(inv.sha256.clone());
    enqueue_kind(
        store,
        home,
        &report,
        Some(invoice_id),
        &account,
        "submit",
        &[],
        target.recipient.as_deref(),
        now_ms,
    )
}

/// Queues a corrected invoice that replaces one the portal rejected (or
/// refused for another reason than the mandate): it must carry a new
/// number, as the portals require.
pub fn enqueue_correction(
    store: &mut Store,
    home: &Path,
    report: &Report,
    invoice_id: Option<i64>,
    corrects: i64,
    account: &Account,
    now_ms: i64,
) -> Result<Enqueued> {
    let old = store
        .invoice(corrects)?
        .ok_or_else(|| OutboxError::NotCorrectable(corrects.to_string()))?;
    let correctable = match old.status {
        Status::Rejected => true,
        Status::Refused => old.reason_code.as_deref() != Some("MANDAT_ABSENT"),
        _ => false,
    };
    if !correctable {
        return Err(OutboxError::NotCorrectable(old.number));
    }
    if let Some(id) = invoice_id
        && let Some(new) = store.invoice(id)?
        && new.number == old.number
    {
        return Err(OutboxError::SameNumber(old.number));
    }
    enqueue_kind(
        store,
        home,
        report,
        invoice_id,
        account,
        "resend",
        &[],
        None,
        now_ms,
    )
}

#[allow(clippy::too_many_arguments)]
fn enqueue_kind(
    store: &mut Store,
    home: &Path,
    report: &Report,
    invoice_id: Option<i64>,
    account: &Account,
    kind: &str,
    annexes: &[PathBuf],
    recipient: Option<&str>,
    now_ms: i64,
) -> Result<Enqueued> {
    let Some(invoice_id) = invoice_id else {
        return Ok(Enqueued::NoInvoice);
    };
    match store.can_submit(invoice_id)? {
        SubmitDecision::Allowed => {}
        other => return Ok(Enqueued::Refused(other)),
    }
    let Some(sha) = report.sha256.as_deref() else {
        return Ok(Enqueued::Changed);
    };
    let src = Path::new(&report.path);
    let bytes = std::fs::read(src).map_err(io(src))?;
    if hex(&Sha256::digest(&bytes)) != sha {
        return Ok(Enqueued::Changed);
    }
    let rel = format!("outbox/{sha}.pdf");
    write_payload(&home.join(&rel), &bytes)?;
    let mut kept = Vec::new();
    for a in annexes {
        let bytes = std::fs::read(a).map_err(io(a))?;
        let file_name = a
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "annexe".into());
        let ext = a
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let payload = format!("outbox/{}.{ext}", hex(&Sha256::digest(&bytes)));
        write_payload(&home.join(&payload), &bytes)?;
        kept.push(AnnexCopy { file_name, payload });
    }
    let annexes_json = if kept.is_empty() {
        None
    } else {
        Some(serde_json::to_string(&kept).expect("plain strings serialise"))
    };
    let q = NewSubmission {
        invoice_id,
        kind,
        channel: account.kind.as_str(),
        account: &account.name,
        portal_ref: None,
        payload: Some(&rel),
        annexes: annexes_json.as_deref(),
        recipient,
    };
    Ok(match store.queue_submission(&q, now_ms)? {
        Some(submission_id) => Enqueued::Queued {
            invoice_id,
            submission_id,
        },
        None => Enqueued::Refused(store.can_submit(invoice_id)?),
    })
}

/// Queues a replay (« Rejeu ») of an invoice refused for « Mandat absent »,
/// through the account that delivered it. Returns the attempt's id and the
/// account's name.
pub fn enqueue_replay(store: &mut Store, invoice_id: i64, now_ms: i64) -> Result<(i64, String)> {
    let inv = store
        .invoice(invoice_id)?
        .ok_or_else(|| OutboxError::NotReplayable(invoice_id.to_string()))?;
    if inv.status != Status::Refused || inv.reason_code.as_deref() != Some("MANDAT_ABSENT") {
        return Err(OutboxError::NotReplayable(inv.number));
    }
    let last = store
        .submissions(invoice_id)?
        .into_iter()
        .rev()
        .find(|s| s.outcome == "sent" && s.portal_ref.is_some() && s.kind != "replay")
        .ok_or_else(|| OutboxError::NotReplayable(inv.number.clone()))?;
    let account = last.account.clone().unwrap_or_default();
    let q = NewSubmission {
        invoice_id,
        kind: "replay",
        channel: &last.channel,
        account: &account,
        portal_ref: last.portal_ref.as_deref(),
        payload: None,
        annexes: None,
        recipient: None,
    };
    let id = store
        .queue_submission(&q, now_ms)?
        .ok_or_else(|| OutboxError::NotReplayable(inv.number.clone()))?;
    Ok((id, account))
}

fn write_payload(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Ok(existing) = std::fs::read(path)
        && existing == bytes
    {
        return Ok(());
    }
    let dir = path.parent().expect("outbox/<sha>.pdf has a parent");
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    {
        use std::io::Write as _;
        let mut f = File::create(&tmp).map_err(io(&tmp))?;
        f.write_all(bytes).map_err(io(&tmp))?;
        f.sync_all().map_err(io(&tmp))?;
    }
    std::fs::rename(&tmp, path).map_err(io(path))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What happened to one attempt, for progress and summaries.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "step")]
pub enum Step {
    Sending {
        number: String,
    },
    Retrying {
        number: String,
        attempt: u32,
        delay_ms: u64,
        error: String,
    },
    Sent {
        number: String,
        portal_ref: String,
        /// The canonical status after the portal's immediate answer.
        status: Status,
    },
    /// Found at the portal after an interruption: not sent again.
    Recovered {
        number: String,
        portal_ref: String,
    },
    Failed {
        number: String,
        error: String,
        /// Worth trying again later.
        transient: bool,
    },
    ToVerify {
        number: String,
    },
}

/// Works every open attempt of the channel's account, oldest first, and
/// reports each step. Attempts left `sending` by a process that died are
/// recovered first (never resent blindly).
pub async fn run<C: Channel>(
    store: &mut Store,
    home: &Path,
    channel: &C,
    retry: &Retry,
    on_step: &mut (dyn FnMut(&Step) + Send),
) -> Result<Vec<Step>> {
    let mut done = Vec::new();
    let open = store.open_submissions(Some(channel.account()))?;
    for sub in open {
        let step = work(store, home, channel, retry, &sub, on_step).await?;
        if let Some(step) = step {
            on_step(&step);
            done.push(step);
        }
    }
    Ok(done)
}

async fn work<C: Channel>(
    store: &mut Store,
    home: &Path,
    channel: &C,
    retry: &Retry,
    sub: &OpenSubmission,
    on_step: &mut (dyn FnMut(&Step) + Send),
) -> Result<Option<Step>> {
    let Some(inv) = store.invoice(sub.invoice_id)? else {
        return Ok(None);
    };
    let number = inv.number.clone();
    if sub.kind == "replay" {
        return replay(store, channel, retry, sub, number, on_step).await;
    }
    let out = match outgoing(store, home, sub) {
        Ok(out) => out,
        Err(e) => {
            let msg = e.to_string();
            return fail(store, sub.id, &number, msg, false).map(Some);
        }
    };
    if sub.sending {
        // A process died while sending this one: ask before anything else.
        let lookup = with_retry(retry, store, sub.id, &number, on_step, || {
            channel.lookup(&out)
        })
        .await;
        match lookup {
            Ok(Lookup::Found { portal_ref }) => {
                let ev = store::local_event(
                    Status::Deposited,
                    Some("retrouvée sur le portail après une interruption / found at the portal after an interruption".into()),
                    sub.id,
                    store::now_ms(),
                );
                store.finish_submission(
                    sub.id,
                    Outcome::Sent,
                    Some(&portal_ref),
                    None,
                    &[ev],
                    store::now_ms(),
                )?;
                return Ok(Some(Step::Recovered { number, portal_ref }));
            }
            Ok(Lookup::NotFound) => {
                tracing::info!(number = %number, "not at the portal after an interruption: sending");
                store.requeue_submission(sub.id)?;
            }
            Ok(Lookup::CannotTell) => {
                let now = store::now_ms();
                let ev = store::local_event(
                    Status::ToVerify,
                    Some("envoi interrompu : vérifiez sur le portail / sending was interrupted: check on the portal".into()),
                    sub.id,
                    now,
                );
                store.finish_submission(sub.id, Outcome::ToVerify, None, None, &[ev], now)?;
                return Ok(Some(Step::ToVerify { number }));
            }
            Err(e) => {
                // Cannot tell now: leave it `sending` for the next run.
                return Ok(Some(Step::Failed {
                    number,
                    error: e.to_string(),
                    transient: true,
                }));
            }
        }
    }
    // The very bytes, judged again now: the rules are those of the portal.
    let report = check::check_bytes(
        Path::new(&out.file_name),
        out.pdf.len() as u64,
        &out.pdf,
        &Options::default(),
    );
    if !report.accepted() {
        let codes: Vec<&str> = report
            .findings
            .iter()
            .filter(|f| f.severity == crate::finding::Severity::Error)
            .map(|f| f.code.as_str())
            .collect();
        return fail(
            store,
            sub.id,
            &number,
            format!("the file no longer passes the check: {}", codes.join(", ")),
            false,
        )
        .map(Some);
    }
    if let Err(e) = channel.precheck(&out) {
        return fail(store, sub.id, &number, e.to_string(), false).map(Some);
    }
    let claimed = store::now_ms();
    if !store.claim_submission(sub.id, claimed)? {
        return Ok(None);
    }
    on_step(&Step::Sending {
        number: number.clone(),
    });
    let sent = with_retry(retry, store, sub.id, &number, on_step, || {
        channel.send(&out)
    })
    .await;
    match sent {
        Ok(d) => {
            let now = store::now_ms();
            let mut events = portal_events(channel, &d.events);
            // The portal's answer to this delivery cannot precede it: a
            // portal that dates to the minute (Chorus Pro's reports) would
            // otherwise leave the invoice « envoi en cours » behind its own
            // sending event.
            for e in &mut events {
                e.at_ms = e.at_ms.max(claimed);
            }
            if events.is_empty() {
                events.push(store::local_event(Status::Deposited, None, sub.id, now));
            }
            delivered(store, sub, number, d.portal_ref, &events, now).map(Some)
        }
        Err(e) => {
            let transient = e.is_transient();
            fail(store, sub.id, &number, e.to_string(), transient).map(Some)
        }
    }
}

async fn replay<C: Channel>(
    store: &mut Store,
    channel: &C,
    retry: &Retry,
    sub: &OpenSubmission,
    number: String,
    on_step: &mut (dyn FnMut(&Step) + Send),
) -> Result<Option<Step>> {
    let Some(portal_ref) = sub.portal_ref.clone() else {
        return fail(
            store,
            sub.id,
            &number,
            "no portal reference to replay".into(),
            false,
        )
        .map(Some);
    };
    if sub.sending {
        // The portal keeps the refused invoice; asking again is harmless.
        store.requeue_submission(sub.id)?;
    }
    if !store.claim_submission(sub.id, store::now_ms())? {
        return Ok(None);
    }
    let r = with_retry(retry, store, sub.id, &number, on_step, || {
        channel.replay(&portal_ref)
    })
    .await;
    match r {
        Ok(evs) => {
            let now = store::now_ms();
            let events = portal_events(channel, &evs);
            delivered(store, sub, number, portal_ref, &events, now).map(Some)
        }
        Err(e) => {
            // The invoice stays refused at the portal: say so again, with
            // why the replay did not go through (never "checked": it did
            // leave the machine).
            let now = store::now_ms();
            let msg = e.to_string();
            let ev = store::local_event(
                Status::Refused,
                Some(format!(
                    "Mandat absent — rejeu non accepté / replay not accepted: {msg}"
                )),
                sub.id,
                now,
            );
            store.finish_submission(sub.id, Outcome::Failed, None, Some(&msg), &[ev], now)?;
            Ok(Some(Step::Failed {
                number,
                error: msg,
                transient: e.is_transient(),
            }))
        }
    }
}

/// Closes an attempt the portal took, with what it answered.
fn delivered(
    store: &mut Store,
    sub: &OpenSubmission,
    number: String,
    portal_ref: String,
    events: &[NewEvent],
    now: i64,
) -> Result<Step> {
    store.finish_submission(sub.id, Outcome::Sent, Some(&portal_ref), None, events, now)?;
    let status = store
        .invoice(sub.invoice_id)?
        .map(|i| i.status)
        .unwrap_or(Status::Unknown);
    Ok(Step::Sent {
        number,
        portal_ref,
        status,
    })
}

/// Closes a failed attempt; the invoice goes back to "checked" with the
/// reason, so nothing is lost and it can be sent again once fixed.
fn fail(store: &mut Store, id: i64, number: &str, error: String, transient: bool) -> Result<Step> {
    let now = store::now_ms();
    let reason = if transient {
        format!(
            "envoi impossible pour l'instant, réessayez plus tard / could not send for now, try again later: {error}"
        )
    } else {
        format!("envoi refusé / sending refused: {error}")
    };
    let ev = store::local_event(Status::Checked, Some(reason), id, now);
    store.finish_submission(id, Outcome::Failed, None, Some(&error), &[ev], now)?;
    tracing::warn!(number, transient, %error, "submission failed");
    Ok(Step::Failed {
        number: number.to_string(),
        error,
        transient,
    })
}

async fn with_retry<T, F, Fut>(
    retry: &Retry,
    store: &mut Store,
    id: i64,
    number: &str,
    on_step: &mut (dyn FnMut(&Step) + Send),
    mut call: F,
) -> std::result::Result<T, ChannelError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = std::result::Result<T, ChannelError>>,
{
    let mut n = 1;
    loop {
        match call().await {
            Ok(v) => return Ok(v),
            Err(e) if e.is_transient() && n < retry.attempts => {
                let delay = retry.delay(n, e.retry_after());
                on_step(&Step::Retrying {
                    number: number.to_string(),
                    attempt: n,
                    delay_ms: delay.as_millis() as u64,
                    error: e.to_string(),
                });
                tracing::info!(number, attempt = n, delay_ms = delay.as_millis() as u64, error = %e, "retrying");
                if store.count_attempt(id).is_err() {
                    tracing::warn!(number, "could not count the attempt");
                }
                tokio::time::sleep(delay).await;
                n += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

fn source_of<C: Channel>(channel: &C) -> Source {
    if channel.kind() == "mail_deposit" {
        Source::PortalMail
    } else {
        Source::PortalApi
    }
}

fn portal_events<C: Channel>(channel: &C, events: &[PortalEvent]) -> Vec<NewEvent> {
    events
        .iter()
        .map(|e| NewEvent {
            at_ms: e.at_ms,
            source: source_of(channel),
            vocabulary: e.vocabulary,
            raw_status: e.raw_status.clone(),
            raw_reason: e.raw_reason.clone(),
            submission_id: None,
        })
        .collect()
}

/// The invoice as it will leave: the outbox copy (verified against its
/// hash) and what its check read.
fn outgoing(store: &Store, home: &Path, sub: &OpenSubmission) -> Result<Outgoing> {
    let inv = store.invoice(sub.invoice_id)?.ok_or_else(|| {
        OutboxError::Payload(sub.invoice_id.to_string(), "no such invoice".into())
    })?;
    let rel = sub
        .payload
        .as_deref()
        .ok_or_else(|| OutboxError::Payload(inv.number.clone(), "no copy was kept".into()))?;
    let path = home.join(rel);
    let pdf = std::fs::read(&path).map_err(|e| {
        OutboxError::Payload(inv.number.clone(), format!("{}: {e}", path.display()))
    })?;
    let sha = hex(&Sha256::digest(&pdf));
    if sha != inv.sha256 {
        return Err(OutboxError::Payload(
            inv.number.clone(),
            "its content no longer matches what was checked".into(),
        ));
    }
    let (facts, structured) = store
        .latest_report(inv.document_id)?
        .and_then(|v| serde_json::from_value::<ReportFacts>(v).ok())
        .map(|r| (r.facts, r.structured))
        .unwrap_or_default();
    let mut annexes = Vec::new();
    if let Some(json) = &sub.annexes {
        let copies: Vec<AnnexCopy> = serde_json::from_str(json)
            .map_err(|e| OutboxError::Payload(inv.number.clone(), format!("annexes: {e}")))?;
        for c in copies {
            let path = home.join(&c.payload);
            let bytes = std::fs::read(&path).map_err(|e| {
                OutboxError::Payload(inv.number.clone(), format!("{}: {e}", path.display()))
            })?;
            annexes.push(Annex {
                file_name: c.file_name,
                bytes,
            });
        }
    }
    let file_name = Path::new(&inv.path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| format!("{}.pdf", inv.number));
    Ok(Outgoing {
        invoice_id: sub.invoice_id,
        submission_id: sub.id,
        kind: if sub.kind == "resend" {
            SendKind::Resend
        } else {
            SendKind::Submit
        },
        number: inv.number,
        file_name,
        pdf,
        sha256: sha,
        facts,
        structured,
        annexes,
        recipient: sub.recipient.clone(),
    })
}

/// An annex's outbox copy, as listed in `submissions.annexes`.
#[derive(serde::Serialize, serde::Deserialize)]
struct AnnexCopy {
    file_name: String,
    payload: String,
}

/// The parts of a stored report the channels need.
#[derive(serde::Deserialize)]
struct ReportFacts {
    #[serde(default)]
    facts: crate::facts::Facts,
    #[serde(default)]
    structured: Option<check::StructuredSummary>,
}

/// Pulls the portal's statuses for everything this account delivered and
/// records them (each once). Final states are not asked about again.
pub async fn sync<C: Channel>(store: &mut Store, channel: &C, retry: &Retry) -> Result<PullCounts> {
    let account = channel.account().to_string();
    let tracked: Vec<Tracked> = store
        .delivered(&account)?
        .into_iter()
        .filter(|d| {
            !matches!(
                d.status,
                Status::Paid | Status::Rejected | Status::Cancelled
            )
        })
        .map(|d| Tracked {
            invoice_id: d.invoice_id,
            number: d.number,
            portal_ref: d.portal_ref,
        })
        .collect();
    let cursor = store.sync_state(&account)?.and_then(|(c, _)| c);
    let mut n = 1;
    let pulled = loop {
        match channel.pull(&tracked, cursor.as_deref()).await {
            Ok(p) => break p,
            Err(e) if e.is_transient() && n < retry.attempts => {
                tokio::time::sleep(retry.delay(n, e.retry_after())).await;
                n += 1;
            }
            Err(e) => return Err(e.into()),
        }
    };
    for why in &pulled.ignored {
        tracing::warn!(account = %account, "ignored: {why}");
    }
    let source = source_of(channel);
    let events: Vec<PulledEvent> = pulled
        .events
        .iter()
        .map(|e| PulledEvent {
            portal_ref: e.portal_ref.clone(),
            number: e.number.clone(),
            event: NewEvent {
                at_ms: e.at_ms,
                source,
                vocabulary: e.vocabulary,
                raw_status: e.raw_status.clone(),
                raw_reason: e.raw_reason.clone(),
                submission_id: None,
            },
        })
        .collect();
    Ok(store.record_pulled(&account, &events, pulled.cursor.as_deref(), store::now_ms())?)
}

/// The supplier posted a printed invoice (« à imprimer et poster »): it is
/// issued. Returns the new status; an invoice not waiting to be posted is
/// left as it is.
pub fn mark_posted(store: &mut Store, invoice_id: i64, now_ms: i64) -> Result<Status> {
    let inv = store
        .invoice(invoice_id)?
        .ok_or_else(|| OutboxError::Payload(invoice_id.to_string(), "no such invoice".into()))?;
    let last = store.submissions(invoice_id)?.into_iter().next_back();
    let Some(last) = last.filter(|_| inv.status == Status::ToPost) else {
        return Ok(inv.status);
    };
    let mut ev = store::local_event(
        Status::Issued,
        Some("postée par le fournisseur / posted by the supplier".into()),
        last.id,
        now_ms,
    );
    ev.source = Source::Manual;
    store.append_event(invoice_id, &ev, now_ms)?;
    Ok(Status::Issued)
}

/// The user's decision on an invoice left "to verify": it did arrive (it
/// becomes deposited) or it did not (back to checked, to be sent again).
pub fn resolve_to_verify(store: &mut Store, invoice_id: i64, arrived: bool) -> Result<Status> {
    let inv = store
        .invoice(invoice_id)?
        .ok_or_else(|| OutboxError::Payload(invoice_id.to_string(), "no such invoice".into()))?;
    let last = store.submissions(invoice_id)?.into_iter().next_back();
    let Some(last) = last.filter(|_| inv.status == Status::ToVerify) else {
        return Ok(inv.status);
    };
    let now = store::now_ms();
    let (status, reason) = if arrived {
        (
            Status::Deposited,
            "arrivée, vérifié par l'utilisateur / arrived, checked by the user",
        )
    } else {
        (
            Status::Checked,
            "non arrivée, à renvoyer / did not arrive, to send again",
        )
    };
    let mut ev = store::local_event(status, Some(reason.into()), last.id, now);
    ev.source = Source::Manual;
    store.append_event(invoice_id, &ev, now)?;
    Ok(status)
}
