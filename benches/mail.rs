//! The first sync of a large mailbox, printed as figures (not a timed test).
//!
//! Starts Debian's dovecot on loopback (as `tests/mail.rs` does), fills a
//! mailbox with 800 unrelated mails of 1 MB each and a few of the portal's
//! notices, then, in this process:
//! - syncs it through the outbox (batches of headers, bodies of the
//!   portal's notices only, each batch recorded): wall time, batches, and
//!   this process's peak memory (VmHWM from /proc/self/status);
//! - for comparison, fetches the whole mailbox with bodies in one command,
//!   as the first sync used to: the peak memory again (VmHWM only grows,
//!   so this runs second).
//!
//! Run: `cargo bench --bench mail` (add `-- --quick` for 200 mails).
//! Needs `dovecot` (Debian package dovecot-imapd).

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use facteur::mirror::store::Store;
use facteur::send::accounts::{Account, AccountError, Kind, SecretStore};
use facteur::send::channel::mail::MailChannel;
use facteur::send::outbox::{self, Retry};

const PASSWORD: &str = "bench-imap-pw";
const SENDER: &str = "notifications@portail.example";

struct Keys;

impl SecretStore for Keys {
    fn set(&self, _: &str, _: &str, _: &str) -> Result<(), AccountError> {
        Ok(())
    }
    fn get(&self, _: &str, field: &str) -> Result<Option<String>, AccountError> {
        Ok(matches!(field, "imap_password" | "smtp_password").then(|| PASSWORD.to_string()))
    }
    fn delete(&self, _: &str, _: &str) -> Result<(), AccountError> {
        Ok(())
    }
}

struct Dovecot(Child);

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// This process's peak resident memory, in MB.
fn vm_hwm_mb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}

fn owner() -> (u32, u32) {
    // Dovecot never serves mail as root.
    if unsafe { libc::geteuid() } == 0 {
        (65534, 65534)
    } else {
        unsafe { (libc::geteuid(), libc::getegid()) }
    }
}

fn start(tmp: &Path, maildir: &Path) -> (Dovecot, u16) {
    let bin = ["/usr/sbin/dovecot", "/usr/local/sbin/dovecot"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .expect("dovecot (Debian package dovecot-imapd) is needed");
    let (uid, gid) = owner();
    std::fs::write(
        tmp.join("passwd"),
        format!(
            "portal:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{}::\n",
            maildir.display()
        ),
    )
    .unwrap();
    let port = free_port();
    let t = tmp.display();
    let conf = format!(
        "protocols = imap\nlisten = 127.0.0.1\nbase_dir = {t}/run\nstate_dir = {t}/state\n\
         log_path = {t}/dovecot.log\nssl = no\ndisable_plaintext_auth = no\n\
         auth_mechanisms = plain login\nfirst_valid_uid = 1\nmail_location = maildir:{m}\n\
         passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {t}/passwd\n}}\n\
         userdb {{\n  driver = passwd-file\n  args = username_format=%u {t}/passwd\n}}\n\
         service imap-login {{\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {port}\n  }}\n\
           inet_listener imaps {{\n    port = 0\n  }}\n}}\n",
        m = maildir.display()
    );
    std::fs::write(tmp.join("dovecot.conf"), conf).unwrap();
    // Owned at once: dropped (killed and waited for) on every path.
    let server = Dovecot(
        Command::new(bin)
            .arg("-F")
            .arg("-c")
            .arg(tmp.join("dovecot.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let mut buf = [0u8; 256];
            let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
            if s.read(&mut buf).is_ok_and(|n| n > 0) {
                return (server, port);
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("dovecot did not start");
}

fn deliver(maildir: &Path, n: usize, raw: &[u8]) {
    let (uid, gid) = owner();
    let name = format!("{}.{n}.bench", 1_800_000_000 + n);
    let tmp = maildir.join("tmp").join(&name);
    std::fs::write(&tmp, raw).unwrap();
    std::os::unix::fs::chown(&tmp, Some(uid), Some(gid)).unwrap();
    std::fs::rename(&tmp, maildir.join("new").join(&name)).unwrap();
}

/// An unrelated mail of about `size` bytes (base64-like lines).
fn big_mail(i: usize, size: usize) -> Vec<u8> {
    let mut m = format!(
        "From: Envoi de fichiers <files{}@exemple.org>\r\nTo: compta@boulangerie.example\r\n\
         Subject: Photos {i}\r\nMessage-ID: <b{i}@exemple.org>\r\nMIME-Version: 1.0\r\n\
         Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n",
        i % 5
    )
    .into_bytes();
    let line = b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\n";
    while m.len() < size {
        m.extend_from_slice(line);
    }
    m
}

fn main() {
    // `cargo bench` passes --bench; test runners listing every target must
    // not start a long benchmark.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let quick = std::env::args().any(|a| a == "--quick");
    let count = if quick { 200 } else { 800 };
    let tmp = tempfile::tempdir().unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let maildir = tmp.path().join("mail/portal");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    let (uid, gid) = owner();
    for p in [tmp.path().join("mail"), maildir.clone()]
        .into_iter()
        .chain(["cur", "new", "tmp"].map(|s| maildir.join(s)))
    {
        std::os::unix::fs::chown(&p, Some(uid), Some(gid)).unwrap();
    }
    for i in 0..count {
        deliver(&maildir, i, &big_mail(i, 1024 * 1024));
        if i % 100 == 50 {
            let notice = format!(
                "From: Portail <{SENDER}>\r\nTo: compta@boulangerie.example\r\n\
                 Subject: Facture F-2026-{i:04} emise\r\nMessage-ID: <n{i}@portail.example>\r\n\r\n\
                 Votre facture n\u{b0} F-2026-{i:04} appara\u{ee}t dans la vignette \u{ab} factures \u{e9}mises \u{bb}.\r\n"
            );
            deliver(&maildir, count + i, notice.as_bytes());
        }
    }
    let (_server, port) = start(tmp.path(), &maildir);
    let settings: BTreeMap<String, String> = [
        ("smtp_host", "127.0.0.1".to_string()),
        ("smtp_port", free_port().to_string()),
        ("smtp_tls", "none".into()),
        ("smtp_user", "u".into()),
        ("from", "compta@boulangerie.example".into()),
        ("portal_address", "depot@portail.example".into()),
        ("imap_host", "127.0.0.1".into()),
        ("imap_port", port.to_string()),
        ("imap_tls", "none".into()),
        ("imap_user", "portal".into()),
        ("portal_sender", SENDER.into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let account = Account {
        name: "generix".into(),
        kind: Kind::MailDeposit,
        settings,
        secret_fields: vec!["smtp_password".into(), "imap_password".into()],
    };
    let ch = MailChannel::from_account(&account, &Keys).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    println!(
        "mailbox: {count} unrelated mails of 1 MB and {} portal notices",
        count.div_ceil(100)
    );
    let before = vm_hwm_mb();
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut store = Store::open_home(&home).unwrap();
    let started = Instant::now();
    let mut batches = 0;
    let counts = rt
        .block_on(outbox::sync_with_progress(
            &mut store,
            &home,
            &ch,
            &Retry::default(),
            &mut |p| batches = p.batches,
        ))
        .unwrap();
    println!(
        "{:<52} {:>7.2} s {:>4} batch(es) {:>4} notice(s) {:>6} MB peak (VmHWM, was {before} MB)",
        "first sync, in batches (headers, then notices only)",
        started.elapsed().as_secs_f64(),
        batches,
        counts.unmatched + counts.added,
        vm_hwm_mb()
    );

    // The former way, for comparison: every body of the mailbox at once.
    let started = Instant::now();
    let bytes: usize = rt.block_on(async {
        use futures_util::StreamExt as _;
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        let mut client = async_imap::Client::new(tcp);
        let _greeting = client.read_response().await;
        let mut session = client
            .login("portal", PASSWORD)
            .await
            .map_err(|e| e.0)
            .unwrap();
        session.examine("INBOX").await.unwrap();
        let mut stream = session
            .uid_fetch("1:*", "(UID INTERNALDATE BODY.PEEK[])")
            .await
            .unwrap();
        let mut mails = Vec::new();
        while let Some(f) = stream.next().await {
            mails.push(f.unwrap().body().map(<[u8]>::to_vec));
        }
        drop(stream);
        let _ = session.logout().await;
        mails.iter().flatten().map(Vec::len).sum()
    });
    println!(
        "{:<52} {:>7.2} s {:>6} MB read      {:>6} MB peak (VmHWM)",
        "for comparison: the whole mailbox in one fetch",
        started.elapsed().as_secs_f64(),
        bytes / (1024 * 1024),
        vm_hwm_mb()
    );
}
