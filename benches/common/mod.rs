//! What the benchmarks share: running a command as its own process and
//! reading its peak memory.

use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct Run {
    pub wall: Duration,
    pub max_rss_kb: i64,
    pub ok: bool,
}

/// Runs a command to completion and reads its own peak RSS with wait4.
#[expect(
    clippy::zombie_processes,
    reason = "the child is reaped by wait4 below"
)]
pub fn run(cmd: &mut Command) -> Run {
    let start = Instant::now();
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our child; `status` and `usage` are valid out-pointers.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4 failed");
    let wall = start.elapsed();
    let st = std::process::ExitStatus::from_raw(status);
    Run {
        wall,
        max_rss_kb: usage.ru_maxrss,
        ok: st.code().is_some_and(|c| c <= 1),
    }
}
