//! Putting an invoice in the outbox: the checked bytes copied to
//! `outbox/<sha256>.pdf` (`.xml` for an XML invoice), then the attempt
//! opened in the store. One entry point, [`enqueue`], takes a typed
//! [`Request`]: which invoice (a checked file or an invoice already
//! recorded), where it goes (an account, or the target routing chose) and
//! as what (a submission, the correction of a rejected invoice, a replay).
//!
//! Deliberately not here: recording a check together with its attempt
//! (that is one store transaction the intake pipeline opens, with
//! [`copy_payload`] done first), sending (the outbox's `run`), and
//! routing.

use std::path::{Path, PathBuf};

use super::{AnnexCopy, OutboxError, Result, io};
use crate::check::Report;
use crate::check::facts::FactKey;
use crate::mirror::lifecycle::Status;
use crate::mirror::store::{NewSubmission, Store, SubmitDecision};
use crate::send::accounts::{self, Account};
use crate::send::route::Target;

/// What queueing one invoice did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "queued")]
pub enum Enqueued {
    Queued {
        invoice_id: i64,
        submission_id: i64,
        /// The account it goes through.
        account: String,
    },
    /// The store says no (check failed, already sent, duplicate…).
    Refused(SubmitDecision),
    /// The file carries no invoice number: nothing to send.
    NoInvoice,
    /// The file changed on disk since it was checked.
    Changed,
}

/// Which invoice to queue.
#[derive(Debug, Clone, Copy)]
pub enum Invoice<'a> {
    /// A checked file whose check is recorded (`invoice_id` is what
    /// recording returned): its bytes must still be the checked ones.
    Checked {
        report: &'a Report,
        invoice_id: Option<i64>,
    },
    /// An invoice already recorded, by its id (the window's « Envoyer »):
    /// its file is read again from where it was found and must still be
    /// the very bytes that were checked.
    Recorded(i64),
}

/// Where it goes.
#[derive(Debug, Clone, Copy)]
pub enum To<'a> {
    /// Through this account.
    Account(&'a Account),
    /// Where routing sent it: the target's account, with the customer's
    /// address for a direct e-mail.
    Routed(&'a Target),
}

/// What the attempt is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A first submission.
    Submit,
    /// A corrected invoice that replaces invoice `of`, which the portal
    /// rejected (or refused for another reason than the mandate): it must
    /// carry a new number, as the portals require.
    Correction { of: i64 },
    /// « Rejeu » of an invoice refused for « Mandat absent », through the
    /// account that delivered it.
    Replay,
}

impl Kind {
    /// The attempt's kind as the store keeps it.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Submit => "submit",
            Kind::Correction { .. } => "resend",
            Kind::Replay => "replay",
        }
    }
}

/// One thing to queue.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub invoice: Invoice<'a>,
    /// `None`: the built-in demonstration account. A replay always goes
    /// through the account that delivered the invoice: `to` is not used.
    pub to: Option<To<'a>>,
    pub kind: Kind,
    /// Files that go with the invoice (a mail deposit sends each as its
    /// own attachment); they are copied into the outbox too.
    pub annexes: &'a [PathBuf],
}

impl Request<'_> {
    /// A replay of the recorded invoice `invoice_id`.
    pub fn replay(invoice_id: i64) -> Request<'static> {
        Request {
            invoice: Invoice::Recorded(invoice_id),
            to: None,
            kind: Kind::Replay,
            annexes: &[],
        }
    }
}

/// Queues one invoice: checks the store allows it, copies the exact bytes
/// (and the annexes) into the outbox folder, then opens the attempt. A
/// correction is checked first ([`check_correction`]) and, once queued,
/// the rejected invoice is marked corrected by this one.
pub fn enqueue(store: &mut Store, home: &Path, req: &Request<'_>, now_ms: i64) -> Result<Enqueued> {
    if req.kind == Kind::Replay {
        let id = match req.invoice {
            Invoice::Recorded(id) => id,
            Invoice::Checked {
                invoice_id: Some(id),
                ..
            } => id,
            Invoice::Checked {
                invoice_id: None, ..
            } => return Ok(Enqueued::NoInvoice),
        };
        return replay(store, id, now_ms);
    }
    let (invoice_id, path, sha, number) = match req.invoice {
        Invoice::Checked { report, invoice_id } => {
            let Some(id) = invoice_id else {
                return Ok(Enqueued::NoInvoice);
            };
            let Some(sha) = report.sha256.clone() else {
                return Ok(Enqueued::Changed);
            };
            let number = report.facts.get(FactKey::InvoiceNumber).map(str::to_string);
            (id, PathBuf::from(&report.path), sha, number)
        }
        Invoice::Recorded(id) => {
            let Some(inv) = store.invoice(id)? else {
                return Ok(Enqueued::NoInvoice);
            };
            (id, PathBuf::from(&inv.path), inv.sha256, Some(inv.number))
        }
    };
    if let Kind::Correction { of } = req.kind {
        check_correction(store, of, number.as_deref())?;
    }
    match store.can_submit(invoice_id)? {
        SubmitDecision::Allowed => {}
        other => return Ok(Enqueued::Refused(other)),
    }
    let Some(payload) = copy_payload(home, &path, &sha, req.annexes)? else {
        return Ok(Enqueued::Changed);
    };
    let (account, recipient) = destination(store, req.to)?;
    let q = NewSubmission {
        invoice_id,
        kind: req.kind.as_str(),
        channel: account.kind.as_str(),
        account: &account.name,
        portal_ref: None,
        payload: Some(&payload.path),
        annexes: payload.annexes.as_deref(),
        recipient: recipient.as_deref(),
    };
    let Some(submission_id) = store.queue_submission(&q, now_ms)? else {
        return Ok(Enqueued::Refused(store.can_submit(invoice_id)?));
    };
    if let Kind::Correction { of } = req.kind {
        store.mark_corrected(of, invoice_id)?;
    }
    Ok(Enqueued::Queued {
        invoice_id,
        submission_id,
        account: account.name,
    })
}

/// The account a destination names, and the customer's address for a
/// direct e-mail.
pub fn destination(store: &Store, to: Option<To<'_>>) -> Result<(Account, Option<String>)> {
    Ok(match to {
        Some(To::Account(a)) => (a.clone(), None),
        Some(To::Routed(t)) => (
            accounts::resolve(store, Some(&t.account))?,
            t.recipient.clone(),
        ),
        None => (accounts::resolve(store, None)?, None),
    })
}

/// Whether invoice `of` may be corrected by an invoice numbered
/// `new_number`: only a rejected invoice, or one refused for another reason
/// than « Mandat absent », and only by a new number.
pub fn check_correction(store: &Store, of: i64, new_number: Option<&str>) -> Result<()> {
    let old = store
        .invoice(of)?
        .ok_or_else(|| OutboxError::NotCorrectable(of.to_string()))?;
    let correctable = match old.status {
        Status::Rejected => true,
        Status::Refused => old.reason_code.as_deref() != Some("MANDAT_ABSENT"),
        _ => false,
    };
    if !correctable {
        return Err(OutboxError::NotCorrectable(old.number));
    }
    if new_number.is_some_and(|n| n == old.number) {
        return Err(OutboxError::SameNumber(old.number));
    }
    Ok(())
}

/// The outbox copies of one invoice, written before its attempt is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    /// `outbox/<sha256>.pdf`, relative to `FACTEUR_HOME`.
    pub path: String,
    /// The JSON list of the annexes' copies, when there are annexes.
    pub annexes: Option<String>,
}

/// Copies the file at `src` into `outbox/<sha256>.pdf` (`.xml` for a
/// standalone XML invoice, so the copy says what it holds) when its bytes
/// are still the checked ones (SHA-256 `sha`), and each annex beside it.
/// `None` when the file changed since it was checked. A copy left without
/// an attempt (the attempt was then refused, or the process died) is
/// harmless: the same content always makes the same copy.
pub fn copy_payload(
    home: &Path,
    src: &Path,
    sha: &str,
    annexes: &[PathBuf],
) -> Result<Option<Payload>> {
    // The checked file, read no further than the checker would: one that
    // became larger (or a device) is not the checked one.
    let limit = crate::check::Options::default().parse_ceiling;
    let bytes = crate::check::open_regular(src)
        .and_then(|f| crate::check::read_at_most(f, limit))
        .map_err(io(src))?;
    if crate::hex::sha256(&bytes) != sha {
        return Ok(None);
    }
    let ext = match crate::pdf::sniff(&bytes) {
        crate::pdf::Sniff::Pdf(_) => "pdf",
        // Only a PDF or an XML invoice passes the check.
        crate::pdf::Sniff::NotPdf(_) => "xml",
    };
    let rel = format!("outbox/{sha}.{ext}");
    write_payload(&home.join(&rel), &bytes)?;
    let mut kept = Vec::new();
    for a in annexes {
        let bytes = crate::check::open_regular(a)
            .and_then(|f| crate::check::read_at_most(f, limit))
            .map_err(io(a))?;
        let file_name = a
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "annexe".into());
        let ext = a
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let payload = format!("outbox/{}.{ext}", crate::hex::sha256(&bytes));
        write_payload(&home.join(&payload), &bytes)?;
        kept.push(AnnexCopy { file_name, payload });
    }
    let annexes = if kept.is_empty() {
        None
    } else {
        Some(serde_json::to_string(&kept).expect("plain strings serialise"))
    };
    Ok(Some(Payload { path: rel, annexes }))
}

/// Queues a replay (« Rejeu ») of an invoice refused for « Mandat absent »,
/// through the account that delivered it.
fn replay(store: &mut Store, invoice_id: i64, now_ms: i64) -> Result<Enqueued> {
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
        kind: Kind::Replay.as_str(),
        channel: &last.channel,
        account: &account,
        portal_ref: last.portal_ref.as_deref(),
        payload: None,
        annexes: None,
        recipient: None,
    };
    let submission_id = store
        .queue_submission(&q, now_ms)?
        .ok_or_else(|| OutboxError::NotReplayable(inv.number.clone()))?;
    Ok(Enqueued::Queued {
        invoice_id,
        submission_id,
        account,
    })
}

fn write_payload(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Ok(existing) = std::fs::read(path)
        && existing == bytes
    {
        return Ok(());
    }
    let dir = path.parent().expect("outbox/<sha>.pdf has a parent");
    crate::home::create_private_dir(dir).map_err(io(dir))?;
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    {
        use std::io::Write as _;
        // Invoices: readable by their owner only.
        let mut f = crate::home::private_file().open(&tmp).map_err(io(&tmp))?;
        f.write_all(bytes).map_err(io(&tmp))?;
        f.sync_all().map_err(io(&tmp))?;
    }
    std::fs::rename(&tmp, path).map_err(io(path))
}
