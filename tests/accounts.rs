//! Portal accounts against the real OS keyring: a Secret Service
//! (gnome-keyring) in a private D-Bus session that the test starts itself.
//! The secret must reach the keyring (read back with libsecret's
//! `secret-tool`, not with our code) and nowhere else: not the database, not
//! any file under FACTEUR_HOME, not the logs, not the command's output.

use std::path::Path;
use std::process::Command;

const SECRET: &str = "Zq7-unique-p4ss-word";

/// Runs `script` in a fresh D-Bus session with an unlocked gnome-keyring.
fn in_keyring_session(tmp: &Path, script: &str) -> std::process::Output {
    for tool in ["dbus-run-session", "gnome-keyring-daemon", "secret-tool"] {
        assert!(
            Command::new("sh")
                .args(["-c", &format!("command -v {tool}")])
                .status()
                .unwrap()
                .success(),
            "{tool} is required (scripts/setup.sh installs it)"
        );
    }
    let data = tmp.join("xdg-data");
    let runtime = tmp.join("xdg-runtime");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::create_dir_all(&runtime).unwrap();
    let full = format!(
        "set -e\n\
         eval \"$(printf 'pw' | gnome-keyring-daemon --unlock --components=secrets)\"\n\
         export GNOME_KEYRING_CONTROL\n\
         {script}\n"
    );
    Command::new("dbus-run-session")
        .args(["--", "sh", "-c", &full])
        .env("XDG_DATA_HOME", &data)
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("FACTEUR_HOME", tmp.join("home"))
        .env("FACTEUR_LOG", "trace")
        .env("FACTEUR", env!("CARGO_BIN_EXE_facteur"))
        .env("SECRET", SECRET)
        .env("LANG", "fr_FR.UTF-8")
        .output()
        .unwrap()
}

fn files_containing(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut hits = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return hits;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            hits.extend(files_containing(&p, needle));
        } else if let Ok(bytes) = std::fs::read(&p)
            && bytes.windows(needle.len()).any(|w| w == needle)
        {
            hits.push(p.display().to_string());
        }
    }
    hits
}

#[test]
fn a_secret_goes_to_the_keyring_and_nowhere_else() {
    let tmp = tempfile::tempdir().unwrap();
    let out = in_keyring_session(
        tmp.path(),
        r#"
printf '%s\n' "$SECRET" | "$FACTEUR" account add generix --kind mail_deposit \
    --set smtp_host=smtp.example.fr --set smtp_user=boulangerie --secret smtp_password --secret-stdin
echo "--- list"
"$FACTEUR" account list
"$FACTEUR" account list --json
echo "--- keyring"
secret-tool lookup service facteur username generix/smtp_password
echo
echo "--- remove"
"$FACTEUR" account remove generix
echo "--- after"
secret-tool lookup service facteur username generix/smtp_password || echo "gone"
"#,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let (before_keyring, rest) = stdout.split_once("--- keyring").unwrap();
    let (keyring_part, after) = rest.split_once("--- remove").unwrap();
    // The keyring holds the secret, as another program reads it.
    assert_eq!(keyring_part.trim(), SECRET);
    // The listing shows the field, never the value.
    assert!(
        before_keyring.contains("smtp_password=••••"),
        "{before_keyring}"
    );
    assert!(before_keyring.contains("smtp_host=smtp.example.fr"));
    assert!(!before_keyring.contains(SECRET), "{before_keyring}");
    // Removed with its account.
    assert!(after.trim_end().ends_with("gone"), "{after}");
    // Logs (trace level) never carry it.
    assert!(stderr.contains("account added"), "tracing was on: {stderr}");
    assert!(!stderr.contains(SECRET), "{stderr}");
    // Nor the database, its WAL, or any other file Facteur wrote.
    let home = tmp.path().join("home");
    assert!(home.join("facteur.db").exists());
    assert_eq!(
        files_containing(&home, SECRET.as_bytes()),
        Vec::<String>::new()
    );
}

#[test]
fn a_password_given_as_a_plain_setting_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = in_keyring_session(
        tmp.path(),
        r#""$FACTEUR" account add oops --kind mail_deposit --set "smtp_password=$SECRET" || echo "refused $?""#,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("refused 2"), "{stdout}\n{stderr}");
    assert!(stderr.contains("--secret smtp_password"), "{stderr}");
    assert!(!stderr.contains(SECRET), "{stderr}");
    assert_eq!(
        files_containing(&tmp.path().join("home"), SECRET.as_bytes()),
        Vec::<String>::new()
    );
}

#[path = "support/chorus_server.rs"]
mod chorus_server;

/// The Chorus Pro contract server, on a runtime of its own that keeps
/// serving while the test waits on the `facteur` processes.
fn chorus_portal() -> (tokio::runtime::Runtime, chorus_server::ChorusServer) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(chorus_server::ChorusServer::start());
    (rt, server)
}

/// The shell line adding account `cpp` for that server, its two secrets
/// piped into the keyring (more `--set` may follow).
fn add_chorus_account(server: &chorus_server::ChorusServer) -> String {
    use chorus_server::{CLIENT_ID, CLIENT_SECRET, LOGIN, PASSWORD, SUPPLIER_ID};
    format!(
        r#"printf '%s\n%s\n' '{CLIENT_SECRET}' '{PASSWORD}' | "$FACTEUR" account add cpp --kind chorus_pro \
    --secret client_secret --secret technical_password --secret-stdin \
    --set environment=sandbox --set api_url={url} --set oauth_url={url} --set client_id={CLIENT_ID} \
    --set login={LOGIN} --set supplier_id={SUPPLIER_ID}"#,
        url = server.url()
    )
}

/// A submission and a sync through a Chorus Pro account: the secrets go from
/// the keyring to the portal (the contract server checks them) and are
/// written nowhere on the way, even with trace-level logs.
#[test]
fn chorus_pro_secrets_travel_from_the_keyring_to_the_portal_only() {
    use chorus_server::{CLIENT_SECRET, LOGIN, PASSWORD};
    let (_rt, server) = chorus_portal();
    let tmp = tempfile::tempdir().unwrap();
    let inv = facteur::sample::SampleInvoice::example(31);
    let pdf = facteur::sample::invoice_pdf(&inv, true);
    let file = tmp.path().join("f-31.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let expires = jiff::Zoned::now()
        .date()
        .saturating_add(jiff::Span::new().days(5));
    let script = format!(
        r#"{add} --set password_expires={expires}
echo "--- submit"
"$FACTEUR" submit --to cpp '{file}' || echo "submit exit $?"
echo "--- sync"
"$FACTEUR" sync --account cpp || echo "sync exit $?"
"$FACTEUR" history F-2026-0031"#,
        add = add_chorus_account(&server),
        file = file.display()
    );
    let out = in_keyring_session(tmp.path(), &script);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(!stdout.contains("submit exit"), "{stdout}\n{stderr}");
    // The portal got the very bytes, through a token the secrets obtained.
    let (flows, tokens) = server.with(|p| (p.flows.clone(), p.token_requests));
    assert_eq!(flows.len(), 1, "{stdout}\n{stderr}");
    assert_eq!(flows[0].bytes, pdf);
    assert!(tokens >= 1);
    // The technical password expires in 5 days: the user is told.
    assert!(stderr.contains("expire dans 5 jour(s)"), "{stderr}");
    // Neither secret anywhere: files, database, WAL, logs, output.
    for secret in [CLIENT_SECRET, PASSWORD] {
        assert!(!stdout.contains(secret), "in output: {stdout}");
        assert!(!stderr.contains(secret), "in logs");
        assert_eq!(
            files_containing(&tmp.path().join("home"), secret.as_bytes()),
            Vec::<String>::new()
        );
    }
    // Nor the cpro-account header's base64 form.
    use base64::Engine as _;
    let header = base64::engine::general_purpose::STANDARD.encode(format!("{LOGIN}:{PASSWORD}"));
    assert!(!stderr.contains(&header));
    assert_eq!(
        files_containing(&tmp.path().join("home"), header.as_bytes()),
        Vec::<String>::new()
    );
    drop(server);
}

/// kill -9 while 200 invoices go to Chorus Pro (half Factur-X flows, half
/// plain PDFs), then the same command again: the contract server holds each
/// invoice exactly once. The account's secrets come from the real keyring.
#[test]
fn killed_mid_batch_of_200_to_chorus_pro_then_restarted_each_arrives_once() {
    use chorus_server::ChorusServer;
    let (_rt, server) = chorus_portal();
    server.add_structure("55210055400013", false, false);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    for n in 1..=200u32 {
        let inv = facteur::sample::SampleInvoice::example(n);
        std::fs::write(
            dir.join(format!("f-{n:05}.pdf")),
            facteur::sample::invoice_pdf(&inv, n.is_multiple_of(2)),
        )
        .unwrap();
    }
    let go = tmp.path().join("kill-now");
    let script = format!(
        r#"{add} >/dev/null
FACTEUR_LOG=error "$FACTEUR" submit --to cpp '{dir}' >/dev/null 2>&1 &
PID=$!
while [ ! -f '{go}' ]; do sleep 0.01; done
kill -9 $PID
wait $PID || true
echo "--- restart"
FACTEUR_LOG=error "$FACTEUR" submit --to cpp '{dir}' || echo "exit $?""#,
        add = add_chorus_account(&server),
        dir = dir.display(),
        go = go.display()
    );
    let session_tmp = tmp.path().to_path_buf();
    let session = std::thread::spawn(move || in_keyring_session(&session_tmp, &script));
    let deposited = |s: &ChorusServer| s.with(|p| p.deposits.values().sum::<u32>());
    let start = std::time::Instant::now();
    while deposited(&server) < 40 {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(180),
            "no progress"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    std::fs::write(&go, b"").unwrap();
    let out = session.join().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let deposits = server.with(|p| p.deposits.clone());
    assert_eq!(deposits.len(), 200, "{stdout}\n{stderr}");
    let twice: Vec<_> = deposits.iter().filter(|(_, n)| **n != 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
    let db = rusqlite::Connection::open(tmp.path().join("home/facteur.db")).unwrap();
    let sent: i64 = db
        .query_row(
            "SELECT count(DISTINCT invoice_id) FROM submissions WHERE outcome = 'sent'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(sent, 200);
    drop(server);
}
