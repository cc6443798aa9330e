//! The Chorus Pro channel against the contract server on loopback: every
//! test asserts on what the portal received, not only on the answer.

#[path = "support/chorus_server.rs"]
mod chorus_server;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use chorus_server::{ChorusServer, Fault, Recorder, SUPPLIER_ID};
use facteur::check::facts::{FactKey, FactSource};
use facteur::demo::sample::{SampleInvoice, invoice_pdf};
use facteur::mirror::lifecycle::Vocabulary;
use facteur::send::accounts::{Account, AccountError, Kind, SecretStore};
use facteur::send::channel::chorus::{ChorusChannel, password_warning};
use facteur::send::channel::{Channel, ChannelError, Failure, Lookup, Outgoing, SendKind, Tracked};
use sha2::{Digest, Sha256};

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

const ACCOUNT: &str = "chorus-test";
const BUYER_SIRET: &str = "55210055400013";

fn keys() -> Keys {
    let k = Keys::default();
    for (f, v) in ChorusServer::secrets() {
        k.set(ACCOUNT, f, v).unwrap();
    }
    k
}

fn account(settings: BTreeMap<String, String>) -> Account {
    Account {
        name: ACCOUNT.into(),
        kind: Kind::ChorusPro,
        settings,
        secret_fields: vec!["client_secret".into(), "technical_password".into()],
    }
}

fn channel_with(server: &ChorusServer, extra: &[(&str, &str)]) -> ChorusChannel {
    let mut settings = server.settings();
    for (k, v) in extra {
        settings.insert(k.to_string(), v.to_string());
    }
    ChorusChannel::from_account(&account(settings), &keys()).unwrap()
}

fn channel(server: &ChorusServer) -> ChorusChannel {
    channel_with(server, &[])
}

/// An invoice as the outbox hands it over: the checked bytes and what the
/// checker read from them.
fn outgoing(n: u32, facturx: bool, file_name: &str) -> Outgoing {
    let inv = SampleInvoice::example(n);
    let pdf = invoice_pdf(&inv, facturx);
    let report = facteur::check::check_bytes(
        Path::new(file_name),
        pdf.len() as u64,
        &pdf,
        &facteur::check::Options::default(),
    );
    assert_eq!(
        report.structured.is_some(),
        facturx,
        "{:?}",
        report.structured
    );
    Outgoing {
        invoice_id: i64::from(n),
        submission_id: i64::from(n),
        kind: SendKind::Submit,
        number: inv.number.clone(),
        file_name: file_name.into(),
        sha256: format!("{:x}", Sha256::digest(&pdf)),
        pdf,
        facts: report.facts,
        structured: report.structured,
        annexes: Vec::new(),
        recipient: None,
        ambiguous_since_ms: None,
    }
}

#[tokio::test]
async fn facturx_goes_as_a_flow_and_arrives_byte_identical() {
    let server = ChorusServer::start().await;
    let ch = channel(&server);
    let out = outgoing(1, true, "F-2026-0001.pdf");
    ch.precheck(&out).unwrap();
    let d = ch.send(&out).await.unwrap();
    // The flow number comes back at once; the deposit report is read only
    // once the outbox recorded it.
    assert!(d.events.is_empty());
    assert_eq!(
        server.with(|p| p.calls.clone()),
        ["factures/v1/deposer/flux"]
    );
    let events = ch.after_delivery(&out, &d).await.unwrap();

    server.with(|p| {
        assert_eq!(p.flows.len(), 1);
        let flow = &p.flows[0];
        assert_eq!(d.portal_ref, flow.number);
        assert!(flow.bytes == out.pdf, "the portal received other bytes");
        assert_eq!(flow.syntax, "IN_DP_E2_CII_FACTURX");
        assert_eq!(flow.file_name, "F-2026-0001.pdf");
        assert_eq!(flow.invoice_number.as_deref(), Some("F-2026-0001"));
        assert_eq!(p.deposits.get("F-2026-0001"), Some(&1));
        assert!(p.attachments.is_empty() && p.submissions.is_empty());
        assert_eq!(
            p.calls,
            [
                "factures/v1/deposer/flux",
                "transverses/v1/consulterCRDetaille"
            ]
        );
        assert_eq!(p.token_requests, 1, "one token for both calls");
    });
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e.vocabulary, Vocabulary::ChorusProFlow);
    assert_eq!(e.raw_status, "IN_INTEGRE");
    assert_eq!(e.portal_ref.as_deref(), Some(d.portal_ref.as_str()));
    assert_eq!(e.number.as_deref(), Some("F-2026-0001"));
    assert_eq!(e.raw_reason, None);
}

#[tokio::test]
async fn partially_integrated_flow_reports_its_errors() {
    let server = ChorusServer::start().await;
    server.with(|p| {
        p.flow_state = "IN_INTEGRE_PARTIEL".into();
        p.flow_errors = vec![("DP_ERR_12".into(), "Montant TTC incohérent".into())];
    });
    let ch = channel(&server);
    let out = outgoing(2, true, "f2.pdf");
    let d = ch.send(&out).await.unwrap();
    let events = ch.after_delivery(&out, &d).await.unwrap();
    let e = &events[0];
    assert_eq!(e.raw_status, "IN_INTEGRE_PARTIEL");
    assert_eq!(
        e.raw_reason.as_deref(),
        Some("DP_ERR_12 Montant TTC incohérent")
    );
}

#[tokio::test]
async fn plain_pdf_is_uploaded_then_submitted() {
    let server = ChorusServer::start().await;
    let structure = server.add_structure(BUYER_SIRET, false, false);
    let ch = channel(&server);
    let long = "Facture n° F-2026-0003 — Boulangerie L'Épi d'Or, mars 2026 (copie client).pdf";
    let out = outgoing(3, false, long);
    assert_eq!(out.facts.get(FactKey::BuyerSiret), Some(BUYER_SIRET));
    let d = ch.send(&out).await.unwrap();

    server.with(|p| {
        assert_eq!(
            p.calls,
            [
                "structures/v1/rechercher",
                "structures/v1/consulter",
                "transverses/v1/ajouter/fichier",
                "factures/v1/soumettre"
            ]
        );
        assert!(p.structures[0].id == structure);
        assert_eq!(p.attachments.len(), 1);
        let a = &p.attachments[0];
        assert!(a.bytes == out.pdf, "the portal received other bytes");
        assert!(a.name.chars().count() <= 50, "{}", a.name);
        assert!(a.name.ends_with(".pdf") && a.name.starts_with("Facture_n_F-2026-0003"));
        assert_eq!(a.mime, "application/pdf");
        let s = &p.submissions[0];
        assert_eq!(s["modeDepot"], "DEPOT_PDF_API");
        assert_eq!(s["numeroFactureSaisi"], "F-2026-0003");
        assert_eq!(s["dateFacture"], out.facts.get(FactKey::IssueDate).unwrap());
        assert_eq!(s["destinataire"]["codeDestinataire"], BUYER_SIRET);
        assert_eq!(s["fournisseur"]["idFournisseur"], SUPPLIER_ID);
        assert_eq!(
            s["cadreDeFacturation"]["codeCadreFacturation"],
            "A1_FACTURE_FOURNISSEUR"
        );
        assert_eq!(
            s["pieceJointePrincipale"][0]["pieceJointePrincipaleId"],
            a.id
        );
        let ht: f64 = out
            .facts
            .get(FactKey::TotalWithoutTax)
            .unwrap()
            .parse()
            .unwrap();
        let ttc: f64 = out
            .facts
            .get(FactKey::TotalWithTax)
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(s["montantTotal"]["montantHtTotal"].as_f64(), Some(ht));
        assert_eq!(s["montantTotal"]["montantTtcTotal"].as_f64(), Some(ttc));
        assert_eq!(p.deposits.get("F-2026-0003"), Some(&1));
        assert_eq!(d.portal_ref, p.invoices[0].id.to_string());
    });
    assert_eq!(d.events.len(), 1);
    assert_eq!(d.events[0].vocabulary, Vocabulary::ChorusPro);
    assert_eq!(d.events[0].raw_status, "DEPOSEE");
}

#[tokio::test]
async fn missing_service_code_is_refused_before_any_upload() {
    let server = ChorusServer::start().await;
    server.add_structure(BUYER_SIRET, true, true);
    let ch = channel(&server);
    let mut out = outgoing(4, false, "f4.pdf");
    let err = ch.send(&out).await.unwrap_err();
    let ChannelError::Invalid(msg) = &err else {
        panic!("{err:?}")
    };
    assert!(
        msg.contains("code service") && msg.contains("service code"),
        "{msg}"
    );
    assert!(msg.contains("engagement"), "{msg}");
    assert!(!err.is_transient());
    server.with(|p| {
        assert_eq!(p.count("ajouter/fichier"), 0, "{:?}", p.calls);
        assert_eq!(p.count("soumettre"), 0);
        assert!(p.attachments.is_empty() && p.deposits.is_empty());
    });

    // With both references on the invoice, it goes, carrying them.
    out.facts
        .insert(FactKey::BuyerReference, "SERV-42", FactSource::Text);
    out.facts
        .insert(FactKey::OrderReference, "EJ-2026-7", FactSource::Text);
    ch.send(&out).await.unwrap();
    server.with(|p| {
        let s = &p.submissions[0];
        assert_eq!(s["destinataire"]["codeServiceExecutant"], "SERV-42");
        assert_eq!(s["references"]["numeroBonCommande"], "EJ-2026-7");
        assert_eq!(p.deposits.get("F-2026-0004"), Some(&1));
    });
}

#[tokio::test]
async fn precheck_needs_a_siret_and_a_small_file() {
    let server = ChorusServer::start().await;
    let ch = channel(&server);
    let mut out = outgoing(5, false, "f5.pdf");
    out.facts.0.remove(&FactKey::BuyerSiret);
    let err = ch.send(&out).await.unwrap_err();
    let ChannelError::Invalid(msg) = &err else {
        panic!("{err:?}")
    };
    assert!(msg.contains("SIRET") && msg.contains("recipient"), "{msg}");

    let mut big = outgoing(6, true, "f6.pdf");
    big.pdf.resize(10 * 1024 * 1024, b' ');
    assert!(matches!(ch.precheck(&big), Err(ChannelError::Invalid(_))));
    assert!(matches!(ch.send(&big).await, Err(ChannelError::Invalid(_))));
    server.with(|p| assert!(p.calls.is_empty(), "{:?}", p.calls));
    assert_eq!(server.with(|p| p.token_requests), 0);
}

#[tokio::test]
async fn token_is_cached_then_renewed_before_it_expires() {
    let server = ChorusServer::start().await;
    server.with(|p| p.token_lifetime_secs = 2);
    let ch = channel(&server);
    let out = outgoing(7, false, "f7.pdf");
    ch.lookup(&out).await.unwrap();
    ch.lookup(&out).await.unwrap();
    assert_eq!(server.with(|p| p.token_requests), 1, "the token is reused");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(ch.lookup(&out).await.unwrap(), Lookup::NotFound);
    server.with(|p| {
        assert_eq!(p.token_requests, 2, "renewed");
        assert_eq!(p.rejected_tokens, 0, "never sent an expired token");
    });
}

#[tokio::test]
async fn a_revoked_token_is_renewed_and_the_call_tried_once_more() {
    let server = ChorusServer::start().await;
    server.inject("deposer/flux", Fault::Unauthorized, 1);
    let out = outgoing(8, true, "f8.pdf");
    let d = channel(&server).send(&out).await.unwrap();
    server.with(|p| {
        assert_eq!(p.token_requests, 2);
        assert_eq!(p.count("deposer/flux"), 2);
        assert_eq!(p.flows.len(), 1, "deposited once");
        assert_eq!(p.flows[0].number, d.portal_ref);
    });
}

#[tokio::test]
async fn repeated_401_is_an_auth_error_with_the_header_details() {
    let server = ChorusServer::start().await;
    server.inject("deposer/flux", Fault::Unauthorized, u32::MAX);
    let ch = channel(&server);
    let err = ch.send(&outgoing(9, true, "f9.pdf")).await.unwrap_err();
    let ChannelError::Auth { account, detail } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(account, ACCOUNT);
    assert!(detail.contains("invalid_token"), "{detail}");
    assert!(detail.contains("revoked"), "{detail}");
    let shown = format!("{err} {err:?} {ch:?}");
    for secret in [
        chorus_server::CLIENT_SECRET,
        chorus_server::PASSWORD,
        "tok-",
    ] {
        assert!(!shown.contains(secret), "{shown}");
    }
    assert!(!err.is_transient());
    server.with(|p| {
        assert_eq!(p.token_requests, 2, "one renewal, not a loop");
        assert_eq!(p.count("deposer/flux"), 2);
        assert!(p.flows.is_empty());
    });
}

#[tokio::test]
async fn refused_client_credentials_are_an_auth_error() {
    let server = ChorusServer::start().await;
    server.with(|p| p.refuse_tokens = true);
    let err = channel(&server)
        .send(&outgoing(10, true, "f10.pdf"))
        .await
        .unwrap_err();
    let ChannelError::Auth { detail, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(detail.contains("Client authentication failed"), "{detail}");
    assert!(!detail.contains(chorus_server::CLIENT_SECRET));
    server.with(|p| assert!(p.calls.is_empty()));
}

#[tokio::test]
async fn rate_limit_is_transient_with_its_delay() {
    let server = ChorusServer::start().await;
    server.inject(
        "rechercher/fournisseur",
        Fault::TooManyRequests {
            retry_after_secs: 7,
        },
        1,
    );
    let ch = channel(&server);
    let out = outgoing(11, false, "f11.pdf");
    let err = ch.lookup(&out).await.unwrap_err();
    assert!(matches!(err, ChannelError::RateLimited { .. }), "{err:?}");
    assert!(err.is_transient());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
    assert_eq!(server.with(|p| p.count("rechercher/fournisseur")), 1);
    // The next call goes through.
    assert_eq!(ch.lookup(&out).await.unwrap(), Lookup::NotFound);
}

#[tokio::test]
async fn a_server_error_on_the_deposit_is_ambiguous_and_not_retried_inside() {
    let server = ChorusServer::start().await;
    server.inject("deposer/flux", Fault::ServerError, 1);
    let err = channel(&server)
        .send(&outgoing(12, true, "f12.pdf"))
        .await
        .unwrap_err();
    // A 500 to the call that creates the flow: the portal may hold it.
    assert!(matches!(err, ChannelError::Ambiguous(_)), "{err:?}");
    assert_eq!(err.kind(), Failure::Ambiguous);
    server.with(|p| {
        assert_eq!(p.count("deposer/flux"), 1, "retries are the outbox's job");
        assert!(p.flows.is_empty());
    });
}

#[tokio::test]
async fn a_slow_answer_to_the_deposit_is_ambiguous_but_a_slow_search_is_a_timeout() {
    let server = ChorusServer::start().await;
    server.inject("deposer/flux", Fault::Delay(Duration::from_secs(3)), 1);
    let ch = channel_with(&server, &[("timeout_secs", "1")]);
    let out = outgoing(13, true, "f13.pdf");
    let err = ch.send(&out).await.unwrap_err();
    assert!(matches!(err, ChannelError::Ambiguous(_)), "{err:?}");
    // A search creates nothing: its timeout is a plain one, worth retrying.
    server.inject(
        "rechercher/fournisseur",
        Fault::Delay(Duration::from_secs(3)),
        1,
    );
    let err = ch.lookup(&out).await.unwrap_err();
    assert!(matches!(err, ChannelError::Timeout(_)), "{err:?}");
    assert_eq!(err.kind(), Failure::NotSent);
}

#[tokio::test]
async fn a_connection_dropped_mid_upload_is_ambiguous_and_the_lookup_decides() {
    let server = ChorusServer::start().await;
    server.inject("deposer/flux", Fault::DropConnection, 1);
    let ch = channel(&server);
    let out = outgoing(14, true, "f14.pdf");
    let err = ch.send(&out).await.unwrap_err();
    assert!(err.is_ambiguous(), "{err:?}");
    server.with(|p| assert!(p.flows.is_empty(), "nothing was processed"));
    // And the portal really did not get it: a retry deposits exactly once.
    assert_eq!(ch.lookup(&out).await.unwrap(), Lookup::NotFound);
    ch.send(&out).await.unwrap();
    assert_eq!(
        server.with(|p| p.deposits.get("F-2026-0014").copied()),
        Some(1)
    );
}

/// 24 other invoices, then ours: with pages of 10 it is on page 3.
fn seed_page_three(server: &ChorusServer) -> i64 {
    for i in 0..24 {
        server.add_invoice(
            &format!("A-{i:03}"),
            "MISE_A_DISPOSITION",
            "2026-03-05 10:00",
        );
    }
    server.add_invoice("F-2026-0015", "MANDATEE", "2026-03-06 10:00")
}

#[tokio::test]
async fn lookup_reads_every_page_to_find_an_invoice() {
    let server = ChorusServer::start().await;
    // A portal whose number filter matches loosely lists everything.
    server.with(|p| p.loose_number_filter = true);
    let target = seed_page_three(&server);
    let ch = channel_with(&server, &[("page_size", "10")]);
    let out = outgoing(15, false, "f15.pdf");
    assert_eq!(
        ch.lookup(&out).await.unwrap(),
        Lookup::Found {
            portal_ref: target.to_string()
        }
    );
    assert_eq!(server.with(|p| p.pages_served.clone()), [1, 2, 3]);

    // Absent: every page read, then NotFound.
    let other = outgoing(16, false, "f16.pdf");
    server.with(|p| p.pages_served.clear());
    assert_eq!(ch.lookup(&other).await.unwrap(), Lookup::NotFound);
    assert_eq!(server.with(|p| p.pages_served.clone()), [1, 2, 3]);
}

#[tokio::test]
async fn lookup_does_not_say_not_found_when_the_paging_is_broken() {
    let server = ChorusServer::start().await;
    server.with(|p| {
        p.loose_number_filter = true;
        p.repeat_first_page = true;
    });
    seed_page_three(&server);
    let ch = channel_with(&server, &[("page_size", "10")]);
    let err = ch.lookup(&outgoing(15, false, "f.pdf")).await.unwrap_err();
    assert!(matches!(err, ChannelError::Protocol(_)), "{err:?}");
    assert_eq!(
        server.with(|p| p.pages_served.clone()),
        [1, 2],
        "no endless loop"
    );
}

#[tokio::test]
async fn pull_sees_every_invoice_across_pages_once() {
    let server = ChorusServer::start().await;
    server.with(|p| p.max_page_size = Some(4));
    let statuses = [
        "DEPOSEE",
        "MISE_A_DISPOSITION",
        "REJETEE",
        "MISE_EN_PAIEMENT",
    ];
    let ids: Vec<i64> = (0..23)
        .map(|i| {
            server.add_invoice(
                &format!("P-{i:03}"),
                statuses[i % 4],
                &format!("2026-03-{:02} 10:{:02}", 2 + i / 10, i),
            )
        })
        .collect();
    // A Factur-X flow deposited through the channel, tracked by its flow number.
    let ch = channel_with(&server, &[("page_size", "10")]);
    let flow_out = outgoing(17, true, "f17.pdf");
    let flow = ch.send(&flow_out).await.unwrap().portal_ref;
    let tracked = [
        Tracked {
            invoice_id: 1,
            number: "P-005".into(),
            portal_ref: ids[5].to_string(),
        },
        Tracked {
            invoice_id: 2,
            number: "F-2026-0017".into(),
            portal_ref: flow.clone(),
        },
    ];
    let pulled = ch.pull(&tracked, None).await.unwrap();
    assert!(pulled.ignored.is_empty(), "{:?}", pulled.ignored);
    // 24 invoices at the portal, pages of 4 whatever the client asked.
    assert_eq!(server.with(|p| p.pages_served.clone()), [1, 2, 3, 4, 5, 6]);

    let mut per_ref: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for e in &pulled.events {
        assert_eq!(e.vocabulary, Vocabulary::ChorusPro);
        per_ref
            .entry(e.portal_ref.clone().unwrap())
            .or_default()
            .push(e.raw_status.as_str());
    }
    for (i, id) in ids.iter().enumerate() {
        let seen = per_ref
            .get(&id.to_string())
            .unwrap_or_else(|| panic!("P-{i:03} lost"));
        if i == 5 {
            assert_eq!(
                seen,
                &["DEPOSEE", "MISE_A_DISPOSITION"],
                "tracked: its history"
            );
        } else {
            assert_eq!(seen, &[statuses[i % 4]], "P-{i:03} seen once");
        }
    }
    // The flow became an invoice: its history, under the invoice's id.
    let flow_invoice = server.with(|p| p.invoices.last().unwrap().id.to_string());
    assert_eq!(per_ref[&flow_invoice], ["DEPOSEE"]);
    let e = pulled
        .events
        .iter()
        .find(|e| e.portal_ref.as_deref() == Some(flow_invoice.as_str()))
        .unwrap();
    assert_eq!(e.number.as_deref(), Some("F-2026-0017"));
    assert_eq!(per_ref.len(), 24);
    let p5 = pulled
        .events
        .iter()
        .find(|e| e.raw_status == "MISE_A_DISPOSITION" && e.number.as_deref() == Some("P-005"))
        .unwrap();
    // 2026-03-02 10:05 Paris = 09:05 UTC.
    assert_eq!(p5.at_ms, 1_772_442_300_000);

    // Nothing changed since: only the tracked histories come back.
    let again = ch.pull(&tracked, pulled.cursor.as_deref()).await.unwrap();
    assert_eq!(again.events.len(), 3, "{:?}", again.events);
}

#[tokio::test]
async fn pull_says_so_when_the_portal_repeats_a_page() {
    let server = ChorusServer::start().await;
    server.with(|p| {
        p.max_page_size = Some(4);
        p.repeat_first_page = true;
    });
    for i in 0..10 {
        server.add_invoice(&format!("R-{i}"), "DEPOSEE", "2026-03-02 10:00");
    }
    let pulled = channel(&server).pull(&[], None).await.unwrap();
    assert_eq!(pulled.events.len(), 4);
    assert_eq!(pulled.ignored.len(), 1, "{:?}", pulled.ignored);
    assert!(
        pulled.ignored[0].contains("4 of 10"),
        "{:?}",
        pulled.ignored
    );
}

/// A portal that answers a redirect gets no second request anywhere: not
/// the token request (a 307 would replay its form, `client_secret`
/// included), not a deposit carrying `cpro-account` and the invoice, not a
/// search. Each is a permanent failure naming where the portal pointed.
#[tokio::test]
async fn a_redirecting_portal_sends_nothing_to_the_other_address() {
    let server = ChorusServer::start().await;
    let elsewhere = Recorder::start().await;
    let to = || Fault::Redirect {
        status: 307,
        to: elsewhere.url(),
    };
    let ch = channel(&server);

    server.inject("/api/oauth/token", to(), 1);
    let err = ch.send(&outgoing(41, true, "f41.pdf")).await.unwrap_err();
    let said = err.to_string();
    assert!(matches!(err, ChannelError::Redirected(_)), "{err:?}");
    assert_eq!(err.kind(), Failure::Permanent);
    assert!(
        said.contains("le portail a renvoyé vers une autre adresse")
            && said.contains(&elsewhere.url()),
        "{said}"
    );
    assert_eq!(server.fired("/api/oauth/token"), 1);

    server.inject("deposer/flux", to(), 1);
    let err = ch.send(&outgoing(42, true, "f42.pdf")).await.unwrap_err();
    assert!(matches!(err, ChannelError::Redirected(_)), "{err:?}");
    assert_eq!(err.kind(), Failure::Permanent);
    assert_eq!(server.fired("deposer/flux"), 1);

    server.inject(
        "rechercher/fournisseur",
        Fault::Redirect {
            status: 302,
            to: elsewhere.url(),
        },
        1,
    );
    let err = ch.pull(&[], None).await.unwrap_err();
    assert!(matches!(err, ChannelError::Redirected(_)), "{err:?}");

    let arrived = elsewhere.arrived();
    assert!(
        arrived.is_empty(),
        "the other address received {} request(s): {:?}",
        arrived.len(),
        arrived
            .iter()
            .map(|a| format!("{} {} {:?}", a.method, a.path, a.headers))
            .collect::<Vec<_>>()
    );
    for (_, secret) in ChorusServer::secrets() {
        assert!(!said.contains(secret));
    }
    // Nothing was deposited either: the portal's own handler never ran.
    assert!(server.with(|p| p.flows.is_empty()));
}

/// An answer of 1 GiB is refused once it passes the 16 MiB cap for JSON,
/// while it streams: the portal never gets to produce the rest.
#[tokio::test]
async fn a_one_gigabyte_answer_is_refused_while_it_streams() {
    let server = ChorusServer::start().await;
    let produced = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    server.inject(
        "rechercher/fournisseur",
        Fault::Huge {
            bytes: 1 << 30,
            produced: produced.clone(),
        },
        1,
    );
    let err = channel(&server).pull(&[], None).await.unwrap_err();
    assert!(matches!(err, ChannelError::Protocol(_)), "{err:?}");
    assert!(err.to_string().contains("larger than 16 MiB"), "{err}");
    assert_eq!(server.fired("rechercher/fournisseur"), 1);
    let read = produced.load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        read < 64 << 20,
        "{read} bytes were produced for the client before it gave up"
    );
}

/// Numbers from the portal that overflow a clock or a duration neither
/// panic nor make Facteur wait for ever: a token that "expires in"
/// 18446744073709551615 s is used (and trusted a day at most), and a
/// `Retry-After` of as many seconds becomes an hour.
#[tokio::test]
async fn overflowing_expires_in_and_retry_after_are_capped() {
    let server = ChorusServer::start().await;
    server.with(|p| p.token_lifetime_secs = u64::MAX);
    let ch = channel(&server);
    ch.pull(&[], None).await.unwrap();
    ch.pull(&[], None).await.unwrap();
    assert_eq!(server.with(|p| p.token_requests), 1);

    server.inject(
        "rechercher/fournisseur",
        Fault::TooManyRequests {
            retry_after_secs: u64::MAX,
        },
        1,
    );
    let err = ch.pull(&[], None).await.unwrap_err();
    assert!(matches!(err, ChannelError::RateLimited { .. }), "{err:?}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
}

/// `http://127.0.0.1:80@example.org/` names the host example.org (the part
/// before `@` is a user name): refused when the channel is built, before
/// any connection, like plain http to any host but this machine.
#[tokio::test]
async fn a_user_name_that_looks_like_loopback_is_refused_before_any_connection() {
    let server = ChorusServer::start().await;
    for (url, why) in [
        ("http://127.0.0.1:80@example.org/", "nom d'utilisateur"),
        (&format!("http://x@{}", server.addr), "nom d'utilisateur"),
        ("http://example.org", "https://"),
        ("http://127.0.0.1.example.org", "https://"),
    ] {
        for key in ["api_url", "oauth_url"] {
            let mut settings = server.settings();
            settings.insert(key.into(), url.into());
            let err = ChorusChannel::from_account(&account(settings), &keys()).unwrap_err();
            assert!(matches!(err, ChannelError::Config { .. }), "{url}: {err:?}");
            assert!(err.to_string().contains(why), "{url}: {err}");
        }
    }
    assert!(server.with(|p| p.calls.is_empty() && p.token_requests == 0));
}

#[tokio::test]
async fn replay_is_unsupported() {
    let server = ChorusServer::start().await;
    assert!(matches!(
        channel(&server).replay("123").await,
        Err(ChannelError::Unsupported(_))
    ));
}

#[test]
fn missing_settings_and_secrets_are_named_never_shown() {
    let settings = BTreeMap::from(
        [
            ("environment", "production"),
            ("client_id", "id"),
            ("login", "tech"),
            ("supplier_id", "42"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    let err =
        ChorusChannel::from_account(&account(settings.clone()), &Keys::default()).unwrap_err();
    let ChannelError::Config { detail, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(detail.contains("client_secret"), "{detail}");

    let only_secret = Keys::default();
    only_secret
        .set(ACCOUNT, "client_secret", "s3cr3t-value")
        .unwrap();
    let err = ChorusChannel::from_account(&account(settings.clone()), &only_secret).unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(
        text.contains("technical_password") && !text.contains("s3cr3t"),
        "{text}"
    );

    for key in ["client_id", "login", "supplier_id"] {
        let mut s = settings.clone();
        s.remove(key);
        let err = ChorusChannel::from_account(&account(s), &keys()).unwrap_err();
        assert!(err.to_string().contains(key), "{err}");
    }
    let mut s = settings.clone();
    s.insert("environment".into(), "staging".into());
    assert!(ChorusChannel::from_account(&account(s), &keys()).is_err());
    let mut s = settings;
    s.insert("api_url".into(), "http://example.org".into());
    s.insert("oauth_url".into(), "https://oauth.example.org".into());
    let err = ChorusChannel::from_account(&account(s), &keys()).unwrap_err();
    assert!(err.to_string().contains("api_url"), "{err}");
}

#[test]
fn password_warning_starts_fifteen_days_ahead() {
    let today: jiff::civil::Date = "2026-03-10".parse().unwrap();
    let with = |expires: Option<&str>| {
        let mut s = BTreeMap::new();
        if let Some(e) = expires {
            s.insert("password_expires".to_string(), e.to_string());
        }
        password_warning(&account(s), today)
    };
    assert_eq!(with(None), None);
    assert_eq!(with(Some("2026-03-26")), None, "16 days ahead");
    let soon = with(Some("2026-03-25")).unwrap();
    assert!(
        soon.contains("15 jour") && soon.contains("15 day"),
        "{soon}"
    );
    let today_msg = with(Some("2026-03-10")).unwrap();
    assert!(today_msg.contains("aujourd'hui") && today_msg.contains("today"));
    let past = with(Some("2026-02-01")).unwrap();
    assert!(
        past.contains("a expiré") && past.contains("expired"),
        "{past}"
    );
    let bad = with(Some("01/04/2026")).unwrap();
    assert!(bad.contains("YYYY-MM-DD"), "{bad}");
}
