//! A recorded plain PDF invoice becomes a Factur-X: its draft for the
//! owner's review, then the made file written under the home, checked like
//! any file, and recorded as a new document linked to the plain PDF, which
//! it replaces for sending. The window's « Créer le Factur-X », `facteur
//! facturx make` on a recorded file, and a watched folder set to make the
//! Factur-X all come through here.
//!
//! Deliberately not here: drafting and making themselves ([`crate::make`]),
//! queueing (the [`super::pipeline`] sends the made invoice like any other).

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::check::{self, Options};
use crate::intake::pipeline::{
    self, Destination, DirectoryLookup, Input, Outcome, PipelineError, Taken,
};
use crate::make::{self, MakeError, Missing, cii};
use crate::mirror::store::{MadeRefusal, Store, StoreError};
use crate::read::Invoice;
use crate::send::directory::Msg;

#[derive(Debug, thiserror::Error)]
pub enum MadeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Make(#[from] MakeError),
    #[error("no invoice #{0}")]
    NoInvoice(i64),
    #[error("the file of invoice #{0} is gone or changed since it was checked")]
    FileGone(i64),
    #[error("invoice #{0} already carries an e-invoice")]
    AlreadyEInvoice(i64),
    #[error("cannot write the Factur-X: {0}")]
    Write(#[from] std::io::Error),
    #[error("the Factur-X cannot replace invoice #{invoice}: {refusal:?}")]
    Refused { invoice: i64, refusal: MadeRefusal },
}

impl MadeError {
    /// The message in French.
    pub fn message_fr(&self) -> String {
        match self {
            MadeError::Make(e) => e.message_fr(),
            MadeError::Store(e) => format!("Erreur de la base locale : {e}"),
            MadeError::NoInvoice(id) => format!("Aucune facture n° {id}."),
            MadeError::FileGone(_) => "Le fichier de la facture a été déplacé ou modifié depuis sa vérification : déposez-le à nouveau.".into(),
            MadeError::AlreadyEInvoice(_) => "Cette facture porte déjà une facture électronique.".into(),
            MadeError::Write(e) => format!("Le Factur-X ne peut pas être écrit : {e}"),
            MadeError::Refused { refusal, .. } => match refusal {
                MadeRefusal::AlreadyLeft { .. } => "La facture est déjà partie (ou en file d'envoi) : son Factur-X serait un second envoi.".into(),
                MadeRefusal::NotAccepted => "Le Factur-X fabriqué n'a pas passé la vérification.".into(),
                MadeRefusal::Known => "Ce Factur-X est déjà enregistré.".into(),
                MadeRefusal::NoInvoice => "Facture introuvable.".into(),
            },
        }
    }
}

/// A draft for review: the invoice in EN 16931 terms and what it lacks.
#[derive(Debug, Clone)]
pub struct Draft {
    pub invoice: Invoice,
    pub missing: Vec<Missing>,
}

/// A made and recorded Factur-X.
#[derive(Debug, Clone, Serialize)]
pub struct MadeRecord {
    /// The invoice (the same row, now on the made document).
    pub invoice_id: i64,
    pub document_id: i64,
    /// Where the made file was written.
    pub path: PathBuf,
}

/// The bytes of invoice `id`'s file, only while it holds the checked
/// content (its own path, or the outbox's copy).
fn plain_bytes(store: &Store, home: &Path, id: i64) -> Result<(Vec<u8>, PathBuf), MadeError> {
    let inv = store.invoice(id)?.ok_or(MadeError::NoInvoice(id))?;
    let candidates = [
        PathBuf::from(&inv.path),
        home.join("outbox").join(format!("{}.pdf", inv.sha256)),
    ];
    candidates
        .into_iter()
        .find_map(|p| {
            let b = std::fs::read(&p).ok()?;
            (crate::hex::sha256(&b) == inv.sha256).then_some((b, PathBuf::from(&inv.path)))
        })
        .ok_or(MadeError::FileGone(id))
}

fn refuse_einvoice(bytes: &[u8], id: i64) -> Result<(), MadeError> {
    let budget =
        crate::pdf::Budget::new(std::time::Instant::now() + std::time::Duration::from_secs(10));
    if let Ok(doc) = crate::pdf::load(bytes, &budget)
        && crate::pdf::attachments(&doc, &budget)
            .iter()
            .any(|a| make::pdfa::is_einvoice_name(&a.name))
    {
        return Err(MadeError::AlreadyEInvoice(id));
    }
    Ok(())
}

/// The draft of invoice `id`'s Factur-X: its PDF read (with the learned
/// layouts), completed from « Mon entreprise » and the directory.
pub fn draft_for_invoice(store: &Store, home: &Path, id: i64) -> Result<Draft, MadeError> {
    let (bytes, _) = plain_bytes(store, home, id)?;
    refuse_einvoice(&bytes, id)?;
    let layouts = crate::mirror::learned::layouts(store).unwrap_or_default();
    let reading = crate::read::read_bytes(&bytes, &layouts)
        .map_err(|e| MadeError::Make(MakeError::Read(e)))?;
    let invoice = make::draft_reading(store, &reading)?;
    let missing = cii::missing(&invoice);
    Ok(Draft { invoice, missing })
}

/// A free name for the made file of `original` in `dir`:
/// `<stem>-factur-x.pdf`, then `<stem>-factur-x-2.pdf`…
fn made_path(dir: &Path, original: &Path) -> PathBuf {
    let stem = original
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("facture");
    (1..)
        .map(|i| {
            let name = if i == 1 {
                format!("{stem}-factur-x.pdf")
            } else {
                format!("{stem}-factur-x-{i}.pdf")
            };
            dir.join(name)
        })
        .find(|p| !p.exists())
        .expect("an unbounded range always yields")
}

/// Makes invoice `id`'s Factur-X from the owner's `draft`, writes it under
/// `home/factur-x/`, checks it as any file and records it in place of the
/// plain PDF. Refuses with every missing term or failed rule, and while the
/// plain PDF's invoice has already left.
pub fn make_for_invoice(
    store: &mut Store,
    home: &Path,
    id: i64,
    draft: &Invoice,
    now_ms: i64,
) -> Result<MadeRecord, MadeError> {
    let (bytes, original) = plain_bytes(store, home, id)?;
    refuse_einvoice(&bytes, id)?;
    let made = make::make(&bytes, draft, now_ms / 1000)?;
    let dir = home.join("factur-x");
    std::fs::create_dir_all(&dir)?;
    let path = made_path(&dir, &original);
    crate::home::write_private(&path, &made.pdf)?;
    let opts = Options {
        layouts: std::sync::Arc::new(crate::mirror::learned::layouts(store).unwrap_or_default()),
        ..Options::default()
    };
    let report = check::check_bytes(&path, made.pdf.len() as u64, &made.pdf, &opts);
    let name = original
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let note = format!("Factur-X créé depuis le PDF « {name} »");
    match store.record_made(id, &report, &note, now_ms)? {
        Ok(rec) => Ok(MadeRecord {
            invoice_id: id,
            document_id: rec.document_id,
            path,
        }),
        Err(refusal) => {
            // Nothing recorded: the written file goes too.
            let _ = std::fs::remove_file(&path);
            Err(MadeError::Refused {
                invoice: id,
                refusal,
            })
        }
    }
}

/// A watched folder set to make the Factur-X: a plain PDF the check
/// accepts is recorded, drafted and — when every value is sure and the
/// official rules pass — made and then taken to `destination` like any
/// invoice; otherwise it is held for the owner's review (« Créer le
/// Factur-X » in the window), with the reason. Anything else (an e-invoice
/// already, a blocked file, a known content) goes through the pipeline as
/// usual. Only store, routing and outbox errors are errors.
pub fn take_making(
    store: &mut Store,
    home: &Path,
    report: &mut check::Report,
    destination: Destination<'_>,
    lookup: &dyn DirectoryLookup,
    now_ms: i64,
) -> Result<Taken, PipelineError> {
    let plain = report.accepted()
        && report.structured.is_none()
        && report.path.to_ascii_lowercase().ends_with(".pdf");
    let request = |input, destination| pipeline::Request {
        input,
        destination,
        annexes: &[],
        once: true,
    };
    if !plain {
        return pipeline::take(
            store,
            home,
            request(Input::Report(report), destination),
            lookup,
            now_ms,
        );
    }
    let recorded = pipeline::take(
        store,
        home,
        request(Input::Report(report), Destination::CheckOnly),
        lookup,
        now_ms,
    )?;
    let Some(id) = recorded
        .outcome
        .invoice_id()
        .filter(|_| recorded.recorded.is_some())
    else {
        return Ok(recorded);
    };
    let why = match draft_for_invoice(store, home, id) {
        Ok(d) if d.missing.is_empty() && make::draft::all_sure(&d.invoice) => {
            match make_for_invoice(store, home, id, &d.invoice, now_ms) {
                Ok(_) => {
                    let mut sent = pipeline::take(
                        store,
                        home,
                        pipeline::Request {
                            input: Input::Invoice(id),
                            destination,
                            annexes: &[],
                            once: false,
                        },
                        lookup,
                        now_ms,
                    )?;
                    sent.recorded = recorded.recorded;
                    return Ok(sent);
                }
                Err(MadeError::Store(e)) => return Err(e.into()),
                Err(e) => Msg::new(
                    &format!("Factur-X non créé : {}", e.message_fr()),
                    &format!("Factur-X not made: {e}"),
                ),
            }
        }
        Ok(d) if !d.missing.is_empty() => Msg::new(
            &format!(
                "Factur-X à compléter avant l'envoi : {}",
                d.missing
                    .iter()
                    .map(|m| m.fr.as_str())
                    .collect::<Vec<_>>()
                    .join(" ; ")
            ),
            &format!(
                "Factur-X to complete before sending: {}",
                d.missing
                    .iter()
                    .map(|m| m.en.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        ),
        Ok(_) => Msg::new(
            "Factur-X à vérifier avant l'envoi : des valeurs lues ne sont pas sûres (ouvrez la facture, « Créer le Factur-X »)",
            "Factur-X to review before sending: some values read are not sure (open the invoice, « Créer le Factur-X »)",
        ),
        Err(MadeError::Store(e)) => return Err(e.into()),
        Err(e) => Msg::new(
            &format!("Factur-X non créé : {}", e.message_fr()),
            &format!("Factur-X not made: {e}"),
        ),
    };
    Ok(Taken {
        outcome: Outcome::Held {
            invoice_id: id,
            why,
        },
        ..recorded
    })
}
