//! `facteur folders add | list | remove | pause | resume | set`: the watched
//! folders `facteur watch` (with no DIR) and the window watch, each with
//! its own settings, kept in the database. Removing a folder forgets its
//! settings only: its files and what was recorded about them stay.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use facteur::check::finding::Lang;
use facteur::intake::folders::{self, Change, Mode, NewFolder, WatchedFolder};
use facteur::mirror::store;

use super::open;
use super::say;

fn describe(f: &WatchedFolder, lang: Lang) -> String {
    let mode = match (f.mode, &f.account) {
        (Mode::Check, _) => say(lang, "contrôle seul", "check only"),
        (Mode::Submit, None) => say(
            lang,
            "contrôle et envoi (portail de démonstration)",
            "check and submit (demonstration portal)",
        ),
        (Mode::Submit, Some(a)) => say(
            lang,
            &format!("contrôle et envoi vers « {a} »"),
            &format!("check and submit to \"{a}\""),
        ),
    };
    let mut flags = vec![mode];
    if f.recursive {
        flags.push(say(lang, "sous-dossiers", "subfolders"));
    }
    if f.tidy {
        flags.push(say(lang, "rangement", "tidy-up"));
    }
    if f.make_facturx {
        flags.push(say(lang, "fait le Factur-X", "makes the Factur-X"));
    }
    if f.paused {
        flags.push(say(lang, "EN PAUSE", "PAUSED"));
    }
    format!("#{:<3} {}  ({})", f.id, f.path.display(), flags.join(", "))
}

pub struct AddArgs<'a> {
    pub path: &'a Path,
    pub recursive: bool,
    pub submit: bool,
    pub to: Option<String>,
    pub tidy: bool,
    pub make_facturx: bool,
}

pub fn add(a: AddArgs<'_>, lang: Lang) -> anyhow::Result<ExitCode> {
    let mut db = open()?;
    let mode = if a.submit || a.to.is_some() {
        Mode::Submit
    } else {
        Mode::Check
    };
    let f = folders::add(
        &mut db,
        a.path,
        &NewFolder {
            recursive: a.recursive,
            mode: Some(mode),
            account: a.to,
            tidy: a.tidy,
            make_facturx: a.make_facturx,
        },
        store::now_ms(),
    )?;
    println!(
        "{}",
        say(
            lang,
            &format!("Dossier surveillé ajouté : {}", describe(&f, lang)),
            &format!("Watched folder added: {}", describe(&f, lang)),
        )
    );
    Ok(ExitCode::SUCCESS)
}

pub fn list(json: bool, lang: Lang) -> anyhow::Result<ExitCode> {
    let db = open()?;
    let all = folders::list(&db)?;
    let mut out = std::io::stdout().lock();
    if json {
        for f in &all {
            writeln!(out, "{}", serde_json::to_string(f)?)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if all.is_empty() {
        writeln!(
            out,
            "{}",
            say(
                lang,
                "Aucun dossier surveillé. Ajoutez-en un avec « facteur folders add DOSSIER ».",
                "No watched folder. Add one with \"facteur folders add DIR\".",
            )
        )?;
    }
    for f in &all {
        writeln!(out, "{}", describe(f, lang))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn remove(key: &str, lang: Lang) -> anyhow::Result<ExitCode> {
    let mut db = open()?;
    let f = folders::find(&db, key)?;
    folders::remove(&mut db, f.id)?;
    println!(
        "{}",
        say(
            lang,
            &format!(
                "{} n'est plus surveillé ; ses fichiers restent où ils sont.",
                f.path.display()
            ),
            &format!(
                "{} is no longer watched; its files stay where they are.",
                f.path.display()
            ),
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// `pause`, `resume` and `set`: one or more settings changed.
pub fn change(key: &str, changes: &[Change], lang: Lang) -> anyhow::Result<ExitCode> {
    let mut db = open()?;
    let mut f = folders::find(&db, key)?;
    for c in changes {
        f = folders::change(&mut db, f.id, c)?;
    }
    println!("{}", describe(&f, lang));
    Ok(ExitCode::SUCCESS)
}

/// `--mode` as typed.
pub fn parse_mode(s: &str) -> anyhow::Result<Mode> {
    Ok(Mode::parse(s)?)
}
