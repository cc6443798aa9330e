//! The outbox's crash recovery, step by step: a database left exactly as a
//! process killed at each point of a delivery would leave it, then the next
//! run. The sandbox portal runs in this process on loopback; the store is a
//! real SQLite file.

use std::path::Path;
use std::sync::Mutex;

use facteur::check::{Options, check_file};
use facteur::demo::sample::{SampleInvoice, invoice_pdf};
use facteur::demo::sandbox::{Sandbox, Timing};
use facteur::demo::sandbox_server;
use facteur::mirror::lifecycle::{Status, Vocabulary};
use facteur::mirror::store::{self, Store};
use facteur::send::accounts::Account;
use facteur::send::channel::sandbox::SandboxChannel;
use facteur::send::channel::{
    Channel, ChannelError, Delivered, Lookup, Outgoing, PortalEvent, Pulled, Tracked,
};
use facteur::send::outbox::{self, AnyChannel, Enqueued, Retry, Step};

const SLOW: Timing = Timing {
    videocodage_ms: 60_000,
    step_ms: 60_000,
};

fn fast() -> Retry {
    Retry {
        attempts: 3,
        base: std::time::Duration::from_millis(5),
        cap: std::time::Duration::from_millis(20),
        settle: std::time::Duration::ZERO,
    }
}

async fn portal() -> String {
    let listener = sandbox_server::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(sandbox_server::serve(
        listener,
        Sandbox::with_demo_customers(SLOW),
        None,
        std::future::pending(),
    ));
    format!("http://{addr}")
}

fn account(url: &str) -> Account {
    Account {
        name: "demo".into(),
        kind: facteur::send::accounts::Kind::Sandbox,
        settings: [("url".to_string(), url.to_string())].into(),
        secret_fields: vec![],
    }
}

/// Checks, records and queues invoice `n`; returns (invoice id, attempt id).
fn queue(store: &mut Store, home: &Path, dir: &Path, n: u32, account: &Account) -> (i64, i64) {
    let path = dir.join(format!("f-{n}.pdf"));
    std::fs::write(&path, invoice_pdf(&SampleInvoice::example(n), false)).unwrap();
    let report = check_file(&path, &Options::default()).unwrap();
    let rec = store.record_check(&report, store::now_ms()).unwrap();
    match outbox::enqueue(
        store,
        home,
        &outbox::Request {
            invoice: outbox::Invoice::Checked {
                report: &report,
                invoice_id: rec.invoice_id,
            },
            to: Some(outbox::To::Account(account)),
            kind: outbox::Kind::Submit,
            annexes: &[],
        },
        store::now_ms(),
    )
    .unwrap()
    {
        Enqueued::Queued {
            invoice_id,
            submission_id,
            ..
        } => (invoice_id, submission_id),
        other => panic!("not queued: {other:?}"),
    }
}

fn steps_of(v: &[Step]) -> Vec<&'static str> {
    v.iter()
        .map(|s| match s {
            Step::Sending { .. } => "sending",
            Step::Retrying { .. } => "retrying",
            Step::Sent { .. } => "sent",
            Step::Recovered { .. } => "recovered",
            Step::Failed { .. } => "failed",
            Step::ToVerify { .. } => "to_verify",
            Step::Waiting { .. } => "waiting",
        })
        .collect()
}

async fn deposits(url: &str, number: &str) -> usize {
    facteur::send::channel::install_crypto();
    let v: serde_json::Value = reqwest::Client::new()
        .get(format!("{url}/api/v1/deposits"))
        .query(&[("number", number), ("seller", "732829320")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v.as_array().unwrap().len()
}

#[tokio::test]
async fn killed_after_claiming_but_before_sending_it_is_sent_once_on_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let url = portal().await;
    let acc = account(&url);
    let mut store = Store::open_home(tmp.path()).unwrap();
    let (inv, sub) = queue(&mut store, tmp.path(), tmp.path(), 1, &acc);
    // The process committed `sending`, then died before any byte left.
    assert!(store.claim_submission(sub, store::now_ms()).unwrap());
    assert_eq!(store.invoice(inv).unwrap().unwrap().status, Status::Sending);

    let ch = AnyChannel::for_account(&acc, &NoSecrets).unwrap();
    let steps = outbox::run(&mut store, tmp.path(), &ch, &fast(), &mut |_| {})
        .await
        .unwrap();
    // Asked the portal first (not there), then sent.
    assert_eq!(steps_of(&steps), ["sent"]);
    assert_eq!(deposits(&url, "F-2026-0001").await, 1);
    assert_eq!(
        store.invoice(inv).unwrap().unwrap().status,
        Status::Deposited
    );
    // Nothing open remains; a further run sends nothing.
    let again = outbox::run(&mut store, tmp.path(), &ch, &fast(), &mut |_| {})
        .await
        .unwrap();
    assert!(again.is_empty());
    assert_eq!(deposits(&url, "F-2026-0001").await, 1);
}

#[tokio::test]
async fn killed_after_the_portal_took_it_it_is_found_there_and_not_resent() {
    let tmp = tempfile::tempdir().unwrap();
    let url = portal().await;
    let acc = account(&url);
    let mut store = Store::open_home(tmp.path()).unwrap();
    let (inv, sub) = queue(&mut store, tmp.path(), tmp.path(), 2, &acc);
    assert!(store.claim_submission(sub, store::now_ms()).unwrap());
    // The portal received it; the process died before recording that.
    let pdf = std::fs::read(tmp.path().join("f-2.pdf")).unwrap();
    let ch = SandboxChannel::new("demo", &url).unwrap();
    let report = check_file(&tmp.path().join("f-2.pdf"), &Options::default()).unwrap();
    let out = Outgoing {
        invoice_id: inv,
        submission_id: sub,
        kind: facteur::send::channel::SendKind::Submit,
        number: "F-2026-0002".into(),
        file_name: "f-2.pdf".into(),
        pdf,
        sha256: report.sha256.clone().unwrap(),
        facts: report.facts.clone(),
        structured: None,
        annexes: vec![],
        recipient: None,
        ambiguous_since_ms: None,
    };
    ch.send(&out).await.unwrap();
    assert_eq!(deposits(&url, "F-2026-0002").await, 1);

    let any = AnyChannel::for_account(&acc, &NoSecrets).unwrap();
    let steps = outbox::run(&mut store, tmp.path(), &any, &fast(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(steps_of(&steps), ["recovered"]);
    assert_eq!(deposits(&url, "F-2026-0002").await, 1, "sent twice");
    let subs = store.submissions(inv).unwrap();
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0].outcome, "sent");
    assert!(subs[0].portal_ref.as_deref().unwrap().starts_with("SBX-"));
    assert_eq!(
        store.invoice(inv).unwrap().unwrap().status,
        Status::Deposited
    );
}

/// A channel that can never tell whether the portal got something (like a
/// mailbox) and records what it was asked to send.
struct Mailbox {
    sent: Mutex<Vec<String>>,
    /// What the mailbox holds for `pull`.
    inbox: Vec<PortalEvent>,
}

impl Mailbox {
    fn empty() -> Mailbox {
        Mailbox {
            sent: Mutex::new(vec![]),
            inbox: vec![],
        }
    }
}

/// The mail-deposit account the [`Mailbox`] stands for.
fn mailbox_account() -> Account {
    Account {
        name: "mailbox".into(),
        kind: facteur::send::accounts::Kind::MailDeposit,
        settings: Default::default(),
        secret_fields: vec![],
    }
}

impl Channel for Mailbox {
    fn kind(&self) -> &'static str {
        "mail_deposit"
    }
    fn account(&self) -> &str {
        "mailbox"
    }
    fn vocabulary(&self) -> Vocabulary {
        Vocabulary::Generix
    }
    fn precheck(&self, _: &Outgoing) -> Result<(), ChannelError> {
        Ok(())
    }
    async fn send(&self, out: &Outgoing) -> Result<Delivered, ChannelError> {
        self.sent.lock().unwrap().push(out.number.clone());
        Ok(Delivered {
            portal_ref: format!("<{}@test>", out.number),
            events: vec![],
        })
    }
    async fn lookup(&self, _: &Outgoing) -> Result<Lookup, ChannelError> {
        Ok(Lookup::CannotTell)
    }
    async fn replay(&self, _: &str) -> Result<Vec<PortalEvent>, ChannelError> {
        Err(ChannelError::Unsupported("replay"))
    }
    async fn pull(&self, _: &[Tracked], cursor: Option<&str>) -> Result<Pulled, ChannelError> {
        // The cursor is how many messages were already read.
        let seen: usize = cursor.and_then(|c| c.parse().ok()).unwrap_or(0);
        Ok(Pulled {
            events: self.inbox.iter().skip(seen).cloned().collect(),
            cursor: Some(self.inbox.len().to_string()),
            ..Pulled::default()
        })
    }
}

#[tokio::test]
async fn a_mail_interrupted_while_sending_becomes_to_verify_and_the_user_decides() {
    let tmp = tempfile::tempdir().unwrap();
    let acc = mailbox_account();
    let mut store = Store::open_home(tmp.path()).unwrap();
    let (inv, sub) = queue(&mut store, tmp.path(), tmp.path(), 3, &acc);
    let (inv2, _) = queue(&mut store, tmp.path(), tmp.path(), 4, &acc);
    assert!(store.claim_submission(sub, store::now_ms()).unwrap());
    let ch = Mailbox::empty();
    let steps = outbox::run(&mut store, tmp.path(), &ch, &fast(), &mut |_| {})
        .await
        .unwrap();
    // The interrupted one is not resent blindly; the queued one goes.
    assert_eq!(steps_of(&steps), ["to_verify", "sent"]);
    assert_eq!(*ch.sent.lock().unwrap(), ["F-2026-0004"]);
    assert_eq!(
        store.invoice(inv).unwrap().unwrap().status,
        Status::ToVerify
    );
    // No portal answer yet for a mail: Facteur's own « déposée ».
    assert_eq!(
        store.invoice(inv2).unwrap().unwrap().status,
        Status::Deposited
    );

    // The user looked: it never arrived. It may be sent again, once.
    assert_eq!(
        outbox::resolve_to_verify(&mut store, inv, false).unwrap(),
        Status::Checked
    );
    let path = tmp.path().join("f-3.pdf");
    let report = check_file(&path, &Options::default()).unwrap();
    let e = outbox::enqueue(
        &mut store,
        tmp.path(),
        &outbox::Request {
            invoice: outbox::Invoice::Checked {
                report: &report,
                invoice_id: Some(inv),
            },
            to: Some(outbox::To::Account(&acc)),
            kind: outbox::Kind::Submit,
            annexes: &[],
        },
        store::now_ms(),
    )
    .unwrap();
    assert!(matches!(e, Enqueued::Queued { .. }), "{e:?}");
    let steps = outbox::run(&mut store, tmp.path(), &ch, &fast(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(steps_of(&steps), ["sent"]);
    assert_eq!(*ch.sent.lock().unwrap(), ["F-2026-0004", "F-2026-0003"]);
    // Once delivered, never queued again.
    let e = outbox::enqueue(
        &mut store,
        tmp.path(),
        &outbox::Request {
            invoice: outbox::Invoice::Checked {
                report: &report,
                invoice_id: Some(inv),
            },
            to: Some(outbox::To::Account(&acc)),
            kind: outbox::Kind::Submit,
            annexes: &[],
        },
        store::now_ms(),
    )
    .unwrap();
    assert!(matches!(e, Enqueued::Refused(_)), "{e:?}");
}

#[tokio::test]
async fn the_outbox_copy_is_what_leaves_even_if_the_original_is_deleted() {
    let tmp = tempfile::tempdir().unwrap();
    let url = portal().await;
    let acc = account(&url);
    let mut store = Store::open_home(tmp.path()).unwrap();
    let (inv, _) = queue(&mut store, tmp.path(), tmp.path(), 5, &acc);
    std::fs::remove_file(tmp.path().join("f-5.pdf")).unwrap();
    let ch = AnyChannel::for_account(&acc, &NoSecrets).unwrap();
    let steps = outbox::run(&mut store, tmp.path(), &ch, &fast(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(steps_of(&steps), ["sent"]);
    assert_eq!(
        store.invoice(inv).unwrap().unwrap().status,
        Status::Deposited
    );

    // An altered outbox copy is never sent.
    let (inv6, _) = queue(&mut store, tmp.path(), tmp.path(), 6, &acc);
    let sha = store.invoice(inv6).unwrap().unwrap().sha256;
    let copy = tmp.path().join(format!("outbox/{sha}.pdf"));
    let mut bytes = std::fs::read(&copy).unwrap();
    bytes.extend_from_slice(b"\n% tampered\n");
    std::fs::write(&copy, bytes).unwrap();
    let steps = outbox::run(&mut store, tmp.path(), &ch, &fast(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(steps_of(&steps), ["failed"]);
    assert_eq!(deposits(&url, "F-2026-0006").await, 0);
    assert_eq!(
        store.invoice(inv6).unwrap().unwrap().status,
        Status::Checked
    );
}

#[test]
fn backoff_doubles_with_jitter_and_respects_the_cap_and_retry_after() {
    let r = Retry {
        attempts: 5,
        base: std::time::Duration::from_millis(100),
        cap: std::time::Duration::from_millis(1_000),
        settle: std::time::Duration::ZERO,
    };
    for _ in 0..200 {
        let d1 = r.delay(1, None).as_millis();
        let d3 = r.delay(3, None).as_millis();
        let d9 = r.delay(9, None).as_millis();
        assert!((50..=100).contains(&d1), "{d1}");
        assert!((200..=400).contains(&d3), "{d3}");
        assert!((500..=1_000).contains(&d9), "{d9}");
    }
    // Jitter: not every delay is the same.
    let all: std::collections::HashSet<u128> =
        (0..50).map(|_| r.delay(3, None).as_millis()).collect();
    assert!(all.len() > 5);
    let ra = std::time::Duration::from_millis(700);
    assert_eq!(r.delay(1, Some(ra)), ra);
    assert_eq!(r.delay(1, Some(std::time::Duration::from_secs(60))), r.cap);
}

struct NoSecrets;

impl facteur::send::accounts::SecretStore for NoSecrets {
    fn set(&self, _: &str, _: &str, _: &str) -> Result<(), facteur::send::accounts::AccountError> {
        Ok(())
    }
    fn get(
        &self,
        _: &str,
        _: &str,
    ) -> Result<Option<String>, facteur::send::accounts::AccountError> {
        Ok(None)
    }
    fn delete(&self, _: &str, _: &str) -> Result<(), facteur::send::accounts::AccountError> {
        Ok(())
    }
}

fn mail(number: &str, status: &str, reason: Option<&str>, at_ms: i64) -> PortalEvent {
    PortalEvent {
        portal_ref: None,
        number: Some(number.into()),
        at_ms,
        vocabulary: Vocabulary::Generix,
        raw_status: status.into(),
        raw_reason: reason.map(str::to_string),
    }
}

#[tokio::test]
async fn mailed_answers_are_matched_by_number_kept_when_unknown_and_read_once() {
    let tmp = tempfile::tempdir().unwrap();
    let acc = mailbox_account();
    let mut store = Store::open_home(tmp.path()).unwrap();
    let (a, _) = queue(&mut store, tmp.path(), tmp.path(), 8, &acc);
    let (b, _) = queue(&mut store, tmp.path(), tmp.path(), 9, &acc);
    let mut ch = Mailbox::empty();
    outbox::run(&mut store, tmp.path(), &ch, &fast(), &mut |_| {})
        .await
        .unwrap();
    let later = store::now_ms() + 1_000;
    ch.inbox = vec![
        mail("F-2026-0008", "vidéocodage en cours", None, later),
        mail("F-2026-0009", "refusée", Some("Mandat absent"), later),
        mail("F-2026-0008", "émise", None, later + 1),
        // Not an invoice of ours: kept apart, not dropped.
        mail(
            "F-1999-0001",
            "rejetée",
            Some("Le client référencé n'existe pas"),
            later,
        ),
    ];
    let c = outbox::sync(&mut store, tmp.path(), &ch, &fast())
        .await
        .unwrap();
    assert_eq!((c.added, c.known, c.unmatched), (3, 0, 1));
    assert_eq!(store.invoice(a).unwrap().unwrap().status, Status::Issued);
    let inv_b = store.invoice(b).unwrap().unwrap();
    assert_eq!(inv_b.status, Status::Refused);
    assert_eq!(inv_b.reason_code.as_deref(), Some("MANDAT_ABSENT"));
    let unmatched = store.unmatched(10).unwrap();
    assert_eq!(unmatched.len(), 1);
    assert_eq!(unmatched[0].number.as_deref(), Some("F-1999-0001"));
    // The cursor was saved: the same mails are not read again.
    let c = outbox::sync(&mut store, tmp.path(), &ch, &fast())
        .await
        .unwrap();
    assert_eq!((c.added, c.known, c.unmatched), (0, 0, 0));
    // A mailbox re-read from the start (UIDVALIDITY changed) adds nothing twice.
    store
        .record_pulled("mailbox", &[], Some("0"), store::now_ms())
        .unwrap();
    let c = outbox::sync(&mut store, tmp.path(), &ch, &fast())
        .await
        .unwrap();
    assert_eq!((c.added, c.known, c.unmatched), (0, 3, 0));
    assert_eq!(store.unmatched(10).unwrap().len(), 1);
}

#[tokio::test]
async fn a_portals_doublon_about_a_second_deposit_never_becomes_the_status() {
    let tmp = tempfile::tempdir().unwrap();
    let acc = mailbox_account();
    let mut store = Store::open_home(tmp.path()).unwrap();
    let (a, _) = queue(&mut store, tmp.path(), tmp.path(), 10, &acc);
    let (b, _) = queue(&mut store, tmp.path(), tmp.path(), 11, &acc);
    let mut ch = Mailbox::empty();
    outbox::run(&mut store, tmp.path(), &ch, &fast(), &mut |_| {})
        .await
        .unwrap();
    let later = store::now_ms() + 1_000;
    ch.inbox = vec![
        // The portal's refusal of a second copy of A comes first in the
        // mailbox and is the latest answer; its first deposit was taken.
        mail("F-2026-0010", "refusée", Some("Doublon"), later + 5),
        mail("F-2026-0010", "émise", None, later),
        // B's only answer is « Doublon »: a real duplicate (sent some other
        // way), which must show.
        mail("F-2026-0011", "refusée", Some("Doublon"), later),
    ];
    let c = outbox::sync(&mut store, tmp.path(), &ch, &fast())
        .await
        .unwrap();
    assert_eq!(c.added, 3, "every answer is kept");
    let inv_a = store.invoice(a).unwrap().unwrap();
    assert_eq!(inv_a.status, Status::Issued, "A follows its first deposit");
    let history = store.history(a).unwrap();
    assert!(
        history
            .iter()
            .any(|e| e.reason_code.as_deref() == Some("DOUBLON")),
        "the refusal is kept in A's history: {history:?}"
    );
    assert!(
        history
            .iter()
            .filter(|e| e.reason_code.as_deref() == Some("DOUBLON"))
            .all(|e| e.secondary),
        "marked as about a second deposit: {history:?}"
    );
    let inv_b = store.invoice(b).unwrap().unwrap();
    assert_eq!(inv_b.status, Status::Refused);
    assert_eq!(inv_b.reason_code.as_deref(), Some("DOUBLON"));
    // Only B's refusal is announced (the window's notifications follow
    // these events).
    let announced: Vec<i64> = store
        .events_after(0, &[Status::Refused])
        .unwrap()
        .into_iter()
        .map(|(invoice, _)| invoice)
        .collect();
    assert_eq!(announced, [b]);
    // A later doublon for A, in another sync, changes nothing either.
    ch.inbox = vec![mail(
        "F-2026-0010",
        "refusée",
        Some("Doublon"),
        later + 60_000,
    )];
    outbox::sync(&mut store, tmp.path(), &ch, &fast())
        .await
        .unwrap();
    assert_eq!(store.invoice(a).unwrap().unwrap().status, Status::Issued);
}
