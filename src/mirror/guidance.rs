//! What happened to an invoice and what to do about it: one short, plain
//! paragraph per (vocabulary, status, reason), in French and in English, with
//! at most two actions the interface turns into buttons.
//!
//! The Generix supplier guide (`seeds/000`) is the source of truth: a rejected
//! invoice is sent again with a new number, "Mandat absent" is the only refusal
//! the user clears by replaying the same invoice, "Doublon" needs nothing, and
//! vidéocodage takes about 48 h. Facteur never invents a meaning: a status or a
//! reason it does not know is quoted as the portal gave it.
//!
//! This module deliberately does not store anything, decide statuses (that is
//! [`crate::mirror::lifecycle`]) or lay out the screen.

use std::time::Duration;

use serde::Serialize;

use crate::check::finding::{Lang, typo_fr};
use crate::mirror::lifecycle::{
    AWAITING_PORTAL, DOUBLON, MANDAT_ABSENT, OTHER, PARTIAL_INTEGRATION, SUPPORT, Status,
    VIDEOCODAGE, Vocabulary,
};

/// A button the interface may offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Send a checked invoice to the portal.
    Submit,
    /// Replay the same invoice unchanged (Generix "Rejeu Facture"): only after
    /// a refusal for "Mandat absent".
    Replay,
    /// Prepare a corrected invoice, which must carry a new number.
    PrepareCorrected,
    /// Open the invoice this one duplicates.
    ShowDuplicate,
    /// The user checked on the portal: record the outcome.
    MarkVerified,
    /// Complete a suspended invoice (Chorus Pro SUSPENDUE).
    Complete,
    /// Fix the recipient's identifiers and recycle (Chorus Pro A_RECYCLER).
    FixRouting,
    /// The printed invoice was posted.
    MarkPosted,
}

/// What happened and what to do, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Guidance {
    pub what_fr: String,
    pub what_en: String,
    pub todo_fr: String,
    pub todo_en: String,
    /// At most two.
    pub actions: Vec<Action>,
}

impl Guidance {
    /// What happened, in `lang`.
    pub fn what(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fr => &self.what_fr,
            Lang::En => &self.what_en,
        }
    }

    /// What to do, in `lang`.
    pub fn todo(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fr => &self.todo_fr,
            Lang::En => &self.todo_en,
        }
    }
}

/// Everything the guidance depends on.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub vocab: Vocabulary,
    pub status: Status,
    /// Normalised reason code ([`crate::mirror::lifecycle::reason_code`]).
    pub reason_code: Option<&'a str>,
    /// The portal's own wording of the reason, quoted as is.
    pub raw_reason: Option<&'a str>,
    /// The portal's own wording of the status, quoted for [`Status::Unknown`].
    pub raw_status: Option<&'a str>,
    /// Time in the current status.
    pub since: Option<Duration>,
    /// For Doublon: the other invoice's number/id to point to.
    pub duplicate_of: Option<&'a str>,
}

impl<'a> Context<'a> {
    /// A context with no reason, age or duplicate.
    pub fn new(vocab: Vocabulary, status: Status) -> Self {
        Context {
            vocab,
            status,
            reason_code: None,
            raw_reason: None,
            raw_status: None,
            since: None,
            duplicate_of: None,
        }
    }
}

/// Vidéocodage takes about 48 h; past this, say it is late.
const VIDEOCODAGE_LATE: Duration = Duration::from_secs(72 * 3600);

/// What happened and what to do for this invoice.
pub fn guidance(ctx: &Context) -> Guidance {
    let p = Portal::of(ctx.vocab);
    let reason = ctx.reason_code.map(str::trim).filter(|r| !r.is_empty());
    let is = |code: &str| reason.is_some_and(|r| r.eq_ignore_ascii_case(code));
    let (motif_fr, motif_en) = motif(ctx);
    let wait_customer = t(
        "Rien à faire : la suite dépend de votre client.",
        "Nothing to do: the next step is your customer's.",
    );
    let talk = t(
        &format!(
            "Consultez le détail sur {} et voyez avec votre client.",
            p.fr
        ),
        &format!("Check the details on {} and talk to your customer.", p.en),
    );
    use Action::*;
    match ctx.status {
        Status::Checked => g(
            t(
                "Facture contrôlée : rien n'empêche son envoi.",
                "Invoice checked: nothing prevents sending it.",
            ),
            t("Envoyez-la au portail.", "Send it to the portal."),
            &[Submit],
        ),
        Status::Blocked if is(DOUBLON) => {
            let (fr, en) = match ctx.duplicate_of {
                Some(d) => (format!(" ({d})"), format!(" ({d})")),
                None => (String::new(), String::new()),
            };
            g(
                t(
                    &format!(
                        "Facture retenue : Facteur connaît déjà une facture avec ce numéro{fr}."
                    ),
                    &format!(
                        "Invoice held: Facteur already knows an invoice with this number{en}."
                    ),
                ),
                t(
                    "Si c'est vraiment une nouvelle facture, changez son numéro, aussi dans le PDF ; sinon, suivez l'autre.",
                    "If it really is a new invoice, change its number, inside the PDF too; otherwise follow the other one.",
                ),
                if ctx.duplicate_of.is_some() {
                    &[ShowDuplicate]
                } else {
                    &[]
                },
            )
        }
        Status::Blocked => g(
            t(
                "Facture retenue par un contrôle de Facteur : elle n'est pas partie.",
                "Invoice held by a Facteur check: it has not been sent.",
            ),
            t(
                "Corrigez ce que le contrôle a signalé (voir le détail), puis ajoutez de nouveau la facture.",
                "Fix what the check reported (see the details), then add the invoice again.",
            ),
            &[],
        ),
        Status::Queued => g(
            t("Facture en attente d'envoi.", "Invoice waiting to be sent."),
            t(
                "Rien à faire : elle partira dans un instant.",
                "Nothing to do: it will go out shortly.",
            ),
            &[],
        ),
        Status::Sending if is(AWAITING_PORTAL) => g(
            t(
                &format!(
                    "{} n'a pas répondu clairement : il a peut-être reçu la facture. Facteur le lui demande avant tout nouvel envoi, jamais deux fois.",
                    p.fr_start
                ),
                &format!(
                    "{} gave no clear answer: it may have received the invoice. Facteur asks it before any new send, never twice.",
                    p.en_start
                ),
            ),
            t(
                "Rien à faire : Facteur redemande au portail à chaque synchronisation.",
                "Nothing to do: Facteur asks the portal again at every sync.",
            ),
            &[],
        ),
        Status::Sending => g(
            t("Envoi en cours.", "Sending."),
            t("Rien à faire pour l'instant.", "Nothing to do for now."),
            &[],
        ),
        Status::ToVerify => {
            let what = if is(PARTIAL_INTEGRATION) {
                t(
                    "Chorus Pro n'a intégré qu'une partie des factures de ce dépôt : Facteur ne sait pas si celle-ci en fait partie.",
                    "Chorus Pro integrated only part of the invoices of this deposit: Facteur cannot tell whether this one is among them.",
                )
            } else {
                t(
                    &format!(
                        "Facteur ne peut pas savoir si la facture est bien arrivée sur {}.",
                        p.fr
                    ),
                    &format!("Facteur cannot tell whether the invoice reached {}.", p.en),
                )
            };
            g(
                what,
                t(
                    &format!(
                        "Vérifiez sur {}, puis marquez-la comme vérifiée ; ne la renvoyez pas à l'aveugle, elle arriverait en double.",
                        p.fr
                    ),
                    &format!(
                        "Check on {}, then mark it as verified; do not resend it blindly, it could arrive twice.",
                        p.en
                    ),
                ),
                &[MarkVerified],
            )
        }
        Status::ToPost => g(
            t(
                "Ce client reçoit ses factures sur papier : le PDF attend dans le dossier d'impression.",
                "This customer takes paper invoices: the PDF waits in the print folder.",
            ),
            t(
                "Imprimez-la et postez-la, puis indiquez qu'elle est partie.",
                "Print it and post it, then say it has gone.",
            ),
            &[MarkPosted],
        ),
        Status::Deposited if is(VIDEOCODAGE) => {
            let (since_fr, since_en) = since(ctx.since);
            let late = ctx.since.is_some_and(|d| d > VIDEOCODAGE_LATE);
            g(
                t(
                    &format!("Contrôle en cours par le portail (vidéocodage){since_fr}."),
                    &format!("Being checked by the portal (vidéocodage){since_en}."),
                ),
                if late {
                    t(
                        "C'est plus long que d'habitude (48\u{a0}h en moyenne) : consultez le portail.",
                        "This is taking longer than usual (48\u{a0}h on average): check the portal.",
                    )
                } else {
                    t(
                        "Cela prend en moyenne 48\u{a0}h ; aucune action n'est attendue de votre part.",
                        "It takes about 48\u{a0}h on average; nothing is expected from you.",
                    )
                },
                &[],
            )
        }
        Status::Deposited if is(SUPPORT) => g(
            t(
                &format!("Le support de {} s'occupe de la facture.", p.fr),
                &format!("{}'s support is handling the invoice.", p.en),
            ),
            t("Rien à faire pour l'instant.", "Nothing to do for now."),
            &[],
        ),
        Status::Deposited => {
            let (since_fr, since_en) = since(ctx.since);
            g(
                t(
                    &format!("Facture déposée sur {}{since_fr}.", p.fr),
                    &format!("Invoice deposited on {}{since_en}.", p.en),
                ),
                t(
                    &format!("{} la traite ; rien à faire pour l'instant.", p.fr_start),
                    &format!("{} is processing it; nothing to do for now.", p.en_start),
                ),
                &[],
            )
        }
        Status::Issued => g(
            t(
                "Facture émise : le portail l'a transmise à votre client.",
                "Invoice issued: the portal has passed it on to your customer.",
            ),
            wait_customer,
            &[],
        ),
        Status::Received if ctx.vocab == Vocabulary::Efact => g(
            t(
                "Facture enregistrée par e-FACT, avec un numéro d'enregistrement.",
                "Invoice registered by e-FACT, with a registration number.",
            ),
            wait_customer,
            &[],
        ),
        Status::Received => g(
            t(
                "Facture reçue par la plateforme de votre client.",
                "Invoice received by your customer's platform.",
            ),
            wait_customer,
            &[],
        ),
        Status::MadeAvailable => g(
            t(
                "Facture mise à disposition de votre client.",
                "Invoice made available to your customer.",
            ),
            wait_customer,
            &[],
        ),
        Status::TakenOver if ctx.vocab == Vocabulary::Efact => g(
            t(
                "Facture inscrite au registre comptable de votre client (RCF).",
                "Invoice recorded in your customer's accounting register (RCF).",
            ),
            wait_customer,
            &[],
        ),
        Status::TakenOver => g(
            t(
                "Votre client a pris en charge la facture.",
                "Your customer has taken the invoice in hand.",
            ),
            wait_customer,
            &[],
        ),
        Status::Completed => g(
            t(
                "Facture complétée : votre client reprend son traitement.",
                "Invoice completed: your customer is processing it again.",
            ),
            wait_customer,
            &[],
        ),
        Status::Approved if ctx.vocab == Vocabulary::Efact => g(
            t(
                "Votre client a reconnu l'obligation de payer la facture.",
                "Your customer has recognised the obligation to pay the invoice.",
            ),
            t(
                "Le paiement doit suivre : rien à faire.",
                "Payment should follow: nothing to do.",
            ),
            &[],
        ),
        Status::Approved => g(
            t(
                "Votre client a approuvé la facture.",
                "Your customer has approved the invoice.",
            ),
            t(
                "Le paiement doit suivre : rien à faire.",
                "Payment should follow: nothing to do.",
            ),
            &[],
        ),
        Status::Endorsed => g(
            t(
                "Facture visée par votre client.",
                "Invoice endorsed by your customer.",
            ),
            t(
                "Le paiement doit suivre : rien à faire.",
                "Payment should follow: nothing to do.",
            ),
            &[],
        ),
        Status::PaymentSent => g(
            t(
                "Votre client a transmis le paiement.",
                "Your customer has sent the payment.",
            ),
            t(
                "Le paiement est en route : rien à faire.",
                "The payment is on its way: nothing to do.",
            ),
            &[],
        ),
        Status::Paid => g(
            t("Facture payée.", "Invoice paid."),
            t("C'est terminé : rien à faire.", "All done: nothing to do."),
            &[],
        ),
        Status::PartiallyApproved => g(
            t(
                &format!("Votre client n'a approuvé qu'une partie de la facture{motif_fr}."),
                &format!("Your customer approved only part of the invoice{motif_en}."),
            ),
            talk,
            &[],
        ),
        Status::Disputed => g(
            t(
                &format!("Votre client conteste la facture{motif_fr}."),
                &format!("Your customer disputes the invoice{motif_en}."),
            ),
            talk,
            &[],
        ),
        Status::Suspended => g(
            t(
                &format!("Facture suspendue : votre client attend un complément{motif_fr}."),
                &format!("Invoice suspended: your customer is waiting for more{motif_en}."),
            ),
            t(
                &format!(
                    "Complétez la facture sur {} avec la pièce ou l'information demandée.",
                    p.fr
                ),
                &format!(
                    "Complete the invoice on {} with the document or information requested.",
                    p.en
                ),
            ),
            &[Complete],
        ),
        Status::RoutingError => g(
            t(
                &format!(
                    "{} n'a pas pu acheminer la facture vers votre client{motif_fr}.",
                    p.fr_start
                ),
                &format!(
                    "{} could not route the invoice to your customer{motif_en}.",
                    p.en_start
                ),
            ),
            if is_chorus(ctx.vocab) {
                t(
                    "Corrigez les identifiants du destinataire (SIRET, code service), puis recyclez la facture sur Chorus Pro.",
                    "Fix the recipient's identifiers (SIRET, service code), then recycle the invoice on Chorus Pro.",
                )
            } else {
                t(
                    &format!(
                        "Corrigez les identifiants du destinataire (SIRET, code service) sur {}.",
                        p.fr
                    ),
                    &format!(
                        "Fix the recipient's identifiers (SIRET, service code) on {}.",
                        p.en
                    ),
                )
            },
            &[FixRouting],
        ),
        Status::Refused if is(MANDAT_ABSENT) => g(
            t(
                "Facture refusée : mandat absent. Le portail ne traite vos factures qu'une fois votre mandat de facturation signé importé.",
                "Invoice refused: billing mandate missing. The portal only processes your invoices once your signed billing mandate is uploaded.",
            ),
            t(
                "Importez votre mandat de facturation signé sur le portail, puis rejouez cette facture sans la modifier (« Rejeu Facture »).",
                "Upload your signed billing mandate (\"mandat de facturation\") on the portal, then replay this invoice unchanged (\"Rejeu Facture\").",
            ),
            &[Replay],
        ),
        Status::Refused if is(DOUBLON) => {
            let (what, other) = match ctx.duplicate_of {
                Some(d) => (
                    t(
                        &format!(
                            "Facture refusée comme doublon : le portail a déjà la facture {d}, avec le même SIREN et le même numéro."
                        ),
                        &format!(
                            "Invoice refused as a duplicate: the portal already has invoice {d}, with the same SIREN and number."
                        ),
                    ),
                    t(&format!("la facture {d}"), &format!("invoice {d}")),
                ),
                None => (
                    t(
                        "Facture refusée comme doublon : le portail a déjà un autre document avec le même SIREN et le même numéro.",
                        "Invoice refused as a duplicate: the portal already has another document with the same SIREN and number.",
                    ),
                    t("l'autre document", "the other document"),
                ),
            };
            g(
                what,
                t(
                    &format!(
                        "Rien à faire sur celle-ci : suivez {}. Si c'est vraiment une nouvelle facture, changez aussi son numéro dans le PDF avant de la déposer.",
                        other.0
                    ),
                    &format!(
                        "Nothing to do on this one: follow {}. If it really is a new invoice, change its number inside the PDF too before depositing it.",
                        other.1
                    ),
                ),
                if ctx.duplicate_of.is_some() {
                    &[ShowDuplicate]
                } else {
                    &[]
                },
            )
        }
        // Generix: "pas d'action requise" for any other refusal.
        Status::Refused => g(
            t(
                &format!("Facture refusée{motif_fr}."),
                &format!("Invoice refused{motif_en}."),
            ),
            if matches!(ctx.vocab, Vocabulary::Generix | Vocabulary::Sandbox) {
                t(
                    "Aucune action n'est attendue de votre part.",
                    "No action is expected from you.",
                )
            } else {
                t(
                    &format!(
                        "Aucune action n'est attendue sur {} ; en cas de doute, voyez avec votre client.",
                        p.fr
                    ),
                    &format!(
                        "No action is expected on {}; if in doubt, talk to your customer.",
                        p.en
                    ),
                )
            },
            &[],
        ),
        Status::Rejected => {
            let (fr, en) = if motif_fr.is_empty() {
                (
                    format!(" (le motif est sur {})", p.fr),
                    format!(" (the reason is on {})", p.en),
                )
            } else {
                (motif_fr.clone(), motif_en.clone())
            };
            g(
                t(
                    &format!("{} a rejeté la facture{fr}.", p.fr_start),
                    &format!("{} rejected the invoice{en}.", p.en_start),
                ),
                t(
                    "Corrigez-la et envoyez une nouvelle facture avec un numéro différent : avec le même numéro, elle serait de nouveau rejetée.",
                    "Correct it and send a new invoice with a different number: with the same number it would be rejected again.",
                ),
                &[PrepareCorrected],
            )
        }
        Status::Cancelled => g(
            t("Facture annulée.", "Invoice cancelled."),
            t("Dossier clos : rien à faire.", "Closed: nothing to do."),
            &[],
        ),
        Status::Unknown => {
            let raw = ctx
                .raw_status
                .or(ctx.raw_reason)
                .map(str::trim)
                .filter(|r| !r.is_empty());
            let what = match raw {
                Some(r) => t(
                    &format!(
                        "{} indique « {r} », que Facteur ne connaît pas encore.",
                        p.fr_start
                    ),
                    &format!(
                        "{} says \"{r}\", which Facteur does not know yet.",
                        p.en_start
                    ),
                ),
                None => t(
                    &format!(
                        "{} indique un statut que Facteur ne connaît pas encore.",
                        p.fr_start
                    ),
                    &format!("{} shows a status Facteur does not know yet.", p.en_start),
                ),
            };
            g(
                what,
                t(
                    &format!("Consultez {} pour savoir où en est la facture.", p.fr),
                    &format!("Check {} to see where the invoice stands.", p.en),
                ),
                &[],
            )
        }
    }
}

/// "31 h", "2 j", "45 min" / "31 h", "2 days", "45 min"; the space is a
/// no-break space (U+00A0) so that a number never leaves its unit. Hours up to
/// 48 h (portals speak of "48 h"), days beyond; at least "1 min".
pub fn format_age(d: Duration, lang: Lang) -> String {
    // The same words as the window's `age` (ui/app/js/i18n.js): one
    // duration never reads two ways on one screen.
    let secs = d.as_secs();
    let hours = secs / 3600;
    if secs < 60 {
        return match lang {
            Lang::Fr => "moins d\u{2019}une\u{a0}minute".into(),
            Lang::En => "less than a minute".into(),
        };
    }
    if hours == 0 {
        return format!("{}\u{a0}min", secs / 60);
    }
    if hours < 48 {
        return format!("{hours}\u{a0}h");
    }
    let days = hours / 24;
    match lang {
        Lang::Fr => format!("{days}\u{a0}jours"),
        Lang::En => format!("{days}\u{a0}days"),
    }
}

/// How the texts name the portal of a vocabulary.
struct Portal {
    fr: &'static str,
    en: &'static str,
    /// At the start of a sentence: "Le portail", but "e-FACT" stays as is.
    fr_start: &'static str,
    en_start: &'static str,
}

impl Portal {
    fn of(vocab: Vocabulary) -> Portal {
        let (fr, en) = match vocab {
            Vocabulary::ChorusPro | Vocabulary::ChorusProFlow => ("Chorus Pro", "Chorus Pro"),
            Vocabulary::Efact => ("e-FACT", "e-FACT"),
            Vocabulary::Pagero => ("Pagero", "Pagero"),
            _ => {
                return Portal {
                    fr: "le portail",
                    en: "the portal",
                    fr_start: "Le portail",
                    en_start: "The portal",
                };
            }
        };
        Portal {
            fr,
            en,
            fr_start: fr,
            en_start: en,
        }
    }
}

fn is_chorus(vocab: Vocabulary) -> bool {
    matches!(vocab, Vocabulary::ChorusPro | Vocabulary::ChorusProFlow)
}

/// Reason codes Facteur can put in words when the portal gave no text.
const REASON_WORDS: &[(&str, &str, &str)] = &[
    (DOUBLON, "doublon", "duplicate"),
    (MANDAT_ABSENT, "mandat absent", "billing mandate missing"),
    (
        "DEST_ERR",
        "client inconnu du portail",
        "customer unknown to the portal",
    ),
    ("SIRET_ERR", "SIRET erroné", "wrong SIRET"),
    (
        "REF_CT_ABSENT",
        "référence de contrat absente",
        "contract reference missing",
    ),
    ("TX_TVA_ERR", "taux de TVA erroné", "wrong VAT rate"),
    ("ROUTING_ERR", "erreur de routage", "routing error"),
];

/// ", motif : « raw »" / ", reason: "raw"", or empty when there is nothing
/// to say. The portal's own words win; a known code is put in words; another
/// code is quoted; OTHER and the processing codes say nothing.
fn motif(ctx: &Context) -> (String, String) {
    if let Some(raw) = ctx.raw_reason.map(str::trim).filter(|r| !r.is_empty()) {
        return (
            format!(", motif : « {raw} »"),
            format!(", reason: \"{raw}\""),
        );
    }
    let Some(code) = ctx.reason_code.map(str::trim).filter(|r| !r.is_empty()) else {
        return (String::new(), String::new());
    };
    // OTHER says nothing; the processing codes are not reasons to quote.
    if [OTHER, VIDEOCODAGE, SUPPORT, PARTIAL_INTEGRATION]
        .iter()
        .any(|c| code.eq_ignore_ascii_case(c))
    {
        return (String::new(), String::new());
    }
    match REASON_WORDS
        .iter()
        .find(|(c, _, _)| c.eq_ignore_ascii_case(code))
    {
        Some((_, fr, en)) => (format!(", motif : {fr}"), format!(", reason: {en}")),
        None => (
            format!(", motif : « {code} »"),
            format!(", reason: \"{code}\""),
        ),
    }
}

/// " depuis 31 h" / " for 31 h", or nothing without an age.
fn since(d: Option<Duration>) -> (String, String) {
    match d {
        Some(d) => (
            format!(", depuis {}", format_age(d, Lang::Fr)),
            format!(", for {}", format_age(d, Lang::En)),
        ),
        None => (String::new(), String::new()),
    }
}

fn t(fr: &str, en: &str) -> (String, String) {
    (fr.to_string(), en.to_string())
}

fn g(what: (String, String), todo: (String, String), actions: &[Action]) -> Guidance {
    debug_assert!(actions.len() <= 2);
    Guidance {
        what_fr: typo_fr(&what.0),
        what_en: what.1,
        todo_fr: typo_fr(&todo.0),
        todo_en: todo.1,
        actions: actions.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mirror::lifecycle::map;

    const NBSP: char = '\u{a0}';

    fn ctx(vocab: Vocabulary, status: Status) -> Context<'static> {
        Context::new(vocab, status)
    }

    fn has(s: &str, needle: &str) -> bool {
        // Compare with ordinary spaces: the French texts use no-break ones.
        s.replace(NBSP, " ").contains(needle)
    }

    #[test]
    fn rejected_quotes_the_reason_and_asks_for_a_new_number() {
        let c = Context {
            reason_code: Some("DEST_ERR"),
            raw_reason: Some("Le client référencé n'existe pas"),
            ..ctx(Vocabulary::Generix, Status::Rejected)
        };
        let g = guidance(&c);
        assert_eq!(
            g.what_fr,
            "Le portail a rejeté la facture, motif\u{a0}: «\u{a0}Le client référencé n'existe pas\u{a0}»."
        );
        assert!(has(&g.todo_fr, "numéro différent"), "{}", g.todo_fr);
        assert!(has(&g.todo_fr, "de nouveau rejetée"));
        assert!(has(&g.todo_en, "different number"));
        assert!(has(&g.what_en, "\"Le client référencé n'existe pas\""));
        assert_eq!(g.actions, [Action::PrepareCorrected]);

        // Any portal, even without a reason text.
        for v in [Vocabulary::ChorusPro, Vocabulary::Efact, Vocabulary::Pagero] {
            let g = guidance(&ctx(v, Status::Rejected));
            assert_eq!(g.actions, [Action::PrepareCorrected], "{v:?}");
            assert!(has(&g.what_fr, "a rejeté la facture (le motif est sur"));
        }
        let g = guidance(&ctx(Vocabulary::ChorusPro, Status::Rejected));
        assert!(
            g.what_fr.starts_with("Chorus Pro a rejeté"),
            "{}",
            g.what_fr
        );
        // A known code without text is put in words.
        let c = Context {
            reason_code: Some("SIRET_ERR"),
            ..ctx(Vocabulary::Reform, Status::Rejected)
        };
        assert!(has(&guidance(&c).what_fr, "motif : SIRET erroné"));
    }

    #[test]
    fn mandat_absent_means_upload_the_mandate_then_replay() {
        let c = Context {
            reason_code: Some(MANDAT_ABSENT),
            raw_reason: Some("Mandat absent"),
            ..ctx(Vocabulary::Generix, Status::Refused)
        };
        let g = guidance(&c);
        assert!(has(&g.what_fr, "mandat absent"));
        assert!(has(&g.todo_fr, "mandat de facturation signé"));
        assert!(has(&g.todo_fr, "sans la modifier"));
        assert!(has(&g.todo_fr, "(« Rejeu Facture »)"));
        assert!(g.todo_fr.contains("«\u{a0}Rejeu Facture\u{a0}»"));
        assert!(has(&g.todo_en, "billing mandate"));
        assert!(has(&g.todo_en, "\"Rejeu Facture\""));
        assert_eq!(g.actions, [Action::Replay]);
    }

    #[test]
    fn doublon_points_to_the_other_invoice() {
        let c = Context {
            reason_code: Some(DOUBLON),
            duplicate_of: Some("F-2026-014"),
            ..ctx(Vocabulary::Generix, Status::Refused)
        };
        let g = guidance(&c);
        assert!(has(&g.what_fr, "même SIREN et le même numéro"));
        assert!(has(&g.what_fr, "F-2026-014"));
        assert!(has(
            &g.todo_fr,
            "Rien à faire sur celle-ci : suivez la facture F-2026-014."
        ));
        assert!(has(&g.todo_fr, "changez aussi son numéro dans le PDF"));
        assert!(has(&g.todo_en, "follow invoice F-2026-014"));
        assert_eq!(g.actions, [Action::ShowDuplicate]);

        let c = Context {
            duplicate_of: None,
            ..c
        };
        let g = guidance(&c);
        assert!(has(&g.todo_fr, "suivez l'autre document"));
        assert!(g.actions.is_empty());
    }

    #[test]
    fn other_refusals_need_nothing() {
        let c = Context {
            reason_code: Some(OTHER),
            raw_reason: Some("Facture hors périmètre"),
            ..ctx(Vocabulary::Generix, Status::Refused)
        };
        let g = guidance(&c);
        assert!(has(
            &g.what_fr,
            "Facture refusée, motif : « Facture hors périmètre »."
        ));
        assert_eq!(g.todo_fr, "Aucune action n'est attendue de votre part.");
        assert!(g.actions.is_empty());
        let c = Context {
            reason_code: Some("DEST_ERR"),
            ..ctx(Vocabulary::Sandbox, Status::Refused)
        };
        let g = guidance(&c);
        assert!(has(
            &g.what_fr,
            "Facture refusée, motif : client inconnu du portail."
        ));
        assert!(!has(&g.what_fr, "doublon"));
        assert_eq!(g.todo_fr, "Aucune action n'est attendue de votre part.");
        let g = guidance(&ctx(Vocabulary::Reform, Status::Refused));
        assert_eq!(g.what_fr, "Facture refusée.");
        assert!(has(
            &g.todo_fr,
            "Aucune action n'est attendue sur le portail"
        ));
        assert!(g.actions.is_empty());
    }

    #[test]
    fn videocodage_tells_the_age_and_the_usual_delay() {
        let c = Context {
            reason_code: Some(VIDEOCODAGE),
            since: Some(Duration::from_secs(31 * 3600 + 20 * 60)),
            ..ctx(Vocabulary::Generix, Status::Deposited)
        };
        let g = guidance(&c);
        assert!(has(&g.what_fr, "vidéocodage"));
        assert!(has(&g.what_fr, "depuis 31 h"), "{}", g.what_fr);
        assert!(has(&g.todo_fr, "48 h"));
        assert!(has(&g.todo_fr, "aucune action n'est attendue"));
        assert!(has(&g.what_en, "for 31 h"));
        assert!(g.actions.is_empty());

        let late = Context {
            since: Some(Duration::from_secs(80 * 3600)),
            ..c
        };
        let g = guidance(&late);
        assert!(has(&g.what_fr, "depuis 3 j"), "{}", g.what_fr);
        assert!(has(&g.todo_fr, "plus long que d'habitude"));
        assert!(has(&g.todo_fr, "consultez le portail"));
        assert!(has(&g.todo_en, "longer than usual"));
        assert!(g.actions.is_empty());

        let no_age = Context { since: None, ..c };
        let g = guidance(&no_age);
        assert!(!g.what_fr.contains("depuis"));
        assert!(has(&g.todo_fr, "en moyenne 48 h"));
    }

    #[test]
    fn waiting_and_paid_need_nothing() {
        for s in [
            Status::Issued,
            Status::MadeAvailable,
            Status::Received,
            Status::TakenOver,
        ] {
            let g = guidance(&ctx(Vocabulary::Reform, s));
            assert!(has(&g.todo_fr, "Rien à faire"), "{s:?}");
            assert!(has(&g.todo_fr, "votre client"), "{s:?}");
            assert!(g.actions.is_empty());
        }
        for s in [Status::Approved, Status::PaymentSent] {
            let g = guidance(&ctx(Vocabulary::Reform, s));
            assert!(has(&g.todo_fr, "paiement"), "{s:?}");
            assert!(has(&g.todo_en, "ayment"), "{s:?}");
            assert!(g.actions.is_empty());
        }
        let g = guidance(&ctx(Vocabulary::Reform, Status::Paid));
        assert_eq!(g.what_fr, "Facture payée.");
        assert!(has(&g.todo_fr, "C'est terminé"));
        let g = guidance(&ctx(Vocabulary::Reform, Status::Cancelled));
        assert_eq!(g.what_fr, "Facture annulée.");
        assert!(g.actions.is_empty());
    }

    #[test]
    fn chorus_suspended_and_recycle() {
        let c = Context {
            raw_reason: Some("Bon de commande manquant"),
            ..ctx(Vocabulary::ChorusPro, Status::Suspended)
        };
        let g = guidance(&c);
        assert!(has(&g.what_fr, "« Bon de commande manquant »"));
        assert!(has(&g.todo_fr, "Complétez la facture sur Chorus Pro"));
        assert_eq!(g.actions, [Action::Complete]);

        let m = map(Vocabulary::ChorusPro, "A_RECYCLER", None);
        let g = guidance(&ctx(Vocabulary::ChorusPro, m.status.unwrap()));
        assert!(has(
            &g.what_fr,
            "Chorus Pro n'a pas pu acheminer la facture"
        ));
        assert!(has(&g.todo_fr, "identifiants du destinataire"));
        assert!(has(&g.todo_fr, "code service"));
        assert!(has(&g.todo_fr, "recyclez la facture sur Chorus Pro"));
        assert_eq!(g.actions, [Action::FixRouting]);
        let g = guidance(&ctx(Vocabulary::Reform, Status::RoutingError));
        assert!(!has(&g.todo_fr, "recyclez"));
        assert_eq!(g.actions, [Action::FixRouting]);
    }

    #[test]
    fn to_verify_never_resends_blindly() {
        let g = guidance(&ctx(Vocabulary::Generix, Status::ToVerify));
        assert!(has(
            &g.what_fr,
            "ne peut pas savoir si la facture est bien arrivée"
        ));
        assert!(has(&g.todo_fr, "Vérifiez sur le portail"));
        assert!(has(&g.todo_fr, "marquez-la comme vérifiée"));
        assert!(has(&g.todo_fr, "ne la renvoyez pas à l'aveugle"));
        assert_eq!(g.actions, [Action::MarkVerified]);
        let m = map(Vocabulary::ChorusProFlow, "IN_INTEGRE_PARTIEL", None);
        let c = Context {
            reason_code: m.reason_code.as_deref(),
            ..ctx(Vocabulary::ChorusProFlow, m.status.unwrap())
        };
        let g = guidance(&c);
        assert!(has(&g.what_fr, "qu'une partie des factures"));
        assert!(has(&g.todo_fr, "Vérifiez sur Chorus Pro"));
        assert_eq!(g.actions, [Action::MarkVerified]);
    }

    #[test]
    fn local_states() {
        let g = guidance(&ctx(Vocabulary::Local, Status::Checked));
        assert!(has(&g.what_fr, "contrôlée"));
        assert_eq!(g.actions, [Action::Submit]);
        let g = guidance(&ctx(Vocabulary::Local, Status::Blocked));
        assert!(has(&g.todo_fr, "Corrigez ce que le contrôle a signalé"));
        assert!(g.actions.is_empty());
        let c = Context {
            reason_code: Some(DOUBLON),
            duplicate_of: Some("F-7"),
            ..ctx(Vocabulary::Local, Status::Blocked)
        };
        let g = guidance(&c);
        assert!(has(&g.what_fr, "(F-7)"));
        assert_eq!(g.actions, [Action::ShowDuplicate]);
    }

    #[test]
    fn efact_progression() {
        let cases = [
            ("1200", "enregistrée par e-FACT"),
            ("1300", "registre comptable"),
            ("2400", "reconnu l'obligation de payer"),
            ("2500", "Facture payée."),
            ("3100", "Facture annulée."),
        ];
        for (raw, want) in cases {
            let m = map(Vocabulary::Efact, raw, None);
            let g = guidance(&ctx(Vocabulary::Efact, m.status.unwrap()));
            assert!(has(&g.what_fr, want), "{raw}: {}", g.what_fr);
            assert!(g.actions.is_empty(), "{raw}");
        }
        let m = map(Vocabulary::Efact, "2600", Some("NIF incorrecte"));
        let c = Context {
            reason_code: m.reason_code.as_deref(),
            raw_reason: Some("NIF incorrecte"),
            ..ctx(Vocabulary::Efact, m.status.unwrap())
        };
        let g = guidance(&c);
        assert!(has(
            &g.what_fr,
            "e-FACT a rejeté la facture, motif : « NIF incorrecte »"
        ));
        assert_eq!(g.actions, [Action::PrepareCorrected]);
    }

    #[test]
    fn unknown_status_is_quoted_never_guessed() {
        let c = Context {
            raw_status: Some("XYZ"),
            raw_reason: Some("autre chose"),
            ..ctx(Vocabulary::Generix, Status::Unknown)
        };
        let g = guidance(&c);
        assert_eq!(
            format!("{} {}", g.what_fr, g.todo_fr).replace(NBSP, " "),
            "Le portail indique « XYZ », que Facteur ne connaît pas encore. Consultez le portail pour savoir où en est la facture."
        );
        assert!(g.what_fr.contains("«\u{a0}XYZ\u{a0}»"));
        assert_eq!(
            g.what_en,
            "The portal says \"XYZ\", which Facteur does not know yet."
        );
        assert!(g.actions.is_empty());
        let g = guidance(&ctx(Vocabulary::Pagero, Status::Unknown));
        assert!(has(&g.what_fr, "Pagero indique un statut"));
        // An unknown reason code is quoted as is.
        let c = Context {
            reason_code: Some("FOO_BAR"),
            ..ctx(Vocabulary::Reform, Status::Disputed)
        };
        assert!(has(&guidance(&c).what_fr, "motif : « FOO_BAR »"));
    }

    #[test]
    fn ages_read_naturally() {
        let h = |n: u64| Duration::from_secs(n * 3600);
        assert_eq!(format_age(h(31), Lang::Fr), "31\u{a0}h");
        assert_eq!(format_age(h(31), Lang::En), "31\u{a0}h");
        assert_eq!(format_age(h(48), Lang::Fr), "2\u{a0}jours");
        assert_eq!(format_age(h(50), Lang::En), "2\u{a0}days");
        assert_eq!(format_age(h(24 * 9), Lang::Fr), "9\u{a0}jours");
        assert_eq!(
            format_age(Duration::from_secs(45 * 60), Lang::Fr),
            "45\u{a0}min"
        );
        assert_eq!(
            format_age(Duration::from_secs(45 * 60), Lang::En),
            "45\u{a0}min"
        );
        // As the window says it: never « 1 min » beside « moins d'une minute ».
        assert_eq!(
            format_age(Duration::from_secs(5), Lang::Fr),
            "moins d\u{2019}une\u{a0}minute"
        );
        assert_eq!(
            format_age(Duration::from_secs(59), Lang::En),
            "less than a minute"
        );
        assert_eq!(format_age(Duration::from_secs(60), Lang::Fr), "1\u{a0}min");
        assert_eq!(format_age(h(1), Lang::Fr), "1\u{a0}h");
    }

    const REASONS: &[Option<&str>] = &[
        None,
        Some(DOUBLON),
        Some(MANDAT_ABSENT),
        Some("mandat_absent"),
        Some("DEST_ERR"),
        Some("SIRET_ERR"),
        Some(VIDEOCODAGE),
        Some(SUPPORT),
        Some(PARTIAL_INTEGRATION),
        Some(OTHER),
        Some("WHATEVER_ERR"),
    ];

    /// Every combination the interface can meet.
    fn every_context(f: impl Fn(&Context, &Guidance)) {
        for vocab in Vocabulary::ALL {
            for status in Status::ALL {
                for &reason_code in REASONS {
                    for raw_reason in [None, Some("Motif : brut !")] {
                        for duplicate_of in [None, Some("F-1")] {
                            for since in [None, Some(Duration::from_secs(100 * 3600))] {
                                let c = Context {
                                    vocab,
                                    status,
                                    reason_code,
                                    raw_reason,
                                    raw_status: Some("BRUT"),
                                    since,
                                    duplicate_of,
                                };
                                f(&c, &guidance(&c));
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn every_status_has_labels_and_guidance() {
        for s in Status::ALL {
            assert!(!s.label(Lang::Fr).is_empty() && !s.label(Lang::En).is_empty());
        }
        every_context(|c, g| {
            for text in [&g.what_fr, &g.what_en, &g.todo_fr, &g.todo_en] {
                assert!(
                    !text.trim().is_empty(),
                    "{:?} {:?}",
                    c.status,
                    c.reason_code
                );
            }
            assert!(g.actions.len() <= 2);
            // French typography applied: no ordinary space before : ; ! ? ».
            for bad in [" :", " ;", " !", " ?", " »", "« "] {
                assert!(!g.what_fr.contains(bad), "{bad:?} in {}", g.what_fr);
                assert!(!g.todo_fr.contains(bad), "{bad:?} in {}", g.todo_fr);
            }
        });
    }

    #[test]
    fn replay_only_for_a_missing_mandate() {
        every_context(|c, g| {
            let mandate = c.status == Status::Refused
                && c.reason_code
                    .is_some_and(|r| r.eq_ignore_ascii_case(MANDAT_ABSENT));
            assert_eq!(
                g.actions.contains(&Action::Replay),
                mandate,
                "{:?} {:?} {:?}",
                c.vocab,
                c.status,
                c.reason_code
            );
        });
        // And it does happen.
        let c = Context {
            reason_code: Some(MANDAT_ABSENT),
            ..ctx(Vocabulary::Sandbox, Status::Refused)
        };
        assert_eq!(guidance(&c).actions, [Action::Replay]);
    }

    #[test]
    fn serialises_in_snake_case() {
        assert_eq!(
            serde_json::to_string(&Action::PrepareCorrected).unwrap(),
            "\"prepare_corrected\""
        );
        let g = guidance(&ctx(Vocabulary::Local, Status::Checked));
        let v = serde_json::to_value(&g).unwrap();
        assert_eq!(v["actions"][0], "submit");
        assert!(
            v["what_fr"]
                .as_str()
                .unwrap()
                .starts_with("Facture contrôlée")
        );
    }
}
