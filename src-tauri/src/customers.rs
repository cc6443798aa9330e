//! The customer directory's commands (`ui/IPC.md`, "Customers"): list,
//! add or edit, remove, import from CSV (the mapping and every bad line
//! shown first, all or nothing), export to CSV, and the e-mail and paper
//! fallbacks. Each a few lines over [`facteur::send::directory`].
//!
//! The CSV file to import is chosen in the system dialog and remembered
//! here, in the shell: the page never names a path. Deliberately not here:
//! validating identifiers or deciding routes (the core does both).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use facteur::check::finding::Lang;
use facteur::mirror::store::{self, Store};
use facteur::send::accounts::{self, Kind};
use facteur::send::directory::{self, Customer, CustomerData, ImportPlan, Mapping, Msg};
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, State};

use crate::error::UiError;
use crate::shell::Shell;

type Answer<T> = Result<T, UiError>;

/// The CSV file last chosen for import, kept until another is chosen.
#[derive(Default)]
pub struct PendingImport(Mutex<Option<PathBuf>>);

impl PendingImport {
    fn get(&self) -> Option<PathBuf> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Remembers the file to import (what the dialog does; tests call it
    /// directly, as the dialog cannot be driven there).
    pub fn set(&self, path: PathBuf) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(path);
    }
}

fn lang(shell: &Shell) -> Lang {
    if shell.settings().language == "en" {
        Lang::En
    } else {
        Lang::Fr
    }
}

#[derive(Serialize)]
pub struct DirectoryView {
    customers: Vec<Customer>,
    /// The accounts a customer may be reached through.
    accounts: Vec<String>,
    /// Accounts of kind `email` / `print`, for the two fallbacks.
    email_accounts: Vec<String>,
    print_accounts: Vec<String>,
    email_account: Option<String>,
    print_account: Option<String>,
}

fn view(db: &Store) -> Answer<DirectoryView> {
    let all = accounts::list(db)?;
    let of = |k: Kind| -> Vec<String> {
        all.iter()
            .filter(|a| a.kind == k)
            .map(|a| a.name.clone())
            .collect()
    };
    Ok(DirectoryView {
        customers: directory::list(db)?,
        accounts: directory::known_accounts(db)?,
        email_accounts: of(Kind::Email),
        print_accounts: of(Kind::Print),
        email_account: directory::setting(db, directory::EMAIL_ACCOUNT)?,
        print_account: directory::setting(db, directory::PRINT_ACCOUNT)?,
    })
}

#[tauri::command(rename_all = "snake_case")]
pub fn list_directory(shell: State<'_, Shell>) -> Answer<DirectoryView> {
    view(&shell.db())
}

/// The problems of a customer refused, one sentence each, in both languages.
fn invalid(problems: &[Msg]) -> UiError {
    let list = |pick: fn(&Msg) -> &str| {
        problems
            .iter()
            .map(|m| format!("— {}", pick(m)))
            .collect::<Vec<_>>()
            .join("\n")
    };
    UiError::new(
        "customer_invalid",
        &format!(
            "Ce client n'est pas enregistré :\n{}",
            list(|m| m.fr.as_str())
        ),
        &format!("This customer is not saved:\n{}", list(|m| m.en.as_str())),
        None,
    )
}

/// Adds (`id` null) or replaces a customer; refused with each problem said.
#[tauri::command(rename_all = "snake_case")]
pub fn save_customer(
    shell: State<'_, Shell>,
    id: Option<i64>,
    data: CustomerData,
) -> Answer<Customer> {
    let mut db = shell.db();
    let data = data
        .normalised(&directory::known_accounts(&db)?)
        .map_err(|p| invalid(&p))?;
    let id = match id {
        Some(id) => directory::update(&mut db, id, data, store::now_ms()).map(|()| id),
        None => directory::add(&mut db, data, store::now_ms()),
    }?;
    Ok(directory::get(&db, id)?)
}

#[tauri::command(rename_all = "snake_case")]
pub fn remove_customer(shell: State<'_, Shell>, id: i64) -> Answer<DirectoryView> {
    let mut db = shell.db();
    directory::remove(&mut db, id)?;
    view(&db)
}

#[derive(Serialize)]
pub struct PlanLine {
    line: usize,
    /// The customer's name as read, to recognise the line.
    name: Option<String>,
    /// Replaces this existing customer.
    id: Option<i64>,
    problems: Vec<Msg>,
}

#[derive(Serialize)]
pub struct PlanView {
    /// The chosen file's name (not its path).
    file: String,
    /// The file's headers, in order.
    headers: Vec<String>,
    /// Per header, the field it fills (as `Field::header`: `nom`, `siret`…),
    /// `null` when ignored.
    fields: Vec<Option<&'static str>>,
    /// One sentence per column, in the window's language.
    described: Vec<String>,
    lines: Vec<PlanLine>,
    bad: usize,
    /// What keeps the whole file out (no column gives the name): the user
    /// chooses « nom » for one.
    problem: Option<Msg>,
}

fn plan_view(path: &Path, (plan, problem): Planned, lang: Lang) -> PlanView {
    PlanView {
        problem,
        file: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        headers: plan.mapping.headers.clone(),
        fields: plan
            .mapping
            .fields
            .iter()
            .map(|f| f.map(|f| f.header()))
            .collect(),
        described: plan.mapping.describe(lang),
        bad: plan.bad_lines(),
        lines: plan
            .lines
            .into_iter()
            .map(|l| PlanLine {
                line: l.line,
                name: l.data.map(|d| d.name),
                id: l.id,
                problems: l.problems,
            })
            .collect(),
    }
}

/// A plan, and what keeps the whole file out if something does.
type Planned = (ImportPlan, Option<Msg>);

fn plan_file(db: &Store, path: &Path, overrides: &BTreeMap<String, String>) -> Answer<Planned> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        UiError::new(
            "csv_unreadable",
            "Ce fichier ne se lit pas comme un CSV en UTF-8 : réenregistrez-le en « CSV UTF-8 » depuis votre tableur.",
            "This file cannot be read as a UTF-8 CSV: save it again as \"CSV UTF-8\" from your spreadsheet.",
            Some(format!("{}: {e}", path.display())),
        )
    })?;
    match directory::plan_import(db, &text, overrides) {
        Ok(plan) => Ok((plan, None)),
        // The columns are still shown, so the user can say which one
        // holds the name.
        Err(directory::DirectoryError::NoNameColumn) => {
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            let first = text.lines().next().unwrap_or("");
            let sep = if first.matches(';').count() > first.matches(',').count() {
                ';'
            } else {
                ','
            };
            let headers: Vec<String> = first
                .split(sep)
                .map(|h| h.trim().trim_matches('"').trim().to_string())
                .collect();
            let plan = ImportPlan {
                mapping: Mapping::guess(&headers, overrides),
                lines: Vec::new(),
            };
            let why = Msg::new(
                "aucune colonne ne donne le nom du client : choisissez « nom » pour l'une d'elles",
                "no column gives the customer's name: choose \"name\" for one of them",
            );
            Ok((plan, Some(why)))
        }
        Err(e) => Err(e.into()),
    }
}

/// « Importer un CSV… »: the system dialog, then what importing the file
/// would do (nothing is written). `None` when the dialog was closed.
#[tauri::command(rename_all = "snake_case")]
pub async fn choose_customer_csv<R: Runtime>(app: AppHandle<R>) -> Answer<Option<PlanView>> {
    use tauri_plugin_dialog::DialogExt;
    let title = if lang(&app.state::<Shell>()) == Lang::En {
        "Customers to import"
    } else {
        "Clients à importer"
    };
    let dialog = app
        .dialog()
        .file()
        .set_title(title)
        .add_filter("CSV", &["csv", "CSV", "txt"]);
    let picked = tauri::async_runtime::spawn_blocking(move || dialog.blocking_pick_file())
        .await
        .map_err(|e| UiError::internal(e.to_string()))?;
    let Some(path) = picked.and_then(|p| p.into_path().ok()) else {
        return Ok(None);
    };
    app.state::<PendingImport>().set(path.clone());
    let shell = app.state::<Shell>();
    let plan = plan_file(&shell.db(), &path, &BTreeMap::new())?;
    Ok(Some(plan_view(&path, plan, lang(&shell))))
}

#[derive(Serialize)]
pub struct Imported {
    /// Written (every line valid) or not (`plan` says why).
    imported: bool,
    added: usize,
    replaced: usize,
    plan: PlanView,
}

/// « Importer »: the chosen file read again with the user's column choices
/// (header → field, `-` to ignore); written in one go only if no line is
/// bad. With `preview`, only planned (a column choice changed).
#[tauri::command(rename_all = "snake_case")]
pub fn import_customers(
    shell: State<'_, Shell>,
    pending: State<'_, PendingImport>,
    overrides: BTreeMap<String, String>,
    preview: Option<bool>,
) -> Answer<Imported> {
    let path = pending.get().ok_or_else(|| {
        UiError::not_allowed(
            "Choisissez d'abord le fichier CSV à importer.",
            "First choose the CSV file to import.",
            None,
        )
    })?;
    let mut db = shell.db();
    let planned = plan_file(&db, &path, &overrides)?;
    let clean = planned.1.is_none() && planned.0.bad_lines() == 0;
    let (imported, (added, replaced)) = if clean && preview != Some(true) {
        (
            true,
            directory::apply_import(&mut db, &planned.0, store::now_ms())?,
        )
    } else {
        (false, (0, 0))
    };
    Ok(Imported {
        imported,
        added,
        replaced,
        plan: plan_view(&path, planned, lang(&shell)),
    })
}

#[derive(Serialize)]
pub struct Exported {
    count: usize,
    file: String,
}

/// « Exporter en CSV… »: the system save dialog, then the whole directory.
#[tauri::command(rename_all = "snake_case")]
pub async fn export_customers<R: Runtime>(app: AppHandle<R>) -> Answer<Option<Exported>> {
    use tauri_plugin_dialog::DialogExt;
    let en = lang(&app.state::<Shell>()) == Lang::En;
    let dialog = app
        .dialog()
        .file()
        .set_title(if en {
            "Export customers"
        } else {
            "Exporter les clients"
        })
        .set_file_name(if en { "customers.csv" } else { "clients.csv" })
        .add_filter("CSV", &["csv"]);
    let picked = tauri::async_runtime::spawn_blocking(move || dialog.blocking_save_file())
        .await
        .map_err(|e| UiError::internal(e.to_string()))?;
    let Some(path) = picked.and_then(|p| p.into_path().ok()) else {
        return Ok(None);
    };
    let shell = app.state::<Shell>();
    export_to(&shell.db(), &path).map(Some)
}

fn export_to(db: &Store, path: &Path) -> Answer<Exported> {
    let cant = |e: String| {
        UiError::new(
            "file_unwritable",
            "Facteur ne peut pas écrire ce fichier : choisissez un autre dossier.",
            "Facteur cannot write this file: choose another folder.",
            Some(format!("{}: {e}", path.display())),
        )
    };
    let mut out = Vec::new();
    let count = directory::export_csv(db, &mut out)?;
    std::fs::write(path, out).map_err(|e| cant(e.to_string()))?;
    Ok(Exported {
        count,
        file: path.display().to_string(),
    })
}

/// The account behind a fallback: it must exist and be of `kind`.
fn fallback(db: &Store, name: Option<String>, kind: Kind) -> Answer<Option<String>> {
    let Some(name) = name.filter(|n| !n.trim().is_empty()) else {
        return Ok(None);
    };
    let account = accounts::find(db, &name)?.ok_or_else(|| UiError::not_found(&name))?;
    if account.kind != kind {
        let (fr, en) = match kind {
            Kind::Email => (
                "Le secours par e-mail passe par un compte de type « e-mail » : choisissez-en un.",
                "The e-mail fallback goes through an account of kind \"e-mail\": choose one.",
            ),
            _ => (
                "Le secours papier passe par un compte de type « impression » : choisissez-en un.",
                "The paper fallback goes through an account of kind \"print\": choose one.",
            ),
        };
        return Err(UiError::not_allowed(
            fr,
            en,
            Some(format!("{name}: {}", account.kind.as_str())),
        ));
    }
    Ok(Some(name))
}

/// The e-mail and paper fallbacks; `null` turns one off.
#[tauri::command(rename_all = "snake_case")]
pub fn set_fallbacks(
    shell: State<'_, Shell>,
    email: Option<String>,
    print: Option<String>,
) -> Answer<DirectoryView> {
    let mut db = shell.db();
    let email = fallback(&db, email, Kind::Email)?;
    let print = fallback(&db, print, Kind::Print)?;
    directory::set_setting(&mut db, directory::EMAIL_ACCOUNT, email.as_deref())?;
    directory::set_setting(&mut db, directory::PRINT_ACCOUNT, print.as_deref())?;
    view(&db)
}
