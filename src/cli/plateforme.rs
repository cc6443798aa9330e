//! `facteur paid | directory | sandbox serve-pa`: the plateforme agréée
//! channel's own commands. The work is done by `facteur::send::plateforme` and
//! `facteur::demo::pa_server`.

use std::process::ExitCode;

use anyhow::Context;
use facteur::check::finding::Lang;
use facteur::demo::pa_server;
use facteur::demo::sandbox::{SIMULATION_LABEL_EN, SIMULATION_LABEL_FR};
use facteur::mirror::store;
use facteur::send::accounts::Kind;
use facteur::send::plateforme::{self, DIRECTORY_MAX_AGE_MS};

use super::open;
use super::{plateforme_channel, runtime, say, shutdown_signal};

/// `facteur paid INVOICE`: declares the invoice « Encaissée » (212) through
/// the plateforme that has it.
pub fn paid(key: &str, json: bool, lang: Lang) -> anyhow::Result<ExitCode> {
    let mut db = open()?;
    let inv = db.find_invoice(key)?;
    let account = db
        .submissions(inv.id)?
        .into_iter()
        .rev()
        .find(|s| s.outcome == "sent" && s.channel == Kind::Plateforme.as_str())
        .and_then(|s| s.account);
    let Some(account) = account else {
        anyhow::bail!(
            "{}",
            say(
                lang,
                &format!(
                    "La facture {} n'a pas été déposée sur une plateforme agréée : seule une plateforme reçoit la déclaration d'encaissement.",
                    inv.number
                ),
                &format!(
                    "Invoice {} was not delivered to a plateforme agréée: only a plateforme takes the payment declaration.",
                    inv.number
                ),
            )
        );
    };
    let ch = plateforme_channel(&db, Some(&account))?;
    let rt = runtime()?;
    let done = rt.block_on(plateforme::mark_paid(&mut db, &ch, inv.id, store::now_ms()))?;
    if json {
        println!("{}", serde_json::to_string(&done)?);
    } else {
        let again = if done.found {
            say(
                lang,
                " (déjà transmise, pas renvoyée)",
                " (already posted, not posted again)",
            )
        } else {
            String::new()
        };
        println!(
            "{}",
            say(
                lang,
                &format!(
                    "{} : encaissée (212), déclarée à la plateforme « {account} », flux {}{again}",
                    done.number, done.flow_id
                ),
                &format!(
                    "{}: paid (212), declared to the plateforme \"{account}\", flow {}{again}",
                    done.number, done.flow_id
                ),
            )
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `facteur directory SIREN`: whether a customer can receive e-invoices.
pub fn directory(
    siren: &str,
    to: Option<&str>,
    refresh: bool,
    json: bool,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    let mut db = open()?;
    let ch = plateforme_channel(&db, to)?;
    let rt = runtime()?;
    let max_age = if refresh { 0 } else { DIRECTORY_MAX_AGE_MS };
    let r = rt.block_on(plateforme::lookup(
        &mut db,
        &ch,
        siren,
        max_age,
        store::now_ms(),
    ))?;
    if json {
        println!("{}", serde_json::to_string(&r)?);
    } else {
        println!("{}", r.message(lang));
    }
    Ok(if r.can_receive() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `facteur sandbox serve-pa`: the demonstration plateforme agréée on
/// loopback, until Ctrl-C or SIGTERM.
pub fn serve_pa(port: Option<u16>, step_secs: f64, lang: Lang) -> anyhow::Result<ExitCode> {
    let port = match port {
        Some(p) => p,
        None => super::url_port(&facteur::send::accounts::sandbox_pa_url_for(
            &facteur::home::ensure()?,
        ))?,
    };
    let options = pa_server::Options {
        step_ms: Some((step_secs * 1000.0) as i64),
        ..pa_server::Options::default()
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the network runtime")?;
    rt.block_on(async {
        let listener = facteur::demo::sandbox_server::bind(std::net::SocketAddr::from((
            [127, 0, 0, 1],
            port,
        )))
        .await?;
        let addr = listener.local_addr()?;
        println!(
            "{}",
            say(
                lang,
                &format!(
                    "Plateforme agréée de démonstration (API AFNOR XP Z12-013) sur http://{addr} — {SIMULATION_LABEL_FR}"
                ),
                &format!(
                    "Demonstration plateforme agréée (AFNOR XP Z12-013 API) on http://{addr} — {SIMULATION_LABEL_EN}"
                ),
            )
        );
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        pa_server::serve(listener, options, shutdown_signal()).await?;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
