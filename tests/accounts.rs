//! Portal accounts against the real OS keyring: a Secret Service
//! (gnome-keyring) in a private D-Bus session that the test starts itself.
//! The secret must reach the keyring (read back with libsecret's
//! `secret-tool`, not with our code) and nowhere else: not the database, not
//! any file under FACTEUR_HOME, not the logs, not the command's output.

use std::path::Path;

#[path = "support/keyring.rs"]
mod keyring;
use keyring::in_keyring_session;

const SECRET: &str = "Zq7-unique-p4ss-word";

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
secret-tool lookup service facteur username "$(cat "$FACTEUR_HOME/sandbox.id")/generix/smtp_password"
echo
echo "--- remove"
"$FACTEUR" account remove generix
echo "--- after"
secret-tool lookup service facteur username "$(cat "$FACTEUR_HOME/sandbox.id")/generix/smtp_password" || echo "gone"
"#,
        &[("SECRET", SECRET)],
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
        &[("SECRET", SECRET)],
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

/// A submission and a sync through a Chorus Pro account: the secrets go from
/// the keyring to the portal (the contract server checks them) and are
/// written nowhere on the way, even with trace-level logs.
#[test]
fn chorus_pro_secrets_travel_from_the_keyring_to_the_portal_only() {
    use chorus_server::{CLIENT_SECRET, LOGIN, PASSWORD};
    let (_rt, server) = chorus_server::ChorusServer::on_own_runtime();
    let tmp = tempfile::tempdir().unwrap();
    let inv = facteur::demo::sample::SampleInvoice::example(31);
    let pdf = facteur::demo::sample::invoice_pdf(&inv, true);
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
        add = server.account_line("cpp"),
        file = file.display()
    );
    let out = in_keyring_session(tmp.path(), &script, &[("SECRET", SECRET)]);
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
    let (_rt, server) = chorus_server::ChorusServer::on_own_runtime();
    server.add_structure("55210055400013", false, false);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    for n in 1..=200u32 {
        let inv = facteur::demo::sample::SampleInvoice::example(n);
        std::fs::write(
            dir.join(format!("f-{n:05}.pdf")),
            facteur::demo::sample::invoice_pdf(&inv, n.is_multiple_of(2)),
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
        add = server.account_line("cpp"),
        dir = dir.display(),
        go = go.display()
    );
    let session_tmp = tmp.path().to_path_buf();
    let session = std::thread::spawn(move || {
        in_keyring_session(&session_tmp, &script, &[("SECRET", SECRET)])
    });
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

/// Two homes on one keyring, each with an account named `generix`: each
/// keeps its own secret (the entries are named after the home), removing
/// one leaves the other's, and an entry of the older home-less form is
/// moved under the first home that reads it.
#[test]
fn two_homes_sharing_an_account_name_keep_their_own_secrets() {
    let tmp = tempfile::tempdir().unwrap();
    let out = in_keyring_session(
        tmp.path(),
        r#"
A="$FACTEUR_HOME-a"; B="$FACTEUR_HOME-b"
add() {
  printf '%s\n' "$2" | FACTEUR_HOME="$1" "$FACTEUR" account add generix --kind mail_deposit \
    --set smtp_host=127.0.0.1 --set smtp_port=1 --set smtp_tls=none --set smtp_user=u \
    --set portal_address=portail@example.fr --set from=moi@example.fr \
    --secret smtp_password --secret-stdin
}
add "$A" secret-of-home-a
add "$B" secret-of-home-b
echo "--- a"
secret-tool lookup service facteur username "$(cat "$A/sandbox.id")/generix/smtp_password"
echo
echo "--- b"
secret-tool lookup service facteur username "$(cat "$B/sandbox.id")/generix/smtp_password"
echo
FACTEUR_HOME="$A" "$FACTEUR" account remove generix
echo "--- b after a's removal"
secret-tool lookup service facteur username "$(cat "$B/sandbox.id")/generix/smtp_password"
echo
# An entry as older versions wrote it (no home in its name): the first
# home that reads it takes it under its own name.
C="$FACTEUR_HOME-c"
add "$C" placeholder
CID="$(cat "$C/sandbox.id")"
secret-tool clear service facteur username "$CID/generix/smtp_password"
printf 'legacy-secret' | secret-tool store --label old service facteur username generix/smtp_password
FACTEUR_HOME="$C" "$FACTEUR" sync --account generix >/dev/null 2>&1 || true
echo "--- c"
secret-tool lookup service facteur username "$CID/generix/smtp_password"
echo
echo "--- legacy left"
secret-tool lookup service facteur username generix/smtp_password || echo "moved"
"#,
        &[],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let section = |name: &str| {
        stdout
            .split(&format!("--- {name}\n"))
            .nth(1)
            .and_then(|s| s.lines().next())
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    assert_eq!(section("a"), "secret-of-home-a", "{stdout}");
    assert_eq!(section("b"), "secret-of-home-b", "{stdout}");
    assert_eq!(
        section("b after a's removal"),
        "secret-of-home-b",
        "{stdout}"
    );
    assert_eq!(section("c"), "legacy-secret", "{stdout}");
    assert_eq!(section("legacy left"), "moved", "{stdout}");
}

/// An address that is not https (plain http only to this machine) or that
/// carries a user name is refused when the account is saved, before any
/// secret reaches the keyring: `http://127.0.0.1:80@example.org/` names
/// the host example.org.
#[test]
fn an_unsafe_address_is_refused_when_the_account_is_saved() {
    let tmp = tempfile::tempdir().unwrap();
    let out = in_keyring_session(
        tmp.path(),
        r#"
for url in 'http://127.0.0.1:80@example.org/' 'http://portail.example.org' 'https://u:p@pa.example.org'; do
  if printf '%s\n%s\n' s3cret-client tech-pw | "$FACTEUR" account add piste --kind chorus_pro \
      --secret client_secret --secret technical_password --secret-stdin \
      --set environment=sandbox --set api_url="$url" --set oauth_url=https://oauth.example.org \
      --set client_id=c --set login=l --set supplier_id=1; then
    echo "accepted $url"
  else
    echo "refused $url"
  fi
done
if "$FACTEUR" account add pa --kind plateforme --set url=https://pa.example.org \
    --set token_url=http://127.0.0.1:80@example.org/token --set client_id=c; then
  echo "accepted token_url"
else
  echo "refused token_url"
fi
if "$FACTEUR" account add m --kind mail_deposit --set smtp_host=smtp.example.org --set smtp_tls=none; then
  echo "accepted smtp"
else
  echo "refused smtp"
fi
echo "--- list"
"$FACTEUR" account list
echo "--- keyring"
secret-tool search --all service facteur 2>&1 || true
"#,
        &[],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for what in [
        "http://127.0.0.1:80@example.org/",
        "http://portail.example.org",
        "https://u:p@pa.example.org",
        "token_url",
        "smtp",
    ] {
        assert!(
            stdout.contains(&format!("refused {what}")),
            "{what}: {stdout}\n{stderr}"
        );
    }
    assert!(stderr.contains("nom d'utilisateur"), "{stderr}");
    assert!(stderr.contains("https://"), "{stderr}");
    let (_, rest) = stdout.split_once("--- list").unwrap();
    let (list, keyring) = rest.split_once("--- keyring").unwrap();
    assert!(
        !list.contains("piste") && !list.contains("pa ") && !list.contains("m "),
        "{list}"
    );
    assert!(!keyring.contains("s3cret-client"), "{keyring}");
}

/// Without any keyring (no session bus, so no Secret Service), adding a
/// secret says so plainly, not "unlock it".
#[test]
fn no_keyring_at_all_is_said_plainly() {
    let tmp = tempfile::tempdir().unwrap();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(
            r#"printf 'x\n' | "$FACTEUR" account add g --kind mail_deposit --set smtp_host=smtp.example.fr \
                 --secret smtp_password --secret-stdin"#,
        )
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env("FACTEUR", env!("CARGO_BIN_EXE_facteur"))
        .env("FACTEUR_HOME", tmp.path().join("home"))
        .env("XDG_RUNTIME_DIR", tmp.path())
        .env("LANG", "fr_FR.UTF-8")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("aucun trousseau"), "{stderr}");
    assert!(!stderr.contains("déverrouill"), "{stderr}");
}
