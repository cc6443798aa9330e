//! A real SMTP server on loopback for the tests (Python's aiosmtpd, in the
//! virtualenv scripts/setup.sh makes), started by the test on a free port
//! and killed with it; and the little process helpers it needs. It can
//! misbehave after taking a mail ([`SmtpFault`]): store every Nth message,
//! then stall past the client's timeout or drop the connection instead of
//! answering the DATA.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The password of the one SMTP user, `boulangerie`.
pub const SMTP_PASSWORD: &str = "smtp-Pw-81f3c2";

/// A child process killed (and reaped) when dropped.
pub struct Server {
    pub child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn require(tool: &str, found: bool) {
    assert!(
        found,
        "{tool} is required by the mail tests and was not found: run scripts/setup.sh"
    );
}

pub struct Certs {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// The SMTP server: stores each mail as NNN.eml with its envelope in
/// NNN.rcpt; answers 451 to busy@…, 550 to nobody@…; AUTH PLAIN/LOGIN
/// against one user; STARTTLS required when given a certificate.
const SMTP_SERVER: &str = r#"
import asyncio, os, ssl, sys, time
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

host, port, outdir, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
cert, key = (sys.argv[6], sys.argv[7]) if len(sys.argv) > 7 else (None, None)

fault_every = int(os.environ.get("SMTP_FAULT_EVERY", "0"))
fault_mode = os.environ.get("SMTP_FAULT_MODE", "")
fault_stall = float(os.environ.get("SMTP_FAULT_STALL_SECS", "0"))

class Handler:
    def __init__(self):
        self.n = 0
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0]
        if local == "busy":
            return "451 4.3.0 Mailbox busy, try again later"
        if local == "nobody":
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"
    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        base = os.path.join(outdir, "%03d" % self.n)
        with open(base + ".rcpt", "w") as f:
            f.write(envelope.mail_from + "\n" + "\n".join(envelope.rcpt_tos) + "\n")
        with open(base + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(base + ".tmp", base + ".eml")
        if fault_every and self.n % fault_every == 0:
            # The message is stored; the client never hears so.
            if fault_mode == "stall":
                await asyncio.sleep(fault_stall)
            elif fault_mode == "drop":
                server.transport.abort()
        return "250 2.0.0 Message accepted"

def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword)
          and auth_data.login == user.encode() and auth_data.password == password.encode())
    return AuthResult(success=ok, handled=False)

kw = dict(authenticator=authenticator, auth_require_tls=cert is not None)
if cert:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    kw.update(tls_context=ctx, require_starttls=True)
controller = Controller(Handler(), hostname=host, port=port, **kw)
controller.start()
print("ready", flush=True)
while True:
    time.sleep(3600)
"#;

pub fn python() -> PathBuf {
    let env = std::env::var_os("FACTEUR_PY")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/facteur/py")))
        .expect("neither FACTEUR_PY nor HOME is set");
    let py = env.join("bin/python");
    let ok = Command::new(&py)
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    require(
        &format!("aiosmtpd (in the virtualenv {})", env.display()),
        ok,
    );
    py
}

pub struct Smtp {
    pub port: u16,
    pub dir: PathBuf,
    _server: Server,
}

/// How the server misbehaves once it stored a mail.
#[derive(Debug, Clone, Copy)]
pub enum SmtpFault {
    /// Every Nth message: no answer to its DATA for this many seconds.
    Stall { every: u32, secs: f64 },
    /// Every Nth message: the connection is dropped instead of answering.
    Drop { every: u32 },
}

impl Smtp {
    pub fn start(tmp: &Path, certs: Option<&Certs>) -> Smtp {
        Smtp::start_with(tmp, certs, None)
    }

    /// A server that stores every message, and misbehaves after some.
    pub fn start_faulty(tmp: &Path, fault: SmtpFault) -> Smtp {
        Smtp::start_with(tmp, None, Some(fault))
    }

    fn start_with(tmp: &Path, certs: Option<&Certs>, fault: Option<SmtpFault>) -> Smtp {
        let py = python();
        let dir = tmp.join("smtp-received");
        std::fs::create_dir_all(&dir).unwrap();
        let script = tmp.join("smtp_server.py");
        std::fs::write(&script, SMTP_SERVER).unwrap();
        let log = tmp.join("smtp.log");
        // A free port may be taken between the probe and the bind: try again.
        for _ in 0..5 {
            let port = free_port();
            let mut cmd = Command::new(&py);
            cmd.arg(&script)
                .args(["127.0.0.1", &port.to_string()])
                .arg(&dir)
                .args(["boulangerie", SMTP_PASSWORD]);
            if let Some(c) = certs {
                cmd.arg(&c.cert).arg(&c.key);
            }
            match fault {
                Some(SmtpFault::Stall { every, secs }) => {
                    cmd.env("SMTP_FAULT_EVERY", every.to_string())
                        .env("SMTP_FAULT_MODE", "stall")
                        .env("SMTP_FAULT_STALL_SECS", secs.to_string());
                }
                Some(SmtpFault::Drop { every }) => {
                    cmd.env("SMTP_FAULT_EVERY", every.to_string())
                        .env("SMTP_FAULT_MODE", "drop");
                }
                None => {}
            }
            let mut child = cmd
                .stdout(Stdio::piped())
                .stderr(std::fs::File::create(&log).unwrap())
                .spawn()
                .unwrap();
            let stdout = child.stdout.take().unwrap();
            let mut server = Server { child };
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let mut line = String::new();
                let _ = BufReader::new(stdout).read_line(&mut line);
                let _ = tx.send(line);
            });
            match rx.recv_timeout(Duration::from_secs(20)) {
                Ok(line) if line.trim() == "ready" => {
                    return Smtp {
                        port,
                        dir,
                        _server: server,
                    };
                }
                _ => {
                    if server.child.try_wait().ok().flatten().is_none() {
                        panic!(
                            "aiosmtpd did not start in 20 s: {}",
                            std::fs::read_to_string(&log).unwrap_or_default()
                        );
                    }
                }
            }
        }
        panic!(
            "aiosmtpd could not start: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    /// The mails received, as (envelope lines, raw message).
    pub fn received(&self) -> Vec<(String, Vec<u8>)> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|p| {
                (
                    std::fs::read_to_string(p.with_extension("rcpt")).unwrap(),
                    std::fs::read(&p).unwrap(),
                )
            })
            .collect()
    }

    /// The subject of every mail received, in order of arrival: what the
    /// server holds.
    pub fn subjects(&self) -> Vec<String> {
        self.received()
            .iter()
            .map(|(_, raw)| {
                String::from_utf8_lossy(raw)
                    .lines()
                    .find_map(|l| l.strip_prefix("Subject: ").map(str::to_string))
                    .unwrap_or_default()
            })
            .collect()
    }
}
