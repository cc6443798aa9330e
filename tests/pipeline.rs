//! The intake pipeline on real parts: SQLite on disk, real sample PDFs
//! checked by the checker, the outbox folder, and the demonstration
//! plateforme on loopback for the directory lookup. Each outcome a caller
//! presents — queued, held, blocked, refused as a duplicate or as already
//! sent, known and then queued on a rescan — and the one-transaction
//! property: a record that fails half-way leaves neither the check nor the
//! attempt.

use std::path::{Path, PathBuf};

use facteur::check::{Options, Report, check_file};
use facteur::demo::sample::{Build, PageKind, SampleInvoice, invoice_pdf};
use facteur::intake::pipeline::{
    self, Destination, Input, NoLookup, Outcome, PlateformeLookup, Request, Taken,
};
use facteur::mirror::store::{self, DuplicateKind, Store, SubmitDecision};
use facteur::send::accounts::{self, Account, AccountError, Kind, SecretStore};
use facteur::send::directory::{self, CustomerData, Reach};
use rusqlite::Connection;

struct NoSecrets;

impl SecretStore for NoSecrets {
    fn set(&self, _: &str, _: &str, _: &str) -> Result<(), AccountError> {
        Ok(())
    }
    fn get(&self, _: &str, _: &str) -> Result<Option<String>, AccountError> {
        Ok(None)
    }
    fn delete(&self, _: &str, _: &str) -> Result<(), AccountError> {
        Ok(())
    }
}

fn demo_account() -> Account {
    Account {
        name: "demo".into(),
        kind: Kind::Sandbox,
        // Nothing is sent in these tests: the address is never called.
        settings: [("url".to_string(), "http://127.0.0.1:9".to_string())].into(),
        secret_fields: vec![],
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn checked(path: &Path) -> Report {
    check_file(path, &Options::default()).unwrap()
}

fn take(
    store: &mut Store,
    home: &Path,
    report: &mut Report,
    destination: Destination<'_>,
    once: bool,
) -> Taken {
    pipeline::take(
        store,
        home,
        Request {
            input: Input::Report(report),
            destination,
            annexes: &[],
            once,
        },
        &NoLookup,
        store::now_ms(),
    )
    .unwrap()
}

fn count(home: &Path, sql: &str) -> i64 {
    Connection::open(home.join("facteur.db"))
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

#[test]
fn each_outcome_is_what_the_store_and_routing_say() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let dir = tmp.path().join("in");
    let mut db = Store::open_home(&home).unwrap();
    let acc = demo_account();

    // Queued: the check recorded, the exact bytes copied, the attempt open.
    let first = write(
        &dir,
        "f-1.pdf",
        &invoice_pdf(&SampleInvoice::example(1), false),
    );
    let mut r = checked(&first);
    let t = take(&mut db, &home, &mut r, Destination::Account(&acc), false);
    let Outcome::Queued {
        invoice_id,
        account,
        ..
    } = &t.outcome
    else {
        panic!("not queued: {t:?}");
    };
    assert_eq!(account, "demo");
    assert!(t.accepted);
    let sha = r.sha256.clone().unwrap();
    assert_eq!(
        std::fs::read(home.join(format!("outbox/{sha}.pdf"))).unwrap(),
        std::fs::read(&first).unwrap()
    );
    assert_eq!(
        db.submissions(*invoice_id).unwrap()[0].outcome,
        "queued",
        "{t:?}"
    );

    // The same file again: already in the outbox, never twice.
    let mut again = checked(&first);
    let t = take(
        &mut db,
        &home,
        &mut again,
        Destination::Account(&acc),
        false,
    );
    assert!(
        matches!(
            t.outcome,
            Outcome::Refused {
                decision: SubmitDecision::AlreadySubmitted { .. },
                ..
            }
        ),
        "{t:?}"
    );

    // Another content with the same seller and number: a duplicate of an
    // invoice on its way to the portal; recorded, refused, and the report
    // carries the store's finding.
    let mut other = SampleInvoice::example(1);
    other.issue_date = "2026-12-01".into();
    let second = write(&dir, "f-1-bis.pdf", &invoice_pdf(&other, false));
    let mut r2 = checked(&second);
    let t = take(&mut db, &home, &mut r2, Destination::Account(&acc), false);
    match &t.outcome {
        Outcome::Refused {
            decision: SubmitDecision::Duplicate(d),
            ..
        } => assert_eq!(d.kind, DuplicateKind::AtPortal),
        other => panic!("not refused as a duplicate: {other:?}"),
    }
    assert!(!t.accepted);
    assert!(
        r2.findings.iter().any(|f| f.code.as_str() == "duplicate"),
        "{:?}",
        r2.findings
    );

    // Blocked by the check (a scanned page: not even a number can be
    // read): recorded, never queued.
    let scanned = Build {
        invoices: vec![SampleInvoice::example(2)],
        page_kinds: vec![PageKind::Scanned],
        ..Build::default()
    }
    .to_bytes();
    let third = write(&dir, "f-2.pdf", &scanned);
    let mut r3 = checked(&third);
    let t = take(&mut db, &home, &mut r3, Destination::Account(&acc), false);
    match &t.outcome {
        Outcome::Blocked { why, .. } => assert!(why.en.contains("scanned"), "{why:?}"),
        other => panic!("not blocked: {other:?}"),
    }
    assert!(!t.accepted);

    // Held by routing: the directory has customers, none is this one and
    // no fallback is on.
    let settings: std::collections::BTreeMap<String, String> = [(
        "folder".to_string(),
        tmp.path().join("print").display().to_string(),
    )]
    .into();
    accounts::add(
        &mut db,
        &NoSecrets,
        "papier",
        Kind::Print,
        &settings,
        &[],
        1,
    )
    .unwrap();
    directory::add(
        &mut db,
        CustomerData {
            name: "Quelqu'un d'autre".into(),
            siren: Some("404833048".into()),
            reach: Some(Reach::Account("papier".into())),
            ..Default::default()
        },
        1,
    )
    .unwrap();
    let fourth = write(
        &dir,
        "f-3.pdf",
        &invoice_pdf(&SampleInvoice::example(3), false),
    );
    let mut r4 = checked(&fourth);
    let t = take(
        &mut db,
        &home,
        &mut r4,
        Destination::Routed { default: None },
        false,
    );
    match &t.outcome {
        Outcome::Held { why, .. } => assert!(why.en.starts_with("Undeliverable"), "{why:?}"),
        other => panic!("not held: {other:?}"),
    }
    assert!(t.accepted, "held by routing, not by the check");
    assert_eq!(
        count(&home, "SELECT count(*) FROM submissions"),
        1,
        "only the first was queued"
    );

    // Check only: recorded, nothing asked.
    let fifth = write(
        &dir,
        "f-4.pdf",
        &invoice_pdf(&SampleInvoice::example(4), false),
    );
    let mut r5 = checked(&fifth);
    let t = take(&mut db, &home, &mut r5, Destination::CheckOnly, false);
    assert!(
        matches!(
            t.outcome,
            Outcome::Recorded {
                invoice_id: Some(_)
            }
        ),
        "{t:?}"
    );
    assert_eq!(count(&home, "SELECT count(*) FROM submissions"), 1);
}

#[test]
fn a_known_file_is_queued_on_a_rescan_when_it_never_had_an_attempt() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let mut db = Store::open_home(&home).unwrap();
    let acc = demo_account();
    let f = write(
        &tmp.path().join("in"),
        "f-7.pdf",
        &invoice_pdf(&SampleInvoice::example(7), false),
    );
    // Recorded while its folder was "check only".
    let mut r = checked(&f);
    let t = take(&mut db, &home, &mut r, Destination::CheckOnly, true);
    assert!(matches!(t.outcome, Outcome::Recorded { .. }), "{t:?}");
    // Still only known to a "check only" folder.
    let mut r = checked(&f);
    let t = take(&mut db, &home, &mut r, Destination::CheckOnly, true);
    assert!(matches!(t.outcome, Outcome::Known { .. }), "{t:?}");
    // The folder now submits: the rescan queues it, recording nothing new.
    let mut r = checked(&f);
    let t = take(&mut db, &home, &mut r, Destination::Account(&acc), true);
    assert!(t.recorded.is_none(), "{t:?}");
    assert!(matches!(t.outcome, Outcome::Queued { .. }), "{t:?}");
    assert_eq!(count(&home, "SELECT count(*) FROM checks"), 1);
    assert_eq!(count(&home, "SELECT count(*) FROM submissions"), 1);
    // Once it had an attempt, a rescan leaves it alone.
    let mut r = checked(&f);
    let t = take(&mut db, &home, &mut r, Destination::Account(&acc), true);
    assert!(matches!(t.outcome, Outcome::Known { .. }), "{t:?}");
    assert_eq!(count(&home, "SELECT count(*) FROM submissions"), 1);
}

#[test]
fn a_record_that_fails_half_way_leaves_neither_the_check_nor_the_attempt() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let mut db = Store::open_home(&home).unwrap();
    let acc = demo_account();
    // The store refuses the attempt, after the check was written in the
    // same transaction (as a full disk or a lost lock would).
    let side = Connection::open(home.join("facteur.db")).unwrap();
    side.execute_batch(
        "CREATE TRIGGER refuse_attempts BEFORE INSERT ON submissions
         BEGIN SELECT RAISE(ABORT, 'the disk is full'); END;",
    )
    .unwrap();
    let f = write(
        &tmp.path().join("in"),
        "f-8.pdf",
        &invoice_pdf(&SampleInvoice::example(8), false),
    );
    let mut r = checked(&f);
    let e = pipeline::take(
        &mut db,
        &home,
        Request {
            input: Input::Report(&mut r),
            destination: Destination::Account(&acc),
            annexes: &[],
            once: true,
        },
        &NoLookup,
        store::now_ms(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("the disk is full"), "{e}");
    for table in ["documents", "checks", "invoices", "events", "submissions"] {
        assert_eq!(
            count(&home, &format!("SELECT count(*) FROM {table}")),
            0,
            "{table}"
        );
    }
    // The store is well again: the same file is taken as new, and queued.
    side.execute_batch("DROP TRIGGER refuse_attempts").unwrap();
    let mut r = checked(&f);
    let t = take(&mut db, &home, &mut r, Destination::Account(&acc), true);
    assert!(t.recorded.is_some(), "{t:?}");
    assert!(matches!(t.outcome, Outcome::Queued { .. }), "{t:?}");
    assert_eq!(count(&home, "SELECT count(*) FROM checks"), 1);
    assert_eq!(count(&home, "SELECT count(*) FROM submissions"), 1);
}

/// Routing to a plateforme agréée asks its Directory service first, when
/// the cached answer is missing: a customer whose address is disabled is
/// held with the directory's words, an enabled one is queued.
#[test]
fn routing_to_a_plateforme_asks_its_directory_when_the_answer_is_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let port = rt.block_on(async {
        let listener = facteur::demo::sandbox_server::bind("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(facteur::demo::pa_server::serve(
            listener,
            facteur::demo::pa_server::Options::default(),
            std::future::pending(),
        ));
        port
    });
    // This home's demonstration plateforme is the one just started.
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(home.join(accounts::SANDBOX_PA_PORT_FILE), port.to_string()).unwrap();
    let mut db = Store::open_home(&home).unwrap();
    let dir = tmp.path().join("in");
    // 552100554 is enabled in the demonstration directory, 403483548 disabled.
    for (name, siren) in [
        ("Client Approuve SA", "552100554"),
        ("Client Desactive SAS", "403483548"),
    ] {
        directory::add(
            &mut db,
            CustomerData {
                name: name.into(),
                siren: Some(siren.into()),
                reach: Some(Reach::Account(accounts::SANDBOX_PA_ACCOUNT.into())),
                ..Default::default()
            },
            1,
        )
        .unwrap();
    }
    let lookup = PlateformeLookup {
        secrets: &NoSecrets,
    };
    let mut take_routed = |inv: &SampleInvoice, name: &str| {
        let f = write(&dir, name, &invoice_pdf(inv, true));
        let mut r = checked(&f);
        pipeline::take(
            &mut db,
            &home,
            Request {
                input: Input::Report(&mut r),
                destination: Destination::Routed { default: None },
                annexes: &[],
                once: false,
            },
            &lookup,
            store::now_ms(),
        )
        .unwrap()
    };
    let mut enabled = SampleInvoice::example(11);
    enabled.buyer_siren = "552100554".into();
    enabled.buyer_siret = None;
    let t = take_routed(&enabled, "f-11.pdf");
    match &t.outcome {
        Outcome::Queued { account, .. } => assert_eq!(account, accounts::SANDBOX_PA_ACCOUNT),
        other => panic!("not queued: {other:?}"),
    }
    let mut disabled = SampleInvoice::example(12);
    disabled.buyer_siren = "403483548".into();
    disabled.buyer_siret = None;
    let t = take_routed(&disabled, "f-12.pdf");
    match &t.outcome {
        Outcome::Held { why, .. } => {
            assert!(why.en.contains("disabled in the directory"), "{why:?}")
        }
        other => panic!("not held: {other:?}"),
    }
    let db = Store::open_home(&home).unwrap();
    for siren in ["552100554", "403483548"] {
        assert!(
            facteur::send::plateforme::recipient(&db, siren)
                .unwrap()
                .is_some(),
            "{siren}: the directory's answer is cached"
        );
    }
}
