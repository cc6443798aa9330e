//! The one path from a checked file to a queued invoice, shared by every
//! way files come in: `facteur submit` and `facteur check`, the window (a
//! drop is checked and recorded, « Envoyer » queues) and the watched
//! folders. Each caller checks the file (or names an invoice already
//! recorded), says where it should go, calls [`take`] and presents the
//! [`Taken`] it gets back.
//!
//! Where an invoice goes ([`Destination`]): nowhere (check only), a given
//! account, where routing sends it by the customer directory, or as the
//! correction of a rejected invoice. Routing to a plateforme agréée first
//! asks its Directory service whether the customer can receive, when the
//! answer cached in the store is missing or older than a day; the network
//! call is the caller's [`DirectoryLookup`] (the pipeline itself is
//! synchronous and opens no connection of its own).
//!
//! The exact checked bytes are copied into the outbox first (verified by
//! SHA-256); then recording the check and opening the attempt are one store
//! transaction ([`Store::record_check_and_queue`]), so a recorded check of a
//! file meant to be sent is always queued with it: a busy database, a full
//! disk or a kill between the two leaves neither.
//!
//! Deliberately not here: checking files (the caller passes the
//! [`Report`]), sending (the outbox's `run`, which the caller works),
//! watching folders ([`crate::intake::watch`]) and any wording for a
//! particular screen — the outcome is data, with the reasons in French and
//! English.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::check::facts::{FactKey, Facts};
use crate::check::finding::{self, Severity};
use crate::check::{Report, StructuredSummary, rules};
use crate::mirror::store::{DuplicateKind, QueueWith, Recorded, Store, StoreError, SubmitDecision};
use crate::send::accounts::{self, Account, AccountError, Kind as AccountKind, SecretStore};
use crate::send::channel::ChannelError;
use crate::send::channel::afnor::AfnorChannel;
use crate::send::directory::Msg;
use crate::send::outbox::{self, Enqueued, OutboxError};
use crate::send::plateforme::{self, DIRECTORY_MAX_AGE_MS, PlateformeError};
use crate::send::route::{self, RouteError, Target};

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Outbox(#[from] OutboxError),
    #[error("routing could not be decided: {0}")]
    Route(#[from] RouteError),
    #[error(transparent)]
    Account(#[from] AccountError),
}

type Result<T> = std::result::Result<T, PipelineError>;

/// Asks a plateforme agréée's Directory service whether a customer can
/// receive e-invoices, and caches the answer in the store
/// ([`plateforme::lookup`]). The pipeline calls it only when routing chose
/// a plateforme and the cached answer is missing or older than a day.
pub trait DirectoryLookup {
    fn lookup(
        &self,
        store: &mut Store,
        account: &Account,
        siren: &str,
        now_ms: i64,
    ) -> std::result::Result<(), PlateformeError>;
}

/// Never asks: routing uses whatever answer the store has cached.
pub struct NoLookup;

impl DirectoryLookup for NoLookup {
    fn lookup(
        &self,
        _: &mut Store,
        _: &Account,
        _: &str,
        _: i64,
    ) -> std::result::Result<(), PlateformeError> {
        Ok(())
    }
}

/// Asks the account's plateforme over the network, its secrets read from
/// `secrets`, on a runtime of its own built for the call.
pub struct PlateformeLookup<'a> {
    pub secrets: &'a (dyn SecretStore + Sync),
}

impl DirectoryLookup for PlateformeLookup<'_> {
    fn lookup(
        &self,
        store: &mut Store,
        account: &Account,
        siren: &str,
        now_ms: i64,
    ) -> std::result::Result<(), PlateformeError> {
        let channel = AfnorChannel::from_account(account, self.secrets)?;
        let run = |store: &mut Store| {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| {
                    PlateformeError::Channel(ChannelError::Unreachable(format!(
                        "the network runtime could not start: {e}"
                    )))
                })?;
            rt.block_on(plateforme::lookup(
                store,
                &channel,
                siren,
                DIRECTORY_MAX_AGE_MS,
                now_ms,
            ))
            .map(|_| ())
        };
        if tokio::runtime::Handle::try_current().is_ok() {
            // Called from inside a runtime: a runtime cannot be started on
            // this thread, so the call gets a thread of its own.
            std::thread::scope(|s| s.spawn(|| run(store)).join()).unwrap_or_else(|_| {
                Err(PlateformeError::Channel(ChannelError::Unreachable(
                    "the directory lookup stopped unexpectedly".into(),
                )))
            })
        } else {
            run(store)
        }
    }
}

/// What comes in.
#[derive(Debug)]
pub enum Input<'a> {
    /// A checked file: its check is recorded here, and the store's
    /// duplicate findings are added to the report.
    Report(&'a mut Report),
    /// An invoice already recorded, by its id (the window's « Envoyer »).
    Invoice(i64),
}

/// Where an invoice should go.
#[derive(Debug, Clone, Copy)]
pub enum Destination<'a> {
    /// Nowhere: the check is recorded, nothing is queued.
    CheckOnly,
    /// Through this account.
    Account(&'a Account),
    /// Where routing sends it by the customer directory; `default` is the
    /// account used while the directory is empty (the built-in
    /// demonstration account when `None`).
    Routed { default: Option<&'a str> },
    /// As the correction of the rejected invoice `of`, through `account`.
    Correction { of: i64, account: &'a Account },
}

impl Destination<'_> {
    fn sends(&self) -> bool {
        !matches!(self, Destination::CheckOnly)
    }
}

/// One file or invoice to take.
#[derive(Debug)]
pub struct Request<'a> {
    pub input: Input<'a>,
    pub destination: Destination<'a>,
    /// Files that go with the invoice (copied into the outbox with it).
    pub annexes: &'a [PathBuf],
    /// A content already in the store is not recorded again (watched
    /// folders: a rescan or a re-export takes nothing twice). Such a file
    /// is still queued when its invoice may leave and never had an
    /// attempt (a check recorded before its folder was set to submit, or
    /// by an earlier version that recorded and queued apart).
    pub once: bool,
}

/// What became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// In the outbox for `account`.
    Queued {
        invoice_id: i64,
        submission_id: i64,
        account: String,
    },
    /// Routing holds it (different customers, a requirement not met, the
    /// directory says the customer cannot receive, nobody to send it to):
    /// not sent, and why.
    Held { invoice_id: i64, why: Msg },
    /// Its check found an error: fix the file first.
    Blocked { invoice_id: Option<i64>, why: Msg },
    /// The store's rules say no: already sent, or another invoice with the
    /// same seller and number is at a portal or was rejected.
    Refused {
        invoice_id: i64,
        decision: SubmitDecision,
    },
    /// The file carries no invoice number: nothing to send.
    NoInvoice,
    /// The file changed on disk since it was checked: not queued.
    Changed,
    /// The content was already in the store ([`Request::once`]): nothing
    /// new recorded, nothing queued.
    Known { invoice_id: Option<i64> },
    /// Checked and recorded, not meant to be sent (check only).
    Recorded { invoice_id: Option<i64> },
}

impl Outcome {
    /// The invoice it is about, when there is one.
    pub fn invoice_id(&self) -> Option<i64> {
        match self {
            Outcome::Queued { invoice_id, .. }
            | Outcome::Held { invoice_id, .. }
            | Outcome::Refused { invoice_id, .. } => Some(*invoice_id),
            Outcome::Blocked { invoice_id, .. }
            | Outcome::Known { invoice_id }
            | Outcome::Recorded { invoice_id } => *invoice_id,
            Outcome::NoInvoice | Outcome::Changed => None,
        }
    }

    /// Why it was not queued, in both languages (`None` when queued, or
    /// when nothing was asked).
    pub fn why_not(&self) -> Option<Msg> {
        Some(match self {
            Outcome::Held { why, .. } | Outcome::Blocked { why, .. } => why.clone(),
            Outcome::Refused { decision, .. } => decision_msg(decision),
            Outcome::NoInvoice => Msg::new(
                "aucun numéro de facture lu : rien à envoyer",
                "no invoice number found: nothing to send",
            ),
            Outcome::Changed => Msg::new(
                "le fichier a changé depuis sa vérification : relancez",
                "the file changed since it was checked: run again",
            ),
            Outcome::Queued { .. } | Outcome::Known { .. } | Outcome::Recorded { .. } => {
                return None;
            }
        })
    }
}

/// What the store's refusal means, in both languages.
pub fn decision_msg(d: &SubmitDecision) -> Msg {
    match d {
        SubmitDecision::Allowed => Msg::new("peut partir", "may be sent"),
        SubmitDecision::CheckFailed => Msg::new(
            "bloquée par la vérification (voir `facteur check`)",
            "blocked by the check (see `facteur check`)",
        ),
        SubmitDecision::AlreadySubmitted { status } => Msg::new(
            &format!(
                "déjà envoyée ({}) : jamais deux fois",
                status.label(finding::Lang::Fr)
            ),
            &format!(
                "already sent ({}): never twice",
                status.label(finding::Lang::En)
            ),
        ),
        SubmitDecision::NumberMissing => Msg::new(
            "numéro de facture à saisir : aucun numéro n'a été lu dans le fichier",
            "invoice number to type: no number was read in the file",
        ),
        SubmitDecision::Duplicate(d) => Msg::new(
            &format!(
                "même numéro que la facture #{} ({})",
                d.other_id, d.other_number
            ),
            &format!(
                "same number as invoice #{} ({})",
                d.other_id, d.other_number
            ),
        ),
    }
}

/// One file or invoice taken.
#[derive(Debug, Clone, Serialize)]
pub struct Taken {
    /// The file as checked, or where the recorded invoice was found.
    pub path: String,
    pub number: Option<String>,
    /// What recording the check did; `None` when nothing was recorded (an
    /// invoice given by id, a content already known).
    pub recorded: Option<Recorded>,
    /// The check passed and the store's duplicate rules do not block it.
    pub accepted: bool,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// Takes one checked file or recorded invoice to where `req` says.
pub fn take(
    store: &mut Store,
    home: &Path,
    req: Request<'_>,
    lookup: &dyn DirectoryLookup,
    now_ms: i64,
) -> Result<Taken> {
    match req.input {
        Input::Invoice(id) => {
            let Some(inv) = store.invoice(id)? else {
                return Ok(Taken {
                    path: String::new(),
                    number: None,
                    recorded: None,
                    accepted: false,
                    outcome: Outcome::NoInvoice,
                });
            };
            let outcome = send_recorded(
                store,
                home,
                id,
                None,
                req.destination,
                req.annexes,
                lookup,
                now_ms,
            )?;
            Ok(Taken {
                accepted: accepted_by_store(store, id)?,
                path: inv.path,
                number: Some(inv.number),
                recorded: None,
                outcome,
            })
        }
        Input::Report(report) => take_report(
            store,
            home,
            report,
            req.destination,
            req.annexes,
            req.once,
            lookup,
            now_ms,
        ),
    }
}

/// Whether the store's rules let a recorded invoice through (its check
/// passed, no duplicate blocks it), whatever became of it since.
fn accepted_by_store(store: &Store, invoice_id: i64) -> Result<bool> {
    Ok(!matches!(
        store.can_submit(invoice_id)?,
        SubmitDecision::CheckFailed | SubmitDecision::Duplicate(_)
    ))
}

/// What will be queued with the check, decided before its transaction.
enum Plan {
    /// Nothing (check only, blocked by the check, no number, known and not
    /// allowed).
    Nothing,
    Queue {
        account: Account,
        recipient: Option<String>,
        payload: outbox::Payload,
    },
    Held(Msg),
    Changed,
}

#[allow(clippy::too_many_arguments)]
fn take_report(
    store: &mut Store,
    home: &Path,
    report: &mut Report,
    destination: Destination<'_>,
    annexes: &[PathBuf],
    once: bool,
    lookup: &dyn DirectoryLookup,
    now_ms: i64,
) -> Result<Taken> {
    let number = report.facts.get(FactKey::InvoiceNumber).map(str::to_string);
    let known = match report.sha256.as_deref() {
        Some(sha) => store.document_by_sha(sha)?,
        None => None,
    };
    let known_invoice = match known {
        Some(doc) => store.invoice_of_document(doc)?,
        None => None,
    };
    if once && known.is_some() {
        let mut outcome = Outcome::Known {
            invoice_id: known_invoice,
        };
        if let Some(id) = known_invoice
            && destination.sends()
            && store.can_submit(id)? == SubmitDecision::Allowed
            && store.submissions(id)?.is_empty()
        {
            outcome = send_recorded(
                store,
                home,
                id,
                Some(report),
                destination,
                annexes,
                lookup,
                now_ms,
            )?;
        }
        let accepted = match known_invoice {
            Some(id) => accepted_by_store(store, id)?,
            None => report.accepted(),
        };
        return Ok(Taken {
            path: report.path.clone(),
            number,
            recorded: None,
            accepted,
            outcome,
        });
    }
    if let Destination::Correction { of, .. } = destination {
        outbox::check_correction(store, of, number.as_deref())?;
    }
    // Only what may leave is routed (and copied): a blocked invoice says
    // why it is blocked, not where it would have gone.
    let may_leave = destination.sends()
        && report.accepted()
        && number.is_some()
        && match known_invoice {
            Some(id) => store.can_submit(id)? == SubmitDecision::Allowed,
            None => true,
        };
    let plan = match (may_leave, report.sha256.clone()) {
        (true, Some(sha)) => {
            let form = route::Form::of(report);
            match plan_target(
                store,
                &report.facts,
                form,
                report.structured.as_ref(),
                destination,
                lookup,
                now_ms,
            )? {
                Err(why) => Plan::Held(why),
                Ok(target) => {
                    let (account, recipient) = outbox::destination(store, Some(target.to()))?;
                    match outbox::copy_payload(home, Path::new(&report.path), &sha, annexes)? {
                        Some(payload) => Plan::Queue {
                            account,
                            recipient,
                            payload,
                        },
                        None => Plan::Changed,
                    }
                }
            }
        }
        _ => Plan::Nothing,
    };
    let corrects = match destination {
        Destination::Correction { of, .. } => Some(of),
        _ => None,
    };
    let queue = match &plan {
        Plan::Queue {
            account,
            recipient,
            payload,
        } => Some(QueueWith {
            kind: match corrects {
                Some(of) => outbox::Kind::Correction { of },
                None => outbox::Kind::Submit,
            }
            .as_str(),
            channel: account.kind.as_str(),
            account: &account.name,
            payload: &payload.path,
            annexes: payload.annexes.as_deref(),
            recipient: recipient.as_deref(),
            corrects,
        }),
        _ => None,
    };
    let done = store.record_check_and_queue(report, queue.as_ref(), now_ms)?;
    let was_accepted = report.accepted();
    if let Some(d) = &done.recorded.duplicate {
        report.push(match d.kind {
            DuplicateKind::AtPortal => finding::duplicate(d.other_id, &d.other_number),
            DuplicateKind::RejectedNumber => {
                finding::rejected_number_reused(d.other_id, &d.other_number)
            }
            DuplicateKind::NotSentYet => finding::same_number_not_sent(d.other_id, &d.other_number),
        });
    }
    let accepted = was_accepted
        && !matches!(
            done.decision,
            Some(SubmitDecision::CheckFailed | SubmitDecision::Duplicate(_))
        );
    let invoice_id = done.recorded.invoice_id;
    let outcome = match (&plan, done.submission_id, invoice_id) {
        (Plan::Queue { account, .. }, Some(submission_id), Some(invoice_id)) => Outcome::Queued {
            invoice_id,
            submission_id,
            account: account.name.clone(),
        },
        _ if !destination.sends() => Outcome::Recorded { invoice_id },
        (_, _, None) if was_accepted => Outcome::NoInvoice,
        (_, _, None) => Outcome::Blocked {
            invoice_id: None,
            why: blocked_why(report),
        },
        (plan, _, Some(id)) => match done.decision {
            Some(SubmitDecision::CheckFailed) => Outcome::Blocked {
                invoice_id: Some(id),
                why: blocked_why(report),
            },
            Some(SubmitDecision::Allowed) | None => match plan {
                Plan::Held(why) => Outcome::Held {
                    invoice_id: id,
                    why: why.clone(),
                },
                Plan::Changed => Outcome::Changed,
                // Allowed, yet nothing was planned: another process
                // changed the invoice meanwhile; the next take decides.
                _ => Outcome::Recorded {
                    invoice_id: Some(id),
                },
            },
            Some(decision) => Outcome::Refused {
                invoice_id: id,
                decision,
            },
        },
    };
    Ok(Taken {
        path: report.path.clone(),
        number,
        recorded: Some(done.recorded),
        accepted,
        outcome,
    })
}

/// Why the check blocks a file: its blocking findings' codes.
fn blocked_why(report: &Report) -> Msg {
    let codes: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.code.as_str())
        .collect();
    let codes = codes.join(", ");
    Msg::new(
        &format!("bloquée par la vérification ({codes}) : voir `facteur check`"),
        &format!("blocked by the check ({codes}): see `facteur check`"),
    )
}

/// Queues an invoice already recorded. `report` is the file it was found
/// in again (a rescan), whose bytes are what is copied; otherwise its file
/// is read again from where it was first found.
#[allow(clippy::too_many_arguments)]
fn send_recorded(
    store: &mut Store,
    home: &Path,
    invoice_id: i64,
    report: Option<&Report>,
    destination: Destination<'_>,
    annexes: &[PathBuf],
    lookup: &dyn DirectoryLookup,
    now_ms: i64,
) -> Result<Outcome> {
    if !destination.sends() {
        return Ok(Outcome::Recorded {
            invoice_id: Some(invoice_id),
        });
    }
    // The corrected invoice the user announced for a rejected one goes as
    // its correction, wherever it goes.
    let kind = match destination {
        Destination::Correction { of, .. } => outbox::Kind::Correction { of },
        _ => match store.corrects(invoice_id)? {
            Some(of) => outbox::Kind::Correction { of },
            None => outbox::Kind::Submit,
        },
    };
    match store.can_submit(invoice_id)? {
        SubmitDecision::Allowed => {}
        SubmitDecision::CheckFailed => {
            let why = match report {
                Some(r) => blocked_why(r),
                None => decision_msg(&SubmitDecision::CheckFailed),
            };
            return Ok(Outcome::Blocked {
                invoice_id: Some(invoice_id),
                why,
            });
        }
        decision => {
            return Ok(Outcome::Refused {
                invoice_id,
                decision,
            });
        }
    }
    let facts = match report {
        Some(r) => Some((r.facts.clone(), route::Form::of(r))),
        None => facts_of(store, invoice_id)?,
    };
    let Some((facts, form)) = facts else {
        return Ok(Outcome::NoInvoice);
    };
    let structured = match report {
        Some(r) => r.structured.clone(),
        None => structured_of(store, invoice_id)?,
    };
    let target = match plan_target(
        store,
        &facts,
        form,
        structured.as_ref(),
        destination,
        lookup,
        now_ms,
    )? {
        Ok(t) => t,
        Err(why) => return Ok(Outcome::Held { invoice_id, why }),
    };
    let invoice = match report {
        Some(report) => outbox::Invoice::Checked {
            report,
            invoice_id: Some(invoice_id),
        },
        None => outbox::Invoice::Recorded(invoice_id),
    };
    let req = outbox::Request {
        invoice,
        to: Some(target.to()),
        kind,
        annexes,
    };
    Ok(match outbox::enqueue(store, home, &req, now_ms)? {
        Enqueued::Queued {
            invoice_id,
            submission_id,
            account,
        } => Outcome::Queued {
            invoice_id,
            submission_id,
            account,
        },
        Enqueued::Refused(SubmitDecision::CheckFailed) => Outcome::Blocked {
            invoice_id: Some(invoice_id),
            why: decision_msg(&SubmitDecision::CheckFailed),
        },
        Enqueued::Refused(decision) => Outcome::Refused {
            invoice_id,
            decision,
        },
        Enqueued::NoInvoice => Outcome::NoInvoice,
        Enqueued::Changed => Outcome::Changed,
    })
}

/// The facts of an invoice's latest recorded check, and the form of its
/// file (PDF or standalone XML).
fn facts_of(store: &Store, invoice_id: i64) -> Result<Option<(Facts, route::Form)>> {
    let Some(inv) = store.invoice(invoice_id)? else {
        return Ok(None);
    };
    Ok(store.latest_report(inv.document_id)?.and_then(|mut v| {
        let form = route::Form::of_json(&v);
        serde_json::from_value(v["facts"].take())
            .ok()
            .map(|f| (f, form))
    }))
}

/// What the official rules said of an invoice's structured XML, at its
/// latest recorded check.
fn structured_of(store: &Store, invoice_id: i64) -> Result<Option<StructuredSummary>> {
    let Some(inv) = store.invoice(invoice_id)? else {
        return Ok(None);
    };
    Ok(store
        .latest_report(inv.document_id)?
        .and_then(|mut v| serde_json::from_value(v["structured"].take()).ok()))
}

/// A structured invoice the official rules reject (or could not fully
/// check) never goes where structured invoices are taken: a plateforme
/// agréée, or Chorus Pro, which receives a Factur-X as a structured flow.
/// Other channels take the PDF as a document and are not held.
pub fn rules_hold(kind: AccountKind, structured: Option<&StructuredSummary>) -> Option<Msg> {
    let s = structured?;
    if !matches!(kind, AccountKind::Plateforme | AccountKind::ChorusPro)
        || s.verdict != rules::Verdict::Invalid
    {
        return None;
    }
    let mut ids: Vec<&str> = s
        .rules
        .iter()
        .filter(|f| f.flag == rules::Flag::Fatal)
        .map(|f| f.id.as_str())
        .chain(s.unevaluated.iter().map(|u| u.id.as_str()))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let list = if ids.is_empty() {
        String::new()
    } else {
        format!(" ({})", ids.join(", "))
    };
    Some(Msg::new(
        &format!(
            "la facture électronique enfreint les règles officielles{list} : la plateforme la rejetterait, corrigez-la dans votre logiciel"
        ),
        &format!(
            "the e-invoice breaks the official rules{list}: the platform would reject it; correct it in your software"
        ),
    ))
}

/// Where a planned invoice goes.
enum Planned {
    Account(Account),
    Routed(Target),
}

impl Planned {
    fn to(&self) -> outbox::To<'_> {
        match self {
            Planned::Account(a) => outbox::To::Account(a),
            Planned::Routed(t) => outbox::To::Routed(t),
        }
    }
}

/// Where an invoice with these facts goes, or why routing holds it. A
/// plateforme's directory is asked first when its cached answer about the
/// customer is missing or stale. A standalone XML invoice is held for an
/// account that cannot take it, whether routing chose it or the caller.
#[allow(clippy::too_many_arguments)]
fn plan_target(
    store: &mut Store,
    facts: &Facts,
    form: route::Form,
    structured: Option<&StructuredSummary>,
    destination: Destination<'_>,
    lookup: &dyn DirectoryLookup,
    now_ms: i64,
) -> Result<std::result::Result<Planned, Msg>> {
    let planned = match route_target(store, facts, form, destination, lookup, now_ms)? {
        Ok(p) => p,
        Err(why) => return Ok(Err(why)),
    };
    let kind = match &planned {
        Planned::Account(a) => a.kind,
        Planned::Routed(t) => accounts::resolve(store, Some(&t.account))?.kind,
    };
    Ok(match rules_hold(kind, structured) {
        Some(why) => Err(why),
        None => Ok(planned),
    })
}

fn route_target(
    store: &mut Store,
    facts: &Facts,
    form: route::Form,
    destination: Destination<'_>,
    lookup: &dyn DirectoryLookup,
    now_ms: i64,
) -> Result<std::result::Result<Planned, Msg>> {
    let default = match destination {
        Destination::Account(a) | Destination::Correction { account: a, .. } => {
            if form == route::Form::Xml
                && let Some(why) = crate::send::channel::xml_refused(a.kind, &a.name)
            {
                return Ok(Err(why));
            }
            return Ok(Ok(Planned::Account(a.clone())));
        }
        Destination::Routed { default } => default,
        Destination::CheckOnly => {
            return Ok(Err(Msg::new(
                "contrôle seul : rien à envoyer",
                "check only: nothing to send",
            )));
        }
    };
    let mut routing = route::route_form(store, facts, form, default)?;
    if let Some(t) = routing.decision.target()
        && refresh_directory(store, &t.account.clone(), facts, lookup, now_ms)
    {
        routing = route::route_form(store, facts, form, default)?;
    }
    Ok(match routing.decision {
        route::Decision::Send { target, .. } => Ok(Planned::Routed(target)),
        other => Err(other.why().clone()),
    })
}

/// Asks the plateforme's directory about the invoice's buyer when
/// `account` is a plateforme agréée and the cached answer is missing or
/// stale; true when a new answer was cached. A directory that cannot be
/// reached is said in the log and holds nothing (the plateforme itself
/// answers for an unreachable customer).
fn refresh_directory(
    store: &mut Store,
    account: &str,
    facts: &Facts,
    lookup: &dyn DirectoryLookup,
    now_ms: i64,
) -> bool {
    let Ok(account) = accounts::resolve(store, Some(account)) else {
        return false;
    };
    let Some(siren) = route::buyer_siren(facts) else {
        return false;
    };
    if account.kind != AccountKind::Plateforme {
        return false;
    }
    if let Ok(Some(r)) = plateforme::recipient(store, &siren)
        && now_ms - r.checked_ms < DIRECTORY_MAX_AGE_MS
    {
        return false;
    }
    match lookup.lookup(store, &account, &siren, now_ms) {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(
                account = %account.name,
                siren = %siren,
                "the plateforme's directory could not be asked: {e}"
            );
            false
        }
    }
}

#[cfg(test)]
mod rules_hold_tests {
    use super::*;
    use crate::check::rules::{Failure, Flag, RuleSet, Verdict};

    fn summary(verdict: Verdict, fatal: &[&str]) -> StructuredSummary {
        StructuredSummary {
            syntax: "CII".into(),
            profile: None,
            file_name: "factur-x.xml".into(),
            container: Vec::new(),
            verdict,
            rules: fatal
                .iter()
                .map(|id| Failure {
                    id: id.to_string(),
                    flag: Flag::Fatal,
                    set: RuleSet::BrFr,
                    bt: None,
                    location: "/".into(),
                    value: None,
                    message: String::new(),
                    test: String::new(),
                })
                .collect(),
            unevaluated: Vec::new(),
        }
    }

    #[test]
    fn an_invalid_e_invoice_is_held_only_where_e_invoices_are_taken() {
        let bad = summary(Verdict::Invalid, &["BR-FR-05_BT-22_PMT", "BR-CO-10"]);
        for kind in [AccountKind::Plateforme, AccountKind::ChorusPro] {
            let why = rules_hold(kind, Some(&bad)).expect("held");
            assert!(
                why.fr.contains("BR-CO-10, BR-FR-05_BT-22_PMT"),
                "{}",
                why.fr
            );
            assert!(why.en.contains("official rules"), "{}", why.en);
        }
        for kind in [
            AccountKind::MailDeposit,
            AccountKind::Email,
            AccountKind::Print,
            AccountKind::Sandbox,
        ] {
            assert!(rules_hold(kind, Some(&bad)).is_none(), "{kind:?}");
        }
        let good = summary(Verdict::Valid, &[]);
        assert!(rules_hold(AccountKind::Plateforme, Some(&good)).is_none());
        assert!(rules_hold(AccountKind::Plateforme, None).is_none());
    }
}
