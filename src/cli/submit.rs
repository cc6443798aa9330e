//! `facteur submit | sync | replay | verify | sandbox …`: the outbox and the
//! portals as a user drives them from a terminal, with progress and plain
//! summaries. The work is done by `facteur::send::outbox`.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use facteur::check::finding::Lang;
use facteur::check::{self, Options, Outcome as CheckOutcome};
use facteur::demo::sandbox::{SIMULATION_LABEL_EN, SIMULATION_LABEL_FR, Timing};
use facteur::demo::sandbox_server;
use facteur::intake::pipeline::{self, Destination, Outcome, PlateformeLookup};
use facteur::mirror::lifecycle::Status;
use facteur::mirror::store::{self, Store};
use facteur::send::accounts::{self, Account, Kind, OsKeyring};
use facteur::send::channel::Channel;
use facteur::send::outbox::{self, Enqueued, OutboxLock, Retry, Step};

use super::{channel, ensure_sandbox, open, runtime, say, shutdown_signal};

fn bar(len: u64, lang: Lang) -> Option<indicatif::ProgressBar> {
    if len < 2 || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(say(lang, "envoi", "sending"));
    Some(bar)
}

fn line(progress: &Option<indicatif::ProgressBar>, text: String) {
    match progress {
        Some(p) => p.suspend(|| println!("{text}")),
        None => println!("{text}"),
    }
}

fn status_label(s: Status, lang: Lang) -> String {
    s.label(lang).to_string()
}

pub(crate) fn step_text(step: &Step, lang: Lang) -> Option<String> {
    Some(match step {
        Step::Sending { .. } => return None,
        Step::Retrying {
            number,
            attempt,
            delay_ms,
            error,
        } => say(
            lang,
            &format!(
                "{number} : nouvel essai dans {:.1} s (essai {attempt}) — {error}",
                *delay_ms as f64 / 1000.0
            ),
            &format!(
                "{number}: trying again in {:.1} s (attempt {attempt}) — {error}",
                *delay_ms as f64 / 1000.0
            ),
        ),
        Step::Sent {
            number,
            portal_ref,
            status,
        } => say(
            lang,
            &format!(
                "{number} : envoyée ({portal_ref}) — {}",
                status_label(*status, lang)
            ),
            &format!(
                "{number}: sent ({portal_ref}) — {}",
                status_label(*status, lang)
            ),
        ),
        Step::Recovered { number, portal_ref } => say(
            lang,
            &format!("{number} : déjà arrivée au portail ({portal_ref}), pas de second envoi"),
            &format!("{number}: already at the portal ({portal_ref}), not sent again"),
        ),
        Step::Failed {
            number,
            error,
            transient,
        } => {
            let (fr, en) = if *transient {
                ("réessayez plus tard", "try again later")
            } else {
                ("corrigez puis renvoyez", "fix it, then send again")
            };
            say(
                lang,
                &format!("{number} : NON ENVOYÉE — {error} ({fr})"),
                &format!("{number}: NOT SENT — {error} ({en})"),
            )
        }
        Step::Waiting { number, why } => say(
            lang,
            &format!(
                "{number} : EN ATTENTE DU PORTAIL — il a peut-être reçu la facture ; Facteur lui redemandera (prochain `facteur submit` ou `facteur sync`) avant tout nouvel envoi ({why})"
            ),
            &format!(
                "{number}: WAITING FOR THE PORTAL — it may have received the invoice; Facteur will ask it again (next `facteur submit` or `facteur sync`) before any new send ({why})"
            ),
        ),
        Step::ToVerify { number } => say(
            lang,
            &format!(
                "{number} : À VÉRIFIER — l'envoi a été interrompu ; regardez sur le portail puis `facteur verify {number} --arrived` ou `--not-arrived`"
            ),
            &format!(
                "{number}: TO VERIFY — sending was interrupted; look on the portal, then `facteur verify {number} --arrived` or `--not-arrived`"
            ),
        ),
    })
}

/// Why a file was not queued, for one line of output; `None` when it was.
fn refusal_text(path: &str, outcome: &Outcome, lang: Lang) -> Option<String> {
    let why = outcome.why_not()?;
    Some(match outcome {
        // Routing's reasons are whole sentences.
        Outcome::Held { .. } => say(
            lang,
            &format!("{path} : NON ENVOYÉE — {}", why.fr),
            &format!("{path}: NOT SENT — {}", why.en),
        ),
        _ => say(
            lang,
            &format!("{path} : {}", why.fr),
            &format!("{path}: {}", why.en),
        ),
    })
}

/// `facteur submit [--to ACCOUNT] PATH…`: check, queue, send. Without
/// `--to`, each invoice goes where routing sends it (the customer
/// directory; the built-in sandbox while the directory is empty).
pub fn submit(
    paths: &[PathBuf],
    to: Option<&str>,
    corrects: Option<&str>,
    annexes: &[PathBuf],
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    let home = facteur::home::ensure()?;
    let mut db = open()?;
    let corrects = match corrects {
        Some(key) => Some(db.find_invoice(key)?.id),
        None => None,
    };
    // An explicit account (or a correction, which goes where its original
    // went) bypasses routing.
    let forced = match (to, corrects) {
        (Some(_), _) | (None, Some(_)) => Some(accounts::resolve(&db, to)?),
        (None, None) => None,
    };
    if let Some(account) = &forced {
        // Fails early on an incomplete account, before anything is queued.
        channel(account)?;
    }
    let (files, walk_errors) = check::collect_paths(paths);
    for e in &walk_errors {
        eprintln!("facteur: {e}");
    }
    let mut problems = walk_errors.len();
    anyhow::ensure!(
        annexes.is_empty() || files.len() == 1,
        "{}",
        say(
            lang,
            "--annex accompagne une seule facture : donnez un seul fichier de facture",
            "--annex goes with one invoice: give a single invoice file",
        )
    );
    // 1. Check every file; the pipeline records each check and queues
    //    what may leave, in one transaction.
    let mut queued = 0usize;
    let mut touched: Vec<String> = forced.iter().map(|a| a.name.clone()).collect();
    // Learned layouts guide the reading of their sellers' next invoices.
    let opts = Options {
        layouts: std::sync::Arc::new(super::read::load_layouts(&db).unwrap_or_default()),
        ..Options::default()
    };
    let jobs = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut reports = Vec::new();
    check::check_batch(&files, jobs, &opts, &|| false, &mut |_, o| reports.push(o));
    let destination = match (&forced, corrects) {
        (Some(account), Some(of)) => Destination::Correction { of, account },
        (Some(account), None) => Destination::Account(account),
        (None, _) => Destination::Routed { default: None },
    };
    let lookup = PlateformeLookup {
        secrets: &OsKeyring,
    };
    for o in reports {
        let mut r = match o {
            CheckOutcome::Checked(r) => r,
            CheckOutcome::Failed(e) => {
                eprintln!("facteur: {e}");
                problems += 1;
                continue;
            }
        };
        let path = r.path.clone();
        let taken = pipeline::take(
            &mut db,
            &home,
            pipeline::Request {
                input: pipeline::Input::Report(&mut r),
                destination,
                annexes,
                once: false,
            },
            &lookup,
            store::now_ms(),
        )?;
        match &taken.outcome {
            Outcome::Queued { account, .. } => {
                queued += 1;
                if !touched.contains(account) {
                    touched.push(account.clone());
                }
            }
            other => {
                problems += 1;
                if let Some(t) = refusal_text(&path, other, lang) {
                    println!("{t}");
                }
            }
        }
    }
    // 2. Send everything open for each account used (including what an
    //    earlier run left behind).
    let rt = runtime()?;
    let mut steps = Vec::new();
    let mut accounts_used = Vec::new();
    for name in &touched {
        let account = accounts::resolve(&db, Some(name))?;
        let ch = channel(&account)?;
        let done = rt.block_on(async {
            ensure_sandbox(&home, &account, lang).await?;
            let _lock = OutboxLock::acquire(&home)?;
            let open = db.open_submissions(Some(&account.name))?.len();
            let progress = bar(open as u64, lang);
            let mut on_step = |s: &Step| {
                if let Some(t) = step_text(s, lang) {
                    line(&progress, t);
                }
                if !matches!(s, Step::Sending { .. } | Step::Retrying { .. })
                    && let Some(p) = &progress
                {
                    p.inc(1);
                }
            };
            let steps = outbox::run(&mut db, &home, &ch, &Retry::from_env(), &mut on_step).await?;
            if let Some(p) = progress {
                p.finish_and_clear();
            }
            anyhow::Ok(steps)
        })?;
        steps.extend(done);
        accounts_used.push(account);
    }
    let sent = steps
        .iter()
        .filter(|s| matches!(s, Step::Sent { .. } | Step::Recovered { .. }))
        .count();
    let failed = steps.len() - sent;
    let names = accounts_used
        .iter()
        .map(|a| a.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    println!(
        "{}",
        say(
            lang,
            &format!(
                "{sent} envoyée(s), {failed} non envoyée(s) ou à vérifier, {problems} non mise(s) en file ({queued} mise(s) en file) — compte(s) « {names} »"
            ),
            &format!(
                "{sent} sent, {failed} not sent or to verify, {problems} not queued ({queued} queued) — account(s) \"{names}\""
            ),
        )
    );
    if accounts_used.iter().any(|a| {
        a.kind == Kind::Sandbox || a.settings.get("simulation").map(String::as_str) == Some("true")
    }) {
        println!("{}", say(lang, SIMULATION_LABEL_FR, SIMULATION_LABEL_EN));
    }
    Ok(if failed + problems > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Every account to sync: those added, plus the built-in sandbox.
fn sync_accounts(db: &Store) -> anyhow::Result<Vec<Account>> {
    let mut all = accounts::list(db)?;
    if !all.iter().any(|a| a.name == accounts::SANDBOX_ACCOUNT) {
        all.push(accounts::resolve(db, None)?);
    }
    // The demonstration plateforme, once something went there.
    if !all.iter().any(|a| a.name == accounts::SANDBOX_PA_ACCOUNT)
        && (!db.delivered(accounts::SANDBOX_PA_ACCOUNT)?.is_empty()
            || !db
                .open_submissions(Some(accounts::SANDBOX_PA_ACCOUNT))?
                .is_empty())
    {
        all.push(accounts::resolve(db, Some(accounts::SANDBOX_PA_ACCOUNT))?);
    }
    Ok(all)
}

/// `facteur sync`: pull statuses from every account.
pub fn sync(only: Option<&str>, lang: Lang) -> anyhow::Result<ExitCode> {
    let home = facteur::home::ensure()?;
    let mut db = open()?;
    let accounts = match only {
        Some(name) => vec![accounts::resolve(&db, Some(name))?],
        None => sync_accounts(&db)?,
    };
    let rt = runtime()?;
    let mut failures = 0;
    rt.block_on(async {
        let _lock = OutboxLock::acquire(&home)?;
        for account in &accounts {
            if account.kind == Kind::Sandbox
                && db.delivered(&account.name)?.is_empty()
                && db.open_submissions(Some(&account.name))?.is_empty()
            {
                continue;
            }
            let ch = match channel(account) {
                Ok(c) => c,
                Err(e) => {
                    failures += 1;
                    eprintln!("facteur: {e:#}");
                    continue;
                }
            };
            ensure_sandbox(&home, account, lang).await?;
            // Attempts a previous run left open go first.
            let mut quiet = |_: &Step| {};
            outbox::run(&mut db, &home, &ch, &Retry::from_env(), &mut quiet).await?;
            // A portal read in batches (a large mailbox) says where it is.
            let name = ch.account().to_string();
            let mut shown = |p: &outbox::SyncProgress| {
                if let Some(left) = p.remaining.filter(|_| p.batches > 1 || p.remaining > Some(0)) {
                    eprintln!(
                        "{}",
                        say(
                            lang,
                            &format!(
                                "« {name} » : lot {} lu ({} statut(s) jusqu'ici), {left} message(s) restant(s)",
                                p.batches, p.events
                            ),
                            &format!(
                                "\"{name}\": batch {} read ({} status(es) so far), {left} message(s) left",
                                p.batches, p.events
                            ),
                        )
                    );
                }
            };
            match outbox::sync_with_progress(&mut db, &home, &ch, &Retry::from_env(), &mut shown)
                .await
            {
                Ok(c) => {
                    println!(
                        "{}",
                        say(
                            lang,
                            &format!(
                                "« {} » : {} nouveau(x) statut(s), {} déjà connu(s), {} sans facture correspondante",
                                ch.account(),
                                c.added,
                                c.known,
                                c.unmatched
                            ),
                            &format!(
                                "\"{}\": {} new status(es), {} already known, {} matching no invoice",
                                ch.account(),
                                c.added,
                                c.known,
                                c.unmatched
                            ),
                        )
                    );
                    for id in c.changed {
                        if let Some(inv) = db.invoice(id)? {
                            println!("  {} — {}", inv.number, status_label(inv.status, lang));
                        }
                    }
                }
                Err(e) => {
                    failures += 1;
                    eprintln!("facteur: {}: {e}", account.name);
                }
            }
        }
        anyhow::Ok(())
    })?;
    Ok(if failures > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `facteur replay INVOICE`: « Rejeu » after the mandate was signed.
pub fn replay(key: &str, lang: Lang) -> anyhow::Result<ExitCode> {
    let home = facteur::home::ensure()?;
    let mut db = open()?;
    let inv = db.find_invoice(key)?;
    let account_name = match outbox::enqueue(
        &mut db,
        &home,
        &outbox::Request::replay(inv.id),
        store::now_ms(),
    )? {
        Enqueued::Queued { account, .. } => account,
        other => anyhow::bail!("{} cannot be replayed: {other:?}", inv.number),
    };
    let account = accounts::resolve(&db, Some(&account_name))?;
    let ch = channel(&account)?;
    let rt = runtime()?;
    let steps = rt.block_on(async {
        ensure_sandbox(&home, &account, lang).await?;
        let _lock = OutboxLock::acquire(&home)?;
        let mut on_step = |s: &Step| {
            if let Some(t) = step_text(s, lang) {
                println!("{t}");
            }
        };
        anyhow::Ok(outbox::run(&mut db, &home, &ch, &Retry::from_env(), &mut on_step).await?)
    })?;
    let ok = steps.iter().any(|s| matches!(s, Step::Sent { .. }));
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `facteur verify INVOICE --arrived | --not-arrived`.
pub fn verify(key: &str, arrived: bool, lang: Lang) -> anyhow::Result<ExitCode> {
    let mut db = open()?;
    let inv = db.find_invoice(key)?;
    if inv.status != Status::ToVerify {
        anyhow::bail!(
            "{}",
            say(
                lang,
                &format!(
                    "{} n'est pas « à vérifier » (statut : {})",
                    inv.number,
                    inv.status.label(Lang::Fr)
                ),
                &format!(
                    "{} is not \"to verify\" (status: {})",
                    inv.number,
                    inv.status.label(Lang::En)
                ),
            )
        );
    }
    let s = outbox::resolve_to_verify(&mut db, inv.id, arrived)?;
    println!("{} — {}", inv.number, status_label(s, lang));
    Ok(ExitCode::SUCCESS)
}

/// `facteur sandbox serve`: the demonstration portal on loopback, until
/// Ctrl-C or SIGTERM.
pub fn serve(
    port: Option<u16>,
    videocodage_secs: f64,
    step_secs: f64,
    state: Option<PathBuf>,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    let home = facteur::home::ensure()?;
    let state = match state {
        Some(p) => p,
        None => home.join("sandbox.json"),
    };
    // Each home has its own port, and the portal says which home it serves.
    let port = match port {
        Some(p) => p,
        None => super::url_port(&sandbox_server::url_for(&home))?,
    };
    let home_id = accounts::sandbox_id(&home).ok();
    let timing = Timing {
        videocodage_ms: (videocodage_secs * 1000.0) as i64,
        step_ms: (step_secs * 1000.0) as i64,
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the network runtime")?;
    rt.block_on(async {
        let listener =
            sandbox_server::bind(std::net::SocketAddr::from(([127, 0, 0, 1], port))).await?;
        let addr = listener.local_addr()?;
        let sandbox = sandbox_server::load_state(&state, timing)?;
        println!(
            "{}",
            say(
                lang,
                &format!("Portail de démonstration sur http://{addr} — {SIMULATION_LABEL_FR}"),
                &format!("Demonstration portal on http://{addr} — {SIMULATION_LABEL_EN}"),
            )
        );
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        sandbox_server::serve_home(listener, sandbox, Some(state), home_id, shutdown_signal())
            .await?;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `facteur sandbox sign-mandate SIREN`: the customer's mandate is signed
/// on the demonstration portal (then « Mandat absent » can be replayed).
pub fn sign_mandate(siren: &str, to: Option<&str>, lang: Lang) -> anyhow::Result<ExitCode> {
    let home = facteur::home::ensure()?;
    let db = open()?;
    let account = accounts::resolve(&db, to)?;
    let rt = runtime()?;
    rt.block_on(facteur::demo::sandbox_server::sign_mandate(
        &home, &account, siren,
    ))
    .with_context(|| {
        say(
            lang,
            &format!(
                "le mandat du client {siren} n'a pas pu être signé sur le portail de démonstration"
            ),
            &format!(
                "the mandate of customer {siren} could not be signed on the demonstration portal"
            ),
        )
    })?;
    println!(
        "{}",
        say(
            lang,
            &format!("Mandat du client {siren} signé (simulation)."),
            &format!("Mandate of customer {siren} signed (simulation)."),
        )
    );
    Ok(ExitCode::SUCCESS)
}
