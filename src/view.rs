//! What the screens show, assembled from the store: the left rail's groups
//! with their counts, one page of the list, and everything the detail of
//! one invoice needs (its check, its timeline, its guidance). The desktop
//! shell and the command line both read these, so they never disagree.
//!
//! Deliberately not here: formatting for a human (the UI and `render` do
//! it), IPC or Tauri types, and any change to the data.

pub mod page;

use serde::{Deserialize, Serialize};

use crate::mirror::guidance::{self, Context, Guidance};
use crate::mirror::lifecycle::{Status, Vocabulary};
use crate::mirror::store::{
    self, Duplicate, EventRow, InvoiceRow, ListFilter, Store, StoreError, SubmissionRow,
};

/// The list's filters on the left rail, each a set of current statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// Needs the user: ready to send, held, to verify, rejected, suspended…,
    /// and refused only for « Mandat absent » (the one refusal with an action).
    ToDo,
    /// Files the check blocked (a scan, a signed or damaged PDF, not a PDF):
    /// kept in sight with what to do, and counted in « À traiter » too.
    Blocked,
    InProgress,
    Issued,
    Paid,
    Rejected,
    #[default]
    All,
}

impl Group {
    pub const ALL: [Group; 7] = [
        Group::ToDo,
        Group::Blocked,
        Group::InProgress,
        Group::Issued,
        Group::Paid,
        Group::Rejected,
        Group::All,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Group::ToDo => "to_do",
            Group::Blocked => "blocked",
            Group::InProgress => "in_progress",
            Group::Issued => "issued",
            Group::Paid => "paid",
            Group::Rejected => "rejected",
            Group::All => "all",
        }
    }

    /// The statuses in the group (empty: every status).
    pub fn statuses(self) -> Vec<Status> {
        use Status as S;
        match self {
            Group::ToDo => vec![
                S::Checked,
                S::Blocked,
                S::ToVerify,
                S::ToPost,
                S::Rejected,
                S::Suspended,
                S::RoutingError,
                S::Disputed,
                S::PartiallyApproved,
                S::Unknown,
                S::Refused,
            ],
            Group::Blocked => vec![S::Blocked],
            // Until the plateforme has issued it (201): after that, what
            // the customer's side does (received, made available, taken
            // over, approved…) follows an invoice that *is* issued, so the
            // « Émises » count agrees with a history saying « Émise ».
            Group::InProgress => vec![S::Queued, S::Sending, S::Deposited],
            Group::Issued => vec![
                S::Issued,
                S::Received,
                S::MadeAvailable,
                S::TakenOver,
                S::Completed,
                S::Approved,
                S::Endorsed,
                S::PaymentSent,
            ],
            Group::Paid => vec![S::Paid],
            Group::Rejected => vec![S::Rejected, S::Refused, S::Cancelled],
            Group::All => vec![],
        }
    }

    /// The group as a store filter (paging and other criteria added by the caller).
    pub fn filter(self) -> ListFilter {
        ListFilter {
            statuses: self.statuses(),
            refused_reason: (self == Group::ToDo).then(|| "MANDAT_ABSENT".to_string()),
            ..ListFilter::default()
        }
    }
}

/// How many invoices each group holds.
pub fn counts(store: &Store) -> Result<Vec<(Group, i64)>, StoreError> {
    Group::ALL
        .iter()
        .map(|g| Ok((*g, store.count(&g.filter())?)))
        .collect()
}

/// Everything the detail of one invoice shows.
#[derive(Debug, Clone, Serialize)]
pub struct Detail {
    pub invoice: InvoiceRow,
    /// The latest check report (the `--json` format), if any.
    pub report: Option<serde_json::Value>,
    pub events: Vec<EventRow>,
    pub submissions: Vec<SubmissionRow>,
    pub guidance: Guidance,
    pub duplicate: Option<Duplicate>,
    /// Its portal is the demonstration portal: label everything a simulation.
    pub simulation: bool,
    /// The corrected invoice announced for it, or the one it corrects.
    pub correction: Option<store::CorrectionLink>,
    /// For an invoice that may still be sent: where routing would send it,
    /// and why (or why it is held).
    pub routing: Option<crate::send::route::Routing>,
}

/// The detail of invoice `id`, `None` when there is no such invoice.
pub fn detail(store: &Store, id: i64, now_ms: i64) -> Result<Option<Detail>, StoreError> {
    let Some(invoice) = store.invoice(id)? else {
        return Ok(None);
    };
    let events = once_in_order(store.history(id)?);
    let submissions = store.submissions(id)?;
    let duplicate = store.duplicate_of(id)?;
    let report = store.latest_report(invoice.document_id)?;
    let last = events.iter().rev().find(|e| e.status.is_some());
    let vocab = last
        .and_then(|e| Vocabulary::parse(&e.vocabulary))
        .unwrap_or(Vocabulary::Local);
    let other = duplicate
        .as_ref()
        .map(|d| format!("#{} ({})", d.other_id, d.other_number));
    let since = std::time::Duration::from_millis((now_ms - invoice.status_since_ms).max(0) as u64);
    let guidance = guidance::guidance(&Context {
        vocab,
        status: invoice.status,
        reason_code: invoice.reason_code.as_deref(),
        raw_reason: last.and_then(|e| e.raw_reason.as_deref()),
        raw_status: last.map(|e| e.raw_status.as_str()),
        since: Some(since),
        duplicate_of: other.as_deref(),
    });
    let simulation = submissions.iter().any(|s| s.channel == "sandbox");
    let mut routing = if invoice.status == Status::Checked {
        crate::send::route::for_invoice(store, id).unwrap_or_else(|e| {
            tracing::warn!(invoice = id, "routing could not be decided: {e}");
            None
        })
    } else {
        None
    };
    // The same hold the pipeline applies: an e-invoice the official rules
    // reject is not ready for a channel that takes e-invoices.
    if let Some(r) = routing.as_mut()
        && let crate::send::route::Decision::Send { target, .. } = &r.decision
        && let Ok(account) = crate::send::accounts::resolve(store, Some(&target.account))
    {
        let structured: Option<crate::check::StructuredSummary> = report
            .as_ref()
            .and_then(|v| serde_json::from_value(v["structured"].clone()).ok());
        if let Some(why) = crate::intake::pipeline::rules_hold(account.kind, structured.as_ref()) {
            r.decision = crate::send::route::Decision::Held { why };
        }
    }
    let guidance = if invoice.status == Status::Checked {
        verdict(
            invoice.number.is_empty(),
            routing.as_ref().map(|r| &r.decision),
            guidance,
        )
    } else {
        guidance
    };
    Ok(Some(Detail {
        invoice,
        report,
        events,
        submissions,
        guidance,
        duplicate,
        simulation,
        correction: store.correction(id)?,
        routing,
    }))
}

/// What Facteur reads on a recorded invoice's PDF, in the standard's terms
/// (the `facteur read --json` objects: lines, VAT breakdown, totals…), with
/// the layouts the owner taught. The file is the one recorded, or its
/// outbox copy, and only when its bytes are still the checked ones; `None`
/// when neither is there any more (or it is no PDF the reader can open).
pub fn reading(
    store: &Store,
    home: &std::path::Path,
    id: i64,
) -> Result<Option<Vec<serde_json::Value>>, StoreError> {
    let Some(bytes) = checked_pdf(store, home, id)? else {
        return Ok(None);
    };
    let layouts = crate::mirror::learned::layouts(store).unwrap_or_default();
    Ok(crate::read::read_bytes(&bytes, &layouts).ok().map(|r| {
        r.invoices
            .iter()
            .map(crate::read::en16931::to_json)
            .collect()
    }))
}

/// The bytes of recorded invoice `id`'s file: the one recorded, or its
/// outbox copy, and only while they are still the checked ones; `None` when
/// neither is there any more (or there is no such invoice).
pub fn checked_pdf(
    store: &Store,
    home: &std::path::Path,
    id: i64,
) -> Result<Option<Vec<u8>>, StoreError> {
    let Some(inv) = store.invoice(id)? else {
        return Ok(None);
    };
    let candidates = [
        std::path::PathBuf::from(&inv.path),
        home.join("outbox").join(format!("{}.pdf", inv.sha256)),
    ];
    Ok(candidates.iter().find_map(|p| {
        let b = std::fs::read(p).ok()?;
        (crate::hex::sha256(&b) == inv.sha256).then_some(b)
    }))
}

/// The one verdict of a checked invoice, for the channel routing chose: a
/// file the check lets through is ready only if it has its number and where
/// it will go takes it (a plain PDF routed to a plateforme agréée does not),
/// and it is said once. `None`: routing could not be decided; the checked
/// guidance stands.
fn verdict(
    number_missing: bool,
    decision: Option<&crate::send::route::Decision>,
    checked: Guidance,
) -> Guidance {
    use crate::send::route::Decision;
    // Not ready: the same guidance without « Envoyer ».
    let not_ready = |what_fr: &str, what_en: &str, todo_fr: &str, todo_en: &str| Guidance {
        what_fr: what_fr.into(),
        what_en: what_en.into(),
        todo_fr: todo_fr.into(),
        todo_en: todo_en.into(),
        actions: checked
            .actions
            .iter()
            .copied()
            .filter(|a| *a != guidance::Action::Submit)
            .collect(),
    };
    if number_missing {
        return not_ready(
            "Numéro à saisir : aucun numéro de facture n'a été lu dans ce fichier.",
            "Number to type: no invoice number was read in this file.",
            "Tapez le numéro imprimé sur la facture ci-dessous : il sert à éviter les doublons et au suivi. Elle pourra partir ensuite.",
            "Type the number printed on the invoice below: it prevents duplicates and is used to follow it. It can go then.",
        );
    }
    match decision {
        Some(Decision::Send { why, .. }) => Guidance {
            what_fr: format!("Prête à envoyer : {}", why.fr),
            what_en: format!("Ready to send: {}", why.en),
            todo_fr:
                "Cliquez sur « Envoyer » : elle part une seule fois, et son suivi s'affiche ici."
                    .into(),
            todo_en: "Click \"Send\": it goes exactly once, and what happens next shows here."
                .into(),
            actions: checked.actions.clone(),
        },
        Some(Decision::Held { why } | Decision::Undeliverable { why }) => not_ready(
            "Pas prête à partir : elle n'est pas envoyée telle quelle.",
            "Not ready to go: it is not sent as it is.",
            &why.fr,
            &why.en,
        ),
        None => checked.clone(),
    }
}

/// Each event once, oldest first: a portal that answers the same status
/// again (a repeated pull, a replay that restates the refusal) adds a row
/// to the append-only table, not a line to the history.
fn once_in_order(mut events: Vec<EventRow>) -> Vec<EventRow> {
    events.sort_by_key(|e| (e.at_ms, e.id));
    let mut seen = std::collections::HashSet::new();
    events.retain(|e| {
        seen.insert((
            e.at_ms,
            e.raw_status.clone(),
            e.raw_reason.clone(),
            e.status,
            e.secondary,
        ))
    });
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mirror::store::{NewEvent, Source};

    #[test]
    fn every_group_but_all_names_statuses_and_to_do_keeps_only_mandate_refusals() {
        for g in Group::ALL {
            assert_eq!(g.statuses().is_empty(), g == Group::All, "{g:?}");
        }
        assert_eq!(
            Group::ToDo.filter().refused_reason.as_deref(),
            Some("MANDAT_ABSENT")
        );
        assert_eq!(Group::Rejected.filter().refused_reason, None);
        let json = serde_json::to_string(&Group::InProgress).unwrap();
        assert_eq!(json, "\"in_progress\"");
    }

    #[test]
    fn counts_follow_the_groups_and_refusals_split_by_reason() {
        let mut store = Store::open_in_memory().unwrap();
        let ids: Vec<i64> = (1..=3)
            .map(|n| {
                let mut r = crate::check::check_bytes(
                    std::path::Path::new("x.pdf"),
                    0,
                    &crate::demo::sample::invoice_pdf(
                        &crate::demo::sample::SampleInvoice::example(n),
                        false,
                    ),
                    &crate::check::Options::default(),
                );
                r.size_bytes = 1;
                r.sha256 = Some(format!("{n:064}"));
                store.record_check(&r, 0).unwrap().invoice_id.unwrap()
            })
            .collect();
        let refuse = |store: &mut Store, id, reason: &str| {
            store
                .append_event(
                    id,
                    &NewEvent {
                        at_ms: 10,
                        source: Source::PortalMail,
                        vocabulary: Vocabulary::Generix,
                        raw_status: "refusée".into(),
                        raw_reason: Some(reason.into()),
                        submission_id: None,
                    },
                    10,
                )
                .unwrap();
        };
        refuse(&mut store, ids[0], "Mandat absent");
        refuse(&mut store, ids[1], "Doublon");
        let c: std::collections::HashMap<Group, i64> =
            counts(&store).unwrap().into_iter().collect();
        // ids[2] is checked (to do); ids[0] refused for the mandate (to do);
        // ids[1] refused as a duplicate (closed, in "rejected" only).
        assert_eq!(c[&Group::ToDo], 2);
        assert_eq!(c[&Group::Rejected], 2);
        assert_eq!(c[&Group::All], 3);
        assert_eq!(c[&Group::Paid], 0);
        let d = detail(&store, ids[0], 20).unwrap().unwrap();
        assert_eq!(d.invoice.status, Status::Refused);
        assert!(
            d.guidance
                .actions
                .contains(&crate::mirror::guidance::Action::Replay)
        );
        assert!(detail(&store, 999, 0).unwrap().is_none());
    }
}
