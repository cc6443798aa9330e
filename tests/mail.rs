//! The mail-deposit channel against real servers on loopback, started by the
//! tests themselves: Python's aiosmtpd for SMTP (in the virtualenv that
//! scripts/setup.sh makes) and Debian's dovecot for IMAP, each on a free port
//! with its files in a temporary directory, killed when the test ends.
//! Certificates for the TLS cases come from the `openssl` command (installed
//! with dovecot).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use facteur::demo::sample::{SampleInvoice, invoice_pdf};
use facteur::mirror::lifecycle::{self, Status, Vocabulary};
use facteur::send::accounts::{Account, AccountError, Kind, SecretStore};
use facteur::send::channel::mail::{MailChannel, WIRE_LOG_TARGETS};
use facteur::send::channel::{Annex, Channel, ChannelError, Lookup, Outgoing, SendKind, Tracked};
use mail_parser::{MessageParser, MimeHeaders};
use sha2::{Digest, Sha256};

const IMAP_PASSWORD: &str = "imap-Pw-5e0d77";
const PORTAL: &str = "depot-4242@portail.example";
const SENDER: &str = "notifications@portail.example";

#[path = "support/smtp.rs"]
mod smtp;
use smtp::{Certs, SMTP_PASSWORD, Server, Smtp, free_port, require};

// ---------------------------------------------------------------------------
// Helpers: secrets, accounts, processes, ports.

struct Keys(BTreeMap<String, String>);

impl Keys {
    fn both() -> Keys {
        Keys(BTreeMap::from([
            ("smtp_password".to_string(), SMTP_PASSWORD.to_string()),
            ("imap_password".to_string(), IMAP_PASSWORD.to_string()),
        ]))
    }
}

impl SecretStore for Keys {
    fn set(&self, _: &str, _: &str, _: &str) -> Result<(), AccountError> {
        Ok(())
    }
    fn get(&self, _: &str, field: &str) -> Result<Option<String>, AccountError> {
        Ok(self.0.get(field).cloned())
    }
    fn delete(&self, _: &str, _: &str) -> Result<(), AccountError> {
        Ok(())
    }
}

fn account(settings: &[(&str, String)]) -> Account {
    Account {
        name: "generix".into(),
        kind: Kind::MailDeposit,
        settings: settings
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        secret_fields: vec!["smtp_password".into(), "imap_password".into()],
    }
}

/// Sending settings for an SMTP server on 127.0.0.1:port.
fn smtp_settings(port: u16, tls: &str) -> Vec<(&'static str, String)> {
    vec![
        ("smtp_host", "127.0.0.1".into()),
        ("smtp_port", port.to_string()),
        ("smtp_tls", tls.into()),
        ("smtp_user", "boulangerie".into()),
        ("from", "compta@boulangerie.example".into()),
        ("portal_address", PORTAL.into()),
    ]
}

fn config_detail(r: Result<MailChannel, ChannelError>) -> String {
    match r {
        Err(ChannelError::Config { detail, .. }) => detail,
        Err(other) => panic!("expected a Config error, got {other}"),
        Ok(_) => panic!("expected a Config error, the account was accepted"),
    }
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

// ---------------------------------------------------------------------------
// Certificates: a test CA and a server certificate for 127.0.0.1.

fn make_certs(dir: &Path) -> Certs {
    require(
        "openssl",
        Command::new("openssl").arg("version").output().is_ok(),
    );
    let run = |args: &str| {
        let out = Command::new("openssl")
            .args(args.split_whitespace())
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "openssl {args}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(
        "req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
         -subj /CN=Facteur-test-CA -addext basicConstraints=critical,CA:TRUE \
         -addext keyUsage=critical,keyCertSign,cRLSign",
    );
    run("req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1");
    std::fs::write(
        dir.join("server.ext"),
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n\
         extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n",
    )
    .unwrap();
    run(
        "x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem \
         -days 2 -extfile server.ext",
    );
    Certs {
        ca: dir.join("ca.pem"),
        cert: dir.join("server.pem"),
        key: dir.join("server.key"),
    }
}

fn outgoing() -> Outgoing {
    let inv = SampleInvoice::example(7);
    let pdf = invoice_pdf(&inv, true);
    Outgoing {
        invoice_id: 7,
        submission_id: 70,
        kind: SendKind::Submit,
        number: inv.number.clone(),
        file_name: format!("{}.pdf", inv.number),
        sha256: sha256(&pdf),
        pdf,
        facts: Default::default(),
        structured: None,
        annexes: vec![Annex {
            file_name: "bon-de-livraison.csv".into(),
            bytes: "article;quantité\npain;12\n".as_bytes().to_vec(),
        }],
        recipient: None,
        ambiguous_since_ms: None,
    }
}

/// Everything logged, at every level, with the wire-level targets off as
/// the binary sets them.
fn capture_logs() -> Arc<Mutex<Vec<u8>>> {
    #[derive(Clone)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buf = Arc::new(Mutex::new(Vec::new()));
    let mut filter = tracing_subscriber::EnvFilter::new("trace");
    for t in WIRE_LOG_TARGETS {
        filter = filter.add_directive(format!("{t}=off").parse().unwrap());
    }
    let writer = Buf(Arc::clone(&buf));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .try_init()
        .expect("one log capture per test process");
    buf
}

// ---------------------------------------------------------------------------
// IMAP: dovecot.

struct Dovecot {
    /// The plain (STARTTLS-capable) listener.
    port: u16,
    /// The implicit-TLS listener, when started with certificates.
    tls_port: Option<u16>,
    maildir: PathBuf,
    owner: (u32, u32),
    count: usize,
    _server: Server,
}

impl Dovecot {
    fn start(tmp: &Path, certs: Option<&Certs>) -> Dovecot {
        let bin = ["/usr/sbin/dovecot", "/usr/local/sbin/dovecot"]
            .into_iter()
            .map(PathBuf::from)
            .find(|p| p.exists());
        require("dovecot (Debian package dovecot-imapd)", bin.is_some());
        let bin = bin.unwrap();
        // Dovecot never serves mail as root: as root, the mailbox belongs to
        // nobody; otherwise to the user running the test.
        let owner = if unsafe { libc::geteuid() } == 0 {
            (65534, 65534)
        } else {
            unsafe { (libc::geteuid(), libc::getegid()) }
        };
        // Dovecot's own processes (auth, login) must reach the files.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp, std::fs::Permissions::from_mode(0o755)).unwrap();
        let maildir = tmp.join("mail/portal");
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(maildir.join(sub)).unwrap();
        }
        for p in [tmp.join("mail"), maildir.clone()]
            .into_iter()
            .chain(["cur", "new", "tmp"].map(|s| maildir.join(s)))
        {
            std::os::unix::fs::chown(&p, Some(owner.0), Some(owner.1)).unwrap();
        }
        std::fs::write(
            tmp.join("passwd"),
            format!(
                "portal:{{PLAIN}}{IMAP_PASSWORD}:{}:{}::{}::\n",
                owner.0,
                owner.1,
                maildir.display()
            ),
        )
        .unwrap();
        let log = tmp.join("dovecot.log");
        for _ in 0..5 {
            let port = free_port();
            let tls_port = certs.map(|_| free_port());
            let ssl = match certs {
                None => "ssl = no\n".to_string(),
                Some(c) => {
                    let dh = Path::new("/usr/share/dovecot/dh.pem");
                    format!(
                        "ssl = yes\nssl_cert = <{}\nssl_key = <{}\nssl_min_protocol = TLSv1.2\n{}",
                        c.cert.display(),
                        c.key.display(),
                        if dh.exists() {
                            format!("ssl_dh = <{}\n", dh.display())
                        } else {
                            String::new()
                        }
                    )
                }
            };
            let t = tmp.display();
            let conf = format!(
                "protocols = imap\n\
                 listen = 127.0.0.1\n\
                 base_dir = {t}/run\n\
                 state_dir = {t}/state\n\
                 log_path = {t}/dovecot.log\n\
                 {ssl}\
                 disable_plaintext_auth = no\n\
                 auth_mechanisms = plain login\n\
                 first_valid_uid = 1\n\
                 mail_location = maildir:{maildir}\n\
                 passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {t}/passwd\n}}\n\
                 userdb {{\n  driver = passwd-file\n  args = username_format=%u {t}/passwd\n}}\n\
                 service imap-login {{\n\
                   inet_listener imap {{\n    address = 127.0.0.1\n    port = {port}\n  }}\n\
                   inet_listener imaps {{\n    address = 127.0.0.1\n    port = {tls}\n  }}\n\
                 }}\n",
                maildir = maildir.display(),
                tls = tls_port.unwrap_or(0),
            );
            let conf_path = tmp.join("dovecot.conf");
            std::fs::write(&conf_path, conf).unwrap();
            let _ = std::fs::remove_dir_all(tmp.join("run"));
            let child = Command::new(&bin)
                .arg("-F")
                .arg("-c")
                .arg(&conf_path)
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(tmp.join("dovecot.stderr")).unwrap())
                .spawn()
                .unwrap();
            let mut server = Server { child };
            // Ready when the plain listener greets with "ready".
            let deadline = Instant::now() + Duration::from_secs(20);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = server.child.try_wait() {
                    break; // port taken or bad config: next round or panic below
                }
                if greets(port) {
                    return Dovecot {
                        port,
                        tls_port,
                        maildir,
                        owner,
                        count: 0,
                        _server: server,
                    };
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            if server.child.try_wait().ok().flatten().is_none() {
                panic!(
                    "dovecot did not greet within 20 s: {}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
            }
        }
        panic!(
            "dovecot could not start: {}{}",
            std::fs::read_to_string(&log).unwrap_or_default(),
            std::fs::read_to_string(tmp.join("dovecot.stderr")).unwrap_or_default()
        );
    }

    /// Delivers a mail into the mailbox, as a mail server would.
    fn deliver(&mut self, raw: &str) {
        self.deliver_at(raw, None);
    }

    /// Delivers a mail received by the server at `received_ms` (its
    /// INTERNALDATE: a maildir file's modification time), or now.
    fn deliver_at(&mut self, raw: &str, received_ms: Option<i64>) {
        self.count += 1;
        let name = format!("{}.{}.facteur-test", 1_800_000_000 + self.count, self.count);
        let tmp = self.maildir.join("tmp").join(&name);
        std::fs::write(&tmp, raw.replace('\n', "\r\n")).unwrap();
        if let Some(ms) = received_ms {
            let at = std::time::UNIX_EPOCH + Duration::from_millis(ms as u64);
            std::fs::File::options()
                .write(true)
                .open(&tmp)
                .unwrap()
                .set_modified(at)
                .unwrap();
        }
        std::os::unix::fs::chown(&tmp, Some(self.owner.0), Some(self.owner.1)).unwrap();
        std::fs::rename(&tmp, self.maildir.join("new").join(&name)).unwrap();
    }

    fn settings(&self, tls: &str, port: u16) -> Vec<(&'static str, String)> {
        let mut s = smtp_settings(free_port(), "none");
        s.extend([
            ("imap_host", "127.0.0.1".to_string()),
            ("imap_port", port.to_string()),
            ("imap_tls", tls.to_string()),
            ("imap_user", "portal".to_string()),
            ("portal_sender", SENDER.to_string()),
        ]);
        s
    }
}

fn greets(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
    let mut got = Vec::new();
    let mut buf = [0u8; 512];
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        match s.read(&mut buf) {
            Ok(0) => return false,
            Ok(n) => {
                got.extend_from_slice(&buf[..n]);
                if String::from_utf8_lossy(&got).contains("ready") {
                    let _ = s.write_all(b"x LOGOUT\r\n");
                    return true;
                }
            }
            Err(_) => {}
        }
    }
    false
}

fn notification(from: &str, date: &str, subject: &str, body: &str) -> String {
    format!(
        "From: Portail fournisseurs <{from}>\n\
         To: compta@boulangerie.example\n\
         Date: {date}\n\
         Subject: =?UTF-8?Q?{}?=\n\
         Message-ID: <{}@portail.example>\n\
         MIME-Version: 1.0\n\
         Content-Type: text/plain; charset=utf-8\n\
         Content-Transfer-Encoding: 8bit\n\
         \n\
         {body}\n",
        q_encode(subject),
        sha256(subject.as_bytes())
    )
}

/// RFC 2047 Q-encoding of a subject.
fn q_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b' ' => "_".to_string(),
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' => (b as char).to_string(),
            _ => format!("={b:02X}"),
        })
        .collect()
}

fn tracked() -> Vec<Tracked> {
    vec![
        Tracked {
            invoice_id: 1,
            number: "F-2026-0101".into(),
            portal_ref: "facteur.1.10.aa@boulangerie.example".into(),
        },
        Tracked {
            invoice_id: 2,
            number: "F-2026-0102".into(),
            portal_ref: "facteur.2.20.bb@boulangerie.example".into(),
        },
    ]
}

fn status_of(e: &facteur::send::channel::PortalEvent) -> (Option<Status>, Option<String>) {
    let m = lifecycle::map(e.vocabulary, &e.raw_status, e.raw_reason.as_deref());
    (m.status, m.reason_code)
}

// ---------------------------------------------------------------------------
// Sending.

#[tokio::test]
async fn one_invoice_per_mail_reaches_the_portal_address_intact() {
    let logs = capture_logs();
    let tmp = tempfile::tempdir().unwrap();
    let smtp = Smtp::start(tmp.path(), None);
    let ch = MailChannel::from_account(&account(&smtp_settings(smtp.port, "none")), &Keys::both())
        .unwrap();
    assert_eq!(ch.kind(), "mail_deposit");
    assert_eq!(ch.vocabulary(), Vocabulary::Generix);
    let out = outgoing();
    let delivered = ch.send(&out).await.unwrap();
    assert!(delivered.events.is_empty());

    let received = smtp.received();
    assert_eq!(received.len(), 1, "one mail for one invoice");
    let (envelope, raw) = &received[0];
    let envelope: Vec<&str> = envelope.lines().collect();
    assert_eq!(envelope, ["compta@boulangerie.example", PORTAL]);
    let msg = MessageParser::default().parse(raw).unwrap();
    assert_eq!(msg.message_id(), Some(delivered.portal_ref.as_str()));
    assert!(
        msg.subject().unwrap().contains(&out.number),
        "{:?}",
        msg.subject()
    );
    let to: Vec<&str> = msg
        .to()
        .unwrap()
        .iter()
        .filter_map(|a| a.address())
        .collect();
    assert_eq!(to, [PORTAL]);
    let text = msg.body_text(0).unwrap();
    assert!(text.contains("ci-joint la facture F-2026-0007"), "{text}");
    assert!(
        text.contains("Please find attached invoice F-2026-0007"),
        "{text}"
    );

    let attachments: Vec<_> = msg.attachments().collect();
    assert_eq!(attachments.len(), 2, "the invoice and its annex");
    let pdfs: Vec<_> = attachments
        .iter()
        .filter(|a| a.content_type().is_some_and(|c| c.subtype() == Some("pdf")))
        .collect();
    assert_eq!(pdfs.len(), 1, "exactly one invoice PDF");
    assert_eq!(pdfs[0].attachment_name(), Some("F-2026-0007.pdf"));
    assert_eq!(sha256(pdfs[0].contents()), out.sha256, "byte-identical PDF");
    let annex = attachments
        .iter()
        .find(|a| a.attachment_name() == Some("bon-de-livraison.csv"))
        .expect("the annex");
    assert_eq!(annex.contents(), out.annexes[0].bytes.as_slice());

    // Everything logged at trace level: the send is there, the password and
    // the invoice are not.
    let logs = String::from_utf8(logs.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("invoice mailed to the portal"), "{logs}");
    assert!(!logs.contains(SMTP_PASSWORD), "{logs}");
    let b64 = |s: &str| {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(s)
    };
    assert!(!logs.contains(&b64(&format!("\0boulangerie\0{SMTP_PASSWORD}"))));
    assert!(!logs.contains("JVBERi0"), "no PDF bytes in the logs");
}

#[tokio::test]
async fn starttls_with_the_servers_own_authority() {
    let tmp = tempfile::tempdir().unwrap();
    let certs = make_certs(tmp.path());
    let smtp = Smtp::start(tmp.path(), Some(&certs));
    let mut settings = smtp_settings(smtp.port, "starttls");

    // Not trusted yet: a set-up problem, not worth retrying.
    let ch = MailChannel::from_account(&account(&settings), &Keys::both()).unwrap();
    let err = ch.send(&outgoing()).await.unwrap_err();
    assert!(!err.is_transient(), "{err:?}");
    assert!(err.to_string().contains("tls_ca_file"), "{err}");
    assert!(smtp.received().is_empty());

    settings.push(("tls_ca_file", certs.ca.display().to_string()));
    let ch = MailChannel::from_account(&account(&settings), &Keys::both()).unwrap();
    let delivered = ch.send(&outgoing()).await.unwrap();
    let received = smtp.received();
    assert_eq!(received.len(), 1);
    let msg = MessageParser::default().parse(&received[0].1).unwrap();
    assert_eq!(msg.message_id(), Some(delivered.portal_ref.as_str()));
}

#[tokio::test]
async fn smtp_failures_are_sorted_into_transient_and_permanent() {
    let tmp = tempfile::tempdir().unwrap();
    let smtp = Smtp::start(tmp.path(), None);
    let keys = Keys::both();
    let out = outgoing();

    // Nobody listening.
    let closed = free_port();
    let ch = MailChannel::from_account(&account(&smtp_settings(closed, "none")), &keys).unwrap();
    let err = ch.send(&out).await.unwrap_err();
    assert!(matches!(err, ChannelError::Unreachable(_)), "{err:?}");
    assert!(err.is_transient());

    let with = |key: &'static str, value: &str| {
        let mut s = smtp_settings(smtp.port, "none");
        s.retain(|(k, _)| *k != key);
        s.push((key, value.to_string()));
        account(&s)
    };
    // 4xx: the server answered "not now": it did not take the mail, so
    // sending again is safe.
    let ch =
        MailChannel::from_account(&with("portal_address", "busy@portail.example"), &keys).unwrap();
    let err = ch.send(&out).await.unwrap_err();
    assert!(matches!(err, ChannelError::Unavailable(_)), "{err:?}");
    assert!(
        err.kind() == facteur::send::channel::Failure::NotSent && err.to_string().contains("451"),
        "{err}"
    );
    // 5xx: for good.
    let ch = MailChannel::from_account(&with("portal_address", "nobody@portail.example"), &keys)
        .unwrap();
    let err = ch.send(&out).await.unwrap_err();
    assert!(matches!(err, ChannelError::Refused(_)), "{err:?}");
    assert!(
        !err.is_transient() && err.to_string().contains("550"),
        "{err}"
    );
    // A wrong password.
    let wrong = Keys(BTreeMap::from([(
        "smtp_password".to_string(),
        "not-the-password".to_string(),
    )]));
    let ch =
        MailChannel::from_account(&account(&smtp_settings(smtp.port, "none")), &wrong).unwrap();
    let err = ch.send(&out).await.unwrap_err();
    assert!(matches!(err, ChannelError::Auth { .. }), "{err:?}");
    assert!(!err.is_transient());
    assert!(!err.to_string().contains("not-the-password"), "{err}");
    assert!(smtp.received().is_empty(), "nothing was accepted");

    // What a mailbox cannot do.
    let ch = MailChannel::from_account(&account(&smtp_settings(smtp.port, "none")), &keys).unwrap();
    assert_eq!(ch.lookup(&out).await.unwrap(), Lookup::CannotTell);
    let err = ch
        .replay("facteur.7.70.x@boulangerie.example")
        .await
        .unwrap_err();
    assert!(matches!(err, ChannelError::Unsupported(_)), "{err:?}");
    assert!(err.to_string().contains("Rejeu Facture"), "{err}");
    // Pulling needs IMAP settings.
    let err = ch.pull(&[], None).await.unwrap_err();
    assert!(err.to_string().contains("imap_host"), "{err}");
}

#[test]
fn accounts_that_cannot_work_are_refused_when_built() {
    // No TLS to a remote server.
    let mut s = smtp_settings(587, "none");
    s[0].1 = "smtp.portail.example".into();
    let detail = config_detail(MailChannel::from_account(&account(&s), &Keys::both()));
    assert!(detail.contains("smtp_tls=none"), "{detail}");
    // No password in the keyring: the field is named, no value shown.
    let only_imap = Keys(BTreeMap::from([(
        "imap_password".to_string(),
        IMAP_PASSWORD.to_string(),
    )]));
    let detail = config_detail(MailChannel::from_account(
        &account(&smtp_settings(587, "starttls")),
        &only_imap,
    ));
    assert!(detail.contains("\"smtp_password\""), "{detail}");
    assert!(!detail.contains(IMAP_PASSWORD));
    // A missing setting is named.
    let mut s = smtp_settings(587, "starttls");
    s.retain(|(k, _)| *k != "portal_address");
    let detail = config_detail(MailChannel::from_account(&account(&s), &Keys::both()));
    assert!(detail.contains("\"portal_address\""), "{detail}");
    // IMAP in clear to a remote server.
    let mut s = smtp_settings(587, "starttls");
    s.extend([
        ("imap_host", "imap.portail.example".to_string()),
        ("imap_tls", "none".to_string()),
        ("imap_user", "u".to_string()),
        ("portal_sender", SENDER.to_string()),
    ]);
    let detail = config_detail(MailChannel::from_account(&account(&s), &Keys::both()));
    assert!(detail.contains("imap_tls=none"), "{detail}");
    // A patterns file that does not load.
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("patterns.json");
    std::fs::write(
        &bad,
        r#"{"patterns":[{"name":"x","text":["a"],"raw_status":"bof"}]}"#,
    )
    .unwrap();
    let mut s = smtp_settings(587, "starttls");
    s.push(("patterns_file", bad.display().to_string()));
    let detail = config_detail(MailChannel::from_account(&account(&s), &Keys::both()));
    assert!(detail.contains("patterns_file"), "{detail}");
}

// ---------------------------------------------------------------------------
// Pulling the portal's answers.

#[tokio::test]
async fn portal_notifications_become_events_and_the_rest_is_set_aside() {
    let tmp = tempfile::tempdir().unwrap();
    let mut imap = Dovecot::start(tmp.path(), None);
    let date = "Mon, 16 Nov 2026 09:30:00 +0100";
    // When the server received it (INTERNALDATE), a minute after the
    // Date: the sender wrote: the server's time is the one kept.
    let at_ms = 1_794_817_860_000; // 2026-11-16T08:31:00Z
    imap.deliver_at(
        &notification(
            SENDER,
            date,
            "Facture F-2026-0101 rejetée",
            "Bonjour,\nVotre facture n° F-2026-0101 a été rejetée.\n\
             Motif de rejet : Le client référencé n'existe pas.\nCordialement,\nLe portail",
        ),
        Some(at_ms),
    );
    imap.deliver(&notification(
        SENDER,
        date,
        "Facture F-2026-0102 refusée",
        "Votre facture n° F-2026-0102 a été refusée.\nMotif de refus : Mandat absent\n\
         Une fois le mandat signé, utilisez « Rejeu Facture ».",
    ));
    imap.deliver(&notification(
        SENDER,
        date,
        "Facture F-2026-0099 émise",
        "Votre facture n° F-2026-0099 apparaît dans la vignette « factures émises ».",
    ));
    // A stranger imitating the portal.
    imap.deliver(&notification(
        "portail@phishing.example",
        date,
        "Facture F-2026-0101 émise",
        "Votre facture n° F-2026-0101 a été émise. Cliquez ici.",
    ));
    // The portal, saying something no pattern knows.
    imap.deliver(&notification(
        SENDER,
        date,
        "Maintenance du portail",
        "Le portail sera indisponible samedi de 8 h à 12 h.",
    ));

    let ch = MailChannel::from_account(&account(&imap.settings("none", imap.port)), &Keys::both())
        .unwrap();
    let pulled = ch.pull(&tracked(), None).await.unwrap();

    let mut events = pulled.events.clone();
    events.sort_by(|a, b| a.number.cmp(&b.number));
    assert_eq!(events.len(), 3, "{pulled:?}");
    let e = &events[0];
    assert_eq!(e.number.as_deref(), Some("F-2026-0099"));
    assert_eq!(e.portal_ref, None, "not one of ours");
    assert_eq!(status_of(e), (Some(Status::Issued), None));
    let e = &events[1];
    assert_eq!(e.number.as_deref(), Some("F-2026-0101"));
    assert_eq!(
        e.portal_ref.as_deref(),
        Some("facteur.1.10.aa@boulangerie.example")
    );
    assert_eq!(e.raw_status, "rejetée");
    assert_eq!(
        e.raw_reason.as_deref(),
        Some("Le client référencé n'existe pas.")
    );
    assert_eq!(
        status_of(e),
        (Some(Status::Rejected), Some(lifecycle::DEST_ERR.into()))
    );
    assert_eq!(e.at_ms, at_ms);
    let e = &events[2];
    assert_eq!(e.number.as_deref(), Some("F-2026-0102"));
    assert_eq!(
        e.portal_ref.as_deref(),
        Some("facteur.2.20.bb@boulangerie.example")
    );
    assert_eq!(
        status_of(e),
        (Some(Status::Refused), Some(lifecycle::MANDAT_ABSENT.into()))
    );
    assert!(events.iter().all(|e| e.vocabulary == Vocabulary::Generix));

    assert_eq!(pulled.ignored.len(), 2, "{:?}", pulled.ignored);
    assert!(
        pulled.ignored.iter().any(
            |i| i.contains("portail@phishing.example") && i.contains("not the portal's sender")
        ),
        "{:?}",
        pulled.ignored
    );
    assert!(
        pulled
            .ignored
            .iter()
            .any(|i| i.contains("Maintenance du portail") && i.contains("no pattern")),
        "{:?}",
        pulled.ignored
    );

    // Nothing new since the cursor.
    let cursor = pulled.cursor.clone().expect("a cursor");
    let again = ch.pull(&tracked(), Some(&cursor)).await.unwrap();
    assert!(
        again.events.is_empty() && again.ignored.is_empty(),
        "{again:?}"
    );
    assert_eq!(again.cursor.as_deref(), Some(cursor.as_str()));

    // One more mail: only it comes back.
    imap.deliver(&notification(
        SENDER,
        date,
        "Réception de votre facture",
        "Votre facture n° F-2026-0102 est en cours de vidéocodage (48 heures en moyenne).",
    ));
    let next = ch.pull(&tracked(), Some(&cursor)).await.unwrap();
    assert_eq!(next.events.len(), 1, "{next:?}");
    assert_eq!(next.events[0].number.as_deref(), Some("F-2026-0102"));
    assert_eq!(
        status_of(&next.events[0]),
        (Some(Status::Deposited), Some(lifecycle::VIDEOCODAGE.into()))
    );
    assert_ne!(next.cursor, Some(cursor.clone()));

    // Another mailbox generation (UIDVALIDITY): everything is read again.
    let (_, last) = cursor.split_once(':').unwrap();
    let stale = format!("1:{last}");
    let all = ch.pull(&tracked(), Some(&stale)).await.unwrap();
    assert_eq!(all.events.len(), 4, "{all:?}");
    assert_eq!(all.ignored.len(), 2);
}

#[tokio::test]
async fn imap_over_implicit_tls_and_wrong_passwords() {
    let tmp = tempfile::tempdir().unwrap();
    let certs = make_certs(tmp.path());
    let mut imap = Dovecot::start(tmp.path(), Some(&certs));
    let tls_port = imap.tls_port.unwrap();
    imap.deliver(&notification(
        SENDER,
        "Tue, 17 Nov 2026 10:00:00 +0100",
        "Facture F-2026-0101 refusée",
        "Votre facture n° F-2026-0101 a été refusée.\nMotif de refus : Doublon",
    ));

    // The server's authority is not trusted yet.
    let mut settings = imap.settings("implicit", tls_port);
    let ch = MailChannel::from_account(&account(&settings), &Keys::both()).unwrap();
    let err = ch.pull(&tracked(), None).await.unwrap_err();
    assert!(!err.is_transient(), "{err:?}");
    assert!(err.to_string().contains("tls_ca_file"), "{err}");

    settings.push(("tls_ca_file", certs.ca.display().to_string()));
    let ch = MailChannel::from_account(&account(&settings), &Keys::both()).unwrap();
    let pulled = ch.pull(&tracked(), None).await.unwrap();
    assert_eq!(pulled.events.len(), 1, "{pulled:?}");
    assert_eq!(
        status_of(&pulled.events[0]),
        (Some(Status::Refused), Some(lifecycle::DOUBLON.into()))
    );

    // STARTTLS on the plain port reads the same.
    let mut starttls = imap.settings("starttls", imap.port);
    starttls.push(("tls_ca_file", certs.ca.display().to_string()));
    let ch = MailChannel::from_account(&account(&starttls), &Keys::both()).unwrap();
    let pulled = ch.pull(&tracked(), None).await.unwrap();
    assert_eq!(pulled.events.len(), 1, "{pulled:?}");

    // A wrong IMAP password.
    let wrong = Keys(BTreeMap::from([
        ("smtp_password".to_string(), SMTP_PASSWORD.to_string()),
        ("imap_password".to_string(), "not-the-password".to_string()),
    ]));
    let ch = MailChannel::from_account(&account(&settings), &wrong).unwrap();
    let err = ch.pull(&tracked(), None).await.unwrap_err();
    assert!(matches!(err, ChannelError::Auth { .. }), "{err:?}");
    assert!(!err.to_string().contains("not-the-password"));

    // Nobody listening.
    let closed = imap.settings("none", free_port());
    let ch = MailChannel::from_account(&account(&closed), &Keys::both()).unwrap();
    let err = ch.pull(&tracked(), None).await.unwrap_err();
    assert!(matches!(err, ChannelError::Unreachable(_)), "{err:?}");
}

/// Through the outbox, as `facteur submit --annex` does: the invoice and its
/// annex are copied into the outbox when queued, and the mail the real SMTP
/// server receives carries both, intact; the invoice is then « déposée » by
/// Facteur, waiting for the portal's own answers by mail.
#[tokio::test]
async fn the_outbox_mails_an_invoice_with_its_annex_once() {
    use facteur::check::{Options, check_file};
    use facteur::mirror::store::{self, Store};
    use facteur::send::outbox::{self, AnyChannel, Enqueued, Retry};
    let tmp = tempfile::tempdir().unwrap();
    let smtp = Smtp::start(tmp.path(), None);
    let acc = account(&smtp_settings(smtp.port, "none"));
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut db = Store::open_home(&home).unwrap();
    let inv = SampleInvoice::example(12);
    let pdf = invoice_pdf(&inv, false);
    let file = tmp.path().join("f-12.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let annex = tmp.path().join("bon-de-livraison.pdf");
    let annex_bytes = invoice_pdf(&SampleInvoice::example(99), false);
    std::fs::write(&annex, &annex_bytes).unwrap();
    let report = check_file(&file, &Options::default()).unwrap();
    let rec = db.record_check(&report, store::now_ms()).unwrap();
    let q = outbox::enqueue(
        &mut db,
        &home,
        &outbox::Request {
            invoice: outbox::Invoice::Checked {
                report: &report,
                invoice_id: rec.invoice_id,
            },
            to: Some(outbox::To::Account(&acc)),
            kind: outbox::Kind::Submit,
            annexes: std::slice::from_ref(&annex),
        },
        store::now_ms(),
    )
    .unwrap();
    assert!(matches!(q, Enqueued::Queued { .. }), "{q:?}");
    // Moving the annex after queueing loses nothing.
    std::fs::remove_file(&annex).unwrap();
    let ch = AnyChannel::for_account(&acc, &Keys::both()).unwrap();
    let steps = outbox::run(&mut db, &home, &ch, &Retry::default(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(steps.len(), 1, "{steps:?}");
    let received = smtp.received();
    assert_eq!(received.len(), 1);
    let msg = MessageParser::default().parse(&received[0].1).unwrap();
    let attachments: Vec<_> = msg.attachments().collect();
    assert_eq!(attachments.len(), 2);
    let by_name = |n: &str| {
        attachments
            .iter()
            .find(|a| a.attachment_name() == Some(n))
            .unwrap_or_else(|| panic!("no attachment {n}"))
            .contents()
            .to_vec()
    };
    assert_eq!(sha256(&by_name("f-12.pdf")), sha256(&pdf));
    assert_eq!(by_name("bon-de-livraison.pdf"), annex_bytes);
    let row = db.invoice(rec.invoice_id.unwrap()).unwrap().unwrap();
    assert_eq!(row.status, Status::Deposited);
    // Queued again: refused, nothing more is mailed.
    let again = outbox::enqueue(
        &mut db,
        &home,
        &outbox::Request {
            invoice: outbox::Invoice::Checked {
                report: &report,
                invoice_id: rec.invoice_id,
            },
            to: Some(outbox::To::Account(&acc)),
            kind: outbox::Kind::Submit,
            annexes: &[],
        },
        store::now_ms(),
    )
    .unwrap();
    assert!(matches!(again, Enqueued::Refused(_)), "{again:?}");
    assert_eq!(smtp.received().len(), 1);
}

// ---------------------------------------------------------------------------
// Large and hostile mailboxes.

/// A notification with extra header lines (`Authentication-Results`…).
fn notification_with(headers: &str, from: &str, date: &str, subject: &str, body: &str) -> String {
    format!("{headers}{}", notification(from, date, subject, body))
}

/// A mailbox of 10,000 mails from others, a few of the portal's notices
/// among them, one forged « rejetée » dated 2099 (by its Date: and by the
/// server's INTERNALDATE) and notices the receiving server found failing
/// DMARC or DKIM: the sync reads it in batches, recording each batch's
/// cursor, reports its progress, dates every notice by when the server
/// got it (never after now) and sets the failing ones aside, saying why.
#[tokio::test]
async fn a_mailbox_of_ten_thousand_mails_is_read_in_batches_and_forgeries_set_aside() {
    use facteur::mirror::store::Store;
    use facteur::send::channel::mail::BATCH;
    use facteur::send::outbox::{self, Retry};

    let tmp = tempfile::tempdir().unwrap();
    let mut imap = Dovecot::start(tmp.path(), None);
    let date = "Mon, 16 Nov 2026 09:30:00 +0100";
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let others = 10_000;
    for i in 0..others {
        if i == 2_500 {
            imap.deliver(&notification(
                SENDER,
                date,
                "Facture F-2026-0101 émise",
                "Votre facture n° F-2026-0101 apparaît dans la vignette « factures émises ».",
            ));
        }
        if i == 7_000 {
            // In the portal's name, dated 2099 by its sender and, through
            // a server that trusted the sender's clock, by its arrival.
            imap.deliver_at(
                &notification(
                    SENDER,
                    "Thu, 01 Jan 2099 00:00:00 +0000",
                    "Facture F-2026-0102 rejetée",
                    "Votre facture n° F-2026-0102 a été rejetée.\nMotif de rejet : Doublon",
                ),
                Some(4_070_908_800_000),
            );
            imap.deliver(&notification_with(
                "Authentication-Results: mx.boulangerie.example; dkim=none; spf=softfail smtp.mailfrom=portail.example; dmarc=fail header.from=portail.example\n\
                 Authentication-Results: mx.boulangerie.example; dkim=pass; dmarc=pass\n",
                SENDER,
                date,
                "Facture F-2026-0101 rejetée",
                "Votre facture n° F-2026-0101 a été rejetée.\nMotif de rejet : Doublon",
            ));
            imap.deliver(&notification_with(
                "Authentication-Results: mx.boulangerie.example;\n\tdkim=fail (bad signature) header.d=portail.example;\n\tspf=pass\n",
                SENDER,
                date,
                "Facture F-2026-0102 refusée",
                "Votre facture n° F-2026-0102 a été refusée.\nMotif de refus : Mandat absent",
            ));
            imap.deliver(&notification_with(
                "Authentication-Results: mx.boulangerie.example; dkim=pass header.d=portail.example; spf=pass; dmarc=pass\n",
                SENDER,
                date,
                "Réception de votre facture",
                "Votre facture n° F-2026-0102 est en cours de vidéocodage (48 heures en moyenne).",
            ));
        }
        imap.deliver(&format!(
            "From: Lettre d'information <news{}@exemple.org>\n\
             To: compta@boulangerie.example\n\
             Date: {date}\n\
             Subject: Nouvelles n° {i}\n\
             Message-ID: <n{i}@exemple.org>\n\
             \n\
             Bonjour, voici nos nouvelles ({i}).\n",
            i % 7
        ));
    }
    let total = others + 5;

    let ch = MailChannel::from_account(&account(&imap.settings("none", imap.port)), &Keys::both())
        .unwrap();
    // First the channel alone: each pull is one batch, and says what is left.
    let first = ch.pull(&tracked(), None).await.unwrap();
    assert!(first.more, "{:?}", first.remaining);
    assert_eq!(first.remaining, Some((total - BATCH) as u64));
    assert_eq!(first.events.len() + first.ignored.len(), BATCH);

    // Then the outbox's sync: batch after batch, each recorded.
    let mut store = Store::open_in_memory().unwrap();
    let mut batches = Vec::new();
    let counts =
        outbox::sync_with_progress(&mut store, tmp.path(), &ch, &Retry::default(), &mut |p| {
            batches.push(*p)
        })
        .await
        .unwrap();
    assert_eq!(batches.len(), total.div_ceil(BATCH), "{batches:?}");
    assert_eq!(batches.last().unwrap().remaining, Some(0));
    assert!(
        batches
            .windows(2)
            .all(|w| w[1].remaining < w[0].remaining && w[1].batches == w[0].batches + 1),
        "{batches:?}"
    );
    let cursor = store.sync_state(ch.account()).unwrap().unwrap().0.unwrap();
    let last_uid: usize = cursor.split_once(':').unwrap().1.parse().unwrap();
    assert_eq!(last_uid, total, "the cursor is the mailbox's last mail");
    // No invoice of this store: the notices are kept as unmatched.
    assert_eq!(counts.unmatched, 3, "{counts:?}");

    // What each notice became, read once more from the start.
    let mut events = Vec::new();
    let mut ignored = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let p = ch.pull(&tracked(), cursor.as_deref()).await.unwrap();
        events.extend(p.events);
        ignored.extend(p.ignored);
        cursor = p.cursor;
        if !p.more {
            break;
        }
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let numbers: Vec<(String, String)> = events
        .iter()
        .map(|e| (e.number.clone().unwrap(), e.raw_status.clone()))
        .collect();
    assert_eq!(
        numbers,
        [
            ("F-2026-0101".to_string(), "émise".to_string()),
            ("F-2026-0102".to_string(), "rejetée".to_string()),
            (
                "F-2026-0102".to_string(),
                "vidéocodage en cours".to_string()
            ),
        ],
        "{ignored:?}"
    );
    // Dated by the server, and never after now: not 2099.
    for e in &events {
        assert!(e.at_ms <= now && e.at_ms >= started - 60_000, "{e:?}");
    }
    let failing: Vec<&String> = ignored
        .iter()
        .filter(|i| i.contains("according to the receiving server"))
        .collect();
    assert_eq!(failing.len(), 2, "{failing:?}");
    assert!(
        failing.iter().any(|i| i.contains("dmarc=fail")),
        "{failing:?}"
    );
    assert!(
        failing.iter().any(|i| i.contains("dkim=fail")),
        "{failing:?}"
    );
    assert_eq!(
        ignored
            .iter()
            .filter(|i| i.contains("not the portal's sender"))
            .count(),
        others
    );
}
