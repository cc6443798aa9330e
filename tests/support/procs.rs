//! `facteur` as its own process for the end-to-end tests: a watcher that
//! can be stopped as systemd stops it (SIGTERM) or killed without warning
//! (SIGKILL), and reading its store from outside while it runs.
//!
//! Include it with `#[path = "support/procs.rs"] mod procs;`.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rusqlite::Connection;

/// A `facteur` process, killed (and reaped) when dropped.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Proc {
    /// SIGKILL: no chance to tidy up.
    pub fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }

    /// SIGTERM, as systemd stops a service; the exit code and what it said.
    pub fn stop(mut self) -> (i32, String, String) {
        let pid = self.0.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let child = std::mem::replace(
            &mut self.0,
            Command::new("true").spawn().expect("a placeholder process"),
        );
        let out = child.wait_with_output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

/// `facteur watch ARGS` with `FACTEUR_HOME=home`, French messages, quick
/// retries, and `envs` added.
pub fn watch(home: &Path, args: &[&str], envs: &[(&str, &str)]) -> Proc {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_facteur"));
    cmd.arg("watch")
        .args(args)
        .env("FACTEUR_HOME", home)
        .env("LC_ALL", "fr_FR.UTF-8")
        .env("FACTEUR_RETRY_BASE_MS", "50")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    Proc(cmd.spawn().expect("facteur watch"))
}

pub fn db(home: &Path) -> Connection {
    let c = Connection::open(home.join("facteur.db")).unwrap();
    c.busy_timeout(Duration::from_secs(10)).unwrap();
    c
}

/// One number from the store (0 while there is no store yet).
pub fn count(home: &Path, sql: &str) -> i64 {
    if !home.join("facteur.db").exists() {
        return 0;
    }
    db(home).query_row(sql, [], |r| r.get(0)).unwrap_or(0)
}

/// One text column of every row.
pub fn rows(home: &Path, sql: &str) -> Vec<String> {
    let c = db(home);
    let mut stmt = c.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Waits until `ok`, failing after `secs` seconds.
pub fn wait_for(what: &str, secs: u64, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(
            start.elapsed() < Duration::from_secs(secs),
            "{what}: not after {secs} s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
