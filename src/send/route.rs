//! Routing: which customer an invoice is for, and which channel reaches
//! that customer.
//!
//! The identifiers the checker read from the invoice are compared with the
//! customer directory in a fixed priority order — customer number, e-invoice
//! address, OVT, IBAN, GLN, organisation number (SIRET, then SIREN), VAT
//! number — and the first level that matches decides; the decision says
//! which identifier matched. Placeholders (« N/A », « 000000000 »…) and
//! identifiers with a wrong check digit are never used: a wrong identifier
//! could send the invoice to another company. For the same reason, when
//! identifiers of one invoice point to *different* customers, the invoice is
//! held, never sent.
//!
//! A customer reached through one of the supplier's accounts goes there. A
//! customer that only takes e-mail goes by direct e-mail, and one that wants
//! paper to the print folder, when the supplier enabled those fallbacks. An
//! invoice that matches nobody goes to print if that fallback is enabled,
//! otherwise it stops as undeliverable, saying what is missing. While the
//! directory is empty, routing is not in use and every invoice goes to the
//! default account, as before the directory existed.
//!
//! A standalone XML invoice (CII or UBL) goes only to a plateforme agréée:
//! routed anywhere else (a portal's mail deposit, Chorus Pro, the
//! demonstration portal, a direct e-mail, the print folder) it is held,
//! saying why ([`route_form`], [`crate::send::channel::xml_refused`]).
//!
//! Deliberately not here: reading PDFs (the checker's facts are the input),
//! sending (the outbox sends to the [`Target`] decided here), and the
//! plateforme agréée's directory lookup (a channel's precheck).

use serde::Serialize;

use crate::check::facts::{FactKey, Facts};
use crate::check::finding::Lang;
use crate::check::ident::IdKind;
use crate::mirror::store::Store;
use crate::send::accounts::SANDBOX_ACCOUNT;
use crate::send::accounts::{self, Kind};
use crate::send::directory::{self, Customer, DirectoryError, Level, Msg, Reach};

#[derive(Debug, thiserror::Error)]
pub enum RouteError {
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    #[error(transparent)]
    Account(#[from] accounts::AccountError),
}

type Result<T> = std::result::Result<T, RouteError>;

/// One identifier the invoice carries, and whether routing may use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    pub level: Level,
    /// The fact it came from (`buyer_siret`, `buyer_gln`…).
    pub fact: &'static str,
    /// As printed on the invoice.
    pub raw: String,
    /// Normalised, when usable.
    pub value: Option<String>,
    /// Why it is not used (placeholder, wrong check digit…).
    pub ignored: Option<Msg>,
}

/// A customer of the directory that one identifier points to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Match {
    pub level: Level,
    pub value: String,
    pub customer_id: i64,
    pub customer: String,
}

/// Where a routed invoice goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    /// The account that sends it.
    pub account: String,
    /// For a direct e-mail: the customer's address.
    pub recipient: Option<String>,
    pub via: Via,
}

/// The kind of delivery a [`Target`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// The customer's portal, through one of the supplier's accounts.
    Portal,
    /// The PDF by e-mail to the customer (no structured data).
    Email,
    /// On paper: the print folder.
    Print,
    /// The default account: the directory is empty, so routing is not in use.
    Default,
}

/// The outcome of routing one invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "decision")]
pub enum Decision {
    Send {
        target: Target,
        customer: Option<Match>,
        why: Msg,
    },
    /// Identifiers point to different customers, or the customer's
    /// requirements are not met: never sent as it is.
    Held { why: Msg },
    /// Nobody to send it to.
    Undeliverable { why: Msg },
}

impl Decision {
    pub fn why(&self) -> &Msg {
        match self {
            Decision::Send { why, .. }
            | Decision::Held { why }
            | Decision::Undeliverable { why } => why,
        }
    }

    pub fn target(&self) -> Option<&Target> {
        match self {
            Decision::Send { target, .. } => Some(target),
            _ => None,
        }
    }
}

/// The whole explanation: every identifier read, every customer it points
/// to, and the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Routing {
    pub candidates: Vec<Candidate>,
    pub matches: Vec<Match>,
    pub decision: Decision,
}

/// The invoice's facts for each level, in priority order. The organisation
/// level tries the SIRET before the SIREN.
const SOURCES: &[(Level, FactKey, Option<IdKind>)] = &[
    (Level::CustomerNumber, FactKey::BuyerCustomerNumber, None),
    (
        Level::ElectronicAddress,
        FactKey::BuyerElectronicAddress,
        None,
    ),
    (Level::Ovt, FactKey::BuyerOvt, Some(IdKind::Ovt)),
    (Level::Iban, FactKey::BuyerIban, Some(IdKind::Iban)),
    (Level::Gln, FactKey::BuyerGln, Some(IdKind::Gln)),
    (
        Level::Organisation,
        FactKey::BuyerSiret,
        Some(IdKind::Siret),
    ),
    (
        Level::Organisation,
        FactKey::BuyerSiren,
        Some(IdKind::Siren),
    ),
    (Level::Vat, FactKey::BuyerVat, Some(IdKind::Vat)),
];

/// The identifiers of an invoice, each usable or not.
pub fn candidates(facts: &Facts) -> Vec<Candidate> {
    SOURCES
        .iter()
        .filter_map(|&(level, key, kind)| {
            let raw = facts.get(key)?.to_string();
            let (value, ignored) = match directory::check_id(kind, &raw) {
                Ok(v) => (Some(v), None),
                Err((fr, en)) => (
                    None,
                    Some(Msg::new(
                        &format!("{} « {raw} » ignoré : {fr}", level.label(Lang::Fr)),
                        &format!("{} \"{raw}\" ignored: {en}", level.label(Lang::En)),
                    )),
                ),
            };
            Some(Candidate {
                level,
                fact: key.as_str(),
                raw,
                value,
                ignored,
            })
        })
        .collect()
}

/// What the file to send is, as far as channels care: a PDF (plain or
/// Factur-X), or a standalone XML invoice (CII or UBL), which only a
/// plateforme agréée takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Form {
    #[default]
    Pdf,
    Xml,
}

impl Form {
    /// The form of a checked file, by its report.
    pub fn of(report: &crate::check::Report) -> Form {
        if report.xml { Form::Xml } else { Form::Pdf }
    }

    /// The form of a recorded check, by its JSON (the store's latest
    /// report); a report written before XML was taken is a PDF's.
    pub fn of_json(report: &serde_json::Value) -> Form {
        if report["xml"].as_bool() == Some(true) {
            Form::Xml
        } else {
            Form::Pdf
        }
    }
}

/// Routes one PDF by its facts against the directory in `store`.
/// `default_account` is used only while the directory is empty.
pub fn route(store: &Store, facts: &Facts, default_account: Option<&str>) -> Result<Routing> {
    route_form(store, facts, Form::Pdf, default_account)
}

/// Routes one file of the given form: as [`route`], and a standalone XML
/// invoice is held when the channel chosen cannot take it. While the
/// directory is empty and no default account is given, an XML invoice goes
/// to the demonstration plateforme (the demonstration portal takes PDF).
pub fn route_form(
    store: &Store,
    facts: &Facts,
    form: Form,
    default_account: Option<&str>,
) -> Result<Routing> {
    let default_account = match (form, default_account) {
        (Form::Xml, None) => Some(crate::send::accounts::SANDBOX_PA_ACCOUNT),
        (_, d) => d,
    };
    let mut routing = route_pdf(store, facts, default_account)?;
    if form == Form::Xml
        && let Decision::Send { target, .. } = &routing.decision
    {
        // An account that no longer exists is the outbox's to report, as
        // for a PDF.
        if let Ok(account) = accounts::resolve(store, Some(&target.account))
            && let Some(why) = crate::send::channel::xml_refused(account.kind, &target.account)
        {
            routing.decision = Decision::Held { why };
        }
    }
    Ok(routing)
}

fn route_pdf(store: &Store, facts: &Facts, default_account: Option<&str>) -> Result<Routing> {
    let candidates = candidates(facts);
    let mut matches: Vec<Match> = Vec::new();
    let mut customers: Vec<Customer> = Vec::new();
    for c in &candidates {
        let Some(v) = &c.value else { continue };
        // A SIREN only counts when no SIRET of the invoice matched.
        if c.fact == FactKey::BuyerSiren.as_str()
            && matches.iter().any(|m| m.level == Level::Organisation)
        {
            continue;
        }
        for cust in directory::find(store, c.level, v)? {
            matches.push(Match {
                level: c.level,
                value: v.clone(),
                customer_id: cust.id,
                customer: cust.data.name.clone(),
            });
            if !customers.iter().any(|k| k.id == cust.id) {
                customers.push(cust);
            }
        }
    }
    let decision = decide(
        store,
        facts,
        &candidates,
        &matches,
        &customers,
        default_account,
    )?;
    Ok(Routing {
        candidates,
        matches,
        decision,
    })
}

fn decide(
    store: &Store,
    facts: &Facts,
    candidates: &[Candidate],
    matches: &[Match],
    customers: &[Customer],
    default_account: Option<&str>,
) -> Result<Decision> {
    if customers.len() > 1 {
        let list_fr: Vec<String> = matches
            .iter()
            .map(|m| {
                format!(
                    "{} {} → {} (#{})",
                    m.level.label(Lang::Fr),
                    m.value,
                    m.customer,
                    m.customer_id
                )
            })
            .collect();
        let list_en: Vec<String> = matches
            .iter()
            .map(|m| {
                format!(
                    "{} {} → {} (#{})",
                    m.level.label(Lang::En),
                    m.value,
                    m.customer,
                    m.customer_id
                )
            })
            .collect();
        return Ok(Decision::Held {
            why: Msg::new(
                &format!(
                    "Les identifiants de cette facture désignent des clients différents ({}) : elle pourrait partir chez la mauvaise société, elle n'est pas envoyée. Corrigez l'identifiant faux dans la facture ou dans l'annuaire.",
                    list_fr.join(" ; ")
                ),
                &format!(
                    "This invoice's identifiers point to different customers ({}): it could reach the wrong company, so it is not sent. Fix the wrong identifier in the invoice or in the directory.",
                    list_en.join("; ")
                ),
            ),
        });
    }
    let fallback_email = enabled(store, directory::EMAIL_ACCOUNT, &[Kind::Email])?;
    let fallback_print = enabled(store, directory::PRINT_ACCOUNT, &[Kind::Print])?;
    if let Some(cust) = customers.first() {
        let first = matches
            .iter()
            .find(|m| m.customer_id == cust.id)
            .expect("a matched customer has its match")
            .clone();
        let on_fr = format!(
            "correspondance sur {} {} : {}",
            first.level.label(Lang::Fr),
            first.value,
            cust.data.name
        );
        let on_en = format!(
            "matched on {} {}: {}",
            first.level.label(Lang::En),
            first.value,
            cust.data.name
        );
        if let Some(why) = requirements(store, facts, cust)? {
            return Ok(Decision::Held { why });
        }
        let send = |target: Target, fr: String, en: String| Decision::Send {
            target,
            customer: Some(first.clone()),
            why: Msg::new(&fr, &en),
        };
        return Ok(match cust.data.reach.clone() {
            Some(Reach::Account(account)) => send(
                Target {
                    account: account.clone(),
                    recipient: None,
                    via: Via::Portal,
                },
                format!("{on_fr} → compte « {account} »"),
                format!("{on_en} → account \"{account}\""),
            ),
            Some(Reach::Email(to)) => match fallback_email {
                Some(account) => send(
                    Target {
                        account,
                        recipient: Some(to.clone()),
                        via: Via::Email,
                    },
                    format!("{on_fr} → par e-mail à {to} (PDF seul, sans données structurées)"),
                    format!("{on_en} → by e-mail to {to} (PDF only, no structured data)"),
                ),
                None => Decision::Undeliverable {
                    why: Msg::new(
                        &format!(
                            "{on_fr}, qui ne reçoit que par e-mail : l'envoi par e-mail n'est pas activé (facteur customers fallbacks --email COMPTE)."
                        ),
                        &format!(
                            "{on_en}, who only takes e-mail: sending by e-mail is not enabled (facteur customers fallbacks --email ACCOUNT)."
                        ),
                    ),
                },
            },
            Some(Reach::Print) | None => match fallback_print {
                Some(account) => send(
                    Target {
                        account,
                        recipient: None,
                        via: Via::Print,
                    },
                    format!("{on_fr} → à imprimer et poster"),
                    format!("{on_en} → to print and post"),
                ),
                None => Decision::Undeliverable {
                    why: Msg::new(
                        &format!(
                            "{on_fr}, qui reçoit sur papier : l'impression n'est pas activée (facteur customers fallbacks --print COMPTE)."
                        ),
                        &format!(
                            "{on_en}, who takes paper: printing is not enabled (facteur customers fallbacks --print ACCOUNT)."
                        ),
                    ),
                },
            },
        });
    }
    // Nobody matched.
    if directory::count(store)? == 0 {
        let account = default_account.unwrap_or(SANDBOX_ACCOUNT).to_string();
        let (to_fr, to_en) = crate::send::accounts::display_name(&account);
        return Ok(Decision::Send {
            why: Msg::new(
                &format!(
                    "elle partira vers {to_fr}, faute de clients enregistrés (ajoutez vos clients pour que chacun reçoive par son propre canal)"
                ),
                &format!(
                    "it will go to {to_en}, as no customers are recorded yet (add your customers so each is reached its own way)"
                ),
            ),
            target: Target {
                account,
                recipient: None,
                via: Via::Default,
            },
            customer: None,
        });
    }
    let read: Vec<String> = candidates
        .iter()
        .map(|c| format!("{} {}", c.level.label(Lang::En), c.raw))
        .collect();
    let read_fr: Vec<String> = candidates
        .iter()
        .map(|c| format!("{} {}", c.level.label(Lang::Fr), c.raw))
        .collect();
    let (seen_fr, seen_en) = if read.is_empty() {
        (
            "la facture ne porte aucun identifiant du client".to_string(),
            "the invoice carries no identifier of the customer".to_string(),
        )
    } else {
        (
            format!(
                "aucun client de l'annuaire ne correspond à {}",
                read_fr.join(", ")
            ),
            format!("no customer in the directory matches {}", read.join(", ")),
        )
    };
    if let Some(account) = fallback_print {
        return Ok(Decision::Send {
            why: Msg::new(
                &format!("{seen_fr} → à imprimer et poster (secours papier)"),
                &format!("{seen_en} → to print and post (paper fallback)"),
            ),
            target: Target {
                account,
                recipient: None,
                via: Via::Print,
            },
            customer: None,
        });
    }
    Ok(Decision::Undeliverable {
        why: Msg::new(
            &format!(
                "Non distribuable : {seen_fr}. Ajoutez le client à l'annuaire avec l'identifiant qui figure sur la facture, ou activez l'impression (facteur customers fallbacks --print COMPTE)."
            ),
            &format!(
                "Undeliverable: {seen_en}. Add the customer to the directory with the identifier the invoice carries, or enable printing (facteur customers fallbacks --print ACCOUNT)."
            ),
        ),
    })
}

/// The account a fallback setting names, if it still exists with a fitting kind.
fn enabled(store: &Store, key: &str, kinds: &[Kind]) -> Result<Option<String>> {
    let Some(name) = directory::setting(store, key)? else {
        return Ok(None);
    };
    Ok(accounts::find(store, &name)?
        .filter(|a| kinds.contains(&a.kind))
        .map(|a| a.name))
}

/// What a matched customer requires of its invoices (Chorus Pro's service
/// code and engagement number), and whether a plateforme agréée's directory
/// said it cannot receive, checked before anything leaves.
fn requirements(store: &Store, facts: &Facts, cust: &Customer) -> Result<Option<Msg>> {
    let d = &cust.data;
    let plateforme = match &d.reach {
        Some(Reach::Account(a)) => {
            accounts::find(store, a)?.is_some_and(|acc| acc.kind == Kind::Plateforme)
                || a == crate::send::accounts::SANDBOX_PA_ACCOUNT
        }
        _ => false,
    };
    if plateforme {
        // The directory's last answer (cached with its date by `facteur
        // submit` or `facteur directory`); no answer yet holds nothing.
        let siren = buyer_siren(facts).or_else(|| d.siren.clone());
        if let Some(siren) = siren
            && let Ok(Some(r)) = crate::send::plateforme::recipient(store, &siren)
            && !r.can_receive()
        {
            return Ok(Some(Msg {
                fr: r.message(Lang::Fr),
                en: r.message(Lang::En),
            }));
        }
    }
    let chorus = match &d.reach {
        Some(Reach::Account(a)) => {
            accounts::find(store, a)?.is_some_and(|acc| acc.kind == Kind::ChorusPro)
        }
        _ => false,
    };
    if !chorus {
        return Ok(None);
    }
    if let Some(code) = &d.service_code {
        match facts.get(FactKey::BuyerReference) {
            Some(have) if have.trim().eq_ignore_ascii_case(code) => {}
            have => {
                let have = have.unwrap_or("—");
                return Ok(Some(Msg::new(
                    &format!(
                        "{} exige le code service {code} ; la facture porte « {have} ». Chorus Pro la rejetterait : émettez-la avec ce code service.",
                        d.name
                    ),
                    &format!(
                        "{} requires service code {code}; the invoice carries \"{have}\". Chorus Pro would reject it: issue it with this service code.",
                        d.name
                    ),
                )));
            }
        }
    }
    if d.engagement_required && facts.get(FactKey::OrderReference).is_none() {
        return Ok(Some(Msg::new(
            &format!(
                "{} exige un numéro d'engagement (bon de commande) que la facture ne porte pas : Chorus Pro la rejetterait.",
                d.name
            ),
            &format!(
                "{} requires an engagement (order) number the invoice does not carry: Chorus Pro would reject it.",
                d.name
            ),
        )));
    }
    Ok(None)
}

/// The buyer's SIREN: as given, or the head of its SIRET.
pub fn buyer_siren(facts: &Facts) -> Option<String> {
    facts
        .get(FactKey::BuyerSiren)
        .map(str::to_string)
        .or_else(|| {
            facts
                .get(FactKey::BuyerSiret)
                .and_then(|s| crate::check::ident::siren_of(IdKind::Siret, s))
        })
}

/// Routes an invoice already checked and recorded, by the facts of its
/// latest check. `None` when the store has no report for it.
pub fn for_invoice(store: &Store, invoice_id: i64) -> Result<Option<Routing>> {
    let Some(inv) = store.invoice(invoice_id).map_err(DirectoryError::from)? else {
        return Ok(None);
    };
    let report = store
        .latest_report(inv.document_id)
        .map_err(DirectoryError::from)?;
    let Some(mut report) = report else {
        return Ok(None);
    };
    let form = Form::of_json(&report);
    match serde_json::from_value::<Facts>(report["facts"].take()) {
        Ok(f) => Ok(Some(route_form(store, &f, form, None)?)),
        Err(_) => Ok(None),
    }
}
