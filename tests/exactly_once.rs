//! Exactly once against portals that misbehave: every portal Facteur sends
//! to (the sandbox, Chorus Pro with a Factur-X flow and with a plain PDF, a
//! plateforme agréée, a mail deposit over SMTP) runs on loopback behind a
//! fault layer that stores a deposit and then answers past the client's
//! timeout, drops the connection or answers 502 — the cases where the
//! client cannot know whether the portal took the invoice. Several
//! invoices go through the real outbox with a real store on disk; a later
//! run and a sync settle them. The portal itself counts what it holds: each
//! invoice must be there exactly once, none back to « vérifiée », none with
//! two deliveries, and the ones the portal took end deposited or later
//! (a mail, which no mailbox can confirm: « à vérifier »).
//!
//! The last test is the same promise from the outside: `facteur watch
//! --submit` as its own process on a folder receiving a burst of 300
//! invoices, killed with SIGKILL ten times at random moments, with a
//! sandbox that answers late every third deposit.

// Each portal's support file is self-contained and brings its own copy of
// the shared fault layer (support/faults.rs); this file uses three of them.
#![allow(clippy::duplicate_mod)]

#[path = "support/chorus_server.rs"]
mod chorus_server;
#[path = "support/pa_faults.rs"]
mod pa_faults;
#[path = "support/procs.rs"]
mod procs;
#[path = "support/sandbox_faults.rs"]
mod sandbox_faults;
#[path = "support/smtp.rs"]
mod smtp;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use facteur::check::{Options, check_file};
use facteur::demo::sample::{SampleInvoice, invoice_pdf};
use facteur::demo::sandbox::{Sandbox, Timing};
use facteur::mirror::lifecycle::Status;
use facteur::mirror::store::{self, Store};
use facteur::send::accounts::{Account, AccountError, Kind, SecretStore};
use facteur::send::outbox::{self, AnyChannel, Enqueued, Retry, Step};
use sandbox_faults::{DEPOSIT, FaultySandbox};

/// The client's timeout on every account here, and how late a late answer
/// comes: well past it.
const TIMEOUT_SECS: &str = "1";
const LATE: Duration = Duration::from_millis(2_500);
/// How long after an ambiguous failure a portal's "not found" is believed
/// (`FACTEUR_AMBIGUOUS_SETTLE_SECONDS`): short, but not zero, so one test
/// can show that "not found" inside it sends nothing.
const SETTLE_SECS: u64 = 3;

/// Every test of this file runs with the same settling time (nextest runs
/// each in a process of its own; under `cargo test` they agree anyway).
fn settle_env() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: set once, before this test starts any thread of its own
        // that reads the environment.
        unsafe { std::env::set_var("FACTEUR_AMBIGUOUS_SETTLE_SECONDS", SETTLE_SECS.to_string()) };
    });
}

/// The sandbox's statuses stay put while a test runs.
const SLOW: Timing = Timing {
    videocodage_ms: 600_000,
    step_ms: 600_000,
};

fn fast() -> Retry {
    Retry {
        attempts: 3,
        base: Duration::from_millis(5),
        cap: Duration::from_millis(20),
        settle: Duration::from_secs(SETTLE_SECS),
    }
}

/// Secrets in memory: the OS keyring is not the subject here.
#[derive(Default)]
struct Keys(Mutex<BTreeMap<(String, String), String>>);

impl SecretStore for Keys {
    fn set(&self, a: &str, f: &str, v: &str) -> Result<(), AccountError> {
        self.0
            .lock()
            .unwrap()
            .insert((a.into(), f.into()), v.into());
        Ok(())
    }
    fn get(&self, a: &str, f: &str) -> Result<Option<String>, AccountError> {
        Ok(self.0.lock().unwrap().get(&(a.into(), f.into())).cloned())
    }
    fn delete(&self, a: &str, f: &str) -> Result<(), AccountError> {
        self.0.lock().unwrap().remove(&(a.into(), f.into()));
        Ok(())
    }
}

fn account(name: &str, kind: Kind, settings: &[(&str, String)], secrets: &[&str]) -> Account {
    Account {
        name: name.into(),
        kind,
        settings: settings
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        secret_fields: secrets.iter().map(|s| s.to_string()).collect(),
    }
}

/// The three ways a portal may take a deposit without the client knowing.
#[derive(Debug, Clone, Copy)]
enum AfterStoring {
    /// Answered after the client's timeout.
    Late,
    /// The connection dropped instead of an answer.
    Dropped,
    /// A 502 instead of the portal's answer.
    BadGateway,
}

const AFTER_STORING: [AfterStoring; 3] = [
    AfterStoring::Late,
    AfterStoring::Dropped,
    AfterStoring::BadGateway,
];

/// The fault of one server's layer (each support file brings its own copy
/// of the shared layer, hence one type each).
macro_rules! fault {
    ($server:ident, $m:expr) => {
        match $m {
            AfterStoring::Late => $server::Fault::AnswerLate(LATE),
            AfterStoring::Dropped => $server::Fault::DropAfterStoring,
            AfterStoring::BadGateway => $server::Fault::BadGatewayAfterStoring,
        }
    };
}

/// One invoice put in the outbox.
#[derive(Debug, Clone)]
struct Queued {
    id: i64,
    number: String,
}

/// A real store on disk in `home`, with invoices 1..=n checked and queued
/// for `account` (Factur-X or plain PDF).
fn queued(home: &Path, account: &Account, n: u32, facturx: bool) -> (Store, Vec<Queued>) {
    let mut store = Store::open_home(home).unwrap();
    let dir = home.join("exports");
    std::fs::create_dir_all(&dir).unwrap();
    let mut all = Vec::new();
    for i in 1..=n {
        let inv = SampleInvoice::example(i);
        let path = dir.join(format!("{}.pdf", inv.number));
        std::fs::write(&path, invoice_pdf(&inv, facturx)).unwrap();
        let report = check_file(&path, &Options::default()).unwrap();
        assert!(report.accepted(), "{:?}", report.findings);
        let rec = store.record_check(&report, store::now_ms()).unwrap();
        match outbox::enqueue(
            &mut store,
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
            Enqueued::Queued { invoice_id, .. } => all.push(Queued {
                id: invoice_id,
                number: inv.number.clone(),
            }),
            other => panic!("{} not queued: {other:?}", inv.number),
        }
    }
    (store, all)
}

async fn run(store: &mut Store, home: &Path, ch: &AnyChannel) -> Vec<Step> {
    outbox::run(store, home, ch, &fast(), &mut |_| {})
        .await
        .unwrap()
}

fn kinds(steps: &[Step]) -> BTreeMap<&'static str, usize> {
    let mut m = BTreeMap::new();
    for s in steps {
        let k = match s {
            Step::Sending { .. } => "sending",
            Step::Retrying { .. } => "retrying",
            Step::Sent { .. } => "sent",
            Step::Recovered { .. } => "recovered",
            Step::Failed { .. } => "failed",
            Step::ToVerify { .. } => "to_verify",
            Step::Waiting { .. } => "waiting",
        };
        *m.entry(k).or_default() += 1;
    }
    m
}

/// At most once so far: no invoice twice at the portal, none back to
/// « vérifiée » (it left the machine, or may have).
fn assert_at_most_once(store: &Store, all: &[Queued], held: &BTreeMap<String, usize>, when: &str) {
    for (number, n) in held {
        assert_eq!(*n, 1, "{when}: {number} is {n} times at the portal");
    }
    for q in all {
        let status = store.invoice(q.id).unwrap().unwrap().status;
        assert_ne!(
            status,
            Status::Checked,
            "{when}: {} back to checked",
            q.number
        );
    }
}

/// How an invoice the portal took may end.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum End {
    /// Deposited or later, through exactly one delivery recorded as sent.
    AtPortal,
    /// A mail whose answer never came: « à vérifier », nothing recorded as
    /// sent (the user decides).
    ToVerify,
}

/// Whether a status is "deposited or later" and not a refusal: the
/// portal's own answer to a first deposit.
fn at_portal(s: Status) -> bool {
    s.code().is_some()
        && !matches!(
            s,
            Status::Refused | Status::Rejected | Status::Cancelled | Status::RoutingError
        )
}

/// Exactly once, settled: every invoice held once by the portal and
/// nothing else there, no attempt left open, each ended as `end` says.
fn assert_exactly_once(
    store: &Store,
    all: &[Queued],
    held: &BTreeMap<String, usize>,
    end: impl Fn(&Queued) -> End,
) {
    assert_at_most_once(store, all, held, "settled");
    assert_eq!(
        held.keys().cloned().collect::<Vec<_>>(),
        all.iter().map(|q| q.number.clone()).collect::<Vec<_>>(),
        "what the portal holds"
    );
    for q in all {
        let inv = store.invoice(q.id).unwrap().unwrap();
        let subs = store.submissions(q.id).unwrap();
        let open: Vec<_> = subs
            .iter()
            .filter(|s| s.outcome == "queued" || s.outcome == "sending")
            .collect();
        assert!(open.is_empty(), "{}: still open {open:?}", q.number);
        let sent = subs.iter().filter(|s| s.outcome == "sent").count();
        match end(q) {
            End::AtPortal => {
                assert_eq!(sent, 1, "{}: {subs:?}", q.number);
                assert!(
                    at_portal(inv.status),
                    "{}: ended {:?} ({:?})",
                    q.number,
                    inv.status,
                    inv.reason_code
                );
            }
            End::ToVerify => {
                assert_eq!(sent, 0, "{}: {subs:?}", q.number);
                assert_eq!(inv.status, Status::ToVerify, "{}", q.number);
            }
        }
    }
}

// --- The sandbox --------------------------------------------------------------

#[tokio::test]
async fn sandbox_each_invoice_once_whatever_the_portal_does_after_storing_it() {
    settle_env();
    for m in AFTER_STORING {
        let what = &format!("{m:?}");
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        let portal = FaultySandbox::start(
            Sandbox::with_demo_customers(SLOW),
            &tmp.path().join("portal.json"),
        )
        .await;
        // Every second deposit: stored, then the fault.
        portal.inject(
            &format!("{DEPOSIT}$"),
            fault!(sandbox_faults, m),
            sandbox_faults::When::Every(2),
        );
        let acc = account(
            "demo",
            Kind::Sandbox,
            &[("url", portal.url()), ("timeout_secs", TIMEOUT_SECS.into())],
            &[],
        );
        let (mut store, all) = queued(&home, &acc, 6, false);
        let ch = AnyChannel::for_account(&acc, &Keys::default()).unwrap();

        let steps = run(&mut store, &home, &ch).await;
        assert_eq!(portal.fired(&format!("{DEPOSIT}$")), 3, "{what}");
        // The three the client did not hear about were found, not resent.
        assert_eq!(
            kinds(&steps),
            BTreeMap::from([("recovered", 3), ("sent", 3)]),
            "{what}: {steps:?}"
        );
        assert_at_most_once(&store, &all, &portal.held(), what);

        // A later run sends nothing; the sync brings the portal's statuses.
        assert!(run(&mut store, &home, &ch).await.is_empty(), "{what}");
        outbox::sync(&mut store, &home, &ch, &fast()).await.unwrap();
        assert_exactly_once(&store, &all, &portal.held(), |_| End::AtPortal);
    }
}

/// The portal failed (500) without storing anything: "not found" is not
/// believed inside the settling time, so nothing is sent again then; once
/// it passed, the invoice goes, once.
#[tokio::test]
async fn sandbox_not_found_inside_the_settling_time_sends_nothing_again() {
    settle_env();
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let portal = FaultySandbox::start(
        Sandbox::with_demo_customers(SLOW),
        &tmp.path().join("portal.json"),
    )
    .await;
    // The first two deposits fail before the portal stores anything.
    portal.inject(
        &format!("{DEPOSIT}$"),
        sandbox_faults::Fault::ServerError,
        sandbox_faults::When::Next(2),
    );
    let acc = account(
        "demo",
        Kind::Sandbox,
        &[("url", portal.url()), ("timeout_secs", TIMEOUT_SECS.into())],
        &[],
    );
    let (mut store, all) = queued(&home, &acc, 4, false);
    let ch = AnyChannel::for_account(&acc, &Keys::default()).unwrap();

    let steps = run(&mut store, &home, &ch).await;
    assert_eq!(
        kinds(&steps),
        BTreeMap::from([("sent", 2), ("waiting", 2)]),
        "{steps:?}"
    );
    let waiting = [&all[0], &all[1]];
    let held = portal.held();
    for q in waiting {
        assert!(!held.contains_key(&q.number), "{}", q.number);
        // Never « vérifiée » again: it may be at the portal.
        assert_eq!(
            store.invoice(q.id).unwrap().unwrap().status,
            Status::Sending
        );
    }
    // Asked again at once, by a run and by a sync: still not believed, so
    // still nothing sent (the faults are spent: a resend would succeed).
    let again = run(&mut store, &home, &ch).await;
    assert_eq!(kinds(&again), BTreeMap::from([("waiting", 2)]), "{again:?}");
    outbox::sync(&mut store, &home, &ch, &fast()).await.unwrap();
    let deposits = |held: &BTreeMap<String, usize>| held.values().sum::<usize>();
    assert_eq!(
        deposits(&portal.held()),
        2,
        "sent again inside the settling time"
    );
    assert_at_most_once(&store, &all, &portal.held(), "inside the settling time");

    // Once the settling time passed, "not found" is believed: sent, once.
    tokio::time::sleep(Duration::from_secs(SETTLE_SECS) + Duration::from_millis(200)).await;
    let last = run(&mut store, &home, &ch).await;
    assert_eq!(kinds(&last), BTreeMap::from([("sent", 2)]), "{last:?}");
    outbox::sync(&mut store, &home, &ch, &fast()).await.unwrap();
    assert_exactly_once(&store, &all, &portal.held(), |_| End::AtPortal);
}

// --- Chorus Pro ------------------------------------------------------------------

fn chorus_account(server: &chorus_server::ChorusServer) -> (Account, Keys) {
    let mut settings = server.settings();
    settings.insert("timeout_secs".into(), TIMEOUT_SECS.into());
    let keys = Keys::default();
    for (f, v) in chorus_server::ChorusServer::secrets() {
        keys.set("chorus", f, v).unwrap();
    }
    let acc = Account {
        name: "chorus".into(),
        kind: Kind::ChorusPro,
        settings,
        secret_fields: vec!["client_secret".into(), "technical_password".into()],
    };
    (acc, keys)
}

/// What Chorus Pro holds: its deposits (flows or submissions) per invoice
/// number.
fn chorus_held(server: &chorus_server::ChorusServer) -> BTreeMap<String, usize> {
    server.with(|p| {
        p.deposits
            .iter()
            .map(|(n, c)| (n.clone(), *c as usize))
            .collect()
    })
}

/// The reported case: six Factur-X invoices to Chorus Pro, which stores
/// every second deposit and answers after the client's timeout. They used
/// to be deposited eleven times, five showing « Rejetée ».
#[tokio::test]
async fn chorus_facturx_six_invoices_every_second_stored_then_answered_late() {
    settle_env();
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let server = chorus_server::ChorusServer::start().await;
    server.inject_when(
        "deposer/flux",
        chorus_server::Fault::AnswerLate(LATE),
        chorus_server::When::Every(2),
    );
    let (acc, keys) = chorus_account(&server);
    let (mut store, all) = queued(&home, &acc, 6, true);
    let ch = AnyChannel::for_account(&acc, &keys).unwrap();

    let steps = run(&mut store, &home, &ch).await;
    assert_eq!(server.fired("deposer/flux"), 3);
    assert_eq!(
        kinds(&steps),
        BTreeMap::from([("recovered", 3), ("sent", 3)]),
        "{steps:?}"
    );
    assert_at_most_once(&store, &all, &chorus_held(&server), "first run");
    assert!(run(&mut store, &home, &ch).await.is_empty());
    outbox::sync(&mut store, &home, &ch, &fast()).await.unwrap();
    assert_eq!(server.with(|p| p.flows.len()), 6, "six flows, no more");
    assert_exactly_once(&store, &all, &chorus_held(&server), |_| End::AtPortal);
}

#[tokio::test]
async fn chorus_each_invoice_once_whatever_the_portal_does_after_storing_it() {
    settle_env();
    for facturx in [true, false] {
        for m in AFTER_STORING {
            let what = format!("{m:?}, {}", if facturx { "Factur-X" } else { "PDF" });
            let tmp = tempfile::tempdir().unwrap();
            let home = tmp.path().join("home");
            let server = chorus_server::ChorusServer::start().await;
            // The call that creates the invoice: a flow, or the submission
            // of an uploaded PDF.
            let creating = if facturx {
                "deposer/flux"
            } else {
                "factures/v1/soumettre"
            };
            if !facturx {
                server.add_structure("55210055400013", false, false);
            }
            server.inject_when(
                creating,
                fault!(chorus_server, m),
                chorus_server::When::Every(2),
            );
            let (acc, keys) = chorus_account(&server);
            let (mut store, all) = queued(&home, &acc, 4, facturx);
            let ch = AnyChannel::for_account(&acc, &keys).unwrap();

            let steps = run(&mut store, &home, &ch).await;
            assert_eq!(server.fired(creating), 2, "{what}");
            assert_eq!(
                kinds(&steps),
                BTreeMap::from([("recovered", 2), ("sent", 2)]),
                "{what}: {steps:?}"
            );
            assert_at_most_once(&store, &all, &chorus_held(&server), &what);
            assert!(run(&mut store, &home, &ch).await.is_empty(), "{what}");
            outbox::sync(&mut store, &home, &ch, &fast()).await.unwrap();
            assert_exactly_once(&store, &all, &chorus_held(&server), |_| End::AtPortal);
        }
    }
}

// --- A plateforme agréée (AFNOR) ---------------------------------------------

const PA_CLIENT_ID: &str = "facteur-pa-client";
const PA_SECRET: &str = "pa-Secret-42x!";

fn pa_options() -> facteur::demo::pa_server::Options {
    facteur::demo::pa_server::Options {
        token_lifetime_secs: 3600,
        credentials: Some((PA_CLIENT_ID.into(), PA_SECRET.into())),
        pending_reads: 0,
        step_ms: None,
    }
}

/// What the plateforme holds: its invoice flows per tracking id (number).
fn pa_held(pa: &pa_faults::FaultyPa) -> BTreeMap<String, usize> {
    pa.with(|p| {
        let mut held = BTreeMap::new();
        for f in p.invoices() {
            *held
                .entry(f.tracking_id.clone().unwrap_or_default())
                .or_default() += 1;
        }
        held
    })
}

#[tokio::test]
async fn plateforme_each_flow_once_whatever_it_does_after_storing_it() {
    settle_env();
    for m in AFTER_STORING {
        let what = &format!("{m:?}");
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        let pa = pa_faults::FaultyPa::start(pa_options()).await;
        // Only the flow's creation, not the searches that look for it.
        pa.inject_when(
            "POST /v1/flows$",
            fault!(pa_faults, m),
            pa_faults::When::Every(2),
        );
        let keys = Keys::default();
        keys.set("pa", "client_secret", PA_SECRET).unwrap();
        let acc = account(
            "pa",
            Kind::Plateforme,
            &[
                ("url", format!("{}/v1", pa.url())),
                ("token_url", format!("{}/oauth/token", pa.url())),
                ("client_id", PA_CLIENT_ID.into()),
                ("timeout_secs", TIMEOUT_SECS.into()),
                ("ack_wait_secs", "5".into()),
            ],
            &["client_secret"],
        );
        let (mut store, all) = queued(&home, &acc, 6, true);
        let ch = AnyChannel::for_account(&acc, &keys).unwrap();

        let steps = run(&mut store, &home, &ch).await;
        assert_eq!(pa.fired("POST /v1/flows$"), 3, "{what}");
        assert_eq!(
            kinds(&steps),
            BTreeMap::from([("recovered", 3), ("sent", 3)]),
            "{what}: {steps:?}"
        );
        assert_at_most_once(&store, &all, &pa_held(&pa), what);
        assert!(run(&mut store, &home, &ch).await.is_empty(), "{what}");
        outbox::sync(&mut store, &home, &ch, &fast()).await.unwrap();
        assert_exactly_once(&store, &all, &pa_held(&pa), |_| End::AtPortal);
    }
}

// --- A mail deposit (SMTP) ---------------------------------------------------

/// A mail server that stores every second mail and then stalls past the
/// client's timeout, or drops the connection: no mailbox can be asked
/// whether the portal took it, so those are « à vérifier » at once — and
/// never sent again, by a later run or a sync.
#[tokio::test]
async fn mail_each_invoice_once_and_the_unanswered_ones_to_verify() {
    use smtp::{SMTP_PASSWORD, Smtp, SmtpFault};
    settle_env();
    let stall = SmtpFault::Stall {
        every: 2,
        secs: LATE.as_secs_f64(),
    };
    for (what, fault) in [("stall", stall), ("drop", SmtpFault::Drop { every: 2 })] {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        let server = Smtp::start_faulty(tmp.path(), fault);
        let keys = Keys::default();
        keys.set("generix", "smtp_password", SMTP_PASSWORD).unwrap();
        let acc = account(
            "generix",
            Kind::MailDeposit,
            &[
                ("smtp_host", "127.0.0.1".into()),
                ("smtp_port", server.port.to_string()),
                ("smtp_tls", "none".into()),
                ("smtp_user", "boulangerie".into()),
                ("from", "compta@boulangerie.example".into()),
                ("portal_address", "factures@portail.example".into()),
                ("timeout_secs", TIMEOUT_SECS.into()),
            ],
            &["smtp_password"],
        );
        let (mut store, all) = queued(&home, &acc, 4, false);
        let ch = AnyChannel::for_account(&acc, &keys).unwrap();
        let held = || {
            let mut held = BTreeMap::new();
            for s in server.subjects() {
                let number = s.strip_prefix("Facture ").unwrap_or(&s).to_string();
                *held.entry(number).or_insert(0usize) += 1;
            }
            held
        };

        let steps = run(&mut store, &home, &ch).await;
        assert_eq!(
            kinds(&steps),
            BTreeMap::from([("sent", 2), ("to_verify", 2)]),
            "{what}: {steps:?}"
        );
        assert_at_most_once(&store, &all, &held(), what);
        assert!(run(&mut store, &home, &ch).await.is_empty(), "{what}");
        // Every second mail was the server's to misbehave on.
        let unanswered = |q: &Queued| {
            if all.iter().position(|a| a.id == q.id).unwrap() % 2 == 1 {
                End::ToVerify
            } else {
                End::AtPortal
            }
        };
        assert_exactly_once(&store, &all, &held(), unanswered);
    }
}

// --- kill -9 while watching a folder -------------------------------------------

/// `facteur watch --submit` on a folder receiving 300 invoices, killed
/// with SIGKILL at ten random moments and started again each time, while
/// the sandbox (in this process, behind the fault layer) stores every
/// third deposit and answers after the client's timeout. In the end every
/// file's invoice was queued, and the portal holds each exactly once.
#[test]
fn watch_submit_killed_ten_times_during_a_burst_delivers_each_invoice_once() {
    use procs::{count, wait_for, watch};
    const N: u32 = 300;
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let dir = tmp.path().join("exports");
    std::fs::create_dir_all(&dir).unwrap();
    let (_rt, portal) = FaultySandbox::on_own_runtime(
        Sandbox::with_demo_customers(SLOW),
        &tmp.path().join("portal.json"),
    );
    portal.inject(
        &format!("{DEPOSIT}$"),
        sandbox_faults::Fault::AnswerLate(Duration::from_millis(1_500)),
        sandbox_faults::When::Every(3),
    );
    let added = Command::new(env!("CARGO_BIN_EXE_facteur"))
        .args(["account", "add", "demo", "--kind", "sandbox", "--set"])
        .arg(format!("url={}", portal.url()))
        .args(["--set", &format!("timeout_secs={TIMEOUT_SECS}")])
        .env("FACTEUR_HOME", &home)
        .stdout(Stdio::null())
        .output()
        .unwrap();
    assert!(added.status.success(), "{added:?}");
    let envs = [("FACTEUR_AMBIGUOUS_SETTLE_SECONDS", "1")];
    let args = [
        dir.to_str().unwrap(),
        "--submit",
        "--to",
        "demo",
        "--settle",
        "0.3",
    ];

    // The burst lands while the first watcher runs.
    let mut w = watch(&home, &args, &envs);
    for n in 1..=N {
        std::fs::write(
            dir.join(format!("F-{n:04}.pdf")),
            invoice_pdf(&SampleInvoice::example(n), false),
        )
        .unwrap();
    }
    for kill in 1..=10 {
        // Some work done since the start, then SIGKILL at a random moment.
        let before = count(&home, "SELECT count(*) FROM events");
        wait_for("some progress", 120, || {
            count(&home, "SELECT count(*) FROM events") > before
                || count(
                    &home,
                    "SELECT count(*) FROM submissions WHERE outcome = 'sent'",
                ) == i64::from(N)
        });
        std::thread::sleep(Duration::from_millis(fastrand::u64(100..2_500)));
        w.kill();
        let held = portal.held();
        assert!(
            held.values().all(|n| *n == 1),
            "after kill {kill}: {:?}",
            held.iter().filter(|(_, n)| **n > 1).collect::<Vec<_>>()
        );
        w = watch(&home, &args, &envs);
    }
    // The last one runs until every file is taken and nothing is open, or
    // until it has nothing left to do (an attempt waiting on the portal's
    // answer waits for the next run or sync).
    let open = || {
        count(
            &home,
            "SELECT count(*) FROM submissions WHERE outcome IN ('queued', 'sending')",
        )
    };
    let settled = || count(&home, "SELECT count(*) FROM documents") == i64::from(N) && open() == 0;
    let mut last = (-1, 0);
    wait_for("every file taken, the watcher idle", 300, || {
        let events = count(&home, "SELECT count(*) FROM events");
        last = if events == last.0 {
            (events, last.1 + 1)
        } else {
            (events, 0)
        };
        std::thread::sleep(Duration::from_millis(250));
        settled()
            || (count(&home, "SELECT count(*) FROM documents") == i64::from(N) && last.1 >= 20)
    });
    let (code, _, err) = w.stop();
    assert_eq!(code, 0, "{err}");
    // An attempt left waiting on the portal's answer is settled by a sync.
    for _ in 0..3 {
        if settled() {
            break;
        }
        std::thread::sleep(Duration::from_secs(1));
        let out = Command::new(env!("CARGO_BIN_EXE_facteur"))
            .args(["sync", "--account", "demo"])
            .env("FACTEUR_HOME", &home)
            .env("FACTEUR_AMBIGUOUS_SETTLE_SECONDS", "1")
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    }

    // Counted by the portal: nothing twice.
    let held = portal.held();
    let twice: Vec<_> = held.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "deposited more than once: {twice:?}");
    assert!(portal.fired(&format!("{DEPOSIT}$")) > 0);
    // Every invoice that was queued: at the portal once, one delivery
    // recorded, deposited; nothing left open or failed.
    let queued = procs::rows(
        &home,
        "SELECT i.number FROM invoices i
         WHERE EXISTS (SELECT 1 FROM submissions s WHERE s.invoice_id = i.id)
         ORDER BY i.number",
    );
    for number in &queued {
        assert_eq!(held.get(number), Some(&1), "{number} at the portal");
    }
    let not_deposited = procs::rows(
        &home,
        "SELECT i.number || ' ' || i.current_status FROM invoices i
         WHERE EXISTS (SELECT 1 FROM submissions s WHERE s.invoice_id = i.id)
           AND (i.current_status <> 'deposited'
                OR (SELECT count(*) FROM submissions s
                    WHERE s.invoice_id = i.id AND s.outcome = 'sent') <> 1)",
    );
    assert!(not_deposited.is_empty(), "{not_deposited:?}");
    assert_eq!(
        count(
            &home,
            "SELECT count(*) FROM submissions WHERE outcome IN ('queued', 'sending', 'failed')"
        ),
        0
    );
    assert_eq!(held.len(), queued.len(), "the portal holds {held:?}");

    // Every file's invoice was queued: none left « vérifiée », unsent.
    assert_eq!(count(&home, "SELECT count(*) FROM invoices"), i64::from(N));
    let unqueued = procs::rows(
        &home,
        "SELECT i.number || ' ' || i.current_status FROM invoices i
         WHERE NOT EXISTS (SELECT 1 FROM submissions s WHERE s.invoice_id = i.id)
         ORDER BY i.number",
    );
    assert!(
        unqueued.is_empty(),
        "checked but never queued (the watcher was killed between recording the check and \
         queueing it): {unqueued:?}"
    );
    assert_eq!(queued.len(), N as usize);
}
