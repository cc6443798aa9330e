//! The real desktop for end-to-end tests and the window benchmark: a
//! private Xvfb display and D-Bus session, and `tauri-driver` (which starts
//! `WebKitWebDriver`, which starts the app). Every process is stopped when
//! the [`Desktop`] is dropped, however the test ends.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::error::NewSessionError;
use fantoccini::{Client, ClientBuilder};
use serde_json::json;

/// A child process, in a process group of its own, killed with everything
/// it started when the test ends, however it ends.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.0.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(cmd: &mut Command, what: &str) -> Proc {
    use std::os::unix::process::CommandExt;
    match cmd.process_group(0).spawn() {
        Ok(c) => Proc(c),
        Err(e) => panic!("{what} could not start ({e}): run scripts/setup.sh"),
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Xvfb on the first free display number; returns it with its process.
fn xvfb() -> (Proc, String) {
    let mut p = spawn(
        Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null()),
        "Xvfb",
    );
    let mut line = String::new();
    BufReader::new(p.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let n = line.trim();
    assert!(!n.is_empty(), "Xvfb did not say which display it took");
    (p, format!(":{n}"))
}

/// A private session bus (what the keyring, notifications and WebKit's
/// helpers talk to), so nothing outlives the test.
fn dbus() -> (Proc, String) {
    let mut p = spawn(
        Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null()),
        "dbus-daemon",
    );
    let mut line = String::new();
    BufReader::new(p.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (p, line.trim().to_string())
}

/// The desktop's notification service on the private bus
/// (`notification_server.py`), and what it receives, collected as it comes.
fn notification_server(
    bus: &str,
) -> (
    Proc,
    std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/notification_server.py");
    let mut p = spawn(
        Command::new("/usr/bin/python3")
            .arg(script)
            .env("DBUS_SESSION_BUS_ADDRESS", bus)
            .stdout(Stdio::piped())
            .stderr(Stdio::null()),
        "the notification service (python3-gi)",
    );
    let mut lines = BufReader::new(p.0.stdout.take().unwrap()).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    assert_eq!(first, "ready", "the notification service did not start");
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str(&line) {
                sink.lock().unwrap().push(v);
            }
        }
    });
    (p, seen)
}

fn wait_port(port: u16, what: &str) {
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{what} does not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn tauri_driver() -> PathBuf {
    if let Ok(p) = std::env::var("TAURI_DRIVER") {
        return PathBuf::from(p);
    }
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cargo"));
    let p = cargo_home.join("bin/tauri-driver");
    if p.exists() {
        p
    } else {
        PathBuf::from("tauri-driver")
    }
}

/// Xvfb, a session bus and tauri-driver, with `env` passed down to the app.
pub struct Desktop {
    // Dropped in this order: the driver (and the app) first.
    driver: Proc,
    notifier: Proc,
    bus: Proc,
    x: Proc,
    pub display: String,
    port: u16,
    notices: std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
}

impl Desktop {
    /// `log`: where tauri-driver, WebKitWebDriver and the app write their
    /// messages (kept apart from the test's own output).
    pub fn start(env: &[(&str, &OsStr)], log: &Path) -> Desktop {
        let (x, display) = xvfb();
        let (bus, address) = dbus();
        let (notifier, notices) = notification_server(&address);
        let port = free_port();
        let native = free_port();
        let mut cmd = Command::new(tauri_driver());
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .env("DISPLAY", &display)
        .env("DBUS_SESSION_BUS_ADDRESS", &address)
        // No accessibility bus daemon that would outlive the session.
        .env("NO_AT_BRIDGE", "1")
        .env("FACTEUR_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).expect("the desktop's log file"));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let driver = spawn(&mut cmd, "tauri-driver");
        wait_port(port, "tauri-driver");
        // tauri-driver listens at once but proxies to WebKitWebDriver, which
        // it starts beside itself: a session asked for before that one
        // listens is answered by a closed connection.
        wait_port(native, "WebKitWebDriver (started by tauri-driver)");
        Desktop {
            driver,
            notifier,
            bus,
            x,
            display,
            port,
            notices,
        }
    }

    /// Starts `app` with `args` in a new WebDriver session.
    pub async fn open(&self, app: &Path, args: &[&Path]) -> Client {
        let caps = json!({
            "browserName": "wry",
            "tauri:options": { "application": app, "args": args }
        });
        // A connection closed before any answer means the driver was not
        // ready yet (nothing was started): asking again is safe. Any other
        // failure, or the same one three times, fails the test.
        let mut attempt = 0;
        loop {
            attempt += 1;
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.as_object().unwrap().clone())
                .connect(&format!("http://127.0.0.1:{}", self.port))
                .await
            {
                Ok(client) => return client,
                Err(e @ (NewSessionError::Failed(_) | NewSessionError::FailedC(_)))
                    if attempt < 3 =>
                {
                    eprintln!("WebDriver session not opened yet ({e}); asking again");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                Err(e) => panic!("a WebDriver session on the Facteur window: {e:?}"),
            }
        }
    }

    /// The desktop notifications received so far (`{app, summary, body}`).
    pub fn notifications(&self) -> Vec<serde_json::Value> {
        self.notices.lock().unwrap().clone()
    }

    /// Drags `files` onto the window through the X server's drag-and-drop,
    /// as a user does from a file manager: a small GTK window offers them
    /// (`drag_source.py`, top left of the screen) and `xdotool` moves the
    /// pointer from it to the middle of the screen with the button held.
    pub fn drag_files(&self, files: &[&Path]) {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/drag_source.py");
        let mut source = spawn(
            Command::new("/usr/bin/python3")
                .arg(script)
                .args(files)
                .env("DISPLAY", &self.display)
                .env("NO_AT_BRIDGE", "1")
                .stdout(Stdio::piped())
                .stderr(Stdio::null()),
            "the drag source (python3-gi)",
        );
        let mut line = String::new();
        BufReader::new(source.0.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "the drag source did not start");
        let ok = Command::new("xdotool")
            .args([
                "mousemove",
                "100",
                "60",
                "sleep",
                "0.3",
                "mousedown",
                "1",
                "sleep",
                "0.2",
                "mousemove",
                "110",
                "70",
                "sleep",
                "0.2",
                "mousemove",
                "300",
                "300",
                "sleep",
                "0.2",
                "mousemove",
                "640",
                "420",
                "sleep",
                "0.3",
                "mousemove",
                "650",
                "430",
                "sleep",
                "0.5",
                "mouseup",
                "1",
                "sleep",
                "0.5",
            ])
            .env("DISPLAY", &self.display)
            .status()
            .unwrap_or_else(|e| panic!("xdotool could not start ({e}): run scripts/setup.sh"));
        assert!(ok.success(), "xdotool failed");
        drop(source);
    }

    /// The app's process id and those of the WebKit processes it started.
    pub fn app_processes(&self, name: &str) -> Vec<u32> {
        let mut all: Vec<(u32, u32, String)> = Vec::new();
        for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
                continue;
            };
            // pid (comm) state ppid ...
            let Some(close) = stat.rfind(')') else {
                continue;
            };
            let comm = stat[stat.find('(').unwrap_or(0) + 1..close].to_string();
            let ppid = stat[close + 2..]
                .split(' ')
                .nth(1)
                .and_then(|p| p.parse().ok())
                .unwrap_or(0);
            all.push((pid, ppid, comm));
        }
        let mut out: Vec<u32> = all
            .iter()
            .filter(|(_, _, c)| c.starts_with(&name[..name.len().min(15)]))
            .map(|(p, _, _)| *p)
            .collect();
        let mut i = 0;
        while i < out.len() {
            let parent = out[i];
            for (p, pp, _) in &all {
                if *pp == parent && !out.contains(p) {
                    out.push(*p);
                }
            }
            i += 1;
        }
        out
    }
}

/// Memory of a process in kB: resident (`VmRSS`, shared libraries counted
/// in full by each process) and proportional (`Pss`, shared pages divided
/// among the processes that map them, so a sum over processes is honest).
pub fn memory_kb(pid: u32) -> (u64, u64) {
    let field = |text: &str, name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    (field(&status, "VmRSS:"), field(&rollup, "Pss:"))
}

/// A process's command name.
pub fn comm(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .unwrap_or_default()
        .trim()
        .to_string()
}
