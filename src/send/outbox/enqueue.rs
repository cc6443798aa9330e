//! Putting an invoice in the outbox: the checked bytes copied to
//! `outbox/<sha256>.pdf`, then the attempt opened in the store.
//!
//! Deliberately not here: sending (the outbox's `run`), routing.

use std::fs::File;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{AnnexCopy, OutboxError, Result, hex, io};
use crate::check::Report;
use crate::mirror::lifecycle::Status;
use crate::mirror::store::{NewSubmission, Store, SubmitDecision};
use crate::send::accounts::{self, Account};

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
    target: &crate::send::route::Target,
    annexes: &[PathBuf],
    now_ms: i64,
) -> Result<Enqueued> {
    let account = accounts::resolve(store, Some(&target.account))?;
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
    target: &crate::send::route::Target,
    now_ms: i64,
) -> Result<Enqueued> {
    let Some(inv) = store.invoice(invoice_id)? else {
        return Ok(Enqueued::NoInvoice);
    };
    let account = accounts::resolve(store, Some(&target.account))?;
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
