//! The local mirror at scale, printed as figures (not a timed test): a
//! database of 100,000 invoices and 1,000,000 events on disk, then
//! - opening it (schema current), and creating + migrating a fresh one;
//! - listing a filtered page of 100 invoices (by status, customer, number, date);
//! - recording one event (its own transaction, WAL), averaged over 5,000.
//!
//! Run: `cargo bench --bench store`.

use std::path::Path;
use std::time::{Duration, Instant};

use facteur::mirror::lifecycle::{Status, Vocabulary};
use facteur::mirror::store::{ListFilter, NewEvent, Source, Store};
use rusqlite::{Connection, params};

const INVOICES: i64 = 100_000;
const EVENTS_PER: i64 = 10;

/// Fills the schema directly with SQL (seeding, not what is measured).
fn seed(path: &Path) {
    drop(Store::open(path).unwrap());
    let mut conn = Connection::open(path).unwrap();
    let tx = conn.transaction().unwrap();
    let statuses = [
        ("generix", "émise", "issued"),
        ("generix", "rejetée", "rejected"),
        ("generix", "vidéocodage en cours", "deposited"),
        ("efact", "2500", "paid"),
        ("generix", "refusée", "refused"),
    ];
    let customers = [
        ("Mairie de Sainte-Claire", "mairie de sainte-claire"),
        ("Boulangerie L'Épi d'Or", "boulangerie l'epi d'or"),
        ("Garage Martin", "garage martin"),
        ("Cabinet Dupont", "cabinet dupont"),
    ];
    {
        let mut doc = tx
            .prepare("INSERT INTO documents (id, sha256, size_bytes, first_path, first_seen_ms) VALUES (?1, ?2, 1000, ?3, ?4)")
            .unwrap();
        let mut inv = tx
            .prepare(
                "INSERT INTO invoices (id, document_id, seller_siren, number, issue_date, customer, customer_key,
                    total_with_tax, currency, current_status, current_reason, status_since_ms, created_ms)
                 VALUES (?1, ?1, '732829320', ?2, ?3, ?4, ?7, '1200.00', 'EUR', ?5, NULL, ?6, ?6)",
            )
            .unwrap();
        let mut ev = tx
            .prepare(
                "INSERT INTO events (invoice_id, at_ms, recorded_ms, source, vocabulary, raw_status, status, mandatory)
                 VALUES (?1, ?2, ?2, 'portal_mail', ?3, ?4, ?5, 0)",
            )
            .unwrap();
        for i in 1..=INVOICES {
            let t0 = 1_750_000_000_000 + i * 60_000;
            doc.execute(params![i, format!("{i:064x}"), format!("f-{i}.pdf"), t0])
                .unwrap();
            let last = statuses[(i % 5) as usize];
            let date = format!("2026-{:02}-{:02}", 1 + i % 12, 1 + i % 28);
            inv.execute(params![
                i,
                format!("F-2026-{i:06}"),
                date,
                customers[(i % 4) as usize].0,
                last.2,
                t0 + EVENTS_PER * 1000,
                customers[(i % 4) as usize].1
            ])
            .unwrap();
            for k in 1..=EVENTS_PER {
                let (voc, raw, st) = if k == EVENTS_PER { last } else { statuses[0] };
                ev.execute(params![i, t0 + k * 1000, voc, raw, st]).unwrap();
            }
        }
    }
    tx.commit().unwrap();
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time_list(store: &Store, f: &ListFilter, runs: usize) -> (Duration, usize) {
    let mut n = 0;
    let times = (0..runs)
        .map(|_| {
            let t = Instant::now();
            n = store.list(f).unwrap().len();
            t.elapsed()
        })
        .collect();
    (median(times), n)
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("facteur.db");
    println!(
        "Facteur store benchmark — {INVOICES} invoices, {} events, on disk",
        INVOICES * EVENTS_PER
    );
    let t = Instant::now();
    seed(&path);
    println!(
        "{:<52} {:>10.1} s",
        "seeding (plain SQL, not measured below)",
        t.elapsed().as_secs_f64()
    );

    let fresh = dir.path().join("fresh.db");
    let t = Instant::now();
    drop(Store::open(&fresh).unwrap());
    println!(
        "{:<52} {:>10.2} ms   (target < 100 ms)",
        "create + migrate a new database",
        t.elapsed().as_secs_f64() * 1e3
    );

    let opens: Vec<Duration> = (0..10)
        .map(|_| {
            let t = Instant::now();
            drop(Store::open(&path).unwrap());
            t.elapsed()
        })
        .collect();
    println!(
        "{:<52} {:>10.2} ms   (target < 100 ms)",
        "open the 100k database (schema current, median)",
        median(opens).as_secs_f64() * 1e3
    );

    let mut store = Store::open(&path).unwrap();
    let filters = [
        (
            "page of 100 rejected",
            ListFilter {
                statuses: vec![Status::Rejected],
                limit: 100,
                ..ListFilter::default()
            },
        ),
        (
            "page of 100, customer \"épi d'or\"",
            ListFilter {
                customer: Some("épi d'or".into()),
                limit: 100,
                ..ListFilter::default()
            },
        ),
        (
            "page of 100 refused + waiting, since 2026-06-01",
            ListFilter {
                statuses: vec![Status::Refused, Status::Deposited],
                since: Some("2026-06-01".into()),
                limit: 100,
                ..ListFilter::default()
            },
        ),
        (
            "search by number \"F-2026-0999\"",
            ListFilter {
                number: Some("F-2026-0999".into()),
                limit: 100,
                ..ListFilter::default()
            },
        ),
        (
            "worst case: a number that matches nothing",
            ListFilter {
                number: Some("ZZ-404".into()),
                limit: 100,
                ..ListFilter::default()
            },
        ),
        (
            "last page (offset 99,900), no filter",
            ListFilter {
                limit: 100,
                offset: 99_900,
                ..ListFilter::default()
            },
        ),
    ];
    for (label, f) in &filters {
        let (d, n) = time_list(&store, f, 30);
        println!(
            "{:<52} {:>10.2} ms   ({n} rows, median of 30; target < 20 ms)",
            format!("list: {label}"),
            d.as_secs_f64() * 1e3
        );
    }

    let count = 5_000;
    let t = Instant::now();
    for k in 0..count {
        let id = 1 + (k * 7919) % INVOICES;
        store
            .append_event(
                id,
                &NewEvent {
                    at_ms: 1_900_000_000_000 + k,
                    source: Source::PortalApi,
                    vocabulary: Vocabulary::Efact,
                    raw_status: "2500".into(),
                    raw_reason: None,
                    submission_id: None,
                },
                1_900_000_000_000 + k,
            )
            .unwrap();
    }
    let avg = t.elapsed() / count as u32;
    println!(
        "{:<52} {:>10.3} ms   (average of {count}, each its own transaction; target < 1 ms)",
        "record one event",
        avg.as_secs_f64() * 1e3
    );
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!("{:<52} {:>10.1} MB", "database size", size as f64 / 1e6);
}
