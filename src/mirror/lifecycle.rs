//! One lifecycle for all portals: the canonical [`Status`] set (the French
//! reform lifecycle, AFNOR XP Z12-012, plus the local states an invoice goes
//! through before a portal has it) and the mapping of every portal vocabulary
//! (Generix, Chorus Pro invoices and deposit flows, e-FACT / FACe, Pagero, the
//! reform codes, the local sandbox) onto it with [`map`].
//!
//! Each vocabulary is a static table of raw values: adding a value is adding a
//! line of data. Raw values are compared ignoring case, accents, `_`/`-` and
//! surrounding spaces; the caller keeps and shows the raw value unchanged, and a
//! value nobody recognises becomes [`Status::Unknown`], never dropped.
//!
//! This module deliberately has no storage, no I/O and no wording beyond the
//! short status labels: what to tell the user lives in [`crate::mirror::guidance`].

use serde::{Deserialize, Serialize};

use crate::check::finding::Lang;
use crate::check::text::fold;

/// Canonical status: the French reform lifecycle (AFNOR XP Z12-012) plus local
/// states before a portal has the invoice.
///
/// The serialised names ([`Status::as_str`]) are stored in the database and
/// never change meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    // Local, before any portal.
    /// Passed the offline check.
    Checked,
    /// Held by a check (error finding, duplicate…).
    Blocked,
    /// Waiting for its turn to be sent.
    Queued,
    /// Being sent right now.
    Sending,
    /// Outcome unknown (e.g. a crash while sending by mail): the user must
    /// verify on the portal.
    ToVerify,
    /// Printed delivery: the PDF waits in the print folder to be printed
    /// and posted by the supplier.
    ToPost,
    // Reform codes.
    /// 200 Déposée.
    Deposited,
    /// 201 Émise par la plateforme.
    Issued,
    /// 202 Reçue par la plateforme.
    Received,
    /// 203 Mise à disposition.
    MadeAvailable,
    /// 204 Prise en charge.
    TakenOver,
    /// 205 Approuvée.
    Approved,
    /// 206 Approuvée partiellement.
    PartiallyApproved,
    /// 207 En litige.
    Disputed,
    /// 208 Suspendue.
    Suspended,
    /// 209 Complétée.
    Completed,
    /// 210 Refusée.
    Refused,
    /// 211 Paiement transmis.
    PaymentSent,
    /// 212 Encaissée.
    Paid,
    /// 213 Rejetée.
    Rejected,
    /// 214 Visée.
    Endorsed,
    /// 220 Annulée.
    Cancelled,
    /// 221 Erreur de routage.
    RoutingError,
    /// A portal value we do not recognise: stored and shown raw, never dropped.
    Unknown,
}

/// The reform codes, as data: the single source for [`Status::code`] and
/// [`Status::from_code`].
const REFORM_CODES: &[(u16, Status)] = &[
    (200, Status::Deposited),
    (201, Status::Issued),
    (202, Status::Received),
    (203, Status::MadeAvailable),
    (204, Status::TakenOver),
    (205, Status::Approved),
    (206, Status::PartiallyApproved),
    (207, Status::Disputed),
    (208, Status::Suspended),
    (209, Status::Completed),
    (210, Status::Refused),
    (211, Status::PaymentSent),
    (212, Status::Paid),
    (213, Status::Rejected),
    (214, Status::Endorsed),
    (220, Status::Cancelled),
    (221, Status::RoutingError),
];

impl Status {
    /// Every status, local ones first, in lifecycle order.
    pub const ALL: [Status; 24] = [
        Status::Checked,
        Status::Blocked,
        Status::Queued,
        Status::Sending,
        Status::ToVerify,
        Status::ToPost,
        Status::Deposited,
        Status::Issued,
        Status::Received,
        Status::MadeAvailable,
        Status::TakenOver,
        Status::Approved,
        Status::PartiallyApproved,
        Status::Disputed,
        Status::Suspended,
        Status::Completed,
        Status::Refused,
        Status::PaymentSent,
        Status::Paid,
        Status::Rejected,
        Status::Endorsed,
        Status::Cancelled,
        Status::RoutingError,
        Status::Unknown,
    ];

    /// The reform code (200..=221) of a reform state; `None` for local states
    /// and [`Status::Unknown`].
    pub fn code(self) -> Option<u16> {
        REFORM_CODES
            .iter()
            .find(|(_, s)| *s == self)
            .map(|(c, _)| *c)
    }

    /// The reform state with this code.
    pub fn from_code(code: u16) -> Option<Status> {
        REFORM_CODES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, s)| *s)
    }

    /// Stable snake_case name, the same as serde's; stored in SQLite.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Checked => "checked",
            Status::Blocked => "blocked",
            Status::Queued => "queued",
            Status::Sending => "sending",
            Status::ToVerify => "to_verify",
            Status::ToPost => "to_post",
            Status::Deposited => "deposited",
            Status::Issued => "issued",
            Status::Received => "received",
            Status::MadeAvailable => "made_available",
            Status::TakenOver => "taken_over",
            Status::Approved => "approved",
            Status::PartiallyApproved => "partially_approved",
            Status::Disputed => "disputed",
            Status::Suspended => "suspended",
            Status::Completed => "completed",
            Status::Refused => "refused",
            Status::PaymentSent => "payment_sent",
            Status::Paid => "paid",
            Status::Rejected => "rejected",
            Status::Endorsed => "endorsed",
            Status::Cancelled => "cancelled",
            Status::RoutingError => "routing_error",
            Status::Unknown => "unknown",
        }
    }

    /// Inverse of [`Status::as_str`] (exact match).
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Short label; for reform states, the reform's own French wording.
    pub fn label(self, lang: Lang) -> &'static str {
        let (fr, en) = match self {
            Status::Checked => ("Contrôlée", "Checked"),
            Status::Blocked => ("Bloquée par un contrôle", "Blocked by a check"),
            Status::Queued => ("En attente d'envoi", "Waiting to be sent"),
            Status::Sending => ("Envoi en cours", "Sending"),
            Status::ToVerify => ("À vérifier", "To verify"),
            Status::ToPost => ("À imprimer et poster", "To print and post"),
            Status::Deposited => ("Déposée", "Deposited"),
            Status::Issued => ("Émise par la plateforme", "Issued by the platform"),
            Status::Received => ("Reçue par la plateforme", "Received by the platform"),
            Status::MadeAvailable => ("Mise à disposition", "Made available"),
            Status::TakenOver => ("Prise en charge", "Taken over"),
            Status::Approved => ("Approuvée", "Approved"),
            Status::PartiallyApproved => ("Approuvée partiellement", "Partially approved"),
            Status::Disputed => ("En litige", "Disputed"),
            Status::Suspended => ("Suspendue", "Suspended"),
            Status::Completed => ("Complétée", "Completed"),
            Status::Refused => ("Refusée", "Refused"),
            Status::PaymentSent => ("Paiement transmis", "Payment sent"),
            Status::Paid => ("Encaissée", "Paid"),
            Status::Rejected => ("Rejetée", "Rejected"),
            Status::Endorsed => ("Visée", "Endorsed"),
            Status::Cancelled => ("Annulée", "Cancelled"),
            Status::RoutingError => ("Erreur de routage", "Routing error"),
            Status::Unknown => ("Statut inconnu", "Unknown status"),
        };
        match lang {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }

    /// The colour family of the status (ui.md "Status language"). A refusal
    /// depends on its reason: use [`category_with_reason`] when you have one.
    pub fn category(self) -> Category {
        use Category::*;
        match self {
            // Nothing wrong, something is under way.
            Status::Checked | Status::Queued | Status::Sending => Waiting,
            Status::Deposited
            | Status::Received
            | Status::MadeAvailable
            | Status::TakenOver
            | Status::Completed => Waiting,
            // ui.md: émise, approuvée, payée.
            Status::Issued
            | Status::Approved
            | Status::Endorsed
            | Status::PaymentSent
            | Status::Paid => Success,
            Status::Blocked
            | Status::ToVerify
            | Status::ToPost
            | Status::Rejected
            | Status::Suspended
            | Status::RoutingError
            | Status::Disputed
            | Status::PartiallyApproved
            // Facteur cannot tell what it means: the user has to look.
            | Status::Unknown => NeedsAction,
            // Generix: "pas d'action requise" for a refusal, bar Mandat absent.
            Status::Refused | Status::Cancelled => Closed,
        }
    }

    /// Final: nothing more is expected. Paid, Rejected, Refused and Cancelled
    /// (terminal in the reform and in e-FACT). Completed (209) is not: the
    /// invoice goes back to the customer (→ 205); Approved is not: payment
    /// follows. A Generix refusal for "Mandat absent" is final for this
    /// deposit; a replay starts the lifecycle again.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Status::Paid | Status::Rejected | Status::Refused | Status::Cancelled
        )
    }

    /// Mandatory in the reform lifecycle: 200, 210, 212, 213.
    pub fn reform_mandatory(self) -> bool {
        matches!(
            self,
            Status::Deposited | Status::Refused | Status::Paid | Status::Rejected
        )
    }
}

/// What a status means for the user, one colour each in the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Émise, approuvée, payée.
    Success,
    /// Déposée, vidéocodage, mise à disposition: under way, nothing to do.
    Waiting,
    /// Rejetée, mandat absent, held by a check, to verify.
    NeedsAction,
    /// Closed without action: refusée (doublon…), annulée.
    Closed,
}

/// The category once the reason is known: a refusal for "Mandat absent" needs
/// the user (upload the mandate, replay); any other refusal, "Doublon"
/// included, is closed (Generix: "pas d'action requise").
pub fn category_with_reason(status: Status, reason_code: Option<&str>) -> Category {
    match (status, reason_code) {
        (Status::Refused, Some(r)) if r.eq_ignore_ascii_case(MANDAT_ABSENT) => {
            Category::NeedsAction
        }
        _ => status.category(),
    }
}

/// The portal vocabularies Facteur reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Vocabulary {
    /// Generix supplier portal (deposit by secure mail), French words.
    Generix,
    /// Chorus Pro invoice statuses (`statutFacture`, `histoStatutCode`).
    ChorusPro,
    /// Chorus Pro deposit-flow states (`etatCourantDepotFlux`, `IN_…`).
    ChorusProFlow,
    /// e-FACT (Catalonia) / FACe: numeric codes, hub codes and labels.
    Efact,
    /// Pagero Online delivery statuses.
    Pagero,
    /// The reform lifecycle: codes 200..221 and their French labels.
    Reform,
    /// Facteur's local sandbox portal: Generix words, then e-FACT progress.
    Sandbox,
    /// Facteur's own status names ([`Status::as_str`]).
    Local,
}

impl Vocabulary {
    /// Every vocabulary.
    pub const ALL: [Vocabulary; 8] = [
        Vocabulary::Generix,
        Vocabulary::ChorusPro,
        Vocabulary::ChorusProFlow,
        Vocabulary::Efact,
        Vocabulary::Pagero,
        Vocabulary::Reform,
        Vocabulary::Sandbox,
        Vocabulary::Local,
    ];

    /// Stable snake_case name, the same as serde's.
    pub fn as_str(self) -> &'static str {
        match self {
            Vocabulary::Generix => "generix",
            Vocabulary::ChorusPro => "chorus_pro",
            Vocabulary::ChorusProFlow => "chorus_pro_flow",
            Vocabulary::Efact => "efact",
            Vocabulary::Pagero => "pagero",
            Vocabulary::Reform => "reform",
            Vocabulary::Sandbox => "sandbox",
            Vocabulary::Local => "local",
        }
    }

    /// Inverse of [`Vocabulary::as_str`] (exact match).
    pub fn parse(s: &str) -> Option<Self> {
        Vocabulary::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// A raw portal status once mapped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mapped {
    /// None: an informational event that does not change the status (e.g.
    /// e-FACT 4200 cancellation requested).
    pub status: Option<Status>,
    /// Normalised reason code when there is one: DOUBLON, MANDAT_ABSENT,
    /// DEST_ERR (customer unknown), SIRET_ERR, REF_CT_ABSENT, TX_TVA_ERR,
    /// ROUTING_ERR, VIDEOCODAGE (Generix processing), SUPPORT (Pagero
    /// support), PARTIAL_INTEGRATION (Chorus Pro flow), OTHER…
    pub reason_code: Option<String>,
    /// Mandatory in the portal's own vocabulary (reform and Generix:
    /// 200/210/212/213; e-FACT: registered 1200, RCF 1300, recognised 2400,
    /// paid 2500, rejected 2600). Chorus Pro and Pagero define no mandatory
    /// statuses: always false there.
    pub mandatory: bool,
    /// The raw value was recognised (false → status `Some(Unknown)`).
    pub known: bool,
}

// Reason codes with a meaning of their own in Facteur.
pub const DOUBLON: &str = "DOUBLON";
/// Facteur's own reason while an attempt waits on the portal: the request
/// left without a definite answer, and the portal will be asked first.
pub const AWAITING_PORTAL: &str = "AWAITING_PORTAL";
pub const MANDAT_ABSENT: &str = "MANDAT_ABSENT";
pub const DEST_ERR: &str = "DEST_ERR";
pub const VIDEOCODAGE: &str = "VIDEOCODAGE";
pub const SUPPORT: &str = "SUPPORT";
pub const PARTIAL_INTEGRATION: &str = "PARTIAL_INTEGRATION";
pub const OTHER: &str = "OTHER";
/// Facteur's own block: the number of a rejected invoice reused.
pub const REJECTED_NUMBER: &str = "REJECTED_NUMBER";

/// One raw value of a vocabulary.
struct Row {
    raw: &'static str,
    status: Option<Status>,
    /// A reason the raw status implies by itself (e.g. "doublon").
    reason: Option<&'static str>,
    mandatory: bool,
}

const fn row(raw: &'static str, status: Status, mandatory: bool) -> Row {
    Row {
        raw,
        status: Some(status),
        reason: None,
        mandatory,
    }
}

const fn because(raw: &'static str, status: Status, reason: &'static str, mandatory: bool) -> Row {
    Row {
        raw,
        status: Some(status),
        reason: Some(reason),
        mandatory,
    }
}

const fn info(raw: &'static str) -> Row {
    Row {
        raw,
        status: None,
        reason: None,
        mandatory: false,
    }
}

use Status as S;

/// Generix supplier portal (seed 000). Mandatory like the reform: 200, 210,
/// 213. Values not here fall back to [`REFORM`]: Generix is a plateforme
/// agréée and speaks the reform lifecycle too.
/// Facteur's own words for its blocks, besides the canonical names (which
/// local events otherwise use, so "rejected" always means the portal's 213).
const LOCAL: &[Row] = &[
    because("duplicate", S::Blocked, DOUBLON, false),
    because("rejected_number", S::Blocked, REJECTED_NUMBER, false),
];

const GENERIX: &[Row] = &[
    row("envoyée", S::Deposited, true),
    row("sent", S::Deposited, true),
    row("déposée", S::Deposited, true),
    row("facture déposée", S::Deposited, true),
    // The mail arrived; the portal's operators key and control it (~48 h).
    because("vidéocodage", S::Deposited, VIDEOCODAGE, true),
    because("vidéocodage en cours", S::Deposited, VIDEOCODAGE, true),
    because("en cours de vidéocodage", S::Deposited, VIDEOCODAGE, true),
    because("en cours de traitement", S::Deposited, VIDEOCODAGE, true),
    row("émise", S::Issued, false),
    row("facture émise", S::Issued, false),
    row("factures émises", S::Issued, false),
    row("rejetée", S::Rejected, true),
    row("facture rejetée", S::Rejected, true),
    row("refusée", S::Refused, true),
    row("facture refusée", S::Refused, true),
    // The portal sometimes shows the refusal reason as the status.
    because("doublon", S::Refused, DOUBLON, true),
    because("mandat absent", S::Refused, MANDAT_ABSENT, true),
];

/// Chorus Pro invoice statuses and the common history codes (names from
/// libriciel/pastell and the PISTE history enum). Chorus Pro has no notion of
/// a mandatory status: `mandatory` is false throughout.
const CHORUS_PRO: &[Row] = &[
    row("DEPOSEE", S::Deposited, false),
    // The PDF was read by OCR on deposit: still being deposited.
    row("INTERPRETEE_OCR", S::Deposited, false),
    row("EN_COURS_ACHEMINEMENT", S::Issued, false),
    row("MISE_A_DISPOSITION", S::MadeAvailable, false),
    row("MISE_A_DISPOSITION_DESTINATAIRE", S::MadeAvailable, false),
    // Works invoices: made available to / forwarded to the project owner
    // (MOA) or the project manager (MOE).
    row("MISE_A_DISPOSITION_MOA", S::MadeAvailable, false),
    row("MISE_A_DISPOSITION_MOE", S::MadeAvailable, false),
    row("TRANSMISE_MOA", S::MadeAvailable, false),
    row("PRISE_EN_COMPTE_DESTINATAIRE", S::TakenOver, false),
    row("PRISE_EN_COMPTE_MOA", S::TakenOver, false),
    row("PRISE_EN_COMPTE_MOE", S::TakenOver, false),
    // Handed to the public accountant: the customer is processing it.
    row("MISE_A_DISPOSITION_COMPTABLE", S::TakenOver, false),
    // The supplier must fix the routing data and "recycler".
    row("A_RECYCLER", S::RoutingError, false),
    row("EN_ATTENTE_RECYCLAGE_FOURNISSEUR", S::RoutingError, false),
    row("REJETEE", S::Rejected, false),
    // The supplier must "compléter".
    row("SUSPENDUE", S::Suspended, false),
    row("A_COMPLETER", S::Suspended, false),
    row("COMPLETEE", S::Completed, false),
    row("SERVICE_FAIT", S::Approved, false),
    // The payment order is issued by the authorising officer; the public
    // accountant still checks it before paying: approved, not yet sent.
    row("MANDATEE", S::Approved, false),
    // Recorded by the public accountant: the payment obligation is recognised
    // (the same step as e-FACT 2400), the money has not left yet.
    row("COMPTABILISEE", S::Approved, false),
    row("MISE_EN_PAIEMENT", S::PaymentSent, false),
    row("REFUSEE", S::Refused, false),
    row("REFUSEE_MOA", S::Refused, false),
    row("REFUSEE_MOE", S::Refused, false),
    // Not in the sourced history list, accepted as the obvious spelling.
    row("ANNULEE", S::Cancelled, false),
    // Abandoned or deleted by the supplier: closed.
    row("ABANDONNEE", S::Cancelled, false),
    row("SUPPRIMEE", S::Cancelled, false),
];

/// Chorus Pro deposit-flow states (`IN_…`).
const CHORUS_PRO_FLOW: &[Row] = &[
    row("IN_RECU", S::Deposited, false),
    row("IN_EN_ATTENTE_TRAITEMENT_CPP", S::Deposited, false),
    row("IN_EN_COURS_TRAITEMENT_CPP", S::Deposited, false),
    // Processed by the exchange service but not integrated yet: it can still
    // end in IN_INCIDENTE or IN_REJETE, so it is not issued.
    row("IN_TRAITE_SE_CPP", S::Deposited, false),
    row("IN_INTEGRE", S::Issued, false),
    // Some invoices of the flow were not integrated: the user must check.
    because(
        "IN_INTEGRE_PARTIEL",
        S::ToVerify,
        PARTIAL_INTEGRATION,
        false,
    ),
    row("IN_INCIDENTE", S::Rejected, false),
    row("IN_REJETE", S::Rejected, false),
];

/// e-FACT / FACe: numeric codes (BOE-A-2014-10660), e-FACT hub codes
/// (ConsorciAOC/eFact REST README), the French labels of seed 004 and the
/// Spanish / Catalan names. Mandatory: registered, RCF, recognised, paid,
/// rejected.
const EFACT: &[Row] = &[
    // Passed e-FACT's validations and handed to the administration's systems:
    // the platform has issued it (201), nobody has registered it yet.
    row("1000", S::Issued, false),
    row("SENT", S::Issued, false),
    row("FACTURE ENVOYÉE", S::Issued, false),
    row("FACTURE ENVOYÉE à e-FACT", S::Issued, false),
    row("Enviada", S::Issued, false),
    row("1200", S::Received, true),
    row("REGISTERED", S::Received, true),
    row("FACTURE ENREGISTRÉE", S::Received, true),
    // Seed 004's (machine) translation of "registrada".
    row("FACTURE RECOMMANDÉE", S::Received, true),
    row("Registrada", S::Received, true),
    // Collected by the administration's systems (optional).
    row("DELIVERED", S::MadeAvailable, false),
    row("FACTURE LIVRÉE", S::MadeAvailable, false),
    row("Lliurada", S::MadeAvailable, false),
    row("Entregada", S::MadeAvailable, false),
    row("1300", S::TakenOver, true),
    row("ANNOTATED", S::TakenOver, true),
    row("FACTURE ENREGISTRÉE AU RCF", S::TakenOver, true),
    row("Registrada en RCF", S::TakenOver, true),
    row("Registrada al RCF", S::TakenOver, true),
    // Received by the managing unit (optional).
    row("RECEIVED", S::TakenOver, false),
    row("FACTURE REÇUE À DESTINATION", S::TakenOver, false),
    // The service was validated ("conformada", optional): approved.
    row("ACCEPTED", S::Approved, false),
    row("FACTURE CONFORME", S::Approved, false),
    row("Conformada", S::Approved, false),
    row("2400", S::Approved, true),
    row("RECOGNISED", S::Approved, true),
    row("RECOGNIZED", S::Approved, true),
    row("OBLIGATION DE PAIEMENT COMPTABILISÉE", S::Approved, true),
    row("Contabilizada la obligación reconocida", S::Approved, true),
    row("2500", S::Paid, true),
    row("PAID", S::Paid, true),
    row("FACTURE PAYÉE", S::Paid, true),
    row("Pagada", S::Paid, true),
    row("2600", S::Rejected, true),
    row("REJECTED", S::Rejected, true),
    row("FACTURE REJETÉE", S::Rejected, true),
    row("Rechazada", S::Rejected, true),
    row("Rebutjada", S::Rejected, true),
    row("3100", S::Cancelled, false),
    row("CANCELLED", S::Cancelled, false),
    row("FACTURE ANNULÉE", S::Cancelled, false),
    row("Anulada", S::Cancelled, false),
    row("Anul·lada", S::Cancelled, false),
    // The cancellation-request track: only its acceptance changes the status.
    info("4100"),
    info("No solicitada anulación"),
    info("4200"),
    info("Solicitada anulación"),
    row("4300", S::Cancelled, false),
    row("Aceptada anulación", S::Cancelled, false),
    info("4400"),
    info("Rechazada anulación"),
];

/// Pagero Online delivery statuses. Pagero defines no mandatory statuses.
const PAGERO: &[Row] = &[
    row("Processing", S::Deposited, false),
    row("Sending", S::Deposited, false),
    because("Being handled by Support", S::Deposited, SUPPORT, false),
    row("Waiting to be delivered", S::Issued, false),
    row("Done", S::MadeAvailable, false),
    row("Done (Fetched)", S::TakenOver, false),
    row("Error at Receiver", S::Rejected, false),
    row("Undeliverable/Rejected", S::Rejected, false),
    row("Undeliverable", S::Rejected, false),
    row("Rejected", S::Rejected, false),
    row("Cancelled", S::Cancelled, false),
    // Pagero waits for someone to act on the document in Pagero Online.
    row("Awaiting interaction", S::ToVerify, false),
];

/// Reform codes and French labels; mandatory: 200, 210, 212, 213.
const REFORM: &[Row] = &[
    row("200", S::Deposited, true),
    row("Déposée", S::Deposited, true),
    row("201", S::Issued, false),
    row("Émise par la plateforme", S::Issued, false),
    row("Émise", S::Issued, false),
    row("202", S::Received, false),
    row("Reçue par la plateforme", S::Received, false),
    row("Reçue", S::Received, false),
    row("203", S::MadeAvailable, false),
    row("Mise à disposition", S::MadeAvailable, false),
    row("204", S::TakenOver, false),
    row("Prise en charge", S::TakenOver, false),
    row("205", S::Approved, false),
    row("Approuvée", S::Approved, false),
    row("206", S::PartiallyApproved, false),
    row("Approuvée partiellement", S::PartiallyApproved, false),
    row("207", S::Disputed, false),
    row("En litige", S::Disputed, false),
    row("208", S::Suspended, false),
    row("Suspendue", S::Suspended, false),
    row("209", S::Completed, false),
    row("Complétée", S::Completed, false),
    row("210", S::Refused, true),
    row("Refusée", S::Refused, true),
    row("211", S::PaymentSent, false),
    row("Paiement transmis", S::PaymentSent, false),
    row("212", S::Paid, true),
    row("Encaissée", S::Paid, true),
    row("213", S::Rejected, true),
    row("Rejetée", S::Rejected, true),
    row("214", S::Endorsed, false),
    row("Visée", S::Endorsed, false),
    row("220", S::Cancelled, false),
    row("Annulée", S::Cancelled, false),
    row("221", S::RoutingError, false),
    row("Erreur de routage", S::RoutingError, false),
];

/// The plateformes' acknowledgement words (AFNOR XP Z12-013 Flow service)
/// that stand for a reform status: the plateforme already holds this flow,
/// its « Doublon ».
const AFNOR_ACK: &[Row] = &[because("AlreadyExistingFlow", S::Refused, DOUBLON, true)];

/// The tables a vocabulary reads, in order: the first match wins.
fn tables(vocab: Vocabulary) -> &'static [&'static [Row]] {
    match vocab {
        Vocabulary::Generix => &[GENERIX, REFORM],
        Vocabulary::ChorusPro => &[CHORUS_PRO],
        Vocabulary::ChorusProFlow => &[CHORUS_PRO_FLOW],
        Vocabulary::Efact => &[EFACT],
        Vocabulary::Pagero => &[PAGERO],
        Vocabulary::Reform => &[REFORM, AFNOR_ACK],
        // Generix words first ("sent" is a mail deposit there), then e-FACT.
        Vocabulary::Sandbox => &[GENERIX, EFACT, REFORM],
        Vocabulary::Local => &[LOCAL],
    }
}

/// Maps a raw portal status (and raw reason text, if any) — case, accents and
/// surrounding spaces insensitive; raw values are never altered by the caller.
///
/// The reason code comes from the raw status when it implies one ("doublon",
/// "vidéocodage"), otherwise from `raw_reason` through [`reason_code`].
pub fn map(vocab: Vocabulary, raw_status: &str, raw_reason: Option<&str>) -> Mapped {
    let reason = raw_reason
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(reason_code);
    if vocab == Vocabulary::Local
        && let Some(status) = Status::parse(raw_status.trim())
    {
        return Mapped {
            status: Some(status),
            reason_code: reason,
            mandatory: false,
            known: status != Status::Unknown,
        };
    }
    let key = fold(raw_status);
    let hit = tables(vocab)
        .iter()
        .flat_map(|t| t.iter())
        .find(|r| fold(r.raw) == key);
    match hit {
        Some(r) => Mapped {
            status: r.status,
            reason_code: r.reason.map(str::to_string).or(reason),
            mandatory: r.mandatory,
            known: true,
        },
        None => unknown(reason),
    }
}

fn unknown(reason_code: Option<String>) -> Mapped {
    Mapped {
        status: Some(Status::Unknown),
        reason_code,
        mandatory: false,
        known: false,
    }
}

/// Free reason text → code: the first phrase found in the text wins.
const REASONS: &[(&str, &str)] = &[
    ("mandat absent", MANDAT_ABSENT),
    ("absence de mandat", MANDAT_ABSENT),
    ("mandat de facturation absent", MANDAT_ABSENT),
    ("doublon", DOUBLON),
    ("facture en double", DOUBLON),
    ("duplicate", DOUBLON),
    ("client reference n'existe pas", DEST_ERR),
    ("client inconnu", DEST_ERR),
    ("destinataire inconnu", DEST_ERR),
    ("siret", "SIRET_ERR"),
    ("reference de contrat", "REF_CT_ABSENT"),
    ("reference contrat", "REF_CT_ABSENT"),
    ("taux de tva", "TX_TVA_ERR"),
    ("erreur de routage", "ROUTING_ERR"),
    ("videocodage", VIDEOCODAGE),
];

/// Reason code from free reason text ("Mandat absent" → MANDAT_ABSENT,
/// "Doublon" → DOUBLON, "Le client référencé n'existe pas" → DEST_ERR); a code
/// such as "DOUBLON" or "siret_err" passes through in upper case; anything
/// else is OTHER.
pub fn reason_code(raw_reason: &str) -> String {
    // "TX_TVA_ERR — Taux de TVA erroné": a code given before its words wins.
    let t = raw_reason.trim();
    let end = t.find([' ', ':']).unwrap_or(t.len());
    let (head, rest) = t.split_at(end);
    if !rest.is_empty() && looks_like_code(head) && rest.trim_start().starts_with(['—', '-', ':'])
    {
        return head.to_ascii_uppercase();
    }
    let text = fold(raw_reason);
    if let Some((_, code)) = REASONS.iter().find(|(phrase, _)| text.contains(phrase)) {
        return (*code).to_string();
    }
    let raw = raw_reason.trim();
    if looks_like_code(raw) {
        return raw.to_ascii_uppercase();
    }
    OTHER.to_string()
}

/// "SIRET_ERR", "siret_err", "OTHER": one ASCII token that has an underscore
/// or is all capitals.
fn looks_like_code(s: &str) -> bool {
    let token = !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    token && (s.contains('_') || (s.len() >= 3 && !s.chars().any(|c| c.is_ascii_lowercase())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(vocab: Vocabulary, raw: &str) -> Option<Status> {
        map(vocab, raw, None).status
    }

    #[test]
    fn codes_round_trip_and_cover_the_reform() {
        let coded: Vec<u16> = Status::ALL.iter().filter_map(|s| s.code()).collect();
        assert_eq!(
            coded,
            [
                200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 214, 220, 221
            ]
        );
        for s in Status::ALL {
            if let Some(c) = s.code() {
                assert_eq!(Status::from_code(c), Some(s));
            }
        }
        assert_eq!(Status::from_code(212), Some(Status::Paid));
        assert_eq!(Status::from_code(215), None);
        assert_eq!(Status::Checked.code(), None);
        assert_eq!(Status::Unknown.code(), None);
    }

    #[test]
    fn names_match_serde_and_parse_back() {
        for s in Status::ALL {
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
            assert_eq!(Status::parse(s.as_str()), Some(s));
            let back: Status = serde_json::from_str(&json).unwrap();
            assert_eq!(back, s);
        }
        assert_eq!(Status::ToVerify.as_str(), "to_verify");
        assert_eq!(Status::PaymentSent.as_str(), "payment_sent");
        assert_eq!(Status::parse("Paid"), None);
        for v in Vocabulary::ALL {
            assert_eq!(
                serde_json::to_string(&v).unwrap(),
                format!("\"{}\"", v.as_str())
            );
            assert_eq!(Vocabulary::parse(v.as_str()), Some(v));
        }
        assert_eq!(Vocabulary::ChorusProFlow.as_str(), "chorus_pro_flow");
        assert_eq!(Vocabulary::parse("chorus"), None);
    }

    #[test]
    fn labels_exist_and_are_distinct() {
        let mut fr: Vec<&str> = Status::ALL.iter().map(|s| s.label(Lang::Fr)).collect();
        let mut en: Vec<&str> = Status::ALL.iter().map(|s| s.label(Lang::En)).collect();
        assert!(fr.iter().chain(en.iter()).all(|l| !l.is_empty()));
        fr.sort();
        fr.dedup();
        en.sort();
        en.dedup();
        assert_eq!(fr.len(), Status::ALL.len());
        assert_eq!(en.len(), Status::ALL.len());
        assert_eq!(Status::Issued.label(Lang::Fr), "Émise par la plateforme");
        assert_eq!(Status::Blocked.label(Lang::Fr), "Bloquée par un contrôle");
        assert_eq!(Status::ToVerify.label(Lang::Fr), "À vérifier");
        assert_eq!(Status::Rejected.label(Lang::En), "Rejected");
    }

    #[test]
    fn reform_labels_map_back_to_their_status() {
        for s in Status::ALL.into_iter().filter(|s| s.code().is_some()) {
            let m = map(Vocabulary::Reform, s.label(Lang::Fr), None);
            assert_eq!(m.status, Some(s), "{}", s.label(Lang::Fr));
            let m = map(Vocabulary::Reform, &s.code().unwrap().to_string(), None);
            assert_eq!(m.status, Some(s));
            assert_eq!(m.mandatory, s.reform_mandatory());
        }
    }

    #[test]
    fn finality_and_mandatory_states() {
        let finals: Vec<Status> = Status::ALL.into_iter().filter(|s| s.is_final()).collect();
        assert_eq!(
            finals,
            [
                Status::Refused,
                Status::Paid,
                Status::Rejected,
                Status::Cancelled
            ]
        );
        assert!(!Status::Completed.is_final());
        assert!(!Status::Approved.is_final());
        let mandatory: Vec<u16> = Status::ALL
            .into_iter()
            .filter(|s| s.reform_mandatory())
            .filter_map(|s| s.code())
            .collect();
        assert_eq!(mandatory, [200, 210, 212, 213]);
    }

    #[test]
    fn categories_follow_the_ui_language() {
        use Category::*;
        assert_eq!(Status::Issued.category(), Success);
        assert_eq!(Status::Approved.category(), Success);
        assert_eq!(Status::Paid.category(), Success);
        assert_eq!(Status::Deposited.category(), Waiting);
        assert_eq!(Status::MadeAvailable.category(), Waiting);
        assert_eq!(Status::Rejected.category(), NeedsAction);
        assert_eq!(Status::Blocked.category(), NeedsAction);
        assert_eq!(Status::ToVerify.category(), NeedsAction);
        assert_eq!(Status::Unknown.category(), NeedsAction);
        assert_eq!(Status::Cancelled.category(), Closed);
        assert_eq!(
            category_with_reason(Status::Refused, Some(MANDAT_ABSENT)),
            NeedsAction
        );
        assert_eq!(category_with_reason(Status::Refused, Some(DOUBLON)), Closed);
        assert_eq!(category_with_reason(Status::Refused, Some(OTHER)), Closed);
        assert_eq!(category_with_reason(Status::Refused, None), Closed);
        assert_eq!(
            category_with_reason(Status::Deposited, Some(VIDEOCODAGE)),
            Waiting
        );
    }

    #[test]
    fn generix_mail_deposit() {
        use Vocabulary::Generix as G;
        for raw in ["envoyée", "Sent", "  DÉPOSÉE "] {
            let m = map(G, raw, None);
            assert_eq!(m.status, Some(Status::Deposited), "{raw}");
            assert!(m.mandatory && m.known);
            assert_eq!(m.reason_code, None);
        }
        for raw in [
            "vidéocodage",
            "Vidéocodage en cours",
            "en cours de traitement",
            "VIDEOCODAGE",
        ] {
            let m = map(G, raw, None);
            assert_eq!(m.status, Some(Status::Deposited), "{raw}");
            assert_eq!(m.reason_code.as_deref(), Some(VIDEOCODAGE), "{raw}");
        }
        assert_eq!(st(G, "émise"), Some(Status::Issued));
        assert_eq!(st(G, "Facture émise"), Some(Status::Issued));
        assert!(!map(G, "émise", None).mandatory);

        let m = map(G, "rejetée", Some("Le client référencé n'existe pas."));
        assert_eq!(m.status, Some(Status::Rejected));
        assert_eq!(m.reason_code.as_deref(), Some(DEST_ERR));
        assert!(m.mandatory);

        let m = map(G, "Refusée", Some("Mandat absent"));
        assert_eq!(m.status, Some(Status::Refused));
        assert_eq!(m.reason_code.as_deref(), Some(MANDAT_ABSENT));
        let m = map(G, "refusée", Some("Doublon"));
        assert_eq!(m.status, Some(Status::Refused));
        assert_eq!(m.reason_code.as_deref(), Some(DOUBLON));
        let m = map(G, "doublon", None);
        assert_eq!(m.status, Some(Status::Refused));
        assert_eq!(m.reason_code.as_deref(), Some(DOUBLON));
        assert!(m.mandatory);
        // A reform label on Generix (a plateforme agréée).
        assert_eq!(st(G, "Encaissée"), Some(Status::Paid));
        assert_eq!(st(G, "212"), Some(Status::Paid));
    }

    #[test]
    fn generix_mandatory_follows_the_reform() {
        for r in GENERIX {
            assert_eq!(
                r.mandatory,
                r.status.unwrap().reform_mandatory(),
                "{}",
                r.raw
            );
        }
        for r in REFORM {
            assert_eq!(
                r.mandatory,
                r.status.unwrap().reform_mandatory(),
                "{}",
                r.raw
            );
        }
    }

    #[test]
    fn chorus_pro_invoice_statuses() {
        use Vocabulary::ChorusPro as C;
        let cases = [
            ("DEPOSEE", Status::Deposited),
            ("EN_COURS_ACHEMINEMENT", Status::Issued),
            ("MISE_A_DISPOSITION", Status::MadeAvailable),
            ("A_RECYCLER", Status::RoutingError),
            ("REJETEE", Status::Rejected),
            ("SUSPENDUE", Status::Suspended),
            ("SERVICE_FAIT", Status::Approved),
            ("SERVICE-FAIT", Status::Approved),
            ("MANDATEE", Status::Approved),
            ("MISE_A_DISPOSITION_COMPTABLE", Status::TakenOver),
            ("COMPTABILISEE", Status::Approved),
            ("MISE_EN_PAIEMENT", Status::PaymentSent),
            ("COMPLETEE", Status::Completed),
            ("ANNULEE", Status::Cancelled),
            ("MISE_A_DISPOSITION_DESTINATAIRE", Status::MadeAvailable),
            ("PRISE_EN_COMPTE_DESTINATAIRE", Status::TakenOver),
            ("REFUSEE", Status::Refused),
            ("A_COMPLETER", Status::Suspended),
            ("mise_en_paiement", Status::PaymentSent),
        ];
        for (raw, want) in cases {
            let m = map(C, raw, None);
            assert_eq!(m.status, Some(want), "{raw}");
            assert!(m.known && !m.mandatory, "{raw}");
        }
        let m = map(C, "REJETEE", Some("SIRET_ERR"));
        assert_eq!(m.reason_code.as_deref(), Some("SIRET_ERR"));
        let m = map(C, "BROUILLON", None);
        assert_eq!(m.status, Some(Status::Unknown));
        assert!(!m.known);
    }

    #[test]
    fn chorus_pro_flow_states() {
        use Vocabulary::ChorusProFlow as F;
        for raw in [
            "IN_RECU",
            "IN_EN_ATTENTE_TRAITEMENT_CPP",
            "IN_EN_COURS_TRAITEMENT_CPP",
            "IN_TRAITE_SE_CPP",
        ] {
            assert_eq!(st(F, raw), Some(Status::Deposited), "{raw}");
        }
        assert_eq!(st(F, "IN_INTEGRE"), Some(Status::Issued));
        let m = map(F, "IN_INTEGRE_PARTIEL", None);
        assert_eq!(m.status, Some(Status::ToVerify));
        assert_eq!(m.reason_code.as_deref(), Some(PARTIAL_INTEGRATION));
        assert_eq!(st(F, "IN_INCIDENTE"), Some(Status::Rejected));
        assert_eq!(st(F, "IN_REJETE"), Some(Status::Rejected));
        // Invoice statuses are another vocabulary.
        assert_eq!(st(F, "DEPOSEE"), Some(Status::Unknown));
    }

    #[test]
    fn efact_codes_and_labels() {
        use Vocabulary::Efact as E;
        let cases = [
            ("1000", Status::Issued, false),
            ("1200", Status::Received, true),
            ("1300", Status::TakenOver, true),
            ("2400", Status::Approved, true),
            ("2500", Status::Paid, true),
            ("2600", Status::Rejected, true),
            ("3100", Status::Cancelled, false),
            ("4300", Status::Cancelled, false),
            ("FACTURE REJETÉE", Status::Rejected, true),
            ("facture rejetee", Status::Rejected, true),
            ("FACTURE ENREGISTRÉE AU RCF", Status::TakenOver, true),
            (
                "OBLIGATION DE PAIEMENT COMPTABILISÉE",
                Status::Approved,
                true,
            ),
            ("FACTURE PAYÉE", Status::Paid, true),
            ("FACTURE LIVREE", Status::MadeAvailable, false),
            ("FACTURE REÇUE À DESTINATION", Status::TakenOver, false),
            ("FACTURE CONFORME", Status::Approved, false),
            ("FACTURE ANNULÉE", Status::Cancelled, false),
            ("REGISTERED", Status::Received, true),
            ("ANNOTATED", Status::TakenOver, true),
            ("Pagada", Status::Paid, true),
            ("Anul·lada", Status::Cancelled, false),
        ];
        for (raw, want, mandatory) in cases {
            let m = map(E, raw, None);
            assert_eq!(m.status, Some(want), "{raw}");
            assert_eq!(m.mandatory, mandatory, "{raw}");
            assert!(m.known);
        }
        for raw in ["4100", "4200", "4400", "Solicitada anulación"] {
            let m = map(E, raw, None);
            assert_eq!(m.status, None, "{raw}");
            assert!(m.known && !m.mandatory);
        }
        let m = map(E, " 2600 ", Some("Duplicate invoice"));
        assert_eq!(m.reason_code.as_deref(), Some(DOUBLON));
        assert_eq!(st(E, "9999"), Some(Status::Unknown));
    }

    #[test]
    fn pagero_statuses() {
        use Vocabulary::Pagero as P;
        let cases = [
            ("Done", Status::MadeAvailable),
            ("Done (Fetched)", Status::TakenOver),
            ("done (fetched)", Status::TakenOver),
            ("Waiting to be delivered", Status::Issued),
            ("Error at Receiver", Status::Rejected),
            ("Undeliverable/Rejected", Status::Rejected),
            ("Cancelled", Status::Cancelled),
            ("Processing", Status::Deposited),
            ("Sending", Status::Deposited),
            ("Awaiting interaction", Status::ToVerify),
        ];
        for (raw, want) in cases {
            let m = map(P, raw, None);
            assert_eq!(m.status, Some(want), "{raw}");
            assert!(!m.mandatory);
        }
        let m = map(P, "Being handled by Support", None);
        assert_eq!(m.status, Some(Status::Deposited));
        assert_eq!(m.reason_code.as_deref(), Some(SUPPORT));
        assert!(Status::Rejected.is_final());
    }

    #[test]
    fn reform_vocabulary_passes_reason_codes_through() {
        let m = map(Vocabulary::Reform, "213", Some("SIRET_ERR"));
        assert_eq!(m.status, Some(Status::Rejected));
        assert_eq!(m.reason_code.as_deref(), Some("SIRET_ERR"));
        assert!(m.mandatory);
        let m = map(Vocabulary::Reform, "Refusée", Some("DOUBLON"));
        assert_eq!(m.status, Some(Status::Refused));
        assert_eq!(m.reason_code.as_deref(), Some(DOUBLON));
        let m = map(Vocabulary::Reform, "Rejetée", Some("tx_tva_err"));
        assert_eq!(m.reason_code.as_deref(), Some("TX_TVA_ERR"));
        assert_eq!(st(Vocabulary::Reform, "envoyée"), Some(Status::Unknown));
    }

    #[test]
    fn sandbox_speaks_generix_then_efact() {
        use Vocabulary::Sandbox as X;
        // Generix wins on "sent": a mail deposit.
        assert_eq!(st(X, "sent"), Some(Status::Deposited));
        let m = map(X, "vidéocodage", None);
        assert_eq!(m.reason_code.as_deref(), Some(VIDEOCODAGE));
        assert_eq!(st(X, "émise"), Some(Status::Issued));
        assert_eq!(st(X, "1200"), Some(Status::Received));
        assert_eq!(st(X, "2400"), Some(Status::Approved));
        assert_eq!(st(X, "2500"), Some(Status::Paid));
        assert!(map(X, "2500", None).mandatory);
        let m = map(X, "refusée", Some("Mandat absent"));
        assert_eq!(m.status, Some(Status::Refused));
        assert_eq!(m.reason_code.as_deref(), Some(MANDAT_ABSENT));
    }

    #[test]
    fn local_names() {
        for s in Status::ALL {
            let m = map(Vocabulary::Local, s.as_str(), None);
            assert_eq!(m.status, Some(s));
            assert_eq!(m.known, s != Status::Unknown);
        }
        assert_eq!(st(Vocabulary::Local, "Déposée"), Some(Status::Unknown));
    }

    #[test]
    fn unknown_values_are_kept_not_dropped() {
        for v in Vocabulary::ALL {
            let m = map(v, "XYZ en attente cosmique", Some("motif étrange"));
            assert_eq!(m.status, Some(Status::Unknown), "{v:?}");
            assert!(!m.known && !m.mandatory);
            assert_eq!(m.reason_code.as_deref(), Some(OTHER));
            let m = map(v, "", None);
            assert_eq!(m.status, Some(Status::Unknown));
            assert_eq!(m.reason_code, None);
        }
    }

    #[test]
    fn reason_codes_from_free_text() {
        assert_eq!(reason_code("Mandat absent"), MANDAT_ABSENT);
        assert_eq!(reason_code("  MANDAT ABSENT "), MANDAT_ABSENT);
        assert_eq!(reason_code("Doublon"), DOUBLON);
        assert_eq!(reason_code("Le client référencé n’existe pas."), DEST_ERR);
        assert_eq!(reason_code("SIRET du destinataire invalide"), "SIRET_ERR");
        assert_eq!(reason_code("DOUBLON"), DOUBLON);
        assert_eq!(reason_code("SIRET_ERR"), "SIRET_ERR");
        assert_eq!(reason_code("ref_ct_absent"), "REF_CT_ABSENT");
        assert_eq!(reason_code("OTHER"), OTHER);
        assert_eq!(reason_code("Taux de TVA erroné"), "TX_TVA_ERR");
        assert_eq!(reason_code("Montant incohérent"), OTHER);
        assert_eq!(reason_code("ok"), OTHER);
        assert_eq!(reason_code("TX_TVA_ERR — Taux erroné"), "TX_TVA_ERR");
        assert_eq!(reason_code("OTHER — facture en double"), OTHER);
        assert_eq!(reason_code("REF_CT_ABSENT: manque"), "REF_CT_ABSENT");
        assert_eq!(reason_code("REJET du flux"), OTHER);
        assert_eq!(reason_code(""), OTHER);
    }

    #[test]
    fn tables_have_no_duplicate_keys() {
        for table in [GENERIX, CHORUS_PRO, CHORUS_PRO_FLOW, EFACT, PAGERO, REFORM] {
            let mut keys: Vec<String> = table.iter().map(|r| fold(r.raw)).collect();
            let n = keys.len();
            keys.sort();
            keys.dedup();
            assert_eq!(keys.len(), n, "duplicate key in a table");
        }
    }
}
