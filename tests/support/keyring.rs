//! The real OS keyring for tests: a Secret Service (gnome-keyring) in a
//! private D-Bus session that the test starts itself, in which a shell
//! script runs `facteur` (as `$FACTEUR`) with `FACTEUR_HOME` under `tmp`.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

/// Runs `script` in a fresh D-Bus session with an unlocked gnome-keyring,
/// trace-level logs on and French messages; `envs` are added to its
/// environment.
pub fn in_keyring_session(tmp: &Path, script: &str, envs: &[(&str, &str)]) -> std::process::Output {
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
    let mut cmd = Command::new("dbus-run-session");
    cmd.args(["--", "sh", "-c", &full])
        .env("XDG_DATA_HOME", &data)
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("FACTEUR_HOME", tmp.join("home"))
        .env("FACTEUR_LOG", "trace")
        .env("FACTEUR", env!("CARGO_BIN_EXE_facteur"))
        .env("LANG", "fr_FR.UTF-8");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}
