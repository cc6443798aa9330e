//! The plateforme agréée channel against the demonstration plateforme on
//! loopback (the AFNOR XP Z12-013 shapes), wrapped with fault injection:
//! every test asserts on what the plateforme received, not only on the
//! answer. The last test runs the binary and the plateforme as two processes
//! and kills the sender mid-batch.

#[path = "support/pa_faults.rs"]
mod pa_faults;

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use facteur::check::{Options as CheckOptions, check_bytes, check_file};
use facteur::demo::pa_server::Options;
use facteur::demo::sample::{SampleInvoice, invoice_pdf};
use facteur::mirror::lifecycle::{Status, Vocabulary, map};
use facteur::mirror::store::Store;
use facteur::send::accounts::{Account, AccountError, Kind, SecretStore};
use facteur::send::cdar;
use facteur::send::channel::afnor::AfnorChannel;
use facteur::send::channel::{Channel, ChannelError, Failure, Lookup, Outgoing, SendKind};
use facteur::send::outbox::{self, Enqueued, Retry, Step};
use facteur::send::plateforme::{self, PlateformeError, Reach};
use pa_faults::{Fault, FaultyPa, Recorder};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const ACCOUNT: &str = "pa-test";
const CLIENT_ID: &str = "facteur-pa-client";
const CLIENT_SECRET: &str = "pa-Secret-42x!";

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

fn keys(secret: &str) -> Keys {
    let k = Keys::default();
    k.set(ACCOUNT, "client_secret", secret).unwrap();
    k
}

fn options() -> Options {
    Options {
        token_lifetime_secs: 3600,
        credentials: Some((CLIENT_ID.into(), CLIENT_SECRET.into())),
        pending_reads: 0,
        step_ms: None,
    }
}

fn account(pa: &FaultyPa, extra: &[(&str, &str)]) -> Account {
    let mut settings: BTreeMap<String, String> = [
        ("url", format!("{}/v1", pa.url())),
        ("token_url", format!("{}/oauth/token", pa.url())),
        ("client_id", CLIENT_ID.into()),
        ("timeout_secs", "5".into()),
        ("ack_wait_secs", "10".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    for (k, v) in extra {
        settings.insert(k.to_string(), v.to_string());
    }
    Account {
        name: ACCOUNT.into(),
        kind: Kind::Plateforme,
        settings,
        secret_fields: vec!["client_secret".into()],
    }
}

fn channel(pa: &FaultyPa, extra: &[(&str, &str)]) -> AfnorChannel {
    AfnorChannel::from_account(&account(pa, extra), &keys(CLIENT_SECRET)).unwrap()
}

/// An invoice as the outbox hands it over.
fn outgoing(n: u32, facturx: bool) -> Outgoing {
    let inv = SampleInvoice::example(n);
    let pdf = invoice_pdf(&inv, facturx);
    let file_name = format!("{}.pdf", inv.number);
    let report = check_bytes(
        Path::new(&file_name),
        pdf.len() as u64,
        &pdf,
        &CheckOptions::default(),
    );
    assert_eq!(report.structured.is_some(), facturx);
    Outgoing {
        invoice_id: i64::from(n),
        submission_id: i64::from(n),
        kind: SendKind::Submit,
        number: inv.number.clone(),
        file_name,
        sha256: format!("{:x}", Sha256::digest(&pdf)),
        pdf,
        facts: report.facts,
        structured: report.structured,
        annexes: Vec::new(),
        recipient: None,
        ambiguous_since_ms: None,
    }
}

fn calls(pa: &FaultyPa, what: &str) -> usize {
    pa.with(|p| p.calls.iter().filter(|c| c.contains(what)).count())
}

fn calls_exactly(pa: &FaultyPa, call: &str) -> usize {
    pa.with(|p| p.calls.iter().filter(|c| *c == call).count())
}

#[tokio::test]
async fn an_invoice_goes_as_one_multipart_flow_and_its_acknowledgement_is_polled() {
    let pa = FaultyPa::start(Options {
        pending_reads: 2,
        ..options()
    })
    .await;
    let ch = channel(&pa, &[]);
    let out = outgoing(1, true);
    ch.precheck(&out).unwrap();
    let d = ch.send(&out).await.unwrap();
    // The flow id comes back at once; the acknowledgement is read after
    // the outbox recorded it.
    assert_eq!(calls(&pa, &format!("GET /v1/flows/{}", d.portal_ref)), 0);
    let acked = ch.after_delivery(&out, &d).await.unwrap();
    assert!(acked.is_empty(), "an Ok acknowledgement: {acked:?}");

    // The multipart body, read here independently of the server's parser.
    let upload = pa.with(|p| p.last_upload.clone()).unwrap();
    let boundary = upload
        .content_type
        .strip_prefix("multipart/form-data; boundary=")
        .expect(&upload.content_type)
        .to_string();
    let body = upload.body;
    let text = String::from_utf8_lossy(&body);
    let first = text.find("--").unwrap();
    assert_eq!(
        &text[first..first + 2 + boundary.len()],
        format!("--{boundary}")
    );
    assert!(text.ends_with(&format!("--{boundary}--\r\n")));
    let info_at = text
        .find("Content-Disposition: form-data; name=\"flowInfo\"\r\nContent-Type: application/json\r\n\r\n")
        .expect("flowInfo part");
    let file_at = text
        .find("Content-Disposition: form-data; name=\"file\"; filename=\"F-2026-0001.pdf\"\r\nContent-Type: application/pdf\r\n\r\n")
        .expect("file part");
    assert!(info_at < file_at, "flowInfo comes first");
    let json_start = text[info_at..].find("\r\n\r\n").unwrap() + info_at + 4;
    let json_end = text[json_start..].find("\r\n--").unwrap() + json_start;
    let info: Value = serde_json::from_str(&text[json_start..json_end]).unwrap();
    assert_eq!(info["trackingId"], "F-2026-0001");
    assert_eq!(info["sha256"], out.sha256);
    assert_eq!(info["flowSyntax"], "Factur-X");
    assert_eq!(info["processingRule"], "B2B");
    assert_eq!(info["name"], "F-2026-0001.pdf");
    // The file part is the very bytes.
    let file_start = text[file_at..].find("\r\n\r\n").unwrap() + file_at + 4;
    assert!(body[file_start..].starts_with(&out.pdf));
    assert_eq!(
        &body[file_start + out.pdf.len()..],
        format!("\r\n--{boundary}--\r\n").as_bytes()
    );

    pa.with(|p| {
        let flows: Vec<_> = p.invoices().collect();
        assert_eq!(flows.len(), 1);
        assert_eq!(flows[0].flow_id, d.portal_ref);
        assert!(flows[0].file == out.pdf);
        assert_eq!(flows[0].ack, "Ok");
        assert_eq!(flows[0].invoice_number.as_deref(), Some("F-2026-0001"));
        assert_eq!(p.token_requests, 1);
    });
    // Pending, Pending, then Ok: three reads of the acknowledgement.
    assert_eq!(calls(&pa, &format!("GET /v1/flows/{}", d.portal_ref)), 3);
}

#[tokio::test]
async fn the_202_answer_and_the_error_shape_follow_the_contract() {
    let pa = FaultyPa::start(options()).await;
    let ch = channel(&pa, &[]);
    let out = outgoing(2, true);
    let info = json!({"name": "x.pdf", "flowSyntax": "Factur-X", "trackingId": "T-202"});
    let s = ch
        .submit_flow(&info, "x.pdf", "application/pdf", &out.pdf)
        .await
        .unwrap();
    assert!(s.flow_id.starts_with("FLOW-"), "{s:?}");
    assert_eq!(s.tracking_id.as_deref(), Some("T-202"));
    let at: jiff::Timestamp = s.submitted_at.as_deref().unwrap().parse().unwrap();
    assert!((jiff::Timestamp::now() - at).get_seconds().abs() < 600);

    let bad = json!({"name": "x.pdf", "flowSyntax": "PDF"});
    match ch
        .submit_flow(&bad, "x.pdf", "application/pdf", &out.pdf)
        .await
    {
        Err(ChannelError::Refused(m)) => {
            assert!(
                m.contains("HTTP 400") && m.contains("BadRequest: flowSyntax"),
                "{m}"
            )
        }
        other => panic!("{other:?}"),
    }
    let long = json!({"name": "x.pdf", "flowSyntax": "CII", "trackingId": "x".repeat(37)});
    assert!(matches!(
        ch.submit_flow(&long, "x.xml", "application/xml", b"<x/>")
            .await,
        Err(ChannelError::Refused(_))
    ));
    assert_eq!(
        pa.with(|p| p.flows.len()),
        1,
        "refused requests leave no flow"
    );
    match ch.flow("FLOW-unknown").await {
        Err(ChannelError::Refused(m)) => assert!(m.contains("NotFound"), "{m}"),
        other => panic!("{other:?}"),
    }
}

/// A plateforme that answers a redirect gets no second request anywhere:
/// neither the token request (a 307 would replay the form with the
/// `client_secret`) nor the flow (the invoice, with the bearer token).
#[tokio::test]
async fn a_redirecting_plateforme_sends_nothing_to_the_other_address() {
    let pa = FaultyPa::start(options()).await;
    let elsewhere = Recorder::start().await;
    let to = |status| Fault::Redirect {
        status,
        to: elsewhere.url(),
    };
    let ch = channel(&pa, &[]);

    pa.inject("POST /oauth/token", to(307), 1);
    let err = ch.send(&outgoing(61, true)).await.unwrap_err();
    assert!(matches!(err, ChannelError::Redirected(_)), "{err:?}");
    assert_eq!(err.kind(), Failure::Permanent);
    assert!(
        err.to_string()
            .contains("le portail a renvoyé vers une autre adresse"),
        "{err}"
    );
    assert!(!err.to_string().contains(CLIENT_SECRET));

    pa.inject("POST /v1/flows$", to(308), 1);
    let err = ch.send(&outgoing(62, true)).await.unwrap_err();
    assert!(matches!(err, ChannelError::Redirected(_)), "{err:?}");
    assert_eq!(err.kind(), Failure::Permanent);

    pa.inject("POST /v1/flows/search", to(302), 1);
    let err = ch.pull(&[], None).await.unwrap_err();
    assert!(matches!(err, ChannelError::Redirected(_)), "{err:?}");

    assert_eq!(pa.fired("POST /oauth/token"), 1);
    assert_eq!(pa.fired("POST /v1/flows$"), 1);
    let arrived = elsewhere.arrived();
    assert!(
        arrived.is_empty(),
        "the other address received: {:?}",
        arrived
            .iter()
            .map(|a| format!("{} {} {:?}", a.method, a.path, a.headers))
            .collect::<Vec<_>>()
    );
    assert!(pa.with(|p| p.flows.is_empty()));
}

/// A lifecycle file is refused once it passes the CDAR reader's cap, while
/// it downloads; a JSON answer once it passes 16 MiB. The plateforme never
/// gets to produce the rest of its gigabyte.
#[tokio::test]
async fn oversized_answers_are_refused_while_they_stream() {
    let pa = FaultyPa::start(options()).await;
    let ch = channel(&pa, &[]);
    for (call, cap) in [
        ("GET /v1/flows/some-flow", "4 MiB"),
        ("POST /v1/flows/search", "16 MiB"),
    ] {
        let produced = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        pa.inject(
            call,
            Fault::Huge {
                bytes: 1 << 30,
                produced: produced.clone(),
            },
            1,
        );
        let err = if call.starts_with("GET") {
            ch.download("some-flow").await.unwrap_err()
        } else {
            ch.search_page(&json!({}), None).await.unwrap_err()
        };
        assert!(matches!(err, ChannelError::Protocol(_)), "{err:?}");
        assert!(
            err.to_string().contains(&format!("larger than {cap}")),
            "{err}"
        );
        assert_eq!(pa.fired(call), 1);
        let read = produced.load(std::sync::atomic::Ordering::Relaxed);
        assert!(read < 64 << 20, "{call}: {read} bytes produced");
    }
}

#[tokio::test]
async fn a_duplicate_is_the_doublon_state_and_other_errors_are_rejections() {
    let pa = FaultyPa::start(options()).await;
    let ch = channel(&pa, &[]);
    let out = outgoing(3, true);
    let (first, first_events) = deliver(&ch, &out).await;
    assert!(first_events.is_empty());
    let (second, second_events) = deliver(&ch, &out).await;
    assert_ne!(second.portal_ref, first.portal_ref);
    assert_eq!(second_events.len(), 1, "{second_events:?}");
    let e = &second_events[0];
    assert_eq!(e.raw_status, "AlreadyExistingFlow");
    assert_eq!(e.portal_ref.as_deref(), Some(second.portal_ref.as_str()));
    let m = map(e.vocabulary, &e.raw_status, e.raw_reason.as_deref());
    assert_eq!(m.status, Some(Status::Refused));
    assert_eq!(m.reason_code.as_deref(), Some("DOUBLON"));

    // A file that is not the one declared: ChecksumMismatch, a rejection.
    let info = json!({
        "name": "y.pdf", "flowSyntax": "Factur-X", "trackingId": "Y-1",
        "sha256": "00".repeat(32),
    });
    let s = ch
        .submit_flow(&info, "y.pdf", "application/pdf", &outgoing(4, true).pdf)
        .await
        .unwrap();
    let meta = ch.wait_ack(&s.flow_id).await.unwrap();
    assert_eq!(meta.ack.as_deref(), Some("Error"));
    let e = meta.error_event().unwrap();
    assert_eq!(e.raw_status, "213");
    assert!(
        e.raw_reason
            .as_deref()
            .unwrap()
            .starts_with("ChecksumMismatch: "),
        "{:?}",
        e.raw_reason
    );
    assert_eq!(
        map(Vocabulary::Reform, &e.raw_status, e.raw_reason.as_deref()).status,
        Some(Status::Rejected)
    );

    // A plain PDF is refused before anything leaves, saying why and where else.
    let plain = outgoing(5, false);
    match ch.precheck(&plain) {
        Err(ChannelError::Invalid(m)) => {
            assert!(m.contains("Factur-X") && m.contains("Chorus Pro"), "{m}");
            assert!(m.contains("courriel") && m.contains("mail deposit"), "{m}");
        }
        other => panic!("{other:?}"),
    }
    // MINIMUM and BASIC WL are not full invoices.
    let mut minimum = outgoing(6, true);
    minimum.structured.as_mut().unwrap().profile = Some("urn:factur-x.eu:1p0:minimum".into());
    match ch.precheck(&minimum) {
        Err(ChannelError::Invalid(m)) => {
            assert!(
                m.contains("MINIMUM") && m.contains("not a full invoice"),
                "{m}"
            )
        }
        other => panic!("{other:?}"),
    }
    let mut wl = outgoing(7, true);
    wl.structured.as_mut().unwrap().profile = Some("urn:factur-x.eu:1p0:basicwl".into());
    assert!(matches!(ch.precheck(&wl), Err(ChannelError::Invalid(m)) if m.contains("BASIC WL")));
    assert!(matches!(
        ch.send(&plain).await,
        Err(ChannelError::Invalid(_))
    ));
    assert_eq!(pa.with(|p| p.invoices().count()), 3, "nothing more arrived");
}

#[tokio::test]
async fn after_a_crash_the_flow_is_found_by_its_tracking_id() {
    let pa = FaultyPa::start(options()).await;
    let ch = channel(&pa, &[("page_size", "2")]);
    let out = outgoing(8, true);
    assert_eq!(ch.lookup(&out).await.unwrap(), Lookup::NotFound);
    // Other flows around it, so the search must filter.
    for n in 20..25 {
        ch.send(&outgoing(n, true)).await.unwrap();
    }
    let d = ch.send(&out).await.unwrap();
    assert_eq!(
        ch.lookup(&out).await.unwrap(),
        Lookup::Found {
            portal_ref: d.portal_ref.clone()
        }
    );
    pa.with(|p| {
        let last = p.searches.last().unwrap();
        assert_eq!(last["where"]["trackingId"], "F-2026-0008");
        assert_eq!(last["where"]["flowDirection"], json!(["Out"]));
        assert_eq!(p.flows_tracked("F-2026-0008").len(), 1);
    });
}

/// A store with `n` Factur-X invoices checked and queued for the plateforme.
fn queued(
    home: &Path,
    pa: &FaultyPa,
    numbers: std::ops::RangeInclusive<u32>,
    extra: &[(&str, &str)],
) -> Store {
    let mut store = Store::open_home(home).unwrap();
    let acc = account(pa, extra);
    let dir = home.join("in");
    std::fs::create_dir_all(&dir).unwrap();
    for n in numbers {
        let inv = SampleInvoice::example(n);
        let path = dir.join(format!("{}.pdf", inv.number));
        std::fs::write(&path, invoice_pdf(&inv, true)).unwrap();
        let report = check_file(&path, &CheckOptions::default()).unwrap();
        let rec = store
            .record_check(&report, facteur::mirror::store::now_ms())
            .unwrap();
        let q = outbox::enqueue(
            &mut store,
            home,
            &outbox::Request {
                invoice: outbox::Invoice::Checked {
                    report: &report,
                    invoice_id: rec.invoice_id,
                },
                to: Some(outbox::To::Account(&acc)),
                kind: outbox::Kind::Submit,
                annexes: &[],
            },
            facteur::mirror::store::now_ms(),
        )
        .unwrap();
        assert!(matches!(q, Enqueued::Queued { .. }), "{q:?}");
    }
    store
}

/// A store with `n` Factur-X invoices checked, queued and delivered to the plateforme.
async fn delivered(
    home: &Path,
    pa: &FaultyPa,
    numbers: std::ops::RangeInclusive<u32>,
    extra: &[(&str, &str)],
) -> Store {
    let mut store = queued(home, pa, numbers, extra);
    let ch = channel(pa, extra);
    let steps = outbox::run(&mut store, home, &ch, &fast_retry(), &mut |_: &Step| {})
        .await
        .unwrap();
    assert!(
        steps.iter().all(|s| matches!(s, Step::Sent { .. })),
        "{steps:?}"
    );
    store
}

fn fast_retry() -> Retry {
    Retry {
        attempts: 4,
        base: Duration::from_millis(10),
        cap: Duration::from_millis(50),
        settle: Duration::ZERO,
    }
}

/// Sends one invoice and reads the answers that follow the delivery, as the
/// outbox does.
async fn deliver(
    ch: &AfnorChannel,
    out: &Outgoing,
) -> (
    facteur::send::channel::Delivered,
    Vec<facteur::send::channel::PortalEvent>,
) {
    let d = ch.send(out).await.unwrap();
    let events = ch.after_delivery(out, &d).await.unwrap();
    (d, events)
}

fn invoice_status(store: &Store, number: &str) -> (Status, Option<String>) {
    let inv = store.find_invoice(number).unwrap();
    (inv.status, inv.reason_code)
}

#[tokio::test]
async fn lifecycle_cdars_are_pulled_across_pages_and_a_restart_neither_misses_nor_repeats() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().to_path_buf();
    let pa = FaultyPa::start(options()).await;
    let extra = [("page_size", "3")];
    let mut store = delivered(&home, &pa, 1..=3, &extra).await;

    // The plateforme's lifecycle: 11 CDARs, one garbage, one for an invoice
    // unknown here, one with a code nobody knows.
    pa.with(|p| {
        for code in ["200", "201", "202", "203", "204", "205"] {
            p.emit("F-2026-0001", code, None, None);
        }
        p.emit("F-2026-0002", "200", None, None);
        p.emit(
            "F-2026-0002",
            "210",
            Some("REF_CT_ABSENT"),
            Some("Référence de contrat absente"),
        );
        p.emit("F-2026-0003", "299", None, None);
        p.emit_bytes(b"<html>not a CDAR</html>".to_vec());
        p.emit("F-2099-9999", "205", None, None);
    });
    let ch = channel(&pa, &extra);
    let c = outbox::sync(&mut store, &home, &ch, &fast_retry())
        .await
        .unwrap();
    assert_eq!(c.added, 9, "{c:?}");
    assert_eq!(c.unmatched, 2, "{c:?}");
    assert_eq!(invoice_status(&store, "F-2026-0001").0, Status::Approved);
    assert_eq!(
        invoice_status(&store, "F-2026-0002"),
        (Status::Refused, Some("REF_CT_ABSENT".into()))
    );
    let h3 = store
        .history(store.find_invoice("F-2026-0003").unwrap().id)
        .unwrap();
    assert!(
        h3.iter()
            .any(|e| e.raw_status == "299" && e.status == Some(Status::Unknown)),
        "the unknown code is kept: {h3:?}"
    );
    let unmatched = store.unmatched(10).unwrap();
    assert_eq!(unmatched.len(), 2);
    assert!(
        unmatched
            .iter()
            .any(|u| u.number.as_deref() == Some("F-2099-9999"))
    );
    assert!(
        unmatched
            .iter()
            .any(|u| u.raw_status.contains("unreadable"))
    );

    // Paged with a strict cursor: 11 CDARs in pages of 3 is 4 pages, each
    // resuming after the last flow of the one before.
    let lc_searches: Vec<Value> = pa.with(|p| {
        p.searches
            .iter()
            .filter(|s| s["where"]["flowType"] == json!(["CustomerInvoiceLC"]))
            .cloned()
            .collect()
    });
    assert_eq!(lc_searches.len(), 4, "{lc_searches:?}");
    assert!(lc_searches[0]["where"].get("updatedAfter").is_none());
    let afters: Vec<&str> = lc_searches[1..]
        .iter()
        .map(|s| s["where"]["updatedAfter"].as_str().unwrap())
        .collect();
    assert!(afters.windows(2).all(|w| w[0] < w[1]), "{afters:?}");
    assert!(lc_searches.iter().all(|s| s["limit"] == 3));
    let downloads_before = calls(&pa, "GET /v1/flows/LC-");
    assert_eq!(downloads_before, 11, "each CDAR downloaded once");

    // Restart: a new store handle and a new channel; two more statuses.
    drop(store);
    drop(ch);
    let cursor = Store::open_home(&home)
        .unwrap()
        .sync_state(ACCOUNT)
        .unwrap()
        .and_then(|(c, _)| c)
        .unwrap();
    assert!(cursor.starts_with("lc="), "{cursor}");
    pa.with(|p| {
        p.emit("F-2026-0001", "211", None, None);
        p.emit(
            "F-2026-0003",
            "213",
            Some("TX_TVA_ERR"),
            Some("Taux de TVA erroné"),
        );
    });
    let mut store = Store::open_home(&home).unwrap();
    let ch = channel(&pa, &extra);
    let c = outbox::sync(&mut store, &home, &ch, &fast_retry())
        .await
        .unwrap();
    assert_eq!((c.added, c.known, c.unmatched), (2, 0, 0), "{c:?}");
    assert_eq!(calls(&pa, "GET /v1/flows/LC-"), downloads_before + 2);
    assert_eq!(invoice_status(&store, "F-2026-0001").0, Status::PaymentSent);
    assert_eq!(
        invoice_status(&store, "F-2026-0003"),
        (Status::Rejected, Some("TX_TVA_ERR".into()))
    );
    // Nothing new: nothing pulled, nothing downloaded.
    let c = outbox::sync(&mut store, &home, &ch, &fast_retry())
        .await
        .unwrap();
    assert_eq!((c.added, c.known, c.unmatched), (0, 0, 0));
    assert_eq!(calls(&pa, "GET /v1/flows/LC-"), downloads_before + 2);
}

#[tokio::test]
async fn a_late_acknowledgement_error_is_found_by_the_sync() {
    let tmp = tempfile::tempdir().unwrap();
    let pa = FaultyPa::start(Options {
        // The acknowledgement stays Pending longer than the client waits.
        pending_reads: 1000,
        ..options()
    })
    .await;
    let extra = [("ack_wait_secs", "1")];
    let mut store = delivered(tmp.path(), &pa, 1..=1, &extra).await;
    assert_eq!(invoice_status(&store, "F-2026-0001").0, Status::Deposited);
    // Someone else sends the same invoice: its flow is refused as a
    // duplicate, and it is not ours, so it must not touch our invoice.
    let ch = channel(&pa, &extra);
    let info = json!({"name": "dup.pdf", "flowSyntax": "Factur-X", "trackingId": "OTHER"});
    ch.submit_flow(&info, "dup.pdf", "application/pdf", &outgoing(1, true).pdf)
        .await
        .unwrap();
    // And ours turns out to have been rejected after all.
    let id = store.find_invoice("F-2026-0001").unwrap().id;
    let ours = store
        .submissions(id)
        .unwrap()
        .last()
        .unwrap()
        .portal_ref
        .clone()
        .unwrap();
    pa.with(|p| {
        let f = p.flows.iter_mut().find(|f| f.flow_id == ours).unwrap();
        f.ack = "Error";
        // A plateforme dates the change of acknowledgement.
        f.updated_ms = jiff::Timestamp::now().as_millisecond();
        f.details.push(facteur::demo::pa_server::AckDetail {
            reason_code: "InvalidSchema".into(),
            reason_message: "BR-FR-01".into(),
        });
    });
    let c = outbox::sync(&mut store, tmp.path(), &ch, &fast_retry())
        .await
        .unwrap();
    assert_eq!((c.added, c.unmatched), (1, 1), "{c:?}");
    assert_eq!(invoice_status(&store, "F-2026-0001").0, Status::Rejected);
}

#[tokio::test]
async fn tokens_expire_and_401_429_500_and_dropped_connections_are_sorted() {
    let pa = FaultyPa::start(options()).await;
    let ch = channel(&pa, &[]);
    let out = outgoing(9, true);
    assert_eq!(ch.lookup(&out).await.unwrap(), Lookup::NotFound);
    assert_eq!(pa.with(|p| p.token_requests), 1);

    // The plateforme forgot every token: one 401, a new token, success.
    pa.with(|p| p.expire_tokens());
    assert_eq!(ch.lookup(&out).await.unwrap(), Lookup::NotFound);
    assert_eq!(pa.with(|p| (p.token_requests, p.rejected_tokens)), (2, 1));

    // A revoked token, once: renewed. Twice: the credentials are at fault.
    pa.inject("POST /v1/flows/search", Fault::Unauthorized, 1);
    assert_eq!(ch.lookup(&out).await.unwrap(), Lookup::NotFound);
    pa.inject("POST /v1/flows/search", Fault::Unauthorized, 2);
    let e = ch.lookup(&out).await.unwrap_err();
    assert!(
        matches!(e, ChannelError::Auth { .. }) && !e.is_transient(),
        "{e:?}"
    );
    assert!(!e.to_string().contains(CLIENT_SECRET));

    // 429 with Retry-After: not sent. A 500 or a dropped connection once
    // the flow was posted: ambiguous (the plateforme may hold it; here it
    // kept nothing, which only a lookup can tell).
    pa.inject(
        "POST /v1/flows",
        Fault::TooManyRequests {
            retry_after_secs: 7,
        },
        1,
    );
    let e = ch.send(&out).await.unwrap_err();
    assert_eq!(e.kind(), Failure::NotSent, "{e:?}");
    assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
    pa.inject("POST /v1/flows", Fault::ServerError, 1);
    let e = ch.send(&out).await.unwrap_err();
    assert!(
        matches!(e, ChannelError::Ambiguous(ref m) if m.contains("InternalError")),
        "{e:?}"
    );
    assert_eq!(e.kind(), Failure::Ambiguous);
    pa.inject("POST /v1/flows", Fault::DropConnection, 1);
    let e = ch.send(&out).await.unwrap_err();
    assert!(e.is_ambiguous(), "{e:?}");
    assert_eq!(pa.with(|p| p.invoices().count()), 0);
    assert_eq!(ch.lookup(&out).await.unwrap(), Lookup::NotFound);

    // The connection drops while reading the acknowledgement: the flow is
    // there, so it is a delivery, not an error to retry.
    pa.inject("GET /v1/flows/FLOW", Fault::DropConnection, 1);
    let d = ch.send(&out).await.unwrap();
    assert!(ch.after_delivery(&out, &d).await.unwrap().is_empty());
    assert_eq!(pa.with(|p| p.invoices().count()), 1);

    // A token that lives two seconds is renewed before it runs out, not after a 401.
    let short = FaultyPa::start(Options {
        token_lifetime_secs: 2,
        ..options()
    })
    .await;
    let ch2 = channel(&short, &[]);
    ch2.lookup(&out).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    ch2.lookup(&out).await.unwrap();
    assert_eq!(
        short.with(|p| (p.token_requests, p.rejected_tokens)),
        (2, 0)
    );

    // Wrong secret: an authentication error naming no secret.
    let wrong = AfnorChannel::from_account(&account(&pa, &[]), &keys("nope-wrong")).unwrap();
    let e = wrong.lookup(&out).await.unwrap_err();
    assert!(matches!(e, ChannelError::Auth { .. }), "{e:?}");
    assert!(!e.to_string().contains("nope-wrong"));
    // No secret in the keyring: a configuration error before any call.
    let none = AfnorChannel::from_account(&account(&pa, &[]), &Keys::default()).unwrap_err();
    assert!(matches!(none, ChannelError::Config { .. }), "{none:?}");
}

#[tokio::test]
async fn a_500_or_a_dropped_post_waits_for_the_plateforme_then_delivers_once() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    let pa = FaultyPa::start(options()).await;
    pa.inject("POST /v1/flows$", Fault::ServerError, 1);
    pa.inject("POST /v1/flows$", Fault::DropConnection, 1);
    let mut store = queued(home, &pa, 1..=2, &[]);
    let posted = || calls_exactly(&pa, "POST /v1/flows");
    let ch = channel(&pa, &[]);
    // First run: both posts end without a clear answer. The plateforme is
    // asked, does not list them, and inside the settling time that is not
    // believed: nothing is posted again, nothing goes back to « vérifiée ».
    let patient = Retry {
        settle: Duration::from_secs(3600),
        ..fast_retry()
    };
    let steps = outbox::run(&mut store, home, &ch, &patient, &mut |_: &Step| {})
        .await
        .unwrap();
    assert!(
        steps.iter().all(|s| matches!(s, Step::Waiting { .. })),
        "{steps:?}"
    );
    for n in ["F-2026-0001", "F-2026-0002"] {
        assert_eq!(
            invoice_status(&store, n),
            (Status::Sending, Some("AWAITING_PORTAL".to_string()))
        );
    }
    // The faults answered both posts: the plateforme itself saw none.
    assert_eq!(pa.with(|p| p.invoices().count()), 0);
    assert_eq!(posted(), 0);
    // A sync inside the settling time asks again and still sends nothing.
    outbox::sync(&mut store, home, &ch, &patient).await.unwrap();
    assert_eq!(posted(), 0);
    assert!(calls(&pa, "POST /v1/flows/search") >= 4);
    // Once the settling time has passed, "not found" is believed: each goes
    // once.
    let steps = outbox::run(&mut store, home, &ch, &fast_retry(), &mut |_: &Step| {})
        .await
        .unwrap();
    assert!(
        steps.iter().all(|s| matches!(s, Step::Sent { .. })),
        "{steps:?}"
    );
    pa.with(|p| {
        assert_eq!(p.invoices().count(), 2);
        assert_eq!(p.flows_tracked("F-2026-0001").len(), 1);
        assert_eq!(p.flows_tracked("F-2026-0002").len(), 1);
    });
    assert_eq!(invoice_status(&store, "F-2026-0002").0, Status::Deposited);
    assert_eq!(posted(), 2);
}

#[tokio::test]
async fn directory_answers_are_judged_and_cached_with_their_date() {
    let pa = FaultyPa::start(options()).await;
    let ch = channel(&pa, &[]);
    let mut store = Store::open_in_memory().unwrap();
    let day = 24 * 3600 * 1000;
    let cases = [
        ("552100554", Reach::Enabled, true),
        ("403483548", Reach::Disabled, true),
        ("810724047", Reach::Upcoming, true),
        ("443061841", Reach::NotFound, true),
        ("390879260", Reach::Enabled, false),
    ];
    for (siren, reach, given) in cases {
        let r = plateforme::lookup(&mut store, &ch, siren, day, 1_000_000)
            .await
            .unwrap();
        assert_eq!((r.reach, r.status_given), (reach, given), "{siren}");
        assert_eq!(r.can_receive(), reach == Reach::Enabled);
        assert_eq!(r.checked_ms, 1_000_000);
        if reach == Reach::Enabled {
            assert_eq!(r.address.as_deref(), Some(format!("0225:{siren}").as_str()));
        }
    }
    assert_eq!(calls(&pa, "directory-line"), 5);
    // Fresh answers come from the store; old ones are asked again.
    let r = plateforme::lookup(&mut store, &ch, "403483548", day, 1_000_000 + day / 2)
        .await
        .unwrap();
    assert_eq!((r.reach, r.checked_ms), (Reach::Disabled, 1_000_000));
    assert_eq!(calls(&pa, "directory-line"), 5);
    pa.with(|p| p.directory[2].2 = Some("Enabled".into()));
    let r = plateforme::lookup(&mut store, &ch, "403483548", day, 1_000_000 + 2 * day)
        .await
        .unwrap();
    assert_eq!(r.reach, Reach::Enabled);
    assert_eq!(calls(&pa, "directory-line"), 6);
    assert_eq!(
        plateforme::recipient(&store, "403483548")
            .unwrap()
            .unwrap()
            .checked_ms,
        1_000_000 + 2 * day
    );
    assert!(matches!(
        plateforme::lookup(&mut store, &ch, "12", day, 0).await,
        Err(PlateformeError::Siren(_))
    ));
}

#[tokio::test]
async fn marking_paid_posts_one_212_cdar_and_records_it() {
    let tmp = tempfile::tempdir().unwrap();
    let pa = FaultyPa::start(options()).await;
    let mut store = delivered(tmp.path(), &pa, 1..=2, &[]).await;
    let ch = channel(&pa, &[]);
    let id = store.find_invoice("F-2026-0001").unwrap().id;
    let done = plateforme::mark_paid(&mut store, &ch, id, facteur::mirror::store::now_ms())
        .await
        .unwrap();
    assert!(!done.found);
    assert_eq!(invoice_status(&store, "F-2026-0001").0, Status::Paid);
    let posted: Vec<Vec<u8>> = pa.with(|p| {
        p.flows
            .iter()
            .filter(|f| f.direction == "Out" && f.syntax == "CDAR")
            .map(|f| f.file.clone())
            .collect()
    });
    assert_eq!(posted.len(), 1);
    let c = cdar::parse(&posted[0]).unwrap();
    assert_eq!(c.statuses[0].invoice_number.as_deref(), Some("F-2026-0001"));
    assert_eq!(c.statuses[0].code.as_deref(), Some("212"));
    assert_eq!(c.sender_role.as_deref(), Some("SE"));
    // Once paid, never declared again.
    assert!(matches!(
        plateforme::mark_paid(&mut store, &ch, id, facteur::mirror::store::now_ms()).await,
        Err(PlateformeError::NotPayable { .. })
    ));
    // A 212 already posted before an interruption is found, not posted again.
    let id2 = store.find_invoice("F-2026-0002").unwrap().id;
    let tracking = plateforme::paid_tracking_id("F-2026-0002");
    let xml = cdar::build(&cdar::NewCdar {
        id: &tracking,
        issued_ms: 0,
        sender_role: "SE",
        invoice_number: "F-2026-0002",
        invoice_date: None,
        code: "212",
        label: None,
        reason_code: None,
        reason: None,
    });
    let meta = ch
        .post_cdar(&tracking, "x.xml", xml.as_bytes())
        .await
        .unwrap();
    let again = plateforme::mark_paid(&mut store, &ch, id2, facteur::mirror::store::now_ms())
        .await
        .unwrap();
    assert!(again.found);
    assert_eq!(again.flow_id, meta.flow_id);
    assert_eq!(pa.with(|p| p.flows_tracked(&tracking).len()), 1);
    assert_eq!(invoice_status(&store, "F-2026-0002").0, Status::Paid);
}

// --- kill -9 during 100 submissions, through the binary ------------------

/// The demonstration plateforme as its own process, killed when dropped.
struct PaProcess {
    child: Child,
    url: String,
}

impl Drop for PaProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl PaProcess {
    fn start() -> PaProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_facteur"))
            .env("LANG", "en_GB.UTF-8")
            .args(["sandbox", "serve-pa", "--port", "0", "--step-secs", "3600"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting facteur sandbox serve-pa");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(first.contains("simulation"), "{first}");
        let url = first
            .split_whitespace()
            .find(|w| w.starts_with("http://127.0.0.1:"))
            .unwrap_or_else(|| panic!("no URL in {first:?}"))
            .to_string();
        PaProcess { child, url }
    }

    fn info(&self) -> Value {
        let port: u16 = self.url.rsplit(':').next().unwrap().parse().unwrap();
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(
            s,
            "GET /info HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut text = String::new();
        s.read_to_string(&mut text).unwrap();
        serde_json::from_str(text.split("\r\n\r\n").nth(1).unwrap_or("")).unwrap()
    }

    fn received(&self) -> u64 {
        self.info()["received"].as_u64().unwrap()
    }
}

fn facteur(home: &Path, pa: &PaProcess) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_facteur"));
    c.env("FACTEUR_HOME", home)
        .env("LANG", "fr_FR.UTF-8")
        .env("FACTEUR_PA_SANDBOX_URL", &pa.url)
        .env("FACTEUR_RETRY_BASE_MS", "20")
        .env("FACTEUR_RETRY_ATTEMPTS", "3");
    c
}

fn write_invoices(dir: &Path, count: u32) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).unwrap();
    (1..=count)
        .map(|n| {
            let inv = SampleInvoice::example(n);
            let path = dir.join(format!("f-{n:05}.pdf"));
            std::fs::write(&path, invoice_pdf(&inv, true)).unwrap();
            path
        })
        .collect()
}

#[test]
fn killed_during_100_submissions_then_restarted_each_flow_exists_exactly_once() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let pa = PaProcess::start();
    let dir = tmp.path().join("in");
    write_invoices(&dir, 100);
    let mut child = facteur(&home, &pa)
        .args(["submit", "--to", "sandbox-pa"])
        .arg(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while pa.received() < 25 {
        assert!(start.elapsed() < Duration::from_secs(300), "no progress");
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    // SIGKILL: no chance to tidy up.
    let _ = child.kill();
    let _ = child.wait();
    let at_kill = pa.received();
    assert!(
        at_kill < 100,
        "the batch finished before the kill ({at_kill})"
    );

    let out = facteur(&home, &pa)
        .args(["submit", "--to", "sandbox-pa"])
        .arg(&dir)
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 1,
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(pa.received(), 100);

    // Each number exactly once at the plateforme, asked through its API.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let acc = Account {
        name: "check".into(),
        kind: Kind::Plateforme,
        settings: [
            ("url".to_string(), pa.url.clone()),
            ("simulation".to_string(), "true".to_string()),
        ]
        .into(),
        secret_fields: Vec::new(),
    };
    let ch = AfnorChannel::from_account(&acc, &Keys::default()).unwrap();
    let (flows, _) = rt
        .block_on(ch.search_all(&json!({"flowDirection": ["Out"]}), None))
        .unwrap();
    let mut per_number: HashMap<String, usize> = HashMap::new();
    for f in &flows {
        *per_number
            .entry(f.tracking_id.clone().unwrap())
            .or_default() += 1;
        assert_eq!(f.ack.as_deref(), Some("Ok"), "{f:?}");
    }
    assert_eq!(per_number.len(), 100);
    for n in 1..=100 {
        assert_eq!(
            per_number.get(&format!("F-2026-{n:04}")),
            Some(&1),
            "F-2026-{n:04}"
        );
    }

    let c = rusqlite::Connection::open(home.join("facteur.db")).unwrap();
    let q = |sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(
        q("SELECT count(*) FROM submissions WHERE outcome = 'sent'"),
        100
    );
    assert_eq!(
        q("SELECT count(*) FROM submissions WHERE outcome IN ('queued', 'sending')"),
        0
    );
    assert_eq!(
        q("SELECT count(*) FROM invoices WHERE current_status = 'deposited'"),
        100
    );

    // The plateforme's first status (200 Déposée) comes back by sync, once
    // per invoice; then the supplier declares one paid.
    let out = facteur(&home, &pa)
        .args(["sync", "--account", "sandbox-pa"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        q("SELECT count(*) FROM events WHERE vocabulary = 'reform' AND raw_status = '200'"),
        100
    );
    let out = facteur(&home, &pa)
        .args(["paid", "F-2026-0007"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("encaissée (212)"), "{text}");
    let status: String = c
        .query_row(
            "SELECT current_status FROM invoices WHERE number = 'F-2026-0007'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(status, "paid");
    let (cdars, _) = rt
        .block_on(ch.search_all(&json!({"flowDirection": ["Out"], "trackingId": facteur::send::plateforme::paid_tracking_id("F-2026-0007")}), None))
        .unwrap();
    assert_eq!(cdars.len(), 1);
}
