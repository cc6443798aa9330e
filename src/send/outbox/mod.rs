//! The outbox: how an invoice goes from "checked" to "at the portal"
//! exactly once, and how the portals' answers come back.
//!
//! Every delivery is an attempt in the store: `queued` → `sending` → `sent`
//! | `failed` | `to_verify`. The exact bytes that were checked are copied to
//! `FACTEUR_HOME/outbox/<sha256>.pdf` (`.xml` for an XML invoice) when
//! queued, checked again just before sending, and that copy is what leaves. `sending` is committed before any
//! byte leaves the machine; so after a crash an attempt found `sending` is
//! never resent blindly: the portal is asked whether it holds the invoice
//! (Chorus Pro, the sandbox), and a channel that cannot tell (mail) leaves it
//! "to verify" for the user. Transient failures are retried with exponential
//! backoff and jitter; permanent ones stop with the portal's words. One
//! process at a time works the outbox (a lock file in `FACTEUR_HOME`, freed
//! by the OS even on kill -9).
//!
//! Deliberately not here: the wire protocols ([`crate::send::channel`]), the
//! offline rules ([`crate::check`]), the table layout ([`crate::mirror::store`]),
//! and any printing (callers get [`Step`]s).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::check::{self, Options};
use crate::mirror::lifecycle::Status;
use crate::mirror::store::{
    self, NewEvent, OpenSubmission, Outcome, PullCounts, PulledEvent, Source, Store, StoreError,
};
use crate::send::accounts;
use crate::send::channel::{
    Annex, Channel, ChannelError, Delivered, Lookup, Outgoing, PortalEvent, SendKind, Tracked,
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

mod any;
mod enqueue;

pub use any::AnyChannel;
pub use enqueue::{
    Enqueued, Invoice, Kind, Payload, Request, To, check_correction, copy_payload, destination,
    enqueue,
};

pub(super) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutboxError + '_ {
    move |source| OutboxError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// How failures that did not reach the portal are retried, and how long
/// a portal's "not found" is not believed after an ambiguous failure.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    /// Tries in all, the first included.
    pub attempts: u32,
    pub base: Duration,
    pub cap: Duration,
    /// After an ambiguous failure, a portal still working on the request it
    /// did not answer in time may not list the invoice yet: its "not found"
    /// is believed only once this much time has passed.
    pub settle: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            attempts: 5,
            base: Duration::from_secs(2),
            cap: Duration::from_secs(120),
            settle: Duration::from_secs(120),
        }
    }
}

impl Retry {
    /// The default, with `FACTEUR_RETRY_BASE_MS`, `FACTEUR_RETRY_ATTEMPTS`
    /// and `FACTEUR_AMBIGUOUS_SETTLE_SECONDS` honoured (tests and impatient
    /// users).
    pub fn from_env() -> Retry {
        let mut r = Retry::default();
        if let Some(d) = crate::send::channel::http::env_seconds("FACTEUR_AMBIGUOUS_SETTLE_SECONDS")
        {
            r.settle = d;
        }
        if let Some(ms) = env_u64("FACTEUR_RETRY_BASE_MS") {
            // Never beyond the cap: the doubling then saturates harmlessly.
            r.base = Duration::from_millis(ms).min(r.cap);
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
        if let Some(lock) = OutboxLock::try_acquire(home)? {
            return Ok(lock);
        }
        tracing::info!("another Facteur is working the outbox; waiting");
        let (path, file) = lock_file(home)?;
        file.lock().map_err(io(&path))?;
        Ok(OutboxLock { _file: file })
    }

    /// The lock if no other Facteur is working the outbox right now.
    pub fn try_acquire(home: &Path) -> Result<Option<OutboxLock>> {
        let (path, file) = lock_file(home)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(OutboxLock { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(io(&path)(e)),
        }
    }
}

/// The outbox's lock file, opened (created when missing, never truncated).
fn lock_file(home: &Path) -> Result<(PathBuf, File)> {
    let path = home.join("outbox.lock");
    let file = crate::home::private_file()
        .truncate(false)
        .open(&path)
        .map_err(io(&path))?;
    Ok((path, file))
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
    /// Left `sending`: the portal may hold it and cannot tell yet (or
    /// could not be asked). Never sent again before it answers.
    Waiting {
        number: String,
        why: String,
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
        // A process died while sending this one, or the portal's answer was
        // uncertain: ask before anything else.
        match settle(store, channel, retry, sub, &out, &number, on_step).await? {
            Settled::Done(step) => return Ok(Some(step)),
            Settled::NotThere => store.requeue_submission(sub.id)?,
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
            .filter(|f| f.severity == crate::check::finding::Severity::Error)
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
            // The delivery and its reference are recorded first; only then
            // are the answers that take another call asked for, so a crash
            // in between is settled by the reference.
            store.finish_submission(
                sub.id,
                Outcome::Sent,
                Some(&d.portal_ref),
                None,
                &events,
                now,
            )?;
            confirm(store, channel, &out, &d, claimed).await?;
            sent_step(store, sub, number, d.portal_ref).map(Some)
        }
        Err(e) if e.is_ambiguous() => {
            // The portal may hold it: never sent again on a guess. The
            // attempt stays `sending` and the portal is asked now, then at
            // every later run or sync until it can tell.
            let detail = e.to_string();
            tracing::warn!(number = %number, error = %detail, "ambiguous failure: asking the portal before anything else");
            store.mark_ambiguous(sub.id, &detail, store::now_ms())?;
            let mut sub = sub.clone();
            sub.sending = true;
            sub.ambiguous_ms = Some(store::now_ms());
            let mut out = out;
            out.ambiguous_since_ms = sub.ambiguous_ms;
            match settle(store, channel, retry, &sub, &out, &number, on_step).await? {
                Settled::Done(step) => Ok(Some(step)),
                // Only said once the settling time passed: not now.
                Settled::NotThere => Ok(Some(Step::Waiting {
                    number,
                    why: detail,
                })),
            }
        }
        Err(e) => {
            let transient = e.is_transient();
            fail(store, sub.id, &number, e.to_string(), transient).map(Some)
        }
    }
}

/// What asking the portal about an attempt left `sending` decided.
enum Settled {
    /// Recorded: found at the portal, to verify, or still waiting.
    Done(Step),
    /// The portal does not hold it, and may be believed: send it.
    NotThere,
}

/// Asks the portal whether it holds an attempt left `sending` (a process
/// died while sending, or the answer was ambiguous) and records what that
/// decides. Never sends the invoice.
async fn settle<C: Channel>(
    store: &mut Store,
    channel: &C,
    retry: &Retry,
    sub: &OpenSubmission,
    out: &Outgoing,
    number: &str,
    on_step: &mut (dyn FnMut(&Step) + Send),
) -> Result<Settled> {
    let number = number.to_string();
    let lookup = with_retry(retry, store, sub.id, &number, on_step, || {
        channel.lookup(out)
    })
    .await;
    match lookup {
        Ok(Lookup::Found { portal_ref }) => {
            let now = store::now_ms();
            let ev = store::local_event(
                Status::Deposited,
                Some(
                    "retrouvée sur le portail, sans second envoi / found at the portal, not sent again"
                        .into(),
                ),
                sub.id,
                now,
            );
            store.finish_submission(sub.id, Outcome::Sent, Some(&portal_ref), None, &[ev], now)?;
            tracing::info!(number = %number, portal_ref = %portal_ref, "found at the portal: not sent again");
            Ok(Settled::Done(Step::Recovered { number, portal_ref }))
        }
        Ok(Lookup::NotFound) => {
            let settle_ms = i64::try_from(retry.settle.as_millis()).unwrap_or(i64::MAX);
            match sub.ambiguous_ms {
                Some(since) if store::now_ms().saturating_sub(since) < settle_ms => {
                    let why = format!(
                        "the portal does not list it yet; asked again after {} s",
                        settle_ms / 1000
                    );
                    tracing::info!(number = %number, "{why}");
                    Ok(Settled::Done(Step::Waiting { number, why }))
                }
                _ => {
                    tracing::info!(number = %number, "not at the portal: sending");
                    Ok(Settled::NotThere)
                }
            }
        }
        Ok(Lookup::NotYet { why }) => {
            tracing::info!(number = %number, "the portal cannot tell yet: {why}");
            Ok(Settled::Done(Step::Waiting { number, why }))
        }
        Ok(Lookup::CannotTell) => {
            let now = store::now_ms();
            let ev = store::local_event(
                Status::ToVerify,
                Some("envoi interrompu ou sans réponse claire : vérifiez sur le portail / sending was interrupted or got no clear answer: check on the portal".into()),
                sub.id,
                now,
            );
            store.finish_submission(sub.id, Outcome::ToVerify, None, None, &[ev], now)?;
            Ok(Settled::Done(Step::ToVerify { number }))
        }
        Err(e) => {
            // Cannot tell now: leave it `sending` for the next run or sync.
            let why = format!("the portal could not be asked: {e}");
            tracing::info!(number = %number, "{why}");
            Ok(Settled::Done(Step::Waiting { number, why }))
        }
    }
}

/// The answers that take another call once delivered (a deposit report, an
/// acknowledgement), recorded on the attempt. A failure here is only
/// logged: the delivery stands and the next sync asks again.
async fn confirm<C: Channel>(
    store: &mut Store,
    channel: &C,
    out: &Outgoing,
    d: &Delivered,
    claimed: i64,
) -> Result<()> {
    match channel.after_delivery(out, d).await {
        Ok(evs) if !evs.is_empty() => {
            let mut events = portal_events(channel, &evs);
            for e in &mut events {
                e.at_ms = e.at_ms.max(claimed);
            }
            let now = store::now_ms();
            store.finish_submission(
                out.submission_id,
                Outcome::Sent,
                Some(&d.portal_ref),
                None,
                &events,
                now,
            )?;
        }
        Ok(_) => {}
        Err(e) => {
            tracing::warn!(number = %out.number, "the portal's first answer could not be read yet: {e}")
        }
    }
    Ok(())
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
            // The invoice stays refused at the portal, and in its history:
            // the attempt keeps the portal's answer (`error`, for
            // « Détails »), and whoever asked for the replay says it.
            let now = store::now_ms();
            let msg = e.to_string();
            store.finish_submission(sub.id, Outcome::Failed, None, Some(&msg), &[], now)?;
            Ok(Some(Step::Failed {
                number,
                error: msg,
                transient: e.is_transient(),
            }))
        }
    }
}

/// The step for an attempt recorded as sent, with the invoice's status.
fn sent_step(
    store: &Store,
    sub: &OpenSubmission,
    number: String,
    portal_ref: String,
) -> Result<Step> {
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
    sent_step(store, sub, number, portal_ref)
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
            // Only what surely did not reach the portal is tried again.
            Err(e) if e.kind() == crate::send::channel::Failure::NotSent && n < retry.attempts => {
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
    let sha = crate::hex::sha256(&pdf);
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
        ambiguous_since_ms: sub.ambiguous_ms,
    })
}

/// An annex's outbox copy, as listed in `submissions.annexes`.
#[derive(serde::Serialize, serde::Deserialize)]
pub(super) struct AnnexCopy {
    pub(super) file_name: String,
    pub(super) payload: String,
}

/// The parts of a stored report the channels need.
#[derive(serde::Deserialize)]
struct ReportFacts {
    #[serde(default)]
    facts: crate::check::facts::Facts,
    #[serde(default, deserialize_with = "check::structured_from_json")]
    structured: Option<check::StructuredSummary>,
}

/// Asks the portal about every attempt of this account left `sending`
/// (an ambiguous answer, a process that died): found → sent, to verify, or
/// still waiting; one the portal surely does not hold goes back to the
/// queue for the next run. Only when no other Facteur is working the
/// outbox (it would settle them itself). Never sends an invoice.
pub async fn settle_waiting<C: Channel>(
    store: &mut Store,
    home: &Path,
    channel: &C,
    retry: &Retry,
) -> Result<Vec<Step>> {
    let waiting: Vec<OpenSubmission> = store
        .open_submissions(Some(channel.account()))?
        .into_iter()
        .filter(|s| s.sending && s.kind != "replay")
        .collect();
    if waiting.is_empty() {
        return Ok(Vec::new());
    }
    let Some(_lock) = OutboxLock::try_acquire(home)? else {
        return Ok(Vec::new());
    };
    let mut steps = Vec::new();
    let mut quiet = |_: &Step| {};
    for sub in waiting {
        let Some(inv) = store.invoice(sub.invoice_id)? else {
            continue;
        };
        let out = match outgoing(store, home, &sub) {
            Ok(out) => out,
            Err(e) => {
                tracing::warn!(number = %inv.number, "cannot ask the portal: {e}");
                continue;
            }
        };
        match settle(store, channel, retry, &sub, &out, &inv.number, &mut quiet).await? {
            Settled::Done(step) => steps.push(step),
            Settled::NotThere => store.requeue_submission(sub.id)?,
        }
    }
    Ok(steps)
}

/// Pulls the portal's statuses for everything this account delivered and
/// records them (each once), after asking it about the attempts left
/// waiting on a question ([`settle_waiting`]). Final states are not asked
/// about again.
pub async fn sync<C: Channel>(
    store: &mut Store,
    home: &Path,
    channel: &C,
    retry: &Retry,
) -> Result<PullCounts> {
    sync_with_progress(store, home, channel, retry, &mut |_| {}).await
}

/// Where a sync stands, after each batch a portal gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncProgress {
    /// Batches recorded so far.
    pub batches: u32,
    /// Events brought back so far.
    pub events: usize,
    /// What the portal says remains, when it says.
    pub remaining: Option<u64>,
}

/// The most batches one sync reads (a portal that always says "more"
/// cannot keep it going for ever); the rest waits for the next sync.
const MAX_BATCHES: u32 = 10_000;

/// [`sync`], calling `progress` after each batch is recorded: a portal
/// with much to tell (a mailbox of thousands of mails) is read batch after
/// batch, each batch's events and cursor recorded together before the
/// next is asked for, so an interruption loses nothing already read.
pub async fn sync_with_progress<C: Channel>(
    store: &mut Store,
    home: &Path,
    channel: &C,
    retry: &Retry,
    progress: &mut (dyn FnMut(&SyncProgress) + Send),
) -> Result<PullCounts> {
    for step in settle_waiting(store, home, channel, retry).await? {
        tracing::info!(account = %channel.account(), "settled: {step:?}");
    }
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
    let mut total = PullCounts::default();
    let mut seen = SyncProgress {
        batches: 0,
        events: 0,
        remaining: None,
    };
    loop {
        let (counts, more, remaining, events) =
            sync_batch(store, channel, retry, &account, &tracked).await?;
        total.added += counts.added;
        total.known += counts.known;
        total.unmatched += counts.unmatched;
        for id in counts.changed {
            if !total.changed.contains(&id) {
                total.changed.push(id);
            }
        }
        seen.batches += 1;
        seen.events += events;
        seen.remaining = remaining;
        progress(&seen);
        if !more || seen.batches >= MAX_BATCHES {
            break;
        }
    }
    Ok(total)
}

/// One pull from the stored cursor, recorded with its new cursor in one
/// transaction. Returns the counts, whether the portal has more, what it
/// says remains, and how many events came.
async fn sync_batch<C: Channel>(
    store: &mut Store,
    channel: &C,
    retry: &Retry,
    account: &str,
    tracked: &[Tracked],
) -> Result<(PullCounts, bool, Option<u64>, usize)> {
    let cursor = store.sync_state(account)?.and_then(|(c, _)| c);
    let mut n = 1;
    let pulled = loop {
        match channel.pull(tracked, cursor.as_deref()).await {
            Ok(p) => break p,
            // Only what surely did not reach the portal is tried again.
            Err(e) if e.kind() == crate::send::channel::Failure::NotSent && n < retry.attempts => {
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
    let counts =
        store.record_pulled(account, &events, pulled.cursor.as_deref(), store::now_ms())?;
    // A cursor that did not move cannot bring more: stop rather than loop.
    let more = pulled.more && pulled.cursor.is_some() && pulled.cursor != cursor;
    Ok((counts, more, pulled.remaining, events.len()))
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
