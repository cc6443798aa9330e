//! `facteur account add | list | remove`: portal accounts, with secrets read
//! without echo (or from stdin) and handed straight to the OS keyring.
//! Secrets are never printed, logged or echoed back.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::process::ExitCode;

use anyhow::{Context, bail};
use facteur::check::finding::{Lang, typo_fr};
use facteur::mirror::store;
use facteur::send::accounts::{self, Kind, OsKeyring};

use super::open;

pub fn add(
    name: &str,
    kind: &str,
    settings: &[String],
    secret_fields: &[String],
    from_stdin: bool,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    let kind = Kind::parse(kind)?;
    let mut map = BTreeMap::new();
    for s in settings {
        let Some((k, v)) = s.split_once('=') else {
            bail!("--set takes KEY=VALUE, not \"{s}\"");
        };
        let lower = k.to_ascii_lowercase();
        // `password_expires` is a date, not a secret.
        if (lower.contains("password") || lower.contains("secret")) && !lower.ends_with("_expires")
        {
            bail!(
                "\"{k}\" looks like a secret: give it with --secret {k} so it goes to the keyring"
            );
        }
        map.insert(k.trim().to_string(), v.trim().to_string());
    }
    let mut secrets = Vec::new();
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    for field in secret_fields {
        let value = if from_stdin {
            lines
                .next()
                .transpose()?
                .with_context(|| format!("standard input ended before the secret \"{field}\""))?
        } else {
            let prompt = match lang {
                Lang::Fr => typo_fr(&format!("{field} (ne s'affiche pas) : ")),
                Lang::En => format!("{field} (not shown): "),
            };
            rpassword::prompt_password(prompt).context("reading the secret")?
        };
        if value.is_empty() {
            bail!("the secret \"{field}\" is empty");
        }
        secrets.push((field.clone(), value));
    }
    let mut db = open()?;
    let account = accounts::add(
        &mut db,
        &OsKeyring,
        name,
        kind,
        &map,
        &secrets,
        store::now_ms(),
    )?;
    let n = account.secret_fields.len();
    match lang {
        Lang::Fr => println!(
            "{}",
            typo_fr(&format!(
                "Compte « {name} » ajouté ({}) ; {n} secret{} rangé{} dans le trousseau du système.",
                kind.as_str(),
                if n > 1 { "s" } else { "" },
                if n > 1 { "s" } else { "" }
            ))
        ),
        Lang::En => println!(
            "Account \"{name}\" added ({}); {n} secret(s) stored in the system keyring.",
            kind.as_str()
        ),
    }
    Ok(ExitCode::SUCCESS)
}

pub fn list(json: bool, lang: Lang) -> anyhow::Result<ExitCode> {
    let db = open()?;
    let all = accounts::list(&db)?;
    let mut out = std::io::stdout().lock();
    if json {
        for a in &all {
            writeln!(out, "{}", serde_json::to_string(a)?)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if all.is_empty() {
        writeln!(
            out,
            "{}",
            match lang {
                Lang::Fr => "Aucun compte. Ajoutez-en un avec « facteur account add ».".to_string(),
                Lang::En => "No account. Add one with \"facteur account add\".".to_string(),
            }
        )?;
    }
    for a in &all {
        let settings: Vec<String> = a.settings.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let secrets: Vec<String> = a
            .secret_fields
            .iter()
            .map(|f| format!("{f}=••••"))
            .collect();
        writeln!(
            out,
            "{:<20} {:<13} {} {}",
            a.name,
            a.kind.as_str(),
            settings.join(" "),
            secrets.join(" ")
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn remove(name: &str, lang: Lang) -> anyhow::Result<ExitCode> {
    let mut db = open()?;
    accounts::remove(&mut db, &OsKeyring, name)?;
    match lang {
        Lang::Fr => println!(
            "{}",
            typo_fr(&format!("Compte « {name} » supprimé, avec ses secrets."))
        ),
        Lang::En => println!("Account \"{name}\" removed, with its secrets."),
    }
    Ok(ExitCode::SUCCESS)
}
