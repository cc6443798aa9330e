//! The commands of the Factur-X review and of « Corriger la lecture »
//! (`ui/IPC.md`, "Factur-X"): the draft of a checked plain PDF with its
//! pages, the official rules asked as the owner types, the Factur-X made
//! from the draft the owner confirmed, and a confirmed reading that teaches
//! Facteur the layout. Each a few lines over the core
//! ([`facteur::make`], [`facteur::intake::made`], [`facteur::mirror::learned`],
//! [`facteur::view::page`]).
//!
//! The checking and the making run off the window's thread (the rules take
//! a moment). Deliberately not here: deciding what is valid (the official
//! rules do), the arithmetic shown while typing (the page does it, the rules
//! decide), any file path from the page (the invoice is named by its id).

use facteur::check::finding::Lang;
use facteur::check::rules::{Failure, Flag, plain};
use facteur::intake::made::{self, MadeError};
use facteur::make::{self, MakeError, Missing};
use facteur::mirror::learned::{self, Learned, LearnedError};
use facteur::mirror::store;
use facteur::read::en16931;
use facteur::view::page::{self, PageView};
use serde::Serialize;
use serde_json::Value;
use tauri::{AppHandle, Manager, Runtime, State};

use crate::error::UiError;
use crate::shell::Shell;

type Answer<T> = Result<T, UiError>;

/// Runs `f` on a blocking thread with the shell: the window stays live.
async fn off_thread<R: Runtime, T: Send + 'static>(
    app: AppHandle<R>,
    f: impl FnOnce(&Shell) -> Answer<T> + Send + 'static,
) -> Answer<T> {
    tauri::async_runtime::spawn_blocking(move || f(app.state::<Shell>().inner()))
        .await
        .map_err(|e| UiError::internal(e.to_string()))?
}

#[derive(Serialize)]
pub struct DraftView {
    /// The draft in `facteur read --json`'s form (BT-keyed, each value
    /// `{value, source, sure}`).
    draft: Value,
    /// What the XML would lack, each with its path in the draft.
    missing: Vec<Missing>,
    /// The invoice's pages, to draw beside the draft.
    pages: Vec<PageView>,
}

/// « Créer le Factur-X »: the draft of a recorded plain PDF, read on its
/// page and completed from « Mon entreprise » and the customer directory.
#[tauri::command(rename_all = "snake_case")]
pub async fn facturx_draft<R: Runtime>(app: AppHandle<R>, invoice_id: i64) -> Answer<DraftView> {
    off_thread(app, move |shell| {
        let db = shell.db();
        let d = made::draft_for_invoice(&db, &shell.home, invoice_id).map_err(made_error)?;
        let pages = page::invoice_pages(&db, &shell.home, invoice_id)?.unwrap_or_default();
        Ok(DraftView {
            draft: en16931::to_json(&d.invoice),
            missing: d.missing,
            pages,
        })
    })
    .await
}

/// One failed official rule, with the plain words when the rule has them.
#[derive(Serialize)]
pub struct FailureView {
    id: String,
    flag: Flag,
    bt: Option<String>,
    message: String,
    plain_fr: Option<String>,
    plain_en: Option<String>,
}

impl From<Failure> for FailureView {
    fn from(f: Failure) -> FailureView {
        let words = plain::plain_for(&f.id, &f.message);
        FailureView {
            plain_fr: words.map(|p| p.text(Lang::Fr)),
            plain_en: words.map(|p| p.text(Lang::En)),
            id: f.id,
            flag: f.flag,
            bt: f.bt,
            message: f.message,
        }
    }
}

#[derive(Serialize)]
pub struct CheckView {
    /// The official rules accept the XML of the draft: « Créer » may be used.
    valid: bool,
    /// What the XML would lack (then the rules are not run).
    missing: Vec<Missing>,
    failures: Vec<FailureView>,
}

fn draft_of(v: &Value) -> Answer<facteur::read::Invoice> {
    en16931::from_json(v).map_err(|e| {
        UiError::new(
            "draft_invalid",
            "Ce brouillon ne se lit pas : fermez la vérification et rouvrez-la.",
            "This draft cannot be read: close the review and open it again.",
            Some(e.to_string()),
        )
    })
}

/// The official rules (EN 16931, BR-FR, Factur-X EN 16931) on the XML of
/// the draft as it stands: what the window asks as the owner types.
#[tauri::command(rename_all = "snake_case")]
pub async fn facturx_check(draft: Value) -> Answer<CheckView> {
    let inv = draft_of(&draft)?;
    tauri::async_runtime::spawn_blocking(move || match make::check_draft(&inv) {
        Ok(c) => Ok(CheckView {
            valid: c.valid,
            missing: Vec::new(),
            failures: c.failures.into_iter().map(FailureView::from).collect(),
        }),
        Err(MakeError::Missing(missing)) => Ok(CheckView {
            valid: false,
            missing,
            failures: Vec::new(),
        }),
        Err(e) => Err(make_error(e)),
    })
    .await
    .map_err(|e| UiError::internal(e.to_string()))?
}

/// « Créer »: makes the Factur-X of invoice `invoice_id` from the draft the
/// owner confirmed; the id of the invoice that now carries it (the made
/// document replaces the plain PDF for sending). What the owner confirmed
/// is learned too, so this supplier's next invoice is read the same way.
#[tauri::command(rename_all = "snake_case")]
pub async fn facturx_make<R: Runtime>(
    app: AppHandle<R>,
    invoice_id: i64,
    draft: Value,
) -> Answer<i64> {
    let inv = draft_of(&draft)?;
    off_thread(app, move |shell| {
        let mut db = shell.db();
        let pdf = facteur::view::checked_pdf(&db, &shell.home, invoice_id)?;
        let made = made::make_for_invoice(&mut db, &shell.home, invoice_id, &inv, store::now_ms())
            .map_err(made_error)?;
        if let Some(pdf) = pdf
            && let Err(e) = learned::confirm(&mut db, &pdf, std::slice::from_ref(&inv))
        {
            tracing::warn!(
                invoice = invoice_id,
                "the confirmed draft taught nothing: {e}"
            );
        }
        Ok(made.invoice_id)
    })
    .await
}

/// The pages of a recorded invoice, for « Corriger la lecture »; `null`
/// when its file is gone or changed since it was checked.
#[tauri::command(rename_all = "snake_case")]
pub fn invoice_pages(shell: State<'_, Shell>, invoice_id: i64) -> Answer<Option<Vec<PageView>>> {
    Ok(page::invoice_pages(&shell.db(), &shell.home, invoice_id)?)
}

/// « Enregistrer la lecture »: the owner's confirmed reading of invoice
/// `invoice_id` (one invoice object or a list, plain values allowed) is
/// kept and its layout learned, as `facteur read --confirm` does.
#[tauri::command(rename_all = "snake_case")]
pub fn reading_confirm(
    shell: State<'_, Shell>,
    invoice_id: i64,
    reading: Value,
) -> Answer<Vec<Learned>> {
    let confirmed = match &reading {
        Value::Array(items) => items.iter().map(draft_of).collect::<Answer<Vec<_>>>()?,
        one => vec![draft_of(one)?],
    };
    let mut db = shell.db();
    let Some(pdf) = facteur::view::checked_pdf(&db, &shell.home, invoice_id)? else {
        if db.invoice(invoice_id)?.is_none() {
            return Err(UiError::not_found(&invoice_id.to_string()));
        }
        return Err(file_gone(None));
    };
    let learned = learned::confirm(&mut db, &pdf, &confirmed).map_err(|e| match e {
        LearnedError::Store(s) => s.into(),
        other => UiError::new(
            "reading_invalid",
            "Facteur n'a pas pu apprendre de cette lecture : voyez les détails.",
            "Facteur could not learn from this reading: see the details.",
            Some(other.to_string()),
        ),
    })?;
    if learned.is_empty() {
        return Err(UiError::new(
            "reading_unmatched",
            "Aucune facture lue dans ce fichier ne correspond à la lecture confirmée : rien n'a été appris.",
            "No invoice read in this file matches the confirmed reading: nothing was learned.",
            None,
        ));
    }
    Ok(learned)
}

fn file_gone(detail: Option<String>) -> UiError {
    UiError::new(
        "file_missing",
        "Le fichier de la facture a disparu ou a changé depuis sa vérification : déposez-le de nouveau.",
        "The invoice's file is gone or changed since it was checked: drop it again.",
        detail,
    )
}

/// A refusal of the core's maker, said as it says it: French from
/// `message_fr`, English from `Display`; a rules refusal lists every failed
/// rule with its id and plain words.
fn make_error(e: MakeError) -> UiError {
    let detail = Some(e.to_string());
    match &e {
        MakeError::Rules(failures) => {
            let list = |lang: Lang| {
                failures
                    .iter()
                    .map(|f| {
                        let words = plain::plain_for(&f.id, &f.message)
                            .map(|p| p.text(lang))
                            .unwrap_or_else(|| f.message.clone());
                        format!("— {} : {words}", f.id)
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            UiError::new(
                "facturx_rules",
                &format!(
                    "Les règles officielles refusent cette facture ; rien n'a été créé :\n{}",
                    list(Lang::Fr)
                ),
                &format!(
                    "The official rules refuse this invoice; nothing was made:\n{}",
                    list(Lang::En).replace(" : ", ": ")
                ),
                detail,
            )
        }
        _ => UiError::new("facturx_refused", &e.message_fr(), &e.to_string(), detail),
    }
}

fn made_error(e: MadeError) -> UiError {
    match e {
        MadeError::Make(m) => make_error(m),
        MadeError::Store(s) => s.into(),
        MadeError::NoInvoice(id) => UiError::not_found(&id.to_string()),
        MadeError::FileGone(_) => file_gone(Some(e.to_string())),
        other => UiError::new(
            "facturx_refused",
            &other.message_fr(),
            &other.to_string(),
            Some(other.to_string()),
        ),
    }
}
