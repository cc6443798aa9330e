//! The shell's commands called the way the interface calls them (IPC
//! requests with JSON arguments), on Tauri's mock runtime: no webview, a real
//! database on disk, the real sandbox portal on loopback.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use facteur::demo::sample::{Build, PageKind, SampleInvoice, invoice_pdf};
use facteur_app::Shell;
use serde_json::{Value, json};
use tauri::Listener;
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};

struct App {
    app: tauri::App<MockRuntime>,
    window: tauri::WebviewWindow<MockRuntime>,
}

fn start(home: &Path) -> App {
    start_with(home, Vec::new())
}

/// The app as `facteur-app FILE...` ("Open with Facteur") starts it.
fn start_with(home: &Path, files: Vec<std::path::PathBuf>) -> App {
    let shell = Shell::open(home).unwrap().with_launch_files(files);
    let app = facteur_app::builder(mock_builder(), shell)
        .build(facteur_app::context())
        .unwrap();
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    App { app, window }
}

impl App {
    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        get_ipc_response(
            &self.window,
            tauri::webview::InvokeRequest {
                cmd: cmd.into(),
                callback: tauri::ipc::CallbackFn(0),
                error: tauri::ipc::CallbackFn(1),
                // The app's own origin on Linux and macOS (`http://tauri.localhost`
                // on Windows): the capability grants the commands to it only.
                url: "tauri://localhost".parse().unwrap(),
                body: tauri::ipc::InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|b| b.deserialize::<Value>().unwrap())
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args)
            .unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    fn err(&self, cmd: &str, args: Value) -> Value {
        let e = self
            .call(cmd, args)
            .expect_err(&format!("{cmd} should have failed"));
        // Every failure has the documented shape.
        for k in ["code", "message_fr", "message_en"] {
            assert!(e[k].is_string(), "{cmd}: {k} missing in {e}");
        }
        e
    }
}

fn write(dir: &Path, n: u32, kind: PageKind) -> std::path::PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let inv = SampleInvoice::example(n);
    let bytes = if kind == PageKind::Native {
        invoice_pdf(&inv, false)
    } else {
        Build {
            invoices: vec![inv],
            page_kinds: vec![kind],
            ..Build::default()
        }
        .to_bytes()
    };
    let p = dir.join(format!("f-{n}.pdf"));
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Drops files the way the window's drag-drop event does, and waits for the
/// batch's last progress event.
fn drop_files(app: &App, paths: Vec<std::path::PathBuf>) -> Vec<Value> {
    let seen: Arc<Mutex<Vec<Value>>> = Arc::default();
    let sink = seen.clone();
    let id = app.app.listen("batch-progress", move |e| {
        sink.lock()
            .unwrap()
            .push(serde_json::from_str(e.payload()).unwrap());
    });
    facteur_app::shell::start_batch(app.app.handle(), paths);
    let start = Instant::now();
    loop {
        if seen.lock().unwrap().iter().any(|p| p["done"] == true) {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "no end of batch");
        std::thread::sleep(Duration::from_millis(10));
    }
    app.app.unlisten(id);
    seen.lock().unwrap().clone()
}

/// The sandbox portal on loopback, any free port; its URL.
fn sandbox() -> String {
    tauri::async_runtime::block_on(async {
        let listener = facteur::demo::sandbox_server::bind("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let addr = listener.local_addr().unwrap();
        tauri::async_runtime::spawn(facteur::demo::sandbox_server::serve(
            listener,
            facteur::demo::sandbox::Sandbox::with_demo_customers(facteur::demo::sandbox::Timing {
                videocodage_ms: 60_000,
                step_ms: 60_000,
            }),
            None,
            std::future::pending(),
        ));
        format!("http://{addr}")
    })
}

#[test]
fn a_fresh_install_is_empty_french_and_shows_its_data_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let app = start(tmp.path());
    let s = app.ok("get_settings", json!({}));
    assert_eq!(s["language"], "fr");
    assert_eq!(s["data_dir"], tmp.path().display().to_string());
    let c = app.ok("counts", json!({}));
    assert_eq!(c["all"], 0);
    assert_eq!(c["to_do"], 0);
    let page = app.ok("list_invoices", json!({ "filter": { "group": "to_do" } }));
    assert_eq!(page["rows"], json!([]));
    assert_eq!(page["has_more"], false);
    // The built-in demonstration portal is there, with no secret.
    let accounts = app.ok("list_accounts", json!({}));
    assert_eq!(accounts[0]["name"], "sandbox");
    assert_eq!(accounts[0]["kind"], "sandbox");
    assert_eq!(accounts[0]["secret_fields"], json!([]));
}

#[test]
fn dropped_files_are_checked_recorded_and_listed_by_group() {
    let tmp = tempfile::tempdir().unwrap();
    let app = start(&tmp.path().join("home"));
    let dir = tmp.path().join("drop");
    let good = write(&dir, 1, PageKind::Native);
    let scan = write(&dir, 2, PageKind::ScannedOcr);
    std::fs::write(dir.join("notes.pdf"), b"not a pdf at all").unwrap();
    let progress = drop_files(&app, vec![dir.clone()]);
    let last = progress.last().unwrap();
    assert_eq!(last["total"], 3);
    assert_eq!(last["checked"], 3);
    assert_eq!(last["accepted"], 1);
    assert_eq!(last["blocked"], 2);
    assert_eq!(last["cancelled"], false);

    let c = app.ok("counts", json!({}));
    // Every file is listed: the scan (blocked, with its number) and the
    // non-PDF (blocked, no number) too, under « Bloquées » and « À traiter ».
    assert_eq!(c["all"], 3);
    assert_eq!(c["to_do"], 3);
    assert_eq!(c["blocked"], 2);
    let blocked = app.ok("list_invoices", json!({ "filter": { "group": "blocked" } }));
    let not_pdf = blocked["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"].as_str().unwrap().ends_with("notes.pdf"))
        .expect("the file that is no PDF is listed");
    assert_eq!(not_pdf["number"], "");
    assert_eq!(not_pdf["number_source"], "missing");
    let d = app.ok("invoice_detail", json!({ "id": not_pdf["id"] }));
    assert_eq!(d["report"]["verdict"], "rejected");
    assert!(
        d["guidance"]["actions"].as_array().unwrap().is_empty(),
        "nothing to send"
    );
    let page = app.ok(
        "list_invoices",
        json!({ "filter": { "group": "all", "limit": 1 } }),
    );
    assert_eq!(page["rows"].as_array().unwrap().len(), 1);
    assert_eq!(page["has_more"], true);
    let found = app.ok("list_invoices", json!({ "filter": { "number": "0001" } }));
    let rows = found["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["status"], "checked");
    assert_eq!(rows[0]["path"], good.display().to_string());

    let id = rows[0]["id"].as_i64().unwrap();
    let d = app.ok("invoice_detail", json!({ "id": id }));
    assert_eq!(d["invoice"]["number"], "F-2026-0001");
    assert_eq!(d["report"]["verdict"], "accepted");
    assert_eq!(d["guidance"]["actions"], json!(["submit"]));
    assert!(!d["events"].as_array().unwrap().is_empty());

    let held = app.ok("list_invoices", json!({ "filter": { "number": "0002" } }));
    let held_id = held["rows"][0]["id"].as_i64().unwrap();
    let d = app.ok("invoice_detail", json!({ "id": held_id }));
    assert_eq!(d["invoice"]["status"], "blocked");
    assert_eq!(d["invoice"]["path"], scan.display().to_string());
    let codes: Vec<&str> = d["report"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"scanned_ocr"), "{codes:?}");
    assert_eq!(
        app.ok("list_customers", json!({}))[0],
        "Boulangerie L'Épi d'Or SAS"
    );
}

#[test]
fn dropped_xml_invoices_are_checked_recorded_and_listed_like_pdfs() {
    let tmp = tempfile::tempdir().unwrap();
    let app = start(&tmp.path().join("home"));
    let dir = tmp.path().join("drop");
    std::fs::create_dir_all(&dir).unwrap();
    let cii = dir.join("F-2026-0021.xml");
    std::fs::write(
        &cii,
        facteur::demo::sample::facturx_xml(&SampleInvoice::example(21)),
    )
    .unwrap();
    let ubl = dir.join("avoir.XML");
    std::fs::write(
        &ubl,
        include_str!("../../tests/fixtures/xml/ubl_credit_note.xml"),
    )
    .unwrap();
    std::fs::write(
        dir.join("commande.xml"),
        r#"<?xml version="1.0"?><Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>"#,
    )
    .unwrap();
    // A folder is expanded to its PDF and XML files: this one is not taken.
    std::fs::write(dir.join("lisez-moi.txt"), b"<Invoice/>").unwrap();
    let progress = drop_files(&app, vec![dir.clone()]);
    let last = progress.last().unwrap();
    assert_eq!(last["total"], 3, "{last}");
    assert_eq!(last["accepted"], 2, "{last}");
    assert_eq!(last["blocked"], 1, "{last}");

    let found = app.ok("list_invoices", json!({ "filter": { "number": "0021" } }));
    let row = &found["rows"][0];
    assert_eq!(row["status"], "checked");
    assert_eq!(row["path"], cii.display().to_string());
    let d = app.ok("invoice_detail", json!({ "id": row["id"] }));
    assert_eq!(d["report"]["xml"], true);
    assert_eq!(d["report"]["structured"]["syntax"], "CII");
    assert_eq!(d["report"]["verdict"], "accepted");
    assert_eq!(d["guidance"]["actions"], json!(["submit"]));
    // No page to show: said plainly, nothing handed to a PDF viewer.
    let e = app.err("open_pdf", json!({ "id": row["id"] }));
    assert_eq!(e["code"], "not_pdf", "{e}");

    let credit = app.ok(
        "list_invoices",
        json!({ "filter": { "number": "AV-2025" } }),
    );
    let d = app.ok("invoice_detail", json!({ "id": credit["rows"][0]["id"] }));
    assert_eq!(d["report"]["structured"]["syntax"], "UBL");
    assert_eq!(d["report"]["facts"]["doc_type"]["value"], "credit_note");

    let blocked = app.ok("list_invoices", json!({ "filter": { "group": "blocked" } }));
    let rows = blocked["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0]["path"].as_str().unwrap().ends_with("commande.xml"));
    let d = app.ok("invoice_detail", json!({ "id": rows[0]["id"] }));
    assert_eq!(d["report"]["findings"][0]["code"], "xml_not_invoice");
}

#[test]
fn files_the_app_was_opened_with_are_checked_once_the_page_asks_and_only_once() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("drop");
    let good = write(&dir, 5, PageKind::Native);
    let copy = dir.join("f-5 (copie).pdf");
    std::fs::copy(&good, &copy).unwrap();
    let app = start_with(&tmp.path().join("home"), vec![good, copy]);
    let items: Arc<Mutex<Vec<Value>>> = Arc::default();
    let sink = items.clone();
    app.app.listen("batch-item", move |e| {
        sink.lock()
            .unwrap()
            .push(serde_json::from_str(e.payload()).unwrap());
    });
    let id = app.ok("open_launch_files", json!({}));
    assert!(id.as_str().unwrap().starts_with('b'), "{id}");
    let start_t = Instant::now();
    while items.lock().unwrap().len() < 2 {
        assert!(start_t.elapsed() < Duration::from_secs(60), "no items");
        std::thread::sleep(Duration::from_millis(10));
    }
    let items = items.lock().unwrap().clone();
    // The same bytes twice make one invoice, and the second is said to be known.
    assert_eq!(items[0]["invoice_id"], items[1]["invoice_id"]);
    let known: Vec<bool> = items.iter().map(|i| i["known"] == true).collect();
    assert_eq!(known.iter().filter(|k| **k).count(), 1, "{items:?}");
    assert!(
        items.iter().all(|i| i["verdict"] == "accepted"),
        "{items:?}"
    );
    // Handed out once: a reload of the page does not check them again.
    assert_eq!(app.ok("open_launch_files", json!({})), Value::Null);
    assert_eq!(app.ok("counts", json!({}))["all"], 1);
}

#[test]
fn refusals_say_why_in_both_languages_and_change_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let app = start(&tmp.path().join("home"));
    let dir = tmp.path().join("drop");
    write(&dir, 3, PageKind::Native);
    drop_files(&app, vec![dir]);
    let id = app.ok("list_invoices", json!({ "filter": {} }))["rows"][0]["id"]
        .as_i64()
        .unwrap();

    let e = app.err("invoice_detail", json!({ "id": 9_999 }));
    assert_eq!(e["code"], "not_found");
    let e = app.err("replay_invoice", json!({ "id": id }));
    assert_eq!(e["code"], "not_allowed");
    assert!(e["message_fr"].as_str().unwrap().contains("Mandat absent"));
    let e = app.err(
        "prepare_correction",
        json!({ "id": id, "new_number": "F-2" }),
    );
    assert_eq!(e["code"], "not_allowed");
    let e = app.err("mark_verified", json!({ "id": id, "arrived": true }));
    assert_eq!(e["code"], "not_allowed");
    let e = app.err("set_language", json!({ "language": "de" }));
    assert_eq!(e["code"], "not_allowed");
    // A password typed into a plain setting never reaches the database.
    let e = app.err(
        "add_account",
        json!({ "name": "g", "kind": "mail_deposit",
                "settings": { "smtp_password": "hunter2-unique" }, "secrets": {} }),
    );
    assert_eq!(e["code"], "account_secret_in_settings");
    // An address whose host is example.org, not this machine: refused by
    // the same check as the CLI's, before any secret is kept.
    let e = app.err(
        "add_account",
        json!({ "name": "pa", "kind": "plateforme",
                "settings": { "url": "http://127.0.0.1:80@example.org/", "client_id": "c" },
                "secrets": {} }),
    );
    assert_eq!(e["code"], "account_unsafe_address");
    assert!(
        e["message_fr"].as_str().unwrap().contains("https://"),
        "{e}"
    );
    let names: Vec<Value> = app
        .ok("list_accounts", json!({}))
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].clone())
        .collect();
    assert!(!names.contains(&json!("pa")), "{names:?}");
    let db = std::fs::read(tmp.path().join("home/facteur.db")).unwrap();
    assert!(!db.windows(14).any(|w| w == b"hunter2-unique"));
    assert_eq!(
        app.ok("invoice_detail", json!({ "id": id }))["invoice"]["status"],
        "checked"
    );

    app.ok("set_language", json!({ "language": "en" }));
    assert_eq!(app.ok("get_settings", json!({}))["language"], "en");
    // Kept for the next start.
    drop(app);
    let again = start(&tmp.path().join("home"));
    assert_eq!(again.ok("get_settings", json!({}))["language"], "en");
}

#[test]
fn submitting_from_the_window_delivers_to_the_sandbox_and_the_status_follows() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let url = sandbox();
    let app = start(&home);
    let account = app.ok(
        "add_account",
        json!({ "name": "demo", "kind": "sandbox", "settings": { "url": url }, "secrets": {} }),
    );
    assert_eq!(account["name"], "demo");
    let dir = tmp.path().join("drop");
    write(&dir, 4, PageKind::Native);
    drop_files(&app, vec![dir]);
    let id = app.ok("list_invoices", json!({ "filter": {} }))["rows"][0]["id"]
        .as_i64()
        .unwrap();
    let steps: Arc<Mutex<Vec<Value>>> = Arc::default();
    let sink = steps.clone();
    app.app.listen("submit-step", move |e| {
        sink.lock()
            .unwrap()
            .push(serde_json::from_str(e.payload()).unwrap());
    });
    let q = app.ok("submit_invoices", json!({ "ids": [id], "account": "demo" }));
    assert_eq!(q["queued"], json!([id]));
    let start_t = Instant::now();
    loop {
        let d = app.ok("invoice_detail", json!({ "id": id }));
        if d["invoice"]["status"] == "deposited" {
            assert_eq!(d["invoice"]["reason_code"], "VIDEOCODAGE");
            assert_eq!(d["simulation"], true);
            break;
        }
        assert!(start_t.elapsed() < Duration::from_secs(30), "{d}");
        std::thread::sleep(Duration::from_millis(20));
    }
    let kinds: Vec<String> = steps
        .lock()
        .unwrap()
        .iter()
        .map(|s| s["step"]["step"].as_str().unwrap().to_string())
        .collect();
    assert!(kinds.contains(&"sent".to_string()), "{kinds:?}");
    // Never twice: a second « Envoyer » is refused with the reason.
    let q = app.ok("submit_invoices", json!({ "ids": [id], "account": "demo" }));
    assert_eq!(q["queued"], json!([]));
    assert_eq!(q["refused"][0]["decision"]["decision"], "already_submitted");
}

#[test]
fn a_page_from_elsewhere_cannot_call_any_command() {
    let tmp = tempfile::tempdir().unwrap();
    let app = start(tmp.path());
    let refused = get_ipc_response(
        &app.window,
        tauri::webview::InvokeRequest {
            cmd: "list_accounts".into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "https://example.com".parse().unwrap(),
            body: tauri::ipc::InvokeBody::Json(json!({})),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    );
    let e = refused.expect_err("a remote page must not reach the commands");
    assert!(e.to_string().contains("not allowed"), "{e}");
}

#[test]
fn a_prepared_correction_is_kept_and_the_corrected_invoice_goes_as_its_correction() {
    let tmp = tempfile::tempdir().unwrap();
    let url = sandbox();
    let app = start(&tmp.path().join("home"));
    app.ok(
        "add_account",
        json!({ "name": "demo", "kind": "sandbox", "settings": { "url": url }, "secrets": {} }),
    );
    // An invoice to a customer the portal does not know: rejected.
    let dir = tmp.path().join("a");
    std::fs::create_dir_all(&dir).unwrap();
    let mut inv = SampleInvoice::example(41);
    inv.buyer_siren = "443061841".into();
    std::fs::write(dir.join("f-41.pdf"), invoice_pdf(&inv, false)).unwrap();
    drop_files(&app, vec![dir]);
    let old = app.ok("list_invoices", json!({ "filter": { "number": "0041" } }))["rows"][0]["id"]
        .as_i64()
        .unwrap();
    app.ok(
        "submit_invoices",
        json!({ "ids": [old], "account": "demo" }),
    );
    let start_t = Instant::now();
    while app.ok("invoice_detail", json!({ "id": old }))["invoice"]["status"] != "rejected" {
        assert!(
            start_t.elapsed() < Duration::from_secs(30),
            "never rejected"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let c = app.ok(
        "prepare_correction",
        json!({ "id": old, "new_number": "F-2026-0042" }),
    );
    assert_eq!(c["new_number"], "F-2026-0042");
    // Kept, and shown on the original.
    let d = app.ok("invoice_detail", json!({ "id": old }));
    assert_eq!(d["correction"]["new_number"], "F-2026-0042");
    assert_eq!(d["correction"]["corrected_by"], Value::Null);

    // The corrected invoice arrives with that number and is sent.
    let dir = tmp.path().join("b");
    write(&dir, 42, PageKind::Native);
    drop_files(&app, vec![dir]);
    let new = app.ok("list_invoices", json!({ "filter": { "number": "0042" } }))["rows"][0]["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        app.ok("invoice_detail", json!({ "id": new }))["correction"]["original_number"],
        "F-2026-0041"
    );
    let q = app.ok(
        "submit_invoices",
        json!({ "ids": [new], "account": "demo" }),
    );
    assert_eq!(q["queued"], json!([new]));
    let start_t = Instant::now();
    let d = loop {
        let d = app.ok("invoice_detail", json!({ "id": new }));
        if d["invoice"]["status"] == "deposited" {
            break d;
        }
        assert!(start_t.elapsed() < Duration::from_secs(30), "{d}");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(d["submissions"][0]["kind"], "resend", "{d}");
    assert_eq!(
        app.ok("invoice_detail", json!({ "id": old }))["correction"]["corrected_by"],
        new
    );
}

/// Calls `list_folders` until `ok` says yes (the watcher works on its own
/// thread), and returns that answer.
fn wait_folders(app: &App, what: &str, ok: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        let v = app.ok("list_folders", json!({}));
        if ok(&v) {
            return v;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{what}: not after 60 s: {v}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn watched_folders_are_configured_from_the_window_and_count_what_lands_in_them() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let dir = tmp.path().join("exports");
    std::fs::create_dir_all(&dir).unwrap();
    let app = start(&home);
    // As the app's setup does (the mock runtime does not run it).
    facteur_app::shell::start_watcher(app.app.handle().clone());
    let v = app.ok("list_folders", json!({}));
    assert_eq!(v, json!({ "paused": false, "folders": [] }));
    let events: Arc<Mutex<Vec<Value>>> = Arc::default();
    let sink = events.clone();
    app.app.listen("folders-changed", move |e| {
        sink.lock()
            .unwrap()
            .push(serde_json::from_str(e.payload()).unwrap());
    });

    // What the system dialog hands to `choose_folder`.
    facteur_app::shell::add_folder(app.app.handle(), &dir).unwrap();
    let v = app.ok("list_folders", json!({}));
    let f = &v["folders"][0];
    let id = f["id"].as_i64().unwrap();
    assert_eq!(f["path"], dir.canonicalize().unwrap().display().to_string());
    assert_eq!(
        (&f["mode"], &f["tidy"], &f["paused"], &f["recursive"]),
        (&json!("check"), &json!(false), &json!(false), &json!(false))
    );
    let e = facteur_app::shell::add_folder(app.app.handle(), &dir).unwrap_err();
    assert_eq!(e.code, "folder_exists");
    // The empty list names it.
    assert_eq!(
        app.ok("get_settings", json!({}))["watched_dir"],
        f["path"].clone()
    );

    let v = app.ok(
        "update_folder",
        json!({ "id": id, "changes": { "mode": "submit" } }),
    );
    assert_eq!(v["folders"][0]["mode"], "submit");
    let e = app.err(
        "update_folder",
        json!({ "id": id, "changes": { "mode": "later" } }),
    );
    assert_eq!(e["code"], "not_allowed");
    let e = app.err(
        "update_folder",
        json!({ "id": id, "changes": { "account": "nowhere" } }),
    );
    assert_eq!(e["code"], "not_found");
    let v = app.ok(
        "update_folder",
        json!({ "id": id, "changes": { "mode": "check", "tidy": true } }),
    );
    assert_eq!(
        (&v["folders"][0]["mode"], &v["folders"][0]["tidy"]),
        (&json!("check"), &json!(true))
    );

    // A file lands: taken, counted, listed, and tidied up.
    write(&dir, 1, PageKind::Native);
    wait_folders(&app, "the first file", |v| {
        v["folders"][0]["taken"] == 1 && v["folders"][0]["accepted"] == 1
    });
    let page = app.ok("list_invoices", json!({ "filter": { "group": "all" } }));
    assert_eq!(page["rows"].as_array().unwrap().len(), 1);
    assert_eq!(page["rows"][0]["number"], "F-2026-0001");
    let tidied = dir.join("contrôlées/f-1.pdf");
    let since = Instant::now();
    while !tidied.exists() {
        assert!(since.elapsed() < Duration::from_secs(30), "not tidied up");
        std::thread::sleep(Duration::from_millis(50));
    }
    // The counts reached the page by event too.
    assert!(
        events
            .lock()
            .unwrap()
            .iter()
            .any(|e| e["folders"][0]["taken"] == 1),
        "{:?}",
        events.lock().unwrap()
    );

    // Paused: a new file waits; resumed: it is taken.
    app.ok(
        "update_folder",
        json!({ "id": id, "changes": { "paused": true } }),
    );
    write(&dir, 2, PageKind::Native);
    std::thread::sleep(Duration::from_secs(4));
    let all = |app: &App| app.ok("counts", json!({}))["all"].clone();
    assert_eq!(all(&app), 1);
    app.ok(
        "update_folder",
        json!({ "id": id, "changes": { "paused": false } }),
    );
    let v = wait_folders(&app, "the file that waited", |v| {
        v["folders"][0]["taken"] == 2
    });
    assert_eq!(v["folders"][0]["accepted"], 2);
    assert_eq!(all(&app), 2);

    // Every folder paused at once, kept across a restart.
    let v = app.ok("pause_watching", json!({ "paused": true }));
    assert_eq!(v["paused"], true);
    write(&dir, 3, PageKind::Native);
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(all(&app), 2);
    drop(app);
    let app = start(&home);
    facteur_app::shell::start_watcher(app.app.handle().clone());
    assert_eq!(app.ok("list_folders", json!({}))["paused"], true);
    app.ok("pause_watching", json!({ "paused": false }));
    wait_folders(&app, "the file after the pause", |v| {
        v["folders"][0]["taken"] == 1
    });
    assert_eq!(all(&app), 3);

    // Removed: the configuration goes, the files stay.
    let v = app.ok("remove_folder", json!({ "id": id }));
    assert_eq!(v["folders"], json!([]));
    assert!(tidied.exists());
    assert_eq!(
        app.err("remove_folder", json!({ "id": id }))["code"],
        "not_found"
    );
}

#[test]
fn the_customer_directory_is_kept_from_the_window_and_refusals_are_said_in_both_languages() {
    let tmp = tempfile::tempdir().unwrap();
    let app = start(&tmp.path().join("home"));
    assert_eq!(app.ok("list_directory", json!({}))["customers"], json!([]));

    // A valid customer, reached on paper; its identifiers stored normalised.
    let saved = app.ok(
        "save_customer",
        json!({ "id": null, "data": { "name": " Mairie de Saint-Ouen ", "gln": "4001234500003",
                "customer_number": "C-42", "reach": { "channel": "print" } } }),
    );
    let id = saved["id"].as_i64().unwrap();
    assert_eq!(saved["name"], "Mairie de Saint-Ouen");
    assert_eq!(saved["gln"], "4001234500003");

    // A wrong GLN check digit: refused, each problem said in both languages.
    let e = app.err(
        "save_customer",
        json!({ "id": null, "data": { "name": "Hôtel du Lac", "gln": "4001234500004",
                "reach": { "channel": "email", "to": "pas-une-adresse" } } }),
    );
    assert_eq!(e["code"], "customer_invalid");
    let fr = e["message_fr"].as_str().unwrap();
    let en = e["message_en"].as_str().unwrap();
    assert!(fr.contains("GLN «\u{a0}4001234500004\u{a0}»"), "{fr}");
    assert!(en.contains("GLN \"4001234500004\""), "{en}");
    assert!(fr.contains("pas une adresse e-mail"), "{fr}");
    assert!(en.contains("is not an e-mail address"), "{en}");

    // Editing: the same id, reached through an account now.
    let edited = app.ok(
        "save_customer",
        json!({ "id": id, "data": { "name": "Mairie de Saint-Ouen", "gln": "4001234500003",
                "reach": { "channel": "account", "to": "sandbox" } } }),
    );
    assert_eq!(
        edited["reach"],
        json!({ "channel": "account", "to": "sandbox" })
    );
    let view = app.ok("list_directory", json!({}));
    assert_eq!(view["customers"].as_array().unwrap().len(), 1);
    assert_eq!(view["customers"][0]["customer_number"], Value::Null);
    assert!(
        view["accounts"]
            .as_array()
            .unwrap()
            .contains(&json!("sandbox"))
    );

    // Fallbacks: an account of the wrong kind is refused, nothing changes.
    for (name, kind) in [("papier", "print"), ("courriel", "email")] {
        app.ok(
            "add_account",
            json!({ "name": name, "kind": kind, "settings": {}, "secrets": {} }),
        );
    }
    let e = app.err("set_fallbacks", json!({ "email": "papier", "print": null }));
    assert_eq!(e["code"], "not_allowed");
    assert!(e["message_fr"].as_str().unwrap().contains("e-mail"));
    let e = app.err(
        "set_fallbacks",
        json!({ "email": null, "print": "courriel" }),
    );
    assert_eq!(e["code"], "not_allowed");
    let view = app.ok("list_directory", json!({}));
    assert_eq!(view["email_account"], Value::Null);
    assert_eq!(view["print_accounts"], json!(["papier"]));
    let view = app.ok(
        "set_fallbacks",
        json!({ "email": "courriel", "print": "papier" }),
    );
    assert_eq!(view["email_account"], "courriel");
    assert_eq!(view["print_account"], "papier");

    // Removed.
    let view = app.ok("remove_customer", json!({ "id": id }));
    assert_eq!(view["customers"], json!([]));
    let e = app.err("remove_customer", json!({ "id": id }));
    assert_eq!(e["code"], "not_found");
}

/// The dialog cannot be driven here: the file is remembered as the dialog
/// would, then `import_customers` runs through IPC.
#[test]
fn a_customer_csv_is_imported_only_when_every_line_is_valid() {
    use tauri::Manager;
    let tmp = tempfile::tempdir().unwrap();
    let app = start(&tmp.path().join("home"));
    let e = app.err("import_customers", json!({ "overrides": {} }));
    assert_eq!(e["code"], "not_allowed");

    let csv = tmp.path().join("export.csv");
    std::fs::write(
        &csv,
        "Raison sociale;Code client;EAN;Notes;Canal\n\
         Mairie de Saint-Ouen;C-1;4001234500003;vue;courrier\n\
         Hôtel du Lac;C-2;4001234500004;;courrier\n",
    )
    .unwrap();
    app.app
        .state::<facteur_app::customers::PendingImport>()
        .set(csv.clone());
    let r = app.ok("import_customers", json!({ "overrides": {} }));
    assert_eq!(r["imported"], false);
    assert_eq!(r["plan"]["file"], "export.csv");
    assert_eq!(
        r["plan"]["fields"],
        json!(["nom", "numero_client", "gln", null, "canal"])
    );
    assert_eq!(r["plan"]["described"][3], "« Notes » → ignorée");
    assert_eq!(r["plan"]["bad"], 1);
    let bad = &r["plan"]["lines"][1];
    assert_eq!(bad["line"], 3);
    assert!(bad["problems"][0]["fr"].as_str().unwrap().contains("GLN"));
    // Nothing half-imported.
    assert_eq!(app.ok("list_directory", json!({}))["customers"], json!([]));

    // The user ignores the EAN column: a preview writes nothing…
    let r = app.ok(
        "import_customers",
        json!({ "overrides": { "EAN": "-" }, "preview": true }),
    );
    assert_eq!(r["imported"], false);
    assert_eq!(r["plan"]["bad"], 0);
    assert_eq!(app.ok("list_directory", json!({}))["customers"], json!([]));
    // …« Importer » writes every line.
    let r = app.ok("import_customers", json!({ "overrides": { "EAN": "-" } }));
    assert_eq!(r["imported"], true, "{r}");
    assert_eq!(r["added"], 2);
    assert_eq!(r["plan"]["fields"][2], Value::Null);
    let view = app.ok("list_directory", json!({}));
    let names: Vec<&str> = view["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"Hôtel du Lac"));
    assert!(view["customers"][0]["gln"].is_null());

    // No column recognised as the name: the columns are still shown, the
    // user picks one, nothing is written meanwhile.
    let csv = tmp.path().join("sans-nom.csv");
    std::fs::write(
        &csv,
        "Entreprise;Code client;Canal\nTraiteur Dupont;C-9;courrier\n",
    )
    .unwrap();
    app.app
        .state::<facteur_app::customers::PendingImport>()
        .set(csv);
    let r = app.ok("import_customers", json!({ "overrides": {} }));
    assert_eq!(r["imported"], false);
    assert_eq!(
        r["plan"]["headers"],
        json!(["Entreprise", "Code client", "Canal"])
    );
    assert!(r["plan"]["problem"]["fr"].as_str().unwrap().contains("nom"));
    assert_eq!(r["plan"]["lines"], json!([]));
    let r = app.ok(
        "import_customers",
        json!({ "overrides": { "Entreprise": "nom" }, "preview": true }),
    );
    assert_eq!(r["plan"]["problem"], Value::Null);
    assert_eq!(r["plan"]["lines"][0]["name"], "Traiteur Dupont");
    assert_eq!(r["plan"]["bad"], 0);
    assert_eq!(
        app.ok("list_directory", json!({}))["customers"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn a_number_is_typed_then_a_refused_replay_is_answered_and_the_demo_mandate_signed_from_the_window()
{
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let url = sandbox();
    let app = start(&home);
    app.ok(
        "add_account",
        json!({ "name": "demo", "kind": "sandbox", "settings": { "url": url }, "secrets": {} }),
    );
    // An invoice whose number is not printed, for the demo customer whose
    // billing mandate the portal does not have yet.
    let dir = tmp.path().join("drop");
    std::fs::create_dir_all(&dir).unwrap();
    let mut inv = SampleInvoice::example(6);
    inv.number = String::new();
    inv.buyer_siren = facteur::demo::sandbox::DEMO_NO_MANDATE.to_string();
    inv.buyer_siret = None;
    std::fs::write(dir.join("sans-numero.pdf"), invoice_pdf(&inv, false)).unwrap();
    drop_files(&app, vec![dir]);
    let row = app.ok("list_invoices", json!({ "filter": {} }))["rows"][0].clone();
    let id = row["id"].as_i64().unwrap();
    assert_eq!(
        (row["number"].as_str(), row["status"].as_str()),
        (Some(""), Some("checked"))
    );
    let d = app.ok("invoice_detail", json!({ "id": id }));
    assert!(
        d["guidance"]["what_fr"]
            .as_str()
            .unwrap()
            .contains("Numéro à saisir"),
        "{d}"
    );
    assert!(
        d["guidance"]["actions"].as_array().unwrap().is_empty(),
        "no « Envoyer » yet"
    );
    // Not sent without its number.
    let q = app.ok("submit_invoices", json!({ "ids": [id], "account": "demo" }));
    assert_eq!(q["refused"][0]["decision"]["decision"], "number_missing");

    let e = app.err("set_invoice_number", json!({ "id": id, "number": "   " }));
    assert_eq!(e["code"], "bad_number");
    let typed = app.ok(
        "set_invoice_number",
        json!({ "id": id, "number": "T-2026-0006" }),
    );
    assert_eq!(
        (typed["number"].as_str(), typed["number_source"].as_str()),
        (Some("T-2026-0006"), Some("user"))
    );
    let q = app.ok("submit_invoices", json!({ "ids": [id], "account": "demo" }));
    assert_eq!(q["queued"], json!([id]));
    let start_t = Instant::now();
    loop {
        let d = app.ok("invoice_detail", json!({ "id": id }));
        if d["invoice"]["status"] == "refused" {
            assert_eq!(d["invoice"]["reason_code"], "MANDAT_ABSENT");
            assert_eq!(d["guidance"]["actions"], json!(["replay"]));
            break;
        }
        assert!(start_t.elapsed() < Duration::from_secs(30), "{d}");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Once left, the number is the portal's.
    let e = app.err("set_invoice_number", json!({ "id": id, "number": "T-2" }));
    assert_eq!(e["code"], "not_allowed");

    // The replay the portal refuses comes back to the click, in French,
    // the portal's own words as the detail.
    let e = app.err("replay_invoice", json!({ "id": id }));
    assert_eq!(e["code"], "replay_refused");
    assert!(e["message_fr"].as_str().unwrap().contains("mandat"), "{e}");
    assert!(e["detail"].as_str().is_some_and(|d| !d.is_empty()), "{e}");
    let history = app.ok("invoice_detail", json!({ "id": id }))["events"].clone();
    let said: Vec<String> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{} {}", e["raw_status"], e["raw_reason"]))
        .collect();
    assert!(
        !said
            .iter()
            .any(|s| s.contains("HTTP") || s.contains("replay not accepted")),
        "no technical English in the history: {said:?}"
    );
    let mut keys: Vec<&String> = said.iter().collect();
    keys.dedup();
    assert_eq!(keys.len(), said.len(), "each event once: {said:?}");

    app.ok("sign_demo_mandate", json!({ "id": id }));
    app.ok("replay_invoice", json!({ "id": id }));
    let d = app.ok("invoice_detail", json!({ "id": id }));
    assert_eq!(d["invoice"]["status"], "deposited", "{d}");
}

#[test]
fn learned_layouts_are_listed_in_the_settings_and_forgotten_from_there() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let app = start(&home);
    assert_eq!(app.ok("list_layouts", json!({})), json!([]));
    // The owner confirms what was read on one invoice: its layout is kept.
    let pdf = invoice_pdf(&SampleInvoice::example(3), false);
    let reading = facteur::read::read_bytes(&pdf, &[]).unwrap();
    let confirmed = reading.invoices.clone();
    {
        let mut db = facteur::mirror::store::Store::open_home(&home).unwrap();
        let learned = facteur::mirror::learned::confirm(&mut db, &pdf, &confirmed).unwrap();
        assert!(!learned.is_empty());
    }
    let listed = app.ok("list_layouts", json!({}));
    let rows = listed.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{listed}");
    assert!(rows[0]["fields"].as_i64().unwrap() > 0, "{listed}");
    assert!(
        !listed.to_string().contains("fingerprint"),
        "positions stay inside"
    );
    let id = rows[0]["id"].as_i64().unwrap();
    app.ok("remove_layout", json!({ "id": id }));
    assert_eq!(app.ok("list_layouts", json!({})), json!([]));
    let e = app.err("remove_layout", json!({ "id": id }));
    assert_eq!(e["code"], "not_found");
}

#[test]
fn the_detail_can_show_what_was_read_on_the_page_while_the_checked_file_is_there() {
    let tmp = tempfile::tempdir().unwrap();
    let app = start(&tmp.path().join("home"));
    let dir = tmp.path().join("drop");
    let file = write(&dir, 2, PageKind::Native);
    drop_files(&app, vec![dir]);
    let id = app.ok("list_invoices", json!({ "filter": {} }))["rows"][0]["id"]
        .as_i64()
        .unwrap();
    let read = app.ok("read_invoice", json!({ "id": id }));
    let inv = &read[0];
    assert_eq!(inv["BT-1"]["value"], "F-2026-0002", "{read}");
    assert!(
        !inv["BG-25"].as_array().unwrap().is_empty(),
        "the lines are read: {read}"
    );
    assert!(
        inv["BT-1"]["source"]
            .as_str()
            .unwrap()
            .starts_with("page 1 (")
    );
    // A file changed since it was checked is not read as if it were that invoice.
    std::fs::write(&file, b"%PDF-1.4 something else").unwrap();
    assert_eq!(app.ok("read_invoice", json!({ "id": id })), json!(null));
}

// ---- The Factur-X review and « Corriger la lecture » (facturx.rs) ----

#[path = "support/company.rs"]
mod company;
#[path = "../../tests/support/fonts.rs"]
mod fonts;
use company::our_company;

/// Sample invoice `n` as a plain PDF whose fonts are embedded, as an
/// invoicing program's « PDF/A » export writes it.
fn plain_pdf_with_fonts(n: u32) -> Vec<u8> {
    fonts::embed(&invoice_pdf(&SampleInvoice::example(n), false))
}

/// A plain PDF invoice whose fonts are embedded (a PDF/A can be made of
/// it), dropped in the window; its invoice id.
fn dropped_plain_invoice(app: &App, dir: &Path, n: u32) -> (i64, std::path::PathBuf) {
    std::fs::create_dir_all(dir).unwrap();
    let file = dir.join(format!("plain-{n}.pdf"));
    std::fs::write(&file, plain_pdf_with_fonts(n)).unwrap();
    drop_files(app, vec![file.clone()]);
    let rows = app.ok("list_invoices", json!({ "filter": {} }));
    let id = rows["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["number"] == format!("F-2026-{n:04}"))
        .unwrap_or_else(|| panic!("the dropped invoice is listed: {rows}"))["id"]
        .as_i64()
        .unwrap();
    (id, file)
}

/// Fills what the draft still lacks with what the owner would type.
fn complete(draft: &mut Value, missing: &Value) {
    for m in missing.as_array().unwrap() {
        let path = m["path"].as_str().unwrap();
        let value = match path {
            "BG-7/BG-8/BT-55" | "BG-4/BG-5/BT-40" => "FR",
            "BG-7/BT-47" | "BG-7/BT-49" => "552100554",
            "BT-23" => "S1",
            other => panic!("the test does not know what to type for {other}: {m}"),
        };
        let mut node = &mut *draft;
        let parts: Vec<&str> = path.split('/').collect();
        for p in &parts[..parts.len() - 1] {
            node = node
                .as_object_mut()
                .unwrap()
                .entry(p.to_string())
                .or_insert_with(|| json!({}));
        }
        node[parts[parts.len() - 1]] = json!({ "value": value, "source": "user", "sure": true });
    }
}

#[test]
fn a_plain_pdf_becomes_a_factur_x_from_the_review_once_the_rules_accept_its_draft() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let app = start(&home);
    our_company(&home);
    let (id, _) = dropped_plain_invoice(&app, &tmp.path().join("drop"), 2);

    let d = app.ok("facturx_draft", json!({ "invoice_id": id }));
    let draft = &d["draft"];
    assert_eq!(draft["BT-1"]["value"], "F-2026-0002", "{d}");
    assert!(
        draft.to_string().contains(r#""source":"company""#),
        "completed from « Mon entreprise »: {draft}"
    );
    // The page comes with it, and the number's box is that of a phrase drawn on it.
    let page = &d["pages"][0];
    assert_eq!(page["number"], 1);
    let source = draft["BT-1"]["source"].as_str().unwrap();
    let b: Vec<f64> = source
        .trim_start_matches("page 1 (")
        .trim_end_matches(')')
        .split(", ")
        .map(|v| v.parse().unwrap())
        .collect();
    let words = page["words"].as_array().unwrap();
    assert!(
        words.iter().any(|w| {
            let f = |k: &str| w[k].as_f64().unwrap();
            w["text"].as_str().unwrap().contains("F-2026-0002")
                && (f("y").round() - b[1]).abs() <= 1.0
                && (f("h").round() - b[3]).abs() <= 1.0
                && f("x") <= b[0] + 1.0
                && f("x") + f("w") >= b[0] + b[2] - 1.0
        }),
        "{source} in {words:?}"
    );

    // What is missing is said; the rules are not asked on an incomplete XML.
    let c = app.ok("facturx_check", json!({ "draft": draft }));
    assert_eq!(c["valid"], false);
    assert_eq!(c["missing"], d["missing"], "{c}");

    let mut edited = draft.clone();
    complete(&mut edited, &d["missing"]);
    let c = app.ok("facturx_check", json!({ "draft": edited }));
    assert_eq!(c["missing"], json!([]), "{c}");
    assert_eq!(c["valid"], true, "{c}");

    // A total that no longer adds up is refused by the rules, in plain words,
    // and nothing is made of it.
    let mut wrong = edited.clone();
    wrong["BG-22"]["BT-109"] = json!("1.00");
    let c = app.ok("facturx_check", json!({ "draft": wrong }));
    assert_eq!(c["valid"], false);
    let failed = c["failures"].as_array().unwrap();
    let co = failed
        .iter()
        .find(|f| f["id"].as_str().unwrap().starts_with("BR-CO-"))
        .unwrap_or_else(|| panic!("an arithmetic rule fails: {c}"));
    assert_eq!(co["flag"], "fatal");
    assert!(
        co["plain_fr"].as_str().is_some_and(|s| !s.is_empty()),
        "{co}"
    );
    let before = app.ok("counts", json!({}))["all"].clone();
    let e = app.err("facturx_make", json!({ "invoice_id": id, "draft": wrong }));
    assert_eq!(e["code"], "facturx_rules", "{e}");
    assert!(
        e["message_fr"]
            .as_str()
            .unwrap()
            .contains(co["id"].as_str().unwrap()),
        "{e}"
    );
    assert_eq!(
        app.ok("counts", json!({}))["all"],
        before,
        "nothing recorded"
    );
    assert!(
        app.ok("invoice_detail", json!({ "id": id }))["report"]["structured"]["syntax"].is_null(),
        "still the plain PDF"
    );

    // « Créer »: the invoice now carries the Factur-X, its XML valid.
    let made = app.ok("facturx_make", json!({ "invoice_id": id, "draft": edited }));
    let made = made.as_i64().expect("the invoice's id");
    let detail = app.ok("invoice_detail", json!({ "id": made }));
    assert_eq!(detail["invoice"]["number"], "F-2026-0002", "{detail}");
    assert_eq!(
        detail["report"]["structured"]["verdict"], "valid",
        "{detail}"
    );
    let history = detail["events"].to_string();
    assert!(history.contains("Factur-X créé depuis le PDF"), "{history}");
    // What the owner confirmed taught the layout.
    assert_eq!(
        app.ok("list_layouts", json!({})).as_array().unwrap().len(),
        1
    );
}

#[test]
fn a_reading_corrected_in_the_window_is_learned_and_the_page_is_drawn_while_the_file_is_there() {
    let tmp = tempfile::tempdir().unwrap();
    let app = start(&tmp.path().join("home"));
    let (id, file) = dropped_plain_invoice(&app, &tmp.path().join("drop"), 3);
    let pages = app.ok("invoice_pages", json!({ "invoice_id": id }));
    let page = &pages[0];
    assert!(page["width"].as_f64().unwrap() > 500.0, "{page}");
    assert!(
        page["words"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["text"].as_str().unwrap().contains("F-2026-0003")),
        "{page}"
    );
    let read = app.ok("read_invoice", json!({ "id": id }));
    assert!(
        read[0].get("layout").is_none(),
        "nothing learned yet: {read}"
    );
    let mut reading = read[0].clone();
    reading["BG-7"]["BT-44"] =
        json!({ "value": "Boulangerie L'Épi d'Or SAS", "source": "user", "sure": true });
    let learned = app.ok(
        "reading_confirm",
        json!({ "invoice_id": id, "reading": reading }),
    );
    assert_eq!(learned.as_array().unwrap().len(), 1, "{learned}");
    assert!(learned[0]["fields"].as_u64().unwrap() > 0, "{learned}");
    // The detail now reads it with the learned layout, and says so.
    let read = app.ok("read_invoice", json!({ "id": id }));
    assert_eq!(read[0]["layout"], learned[0]["layout_id"], "{read}");
    // Not a reading: refused, said in both languages.
    let e = app.err(
        "reading_confirm",
        json!({ "invoice_id": id, "reading": { "BT-999": "x" } }),
    );
    assert_eq!(e["code"], "draft_invalid");
    // A file changed since it was checked is neither drawn nor learned from.
    std::fs::write(&file, b"%PDF-1.4 something else").unwrap();
    assert_eq!(
        app.ok("invoice_pages", json!({ "invoice_id": id })),
        json!(null)
    );
    let e = app.err(
        "reading_confirm",
        json!({ "invoice_id": id, "reading": reading }),
    );
    assert_eq!(e["code"], "file_missing");
}

#[test]
fn my_company_is_refused_field_by_field_then_saved_normalised() {
    let tmp = tempfile::tempdir().unwrap();
    let app = start(&tmp.path().join("home"));
    let view = app.ok("company_get", json!({}));
    assert_eq!(view["company"], Value::Null);
    let means = view["payment_means"].as_array().unwrap();
    assert_eq!(means[0]["code"], "58");
    assert_eq!(means[0]["label_fr"], "Virement SEPA");
    assert!(
        view["defaults"]["note_pmt"]
            .as_str()
            .unwrap()
            .contains("40")
    );

    // A wrong SIREN and a country that is not a code: refused, each problem
    // tied to its field, in both languages; nothing kept.
    let company = json!({ "name": "Atelier Lumière", "siren": "732829321", "country": "France",
        "iban": "FR76 3000 6000 0112 3456 7890 189", "operations": "services", "payment_days": 30 });
    let r = app.ok("company_save", json!({ "company": company }));
    assert_eq!(r["saved"], false);
    assert_eq!(r["company"], Value::Null);
    let problems = r["problems"].as_array().unwrap();
    let fields: Vec<&str> = problems
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["siren", "country"], "{r}");
    assert!(
        problems[0]["fr"]
            .as_str()
            .unwrap()
            .contains("numéro incorrect")
    );
    assert!(
        problems[0]["en"]
            .as_str()
            .unwrap()
            .contains("wrong check digit")
    );
    assert_eq!(app.ok("company_get", json!({}))["company"], Value::Null);

    // Checked only (as the owner types): normalised, still not kept.
    let mut fixed = company.clone();
    fixed["siren"] = "732 829 320".into();
    fixed["country"] = "fr".into();
    let r = app.ok(
        "company_save",
        json!({ "company": fixed, "check_only": true }),
    );
    assert_eq!(r["saved"], false);
    assert_eq!(r["problems"], json!([]));
    assert_eq!(r["company"]["siren"], "732829320");
    assert_eq!(app.ok("company_get", json!({}))["company"], Value::Null);

    // Saved: kept normalised, and read back the same.
    let r = app.ok("company_save", json!({ "company": fixed }));
    assert_eq!(r["saved"], true, "{r}");
    let kept = &r["company"];
    assert_eq!(kept["country"], "FR");
    assert_eq!(kept["iban"], "FR7630006000011234567890189");
    assert_eq!(kept["operations"], "services");
    assert_eq!(kept["payment_days"], 30);
    assert_eq!(&app.ok("company_get", json!({}))["company"], kept);

    // A later refusal leaves the kept profile as it was.
    let mut bad = kept.clone();
    bad["bic"] = "12".into();
    let r = app.ok("company_save", json!({ "company": bad }));
    assert_eq!(r["problems"][0]["field"], "bic");
    assert_eq!(&app.ok("company_get", json!({}))["company"], kept);
}
