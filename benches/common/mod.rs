//! What the benchmarks share: running a command as its own process and
//! reading its peak memory.

#![allow(dead_code, reason = "each benchmark uses a part of it")]

use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct Run {
    pub wall: Duration,
    pub max_rss_kb: i64,
    pub ok: bool,
}

/// Runs a command to completion and reads its own peak RSS with wait4.
pub fn run(cmd: &mut Command) -> Run {
    let start = Instant::now();
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut r = reap(child);
    r.wall = start.elapsed();
    r
}

/// Waits for a child started elsewhere and reads its own peak RSS with
/// wait4 (`wall` is left zero: the caller knows when it started).
pub fn reap(child: std::process::Child) -> Run {
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our child; `status` and `usage` are valid out-pointers.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4 failed");
    let st = std::process::ExitStatus::from_raw(status);
    Run {
        wall: Duration::ZERO,
        max_rss_kb: usage.ru_maxrss,
        ok: st.code().is_some_and(|c| c <= 1),
    }
}
