//! The commands the interface calls (`ui/IPC.md`), each a few lines that
//! call the core and map its errors. One command per user action, each with
//! its own permission (`build.rs`, `capabilities/main.json`). Secrets only
//! ever travel inwards (`add_account`); nothing here returns one.

use std::collections::BTreeMap;

use facteur::intake::folders::{self, Change, Mode};
use facteur::intake::pipeline::{self, Destination, Outcome, PlateformeLookup};
use facteur::mirror::lifecycle::Status;
use facteur::mirror::store::{self, InvoiceRow, ListFilter, SubmitDecision};
use facteur::send::accounts::{self, Account, Kind, OsKeyring};
use facteur::send::outbox::{self, Enqueued};
use facteur::view::{self, Detail, Group};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, Runtime, State};

use crate::error::UiError;
use crate::shell::{self, FoldersView, Settings, Shell};

type Answer<T> = Result<T, UiError>;

#[derive(Serialize)]
pub struct SettingsView {
    language: String,
    data_dir: String,
    watched_dir: Option<String>,
    version: &'static str,
}

#[tauri::command(rename_all = "snake_case")]
pub fn get_settings(shell: State<'_, Shell>) -> SettingsView {
    // The first folder watched is the one the empty list names.
    let watched_dir = folders::list(&shell.db())
        .ok()
        .and_then(|l| l.into_iter().find(|f| !f.paused))
        .map(|f| f.path.display().to_string());
    SettingsView {
        language: shell.settings().language,
        data_dir: shell.home.display().to_string(),
        watched_dir,
        version: env!("CARGO_PKG_VERSION"),
    }
}

#[tauri::command(rename_all = "snake_case")]
pub fn set_language(shell: State<'_, Shell>, language: String) -> Answer<()> {
    if language != "fr" && language != "en" {
        return Err(UiError::not_allowed(
            "Langue inconnue : français ou anglais.",
            "Unknown language: French or English.",
            Some(language),
        ));
    }
    shell.save_settings(Settings {
        language,
        ..shell.settings()
    })
}

#[tauri::command(rename_all = "snake_case")]
pub fn counts(shell: State<'_, Shell>) -> Answer<BTreeMap<&'static str, i64>> {
    let db = shell.db();
    Ok(view::counts(&db)?
        .into_iter()
        .map(|(g, n)| (g.as_str(), n))
        .collect())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UiFilter {
    group: Group,
    customer: Option<String>,
    since: Option<String>,
    until: Option<String>,
    number: Option<String>,
    limit: usize,
    offset: usize,
}

#[derive(Serialize)]
pub struct Page {
    rows: Vec<InvoiceRow>,
    has_more: bool,
}

fn blank(s: Option<String>) -> Option<String> {
    s.filter(|v| !v.trim().is_empty())
}

#[tauri::command(rename_all = "snake_case")]
pub fn list_invoices(shell: State<'_, Shell>, filter: UiFilter) -> Answer<Page> {
    let limit = filter.limit.clamp(1, 500);
    let f = ListFilter {
        customer: blank(filter.customer),
        since: blank(filter.since),
        until: blank(filter.until),
        number: blank(filter.number),
        limit: limit + 1,
        offset: filter.offset,
        ..filter.group.filter()
    };
    let mut rows = shell.db().list(&f)?;
    let has_more = rows.len() > limit;
    rows.truncate(limit);
    Ok(Page { rows, has_more })
}

#[tauri::command(rename_all = "snake_case")]
pub fn list_customers(shell: State<'_, Shell>) -> Answer<Vec<String>> {
    Ok(shell.db().customers()?)
}

#[tauri::command(rename_all = "snake_case")]
pub fn invoice_detail(shell: State<'_, Shell>, id: i64) -> Answer<Detail> {
    view::detail(&shell.db(), id, store::now_ms())?
        .ok_or_else(|| UiError::not_found(&id.to_string()))
}

#[tauri::command(rename_all = "snake_case")]
pub fn open_pdf(shell: State<'_, Shell>, id: i64) -> Answer<()> {
    let inv = shell
        .db()
        .invoice(id)?
        .ok_or_else(|| UiError::not_found(&id.to_string()))?;
    let path = shell::pdf_copy(&shell.home, &inv.path, &inv.sha256).ok_or_else(|| {
        UiError::new(
            "file_missing",
            "Le fichier PDF n'est plus à l'endroit où il a été déposé.",
            "The PDF file is no longer where it was dropped.",
            Some(inv.path.clone()),
        )
    })?;
    // A standalone XML invoice has no page to show: a PDF viewer would
    // only fail on it.
    if !shell::is_pdf_file(&path) {
        return Err(UiError::new(
            "not_pdf",
            "Cette facture est un fichier XML (CII ou UBL) : il n'y a pas de PDF à ouvrir.",
            "This invoice is an XML file (CII or UBL): there is no PDF to open.",
            None,
        ));
    }
    shell::open_with_system(&path).map_err(|e| {
        UiError::new(
            "internal",
            "Aucun lecteur de PDF n'a pu ouvrir le fichier.",
            "No PDF viewer could open the file.",
            Some(e.to_string()),
        )
    })
}

/// The system's file dialog (PDF and XML invoices, several at once); the chosen files
/// are checked as a drop. Returns the batch id, `None` when the user
/// closed the dialog.
#[tauri::command(rename_all = "snake_case")]
pub async fn choose_files<R: Runtime>(app: AppHandle<R>) -> Answer<Option<String>> {
    use tauri_plugin_dialog::DialogExt;
    let title = if app.state::<Shell>().settings().language == "en" {
        "Invoices to check"
    } else {
        "Factures à vérifier"
    };
    let dialog = app
        .dialog()
        .file()
        .set_title(title)
        .add_filter("PDF, XML", &["pdf", "PDF", "xml", "XML"]);
    let picked = tauri::async_runtime::spawn_blocking(move || dialog.blocking_pick_files())
        .await
        .map_err(|e| UiError::internal(e.to_string()))?;
    let Some(picked) = picked else {
        return Ok(None);
    };
    let paths: Vec<std::path::PathBuf> = picked
        .into_iter()
        .filter_map(|p| p.into_path().ok())
        .collect();
    Ok(Some(shell::start_batch(&app, paths)))
}

/// Checks the files the app was started with, once: the page calls this
/// when it listens to the batch events. `None` when there were none.
#[tauri::command(rename_all = "snake_case")]
pub fn open_launch_files<R: Runtime>(app: AppHandle<R>, shell: State<'_, Shell>) -> Option<String> {
    let files = shell.take_launch_files();
    (!files.is_empty()).then(|| shell::start_batch(&app, files))
}

#[tauri::command(rename_all = "snake_case")]
pub fn cancel_batch(shell: State<'_, Shell>, batch_id: String) {
    shell.cancel_batch(&batch_id);
}

#[derive(Serialize)]
pub struct Refused {
    id: i64,
    decision: SubmitDecision,
}

#[derive(Serialize)]
pub struct Held {
    id: i64,
    why: facteur::send::directory::Msg,
}

#[derive(Serialize)]
pub struct Queued {
    queued: Vec<i64>,
    refused: Vec<Refused>,
    /// Not queued because routing holds them (conflicting identifiers, no
    /// customer, a requirement not met), with why.
    held: Vec<Held>,
}

/// « Envoyer »: to `account`, or where routing sends each invoice, through
/// the intake pipeline (which asks a plateforme's directory when routing
/// needs it).
#[tauri::command(rename_all = "snake_case")]
pub fn submit_invoices<R: Runtime>(
    app: AppHandle<R>,
    shell: State<'_, Shell>,
    ids: Vec<i64>,
    account: Option<String>,
) -> Answer<Queued> {
    let mut db = shell.db();
    let forced = match &account {
        Some(name) => Some(accounts::resolve(&db, Some(name))?),
        None => None,
    };
    let destination = match &forced {
        Some(a) => Destination::Account(a),
        None => Destination::Routed { default: None },
    };
    let lookup = PlateformeLookup {
        secrets: &OsKeyring,
    };
    let (mut queued, mut refused, mut held) = (Vec::new(), Vec::new(), Vec::new());
    let mut used: Vec<String> = Vec::new();
    for id in ids {
        let taken = pipeline::take(
            &mut db,
            &shell.home,
            pipeline::Request {
                input: pipeline::Input::Invoice(id),
                destination,
                annexes: &[],
                once: false,
            },
            &lookup,
            store::now_ms(),
        )?;
        match taken.outcome {
            Outcome::Queued {
                invoice_id,
                account,
                ..
            } => {
                queued.push(invoice_id);
                used.push(account);
            }
            Outcome::Held { why, .. } => held.push(Held { id, why }),
            Outcome::Refused { decision, .. } => refused.push(Refused { id, decision }),
            Outcome::Blocked { .. } => refused.push(Refused {
                id,
                decision: SubmitDecision::CheckFailed,
            }),
            Outcome::Changed => {
                return Err(UiError::new(
                    "file_missing",
                    "Le fichier de la facture a disparu ou a changé depuis sa vérification : déposez-le de nouveau.",
                    "The invoice's file is gone or changed since it was checked: drop it again.",
                    None,
                ));
            }
            Outcome::NoInvoice | Outcome::Known { .. } | Outcome::Recorded { .. } => {
                return Err(UiError::not_found(&id.to_string()));
            }
        }
    }
    used.sort();
    used.dedup();
    let accounts = used
        .iter()
        .map(|n| accounts::resolve(&db, Some(n)))
        .collect::<Result<Vec<_>, _>>()?;
    drop(db);
    for a in accounts {
        shell::work_outbox(app.clone(), a);
    }
    Ok(Queued {
        queued,
        refused,
        held,
    })
}

#[derive(Serialize)]
pub struct Replayed {
    queued: bool,
}

#[tauri::command(rename_all = "snake_case")]
pub async fn replay_invoice<R: Runtime>(app: AppHandle<R>, id: i64) -> Answer<Replayed> {
    let shell = app.state::<Shell>();
    let home = shell.home.clone();
    let (account, submission_id) = {
        let mut db = shell.db();
        match outbox::enqueue(
            &mut db,
            &home,
            &outbox::Request::replay(id),
            store::now_ms(),
        )? {
            Enqueued::Queued {
                account,
                submission_id,
                ..
            } => (accounts::resolve(&db, Some(&account))?, submission_id),
            _ => return Err(UiError::not_found(&id.to_string())),
        }
    };
    // The owner clicked and waits for the portal's answer: work the outbox
    // now and say what the portal did with this replay, where they clicked.
    shell::work_outbox_now(&app, &account).await?;
    let db = shell.db();
    let attempt = db
        .submissions(id)?
        .into_iter()
        .find(|s| s.id == submission_id);
    match attempt {
        Some(s) if s.outcome == "failed" => Err(UiError::new(
            "replay_refused",
            "Le portail n'a pas accepté de rejouer la facture : le mandat de facturation n'est sans doute pas encore signé. Signez-le sur le portail, puis rejouez-la.",
            "The portal did not accept to replay the invoice: the billing mandate is probably not signed yet. Sign it on the portal, then replay it.",
            s.error,
        )),
        // Taken, or still on its way (a slow portal): the history will say.
        _ => Ok(Replayed { queued: true }),
    }
}

/// « Signer le mandat » on the demonstration portal, for the customer of
/// invoice `id` (refused « Mandat absent »): the only way to try « Rejouer »
/// without a terminal.
#[tauri::command(rename_all = "snake_case")]
pub async fn sign_demo_mandate<R: Runtime>(app: AppHandle<R>, id: i64) -> Answer<()> {
    let shell = app.state::<Shell>();
    let home = shell.home.clone();
    let (account, siren) = {
        let db = shell.db();
        let inv = db
            .invoice(id)?
            .ok_or_else(|| UiError::not_found(&id.to_string()))?;
        let name = db
            .submissions(id)?
            .into_iter()
            .rev()
            .find_map(|s| s.account)
            .unwrap_or_else(|| accounts::SANDBOX_ACCOUNT.to_string());
        (accounts::resolve(&db, Some(&name))?, inv.buyer_siren)
    };
    let Some(siren) = siren else {
        return Err(UiError::not_allowed(
            "Le SIREN du client n'a pas été lu sur cette facture : le portail de démonstration ne sait pas de quel mandat il s'agit.",
            "The customer's SIREN was not read on this invoice: the demonstration portal cannot tell which mandate it is.",
            None,
        ));
    };
    facteur::demo::sandbox_server::sign_mandate(&home, &account, &siren)
        .await
        .map_err(|e| match e {
            facteur::demo::sandbox_server::MandateError::NotSandbox(_) => UiError::not_allowed(
                "Le mandat se signe sur le portail réel de ce client, pas depuis Facteur.",
                "The mandate is signed on this customer's real portal, not from Facteur.",
                Some(e.to_string()),
            ),
            other => UiError::new(
                "portal_unreachable",
                "Le portail de démonstration ne répond pas. Réessayez dans un instant.",
                "The demonstration portal does not answer. Try again in a moment.",
                Some(other.to_string()),
            ),
        })
}

/// What Facteur reads on an invoice's PDF (lines, VAT breakdown, totals),
/// in the `facteur read --json` format; `null` when the file is gone.
#[tauri::command(rename_all = "snake_case")]
pub fn read_invoice(shell: State<'_, Shell>, id: i64) -> Answer<Option<Vec<serde_json::Value>>> {
    Ok(view::reading(&shell.db(), &shell.home, id)?)
}

/// The layouts Facteur learned from the owner's confirmed readings, for the
/// settings' list.
#[tauri::command(rename_all = "snake_case")]
pub fn list_layouts(shell: State<'_, Shell>) -> Answer<Vec<LayoutView>> {
    let rows = facteur::mirror::learned::list(&shell.db()).map_err(layout_error)?;
    Ok(rows
        .into_iter()
        .map(|r| LayoutView {
            id: r.id,
            seller: r.seller_name.unwrap_or(r.seller_key),
            fields: r.fields,
            updated_ms: r.updated_ms,
        })
        .collect())
}

/// Forgets a learned layout: the next invoice of it is read without it.
#[tauri::command(rename_all = "snake_case")]
pub fn remove_layout(shell: State<'_, Shell>, id: i64) -> Answer<()> {
    if facteur::mirror::learned::remove(&mut shell.db(), id).map_err(layout_error)? {
        Ok(())
    } else {
        Err(UiError::not_found(&format!("layout {id}")))
    }
}

/// A learned layout as the settings list it (its positions stay inside).
#[derive(Serialize)]
pub struct LayoutView {
    id: i64,
    seller: String,
    fields: i64,
    updated_ms: i64,
}

fn layout_error(e: facteur::mirror::learned::LearnedError) -> UiError {
    match e {
        facteur::mirror::learned::LearnedError::Store(s) => s.into(),
        other => UiError::internal(other.to_string()),
    }
}

/// The owner types the number of an invoice whose number was not read.
#[tauri::command(rename_all = "snake_case")]
pub fn set_invoice_number(shell: State<'_, Shell>, id: i64, number: String) -> Answer<InvoiceRow> {
    Ok(shell.db().set_number(id, &number, store::now_ms())?)
}

#[derive(Serialize)]
pub struct Correction {
    id: i64,
    new_number: String,
}

#[tauri::command(rename_all = "snake_case")]
pub fn prepare_correction(
    shell: State<'_, Shell>,
    id: i64,
    new_number: String,
) -> Answer<Correction> {
    let db = shell.db();
    let inv = db
        .invoice(id)?
        .ok_or_else(|| UiError::not_found(&id.to_string()))?;
    let correctable = inv.status == Status::Rejected
        || (inv.status == Status::Refused && inv.reason_code.as_deref() != Some("MANDAT_ABSENT"));
    if !correctable {
        return Err(outbox::OutboxError::NotCorrectable(inv.number).into());
    }
    let new_number = new_number.trim().to_string();
    if new_number.is_empty() || new_number == inv.number.trim() {
        return Err(outbox::OutboxError::SameNumber(inv.number).into());
    }
    let in_use = db
        .list(&ListFilter {
            number: Some(new_number.clone()),
            limit: 50,
            ..ListFilter::default()
        })?
        .into_iter()
        // An invoice already checked but not sent under that number is
        // the corrected one, dropped before this was chosen.
        .any(|r| {
            r.number == new_number
                && r.seller_siren == inv.seller_siren
                && !matches!(r.status, Status::Checked | Status::Blocked)
        });
    if in_use {
        return Err(UiError::new(
            "number_in_use",
            "Ce numéro est déjà pris par une autre de vos factures : choisissez-en un nouveau.",
            "This number is already used by another of your invoices: choose a new one.",
            Some(new_number),
        ));
    }
    drop(db);
    // Kept: when an invoice with this number is sent, it goes as the
    // correction of this one.
    shell
        .db()
        .prepare_correction(id, &new_number, store::now_ms())?;
    Ok(Correction { id, new_number })
}

#[tauri::command(rename_all = "snake_case")]
pub fn mark_verified(shell: State<'_, Shell>, id: i64, arrived: bool) -> Answer<InvoiceRow> {
    let mut db = shell.db();
    let inv = db
        .invoice(id)?
        .ok_or_else(|| UiError::not_found(&id.to_string()))?;
    if inv.status != Status::ToVerify {
        return Err(UiError::not_allowed(
            "Cette facture n'est pas « à vérifier ».",
            "This invoice is not \"to verify\".",
            None,
        ));
    }
    outbox::resolve_to_verify(&mut db, id, arrived)?;
    db.invoice(id)?
        .ok_or_else(|| UiError::not_found(&id.to_string()))
}

/// « Elle est postée »: a printed invoice went by post.
#[tauri::command(rename_all = "snake_case")]
pub fn mark_posted(shell: State<'_, Shell>, id: i64) -> Answer<InvoiceRow> {
    let mut db = shell.db();
    let inv = db
        .invoice(id)?
        .ok_or_else(|| UiError::not_found(&id.to_string()))?;
    if inv.status != Status::ToPost {
        return Err(UiError::not_allowed(
            "Cette facture n'attend pas d'être postée.",
            "This invoice is not waiting to be posted.",
            None,
        ));
    }
    outbox::mark_posted(&mut db, id, store::now_ms())?;
    db.invoice(id)?
        .ok_or_else(|| UiError::not_found(&id.to_string()))
}

#[tauri::command(rename_all = "snake_case")]
pub fn list_accounts(shell: State<'_, Shell>) -> Answer<Vec<Account>> {
    let db = shell.db();
    let mut all = accounts::list(&db)?;
    if !all.iter().any(|a| a.name == accounts::SANDBOX_ACCOUNT) {
        all.push(accounts::resolve(&db, None)?);
    }
    Ok(all)
}

#[tauri::command(rename_all = "snake_case")]
pub fn add_account(
    shell: State<'_, Shell>,
    name: String,
    kind: String,
    settings: BTreeMap<String, String>,
    secrets: BTreeMap<String, String>,
) -> Answer<Account> {
    let kind = Kind::parse(&kind)?;
    if let Some(k) = settings.keys().find(|k| shell::looks_secret(k)) {
        return Err(UiError::new(
            "account_secret_in_settings",
            "Un mot de passe ne se met pas dans les réglages : utilisez le champ prévu, il va au trousseau du système.",
            "A password does not go in the settings: use its own field, it goes to the system keyring.",
            Some(k.clone()),
        ));
    }
    let secrets: Vec<(String, String)> =
        secrets.into_iter().filter(|(_, v)| !v.is_empty()).collect();
    let mut db = shell.db();
    Ok(accounts::add(
        &mut db,
        &OsKeyring,
        &name,
        kind,
        &settings,
        &secrets,
        store::now_ms(),
    )?)
}

#[tauri::command(rename_all = "snake_case")]
pub fn remove_account(shell: State<'_, Shell>, name: String) -> Answer<()> {
    Ok(accounts::remove(&mut shell.db(), &OsKeyring, &name)?)
}

#[derive(Serialize)]
pub struct Tested {
    ok: bool,
    message_fr: String,
    message_en: String,
    detail: Option<String>,
    simulation: bool,
}

#[tauri::command(rename_all = "snake_case")]
pub async fn test_account<R: Runtime>(app: AppHandle<R>, name: String) -> Answer<Tested> {
    let account = {
        let shell = tauri::Manager::state::<Shell>(&app);
        let db = shell.db();
        accounts::resolve(&db, Some(&name))?
    };
    let simulation = account.kind == Kind::Sandbox;
    let result = shell::test_connection(&account).await;
    Ok(match result {
        Ok(()) => Tested {
            ok: true,
            message_fr: facteur::check::finding::typo_fr(
                "Connexion réussie : le portail répond et accepte les identifiants.",
            ),
            message_en: "Connected: the portal answers and accepts the credentials.".into(),
            detail: None,
            simulation,
        },
        Err(e) => Tested {
            ok: false,
            message_fr: facteur::check::finding::typo_fr(if e.is_transient() {
                "Le portail ne répond pas : vérifiez l'adresse et la connexion, puis réessayez."
            } else {
                "Le portail refuse la connexion : vérifiez l'identifiant et le mot de passe."
            }),
            message_en: if e.is_transient() {
                "The portal does not answer: check the address and the connection, then try again."
            } else {
                "The portal refuses the connection: check the login and the password."
            }
            .into(),
            detail: Some(e.to_string()),
            simulation,
        },
    })
}

#[tauri::command(rename_all = "snake_case")]
pub fn list_folders(shell: State<'_, Shell>) -> Answer<FoldersView> {
    shell.folders_view()
}

/// The system's folder dialog; the chosen folder is watched, "check only".
/// `None` when the user closed the dialog.
#[tauri::command(rename_all = "snake_case")]
pub async fn choose_folder<R: Runtime>(app: AppHandle<R>) -> Answer<Option<FoldersView>> {
    use tauri_plugin_dialog::DialogExt;
    let title = if app.state::<Shell>().settings().language == "en" {
        "Folder to watch"
    } else {
        "Dossier à surveiller"
    };
    let dialog = app.dialog().file().set_title(title);
    let picked = tauri::async_runtime::spawn_blocking(move || dialog.blocking_pick_folder())
        .await
        .map_err(|e| UiError::internal(e.to_string()))?;
    let Some(path) = picked.and_then(|p| p.into_path().ok()) else {
        return Ok(None);
    };
    shell::add_folder(&app, &path).map(Some)
}

/// What the section changes on a folder; absent fields stay as they are.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FolderChanges {
    /// `check` or `submit`.
    mode: Option<String>,
    /// The account to submit to; `""`: the demonstration portal.
    account: Option<String>,
    tidy: Option<bool>,
    recursive: Option<bool>,
    paused: Option<bool>,
    /// Make the Factur-X of each plain PDF.
    make_facturx: Option<bool>,
}

#[tauri::command(rename_all = "snake_case")]
pub fn update_folder<R: Runtime>(
    app: AppHandle<R>,
    shell: State<'_, Shell>,
    id: i64,
    changes: FolderChanges,
) -> Answer<FoldersView> {
    let mut list = Vec::new();
    if let Some(m) = &changes.mode {
        list.push(Change::Mode(Mode::parse(m)?));
    }
    if let Some(a) = changes.account {
        list.push(Change::Account((!a.is_empty()).then_some(a)));
    }
    list.extend(changes.tidy.map(Change::Tidy));
    list.extend(changes.recursive.map(Change::Recursive));
    list.extend(changes.paused.map(Change::Paused));
    list.extend(changes.make_facturx.map(Change::MakeFacturx));
    for c in &list {
        folders::change(&mut shell.db(), id, c)?;
    }
    shell::folders_changed(&app)
}

/// Stops watching a folder; its files stay where they are.
#[tauri::command(rename_all = "snake_case")]
pub fn remove_folder<R: Runtime>(
    app: AppHandle<R>,
    shell: State<'_, Shell>,
    id: i64,
) -> Answer<FoldersView> {
    folders::remove(&mut shell.db(), id)?;
    shell::folders_changed(&app)
}

/// Pauses or resumes every watched folder at once.
#[tauri::command(rename_all = "snake_case")]
pub fn pause_watching<R: Runtime>(
    app: AppHandle<R>,
    shell: State<'_, Shell>,
    paused: bool,
) -> Answer<FoldersView> {
    shell.pause_watching(paused)?;
    shell::folders_changed(&app)
}
