//! The `facteur` command line: one module per family of commands, each
//! calling the core and presenting what it returns; the helpers they share
//! live here (opening the store, the network runtime, a channel for an
//! account, the demonstration portal started on demand, bilingual output).
//!
//! Deliberately not here: checking, storing, routing or sending logic (the
//! core does those); `anyhow` lives only in the binary.

use std::path::Path;

use anyhow::Context;
use facteur::check::finding::{Lang, typo_fr};
use facteur::demo::sandbox::{SIMULATION_LABEL_EN, SIMULATION_LABEL_FR};
use facteur::demo::sandbox_server;
use facteur::mirror::store::Store;
use facteur::send::accounts::{Account, Kind, OsKeyring};
use facteur::send::channel::afnor::AfnorChannel;
use facteur::send::outbox::AnyChannel;

pub mod accounts;
pub mod facturx;
pub mod folders;
pub mod plateforme;
pub mod read;
pub mod route;
pub mod rules;
pub mod store;
pub mod submit;
pub mod watch;

/// Opens the database in `FACTEUR_HOME`.
pub(crate) fn open() -> anyhow::Result<Store> {
    let home = facteur::home::ensure()?;
    Store::open_home(&home).with_context(|| format!("opening the database in {}", home.display()))
}

pub(crate) fn say(lang: Lang, fr: &str, en: &str) -> String {
    match lang {
        Lang::Fr => typo_fr(fr),
        Lang::En => en.to_string(),
    }
}

pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the network runtime")
}

/// Starts the built-in sandbox in this process when the account is the
/// sandbox on loopback and nothing answers there.
pub(crate) async fn ensure_sandbox(
    home: &Path,
    account: &Account,
    lang: Lang,
) -> anyhow::Result<()> {
    if sandbox_server::ensure_for(home, account).await? {
        let url = account
            .settings
            .get("url")
            .cloned()
            .unwrap_or_else(|| sandbox_server::url_for(home));
        eprintln!(
            "{}",
            say(
                lang,
                &format!("Portail de démonstration démarré sur {url}. {SIMULATION_LABEL_FR}"),
                &format!("Demonstration portal started on {url}. {SIMULATION_LABEL_EN}"),
            )
        );
    }
    Ok(())
}

/// The port of an `http://127.0.0.1:PORT` address.
pub(crate) fn url_port(url: &str) -> anyhow::Result<u16> {
    url.rsplit(':')
        .next()
        .and_then(|p| p.trim_end_matches('/').parse().ok())
        .with_context(|| format!("no port in {url}"))
}

pub(crate) fn channel(account: &Account) -> anyhow::Result<AnyChannel> {
    if account.kind == Kind::ChorusPro
        && let Some(w) =
            facteur::send::channel::chorus::password_warning(account, jiff::Zoned::now().date())
    {
        eprintln!("facteur: {w}");
    }
    AnyChannel::for_account(account, &OsKeyring)
        .with_context(|| format!("account \"{}\"", account.name))
}

pub(crate) fn plateforme_channel(db: &Store, name: Option<&str>) -> anyhow::Result<AfnorChannel> {
    let account = facteur::send::accounts::resolve(
        db,
        Some(name.unwrap_or(facteur::send::accounts::SANDBOX_PA_ACCOUNT)),
    )?;
    anyhow::ensure!(
        account.kind == Kind::Plateforme,
        "« {} » n'est pas un compte de plateforme agréée / \"{}\" is not a plateforme agréée account",
        account.name,
        account.name
    );
    AfnorChannel::from_account(&account, &OsKeyring)
        .with_context(|| format!("account \"{}\"", account.name))
}

pub(crate) async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
