//! `facteur watch DIR...`: the watched folders without the window (a NAS, a
//! server): every settled file is checked and recorded, and with `--submit`
//! queued and sent; with no DIR, the folders configured by `facteur folders`
//! (or the window), each with its own settings. One line per file on stdout, and the same lines,
//! timestamped, appended to `FACTEUR_HOME/watch.log`. A database or disk
//! that fails for a while is said and waited out (the file is taken again
//! later, the outbox worked again later): it never stops the watch. Stops
//! cleanly on Ctrl-C or SIGTERM: a file half taken is taken again at the
//! next start.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context;
use facteur::check::finding::Lang;
use facteur::intake::pipeline::PlateformeLookup;
use facteur::intake::watch::{Folder, Options, Taken, Watch};
use facteur::send::accounts::{self, Account, OsKeyring};
use facteur::send::outbox::{self, AnyChannel, OutboxLock, Retry, Step};

use super::submit::step_text;
use super::{channel, ensure_sandbox, say, shutdown_signal};

pub struct Args<'a> {
    pub dirs: &'a [PathBuf],
    pub recursive: bool,
    pub submit: bool,
    pub to: Option<&'a str>,
    pub tidy: bool,
    pub settle_secs: f64,
    pub json: bool,
}

fn name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

fn text(t: &Taken, lang: Lang) -> String {
    match t {
        Taken::Checked {
            path,
            number,
            accepted,
            queued_for,
            refused,
            ..
        } => {
            let n = number.as_deref().unwrap_or("?");
            let mut s = if *accepted {
                say(
                    lang,
                    &format!("{} : contrôlée, conforme ({n})", name(path)),
                    &format!("{}: checked, accepted ({n})", name(path)),
                )
            } else {
                say(
                    lang,
                    &format!(
                        "{} : contrôlée, bloquée ({n}) — voir « facteur history »",
                        name(path)
                    ),
                    &format!(
                        "{}: checked, blocked ({n}) — see \"facteur history\"",
                        name(path)
                    ),
                )
            };
            if let Some(a) = queued_for {
                s += &say(
                    lang,
                    &format!(" — en file pour « {a} »"),
                    &format!(" — queued for \"{a}\""),
                );
            }
            if let Some(r) = refused {
                s += &say(
                    lang,
                    &format!(" — pas envoyée : {}", r.fr),
                    &format!(" — not sent: {}", r.en),
                );
            }
            s
        }
        Taken::Known {
            path,
            queued_for: Some(a),
        } => say(
            lang,
            &format!(
                "{} : déjà connue (même contenu), jamais envoyée : en file pour « {a} »",
                name(path)
            ),
            &format!(
                "{}: already known (same content), never sent: queued for \"{a}\"",
                name(path)
            ),
        ),
        Taken::Known { path, .. } => say(
            lang,
            &format!("{} : déjà connue (même contenu), rien de plus", name(path)),
            &format!("{}: already known (same content), nothing more", name(path)),
        ),
        Taken::Deferred {
            path,
            error,
            retry_in_ms,
        } => {
            let secs = *retry_in_ms as f64 / 1000.0;
            say(
                lang,
                &format!(
                    "{} : pas prise pour l'instant, nouvel essai dans {secs:.0} s ({error})",
                    name(path)
                ),
                &format!(
                    "{}: not taken for now, trying again in {secs:.0} s ({error})",
                    name(path)
                ),
            )
        }
        Taken::Unreadable { path, error } => say(
            lang,
            &format!("{} : illisible pour l'instant ({error})", name(path)),
            &format!("{}: unreadable for now ({error})", name(path)),
        ),
        Taken::Moved { path, to, .. } => {
            let into = to
                .parent()
                .map(|d| d.display().to_string())
                .unwrap_or_default();
            say(
                lang,
                &format!("{} : rangée dans « {into} » ({})", name(path), name(to)),
                &format!("{}: moved into \"{into}\" ({})", name(path), name(to)),
            )
        }
        Taken::NotMoved { path, error } => say(
            lang,
            &format!("{} : pas rangée, laissée à sa place ({error})", name(path)),
            &format!("{}: not moved, left where it is ({error})", name(path)),
        ),
    }
}

pub fn watch(args: Args<'_>, lang: Lang) -> anyhow::Result<ExitCode> {
    let home = facteur::home::ensure()?;
    let mut db = super::open()?;
    let mut folders = Vec::new();
    if args.dirs.is_empty() {
        for f in facteur::intake::folders::list(&db)? {
            if f.paused {
                continue;
            }
            if !f.path.is_dir() {
                eprintln!(
                    "{}",
                    say(
                        lang,
                        &format!("{} : dossier introuvable, pas surveillé", f.path.display()),
                        &format!("{}: folder not found, not watched", f.path.display()),
                    )
                );
                continue;
            }
            folders.push(f.to_watch(&db)?);
        }
        if folders.is_empty() {
            anyhow::bail!(say(
                lang,
                "aucun dossier à surveiller : « facteur watch DOSSIER » ou « facteur folders add DOSSIER »",
                "no folder to watch: \"facteur watch DIR\" or \"facteur folders add DIR\"",
            ));
        }
    } else {
        let account: Option<Account> = if args.submit || args.to.is_some() {
            Some(accounts::resolve(&db, args.to)?)
        } else {
            None
        };
        for d in args.dirs {
            let path = d
                .canonicalize()
                .with_context(|| format!("{}", d.display()))?;
            folders.push(Folder {
                path,
                recursive: args.recursive,
                submit_to: account.clone(),
                // --submit without --to: the customer directory decides.
                routed: args.to.is_none() && account.is_some(),
                tidy: args.tidy,
                id: None,
                make_facturx: false,
            });
        }
    }
    let accounts: BTreeMap<String, Account> = folders
        .iter()
        .filter_map(|f| f.submit_to.clone())
        .map(|a| (a.name.clone(), a))
        .collect();
    // The learned layouts are the watcher's own business: it reads them
    // from the store, again whenever the owner teaches one.
    let opts = Options {
        // NaN and negatives become 0, huge values a week: never a panic.
        settle: Duration::from_secs_f64(
            args.settle_secs
                .max(0.0)
                .min(facteur::send::channel::http::MAX_ENV_SECONDS as f64),
        ),
        ..Options::default()
    };
    let mut w = Watch::start(folders.clone(), opts)?;
    let mut log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(home.join("watch.log"))
        .context("opening watch.log")?;
    facteur::home::make_private(&home.join("watch.log"));

    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    std::thread::spawn(move || {
        if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            rt.block_on(shutdown_signal());
        }
        flag.store(true, Ordering::SeqCst);
    });
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the network runtime")?;
    let mut channels: BTreeMap<String, AnyChannel> = BTreeMap::new();
    for (name, a) in &accounts {
        rt.block_on(ensure_sandbox(&home, a, lang))?;
        channels.insert(name.clone(), channel(a)?);
    }
    let dirs: Vec<String> = folders
        .iter()
        .map(|f| f.path.display().to_string())
        .collect();
    eprintln!(
        "{}",
        say(
            lang,
            &format!("Surveillance de {} (Ctrl-C pour arrêter)", dirs.join(", ")),
            &format!("Watching {} (Ctrl-C to stop)", dirs.join(", ")),
        )
    );
    let mut emit = |line: String| {
        println!("{line}");
        let _ = writeln!(log, "{} {line}", jiff::Timestamp::now());
    };
    // Whatever an earlier run left in the outbox goes first.
    let mut pending_send: BTreeSet<String> = channels.keys().cloned().collect();
    let lookup = PlateformeLookup {
        secrets: &OsKeyring,
    };
    // An outbox that could not be worked (the database busy, the disk
    // full) is tried again after a growing wait; watching goes on.
    let mut outbox_failures = 0u32;
    let mut outbox_again = std::time::Instant::now();
    while !stop.load(Ordering::SeqCst) {
        let taken = w.poll(&mut db, &home, &lookup);
        // Files already known (a restart walks the whole folder again) are
        // summed up in one line, unless each is asked for in JSON.
        let known = taken
            .iter()
            .filter(|t| {
                matches!(
                    t,
                    Taken::Known {
                        queued_for: None,
                        ..
                    }
                )
            })
            .count();
        if known > 0 && !args.json {
            emit(say(
                lang,
                &format!("{known} fichier(s) déjà connu(s) (même contenu) : rien de plus"),
                &format!("{known} file(s) already known (same content): nothing more"),
            ));
        }
        for t in &taken {
            if matches!(
                t,
                Taken::Known {
                    queued_for: None,
                    ..
                }
            ) && !args.json
            {
                continue;
            }
            emit(if args.json {
                serde_json::to_string(t)?
            } else {
                text(t, lang)
            });
            if let Some(a) = t.queued_for() {
                pending_send.insert(a.to_string());
            }
        }
        if pending_send.is_empty() || std::time::Instant::now() < outbox_again {
            continue;
        }
        for name in std::mem::take(&mut pending_send) {
            // Routing may send to an account no folder names: its channel
            // is made the first time.
            if !channels.contains_key(&name) {
                let made = accounts::resolve(&db, Some(&name))
                    .map_err(anyhow::Error::from)
                    .and_then(|a| {
                        rt.block_on(ensure_sandbox(&home, &a, lang))?;
                        channel(&a)
                    });
                match made {
                    Ok(ch) => {
                        channels.insert(name.clone(), ch);
                    }
                    Err(e) => emit(format!("facteur: {name}: {e:#}")),
                }
            }
            let Some(ch) = channels.get(&name) else {
                continue;
            };
            let worked = rt.block_on(async {
                let _lock = OutboxLock::acquire(&home)?;
                let mut lines = Vec::new();
                let mut on_step = |s: &Step| {
                    if let Some(t) = step_text(s, lang) {
                        lines.push(t);
                    }
                };
                let run = outbox::run(&mut db, &home, ch, &Retry::from_env(), &mut on_step).await;
                anyhow::Ok((lines, run))
            });
            let (lines, run) = match worked {
                Ok((lines, run)) => (lines, run.map_err(anyhow::Error::from)),
                Err(e) => (Vec::new(), Err(e)),
            };
            for l in lines {
                emit(l);
            }
            match run {
                Ok(_) => outbox_failures = 0,
                Err(e) => {
                    outbox_failures += 1;
                    let wait = Duration::from_secs(1)
                        .saturating_mul(1 << outbox_failures.min(6))
                        .min(Duration::from_secs(60));
                    tracing::warn!("outbox of \"{name}\": {e:#}; trying again later");
                    emit(say(
                        lang,
                        &format!(
                            "« {name} » : envoi interrompu, nouvel essai dans {} s ({e:#})",
                            wait.as_secs()
                        ),
                        &format!(
                            "\"{name}\": sending interrupted, trying again in {} s ({e:#})",
                            wait.as_secs()
                        ),
                    ));
                    pending_send.insert(name.clone());
                    outbox_again = std::time::Instant::now() + wait;
                }
            }
        }
    }
    eprintln!(
        "{}",
        say(
            lang,
            &format!(
                "Arrêt. {} fichier(s) en attente seront pris au prochain démarrage.",
                w.waiting()
            ),
            &format!(
                "Stopped. {} waiting file(s) will be taken at the next start.",
                w.waiting()
            ),
        )
    );
    Ok(ExitCode::SUCCESS)
}
