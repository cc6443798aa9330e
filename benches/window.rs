//! The desktop window, printed as figures (not a timed test): with 10,000
//! invoices in the store (checked from generated PDFs, as a user's would
//! be),
//! - cold start: from starting the app to its page ready (list shown,
//!   `body[data-ready]`), through the same tauri-driver path as the
//!   end-to-end test; median of 3 starts;
//! - time to display the list: a click on « Toutes » until its first 100
//!   rows are in the page, measured inside the page; median of 5;
//! - memory at idle: resident memory of the app and the WebKit processes
//!   it started, 10 s after the page is ready.
//!
//! Run: `cargo bench --bench window` (needs what `scripts/setup.sh`
//! installs: Xvfb, WebKitWebDriver, tauri-driver). It measures
//! `target/release/facteur-app` (`FACTEUR_APP` names another build), built
//! first with `cargo build --release -p facteur-app` when missing — the
//! build `scripts/run.sh` makes; a `cargo tauri build` binary serves too.
//! The benchmark itself lives in the core package so that it does not
//! compile the window a second time with test features.

#[path = "../src-tauri/tests/support/desktop.rs"]
mod desktop;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use facteur::check::{Options, check_bytes};
use facteur::demo::sample::{SampleInvoice, invoice_pdf};
use facteur::mirror::store::{self, Store};
use fantoccini::Locator;

const INVOICES: u32 = 10_000;

fn seed(home: &Path) {
    let mut db = Store::open_home(home).unwrap();
    for n in 1..=INVOICES {
        let bytes = invoice_pdf(&SampleInvoice::example(n), false);
        let path = PathBuf::from(format!("/factures/F-{n}.pdf"));
        let report = check_bytes(&path, bytes.len() as u64, &bytes, &Options::default());
        db.record_check(&report, store::now_ms()).unwrap();
    }
}

fn app_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("FACTEUR_APP") {
        return PathBuf::from(p);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let p = root.join("target/release/facteur-app");
    if !p.exists() {
        let ok = std::process::Command::new(env!("CARGO"))
            .args(["build", "--release", "-p", "facteur-app"])
            .current_dir(root)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "cargo build --release -p facteur-app failed");
    }
    p
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

const LIST_SCRIPT: &str = r#"
const done = arguments[arguments.length - 1];
const group = arguments[0];
const list = document.getElementById('list');
list.replaceChildren();
const t = performance.now();
const obs = new MutationObserver(() => {
  if (list.children.length >= 100) { obs.disconnect(); done(performance.now() - t); }
});
obs.observe(list, { childList: true });
document.querySelector(`#groups [data-group="${group}"]`).click();
"#;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let t = Instant::now();
    seed(&home);
    println!(
        "Facteur window benchmark — {INVOICES} invoices in the store (seeded in {:.1} s)",
        t.elapsed().as_secs_f64()
    );
    let app = app_binary();
    // The app's own demonstration portal, on a port nobody else uses.
    let sandbox = format!(
        "http://127.0.0.1:{}",
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let desktop = desktop::Desktop::start(
            &[
                ("FACTEUR_HOME", home.as_os_str()),
                ("FACTEUR_SANDBOX_URL", sandbox.as_ref()),
            ],
            &tmp.path().join("desktop.log"),
        );
        let (mut starts, mut lists, mut memory) = (Vec::new(), Vec::new(), Vec::new());
        for run in 0..3 {
            let t = Instant::now();
            let c = desktop.open(&app, &[]).await;
            loop {
                if c.find(Locator::Css("body[data-ready='1']")).await.is_ok() {
                    break;
                }
                assert!(t.elapsed() < Duration::from_secs(60), "never ready");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            starts.push(t.elapsed().as_secs_f64() * 1e3);
            if run == 0 {
                tokio::time::sleep(Duration::from_secs(10)).await;
                for pid in desktop.app_processes("facteur-app") {
                    let (rss, pss) = desktop::memory_kb(pid);
                    if rss > 0 {
                        memory.push((desktop::comm(pid), rss, pss));
                    }
                }
                for i in 0..5 {
                    let group = if i % 2 == 0 { "all" } else { "to_do" };
                    let ms = c
                        .execute_async(LIST_SCRIPT, vec![group.into()])
                        .await
                        .unwrap()
                        .as_f64()
                        .unwrap();
                    lists.push(ms);
                }
            }
            c.close().await.unwrap();
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        println!(
            "{:<60} {:>8.0} ms   (each: {})",
            "cold start to an interactive window (median of 3)",
            median(starts.clone()),
            starts
                .iter()
                .map(|s| format!("{s:.0}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        println!(
            "{:<60} {:>8.0} ms",
            "display the list (« Toutes » / « À traiter », 100 rows, median of 5)",
            median(lists)
        );
        let mb = |kb: u64| kb as f64 / 1024.0;
        let pss: u64 = memory.iter().map(|m| m.2).sum();
        let rss: u64 = memory.iter().map(|m| m.1).sum();
        println!(
            "{:<60} {:>8.0} MB   (resident, shared libraries counted in each: {:.0} MB)",
            "memory at idle (app + WebKit processes, proportional)",
            mb(pss),
            mb(rss)
        );
        for (name, rss, pss) in &memory {
            println!(
                "    {name:<24} {:>6.0} MB proportional, {:>6.0} MB resident",
                mb(*pss),
                mb(*rss)
            );
        }
    });
}
