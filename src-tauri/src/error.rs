//! The one error shape the interface receives (`ui/IPC.md`, "Errors"): a
//! stable code, a sentence in French and in English a shop owner
//! understands, and the technical detail behind « Détails ». The core's
//! errors are mapped here, at the IPC edge, so the core stays free of IPC
//! concerns.

use facteur::intake::folders::FolderError;
use facteur::intake::pipeline::PipelineError;
use facteur::mirror::store::StoreError;
use facteur::send::accounts::AccountError;
use facteur::send::directory::DirectoryError;
use facteur::send::outbox::OutboxError;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UiError {
    pub code: &'static str,
    pub message_fr: String,
    pub message_en: String,
    pub detail: Option<String>,
}

impl UiError {
    pub fn new(code: &'static str, fr: &str, en: &str, detail: Option<String>) -> UiError {
        UiError {
            code,
            message_fr: facteur::check::finding::typo_fr(fr),
            message_en: en.to_string(),
            detail,
        }
    }

    pub fn not_found(what: &str) -> UiError {
        UiError::new(
            "not_found",
            "Cette facture ou ce compte n'existe plus : la liste va se mettre à jour.",
            "This invoice or account no longer exists: the list will refresh.",
            Some(what.to_string()),
        )
    }

    pub fn not_allowed(fr: &str, en: &str, detail: Option<String>) -> UiError {
        UiError::new("not_allowed", fr, en, detail)
    }

    /// Something in Facteur itself went wrong (a background task died).
    pub fn internal(detail: String) -> UiError {
        UiError::new(
            "internal",
            "Erreur interne de Facteur : réessayez ; si cela recommence, regardez les détails.",
            "Facteur hit an internal error: try again; if it happens again, see the details.",
            Some(detail),
        )
    }
}

/// Which program keeps the passwords on this system, and how to open it:
/// the owner is told where to look, not just "the keyring".
pub fn keyring_program() -> (String, String) {
    let (fr, en) = if cfg!(target_os = "macos") {
        (
            "Les mots de passe sont gardés par le Trousseau d'accès de macOS, qui a refusé celui-ci. Ouvrez « Trousseau d'accès » (Applications › Utilitaires), déverrouillez le trousseau « session », puis cliquez de nouveau sur « Enregistrer » : ce que vous avez tapé est gardé.",
            "Passwords are kept by macOS's Keychain Access, which refused this one. Open \"Keychain Access\" (Applications › Utilities), unlock the \"login\" keychain, then click \"Save\" again: what you typed is kept.",
        )
    } else if cfg!(windows) {
        (
            "Les mots de passe sont gardés par le Gestionnaire d'informations d'identification de Windows, qui a refusé celui-ci. Ouvrez-le depuis le menu Démarrer (« Gestionnaire d'identification »), vérifiez qu'il est disponible, puis cliquez de nouveau sur « Enregistrer » : ce que vous avez tapé est gardé.",
            "Passwords are kept by Windows Credential Manager, which refused this one. Open it from the Start menu (\"Credential Manager\"), check it is available, then click \"Save\" again: what you typed is kept.",
        )
    } else {
        (
            "Les mots de passe sont gardés par le trousseau de votre bureau (GNOME Keyring ou KWallet, par le service « Secret Service »), qui a refusé celui-ci : il est sans doute verrouillé. Ouvrez « Mots de passe et clés » (Seahorse) ou KWallet, déverrouillez le trousseau « Connexion », puis cliquez de nouveau sur « Enregistrer » : ce que vous avez tapé est gardé.",
            "Passwords are kept by your desktop's keyring (GNOME Keyring or KWallet, through the \"Secret Service\"), which refused this one: it is probably locked. Open \"Passwords and Keys\" (Seahorse) or KWallet, unlock the \"Login\" keyring, then click \"Save\" again: what you typed is kept.",
        )
    };
    (fr.to_string(), en.to_string())
}

impl From<StoreError> for UiError {
    fn from(e: StoreError) -> UiError {
        match e {
            StoreError::NotFound(k) => UiError::not_found(&k),
            StoreError::BadNumber(n) => UiError::new(
                "bad_number",
                "Tapez le numéro tel qu'il est imprimé sur la facture (1 à 64 caractères).",
                "Type the number as printed on the invoice (1 to 64 characters).",
                Some(format!("\"{n}\"")),
            ),
            StoreError::NumberFixed(id) => UiError::not_allowed(
                "Cette facture est déjà partie : son numéro est celui que le portail connaît et ne change plus.",
                "This invoice already left: its number is the one the portal knows and no longer changes.",
                Some(format!("#{id}")),
            ),
            other => UiError::new(
                "store",
                "Facteur n'arrive pas à lire ou écrire ses données. Fermez-le puis rouvrez-le ; si cela recommence, regardez les détails.",
                "Facteur cannot read or write its data. Close and reopen it; if it happens again, see the details.",
                Some(other.to_string()),
            ),
        }
    }
}

impl From<AccountError> for UiError {
    fn from(e: AccountError) -> UiError {
        let detail = Some(e.to_string());
        match e {
            AccountError::Exists(_) => UiError::new(
                "account_exists",
                "Un compte porte déjà ce nom : choisissez-en un autre.",
                "An account already has this name: choose another one.",
                detail,
            ),
            AccountError::Name(_) => UiError::new(
                "account_name",
                "Le nom du compte ne peut contenir que des lettres sans accent, des chiffres, « - », « _ » ou « . ».",
                "An account name may only hold unaccented letters, digits, '-', '_' or '.'.",
                detail,
            ),
            AccountError::Keyring { .. } => {
                let (fr, en) = keyring_program();
                UiError::new("keyring", &fr, &en, detail)
            }
            AccountError::NotFound(k) => UiError::not_found(&k),
            AccountError::NoKeyring { .. } => UiError::new(
                "no_keyring",
                "Aucun trousseau de mots de passe n'existe sur cet ordinateur, et Facteur ne garde les mots de passe que là : installez ou démarrez-en un (GNOME Keyring, KWallet…), puis réessayez.",
                "No password keyring exists on this computer, and Facteur keeps passwords only there: install or start one (GNOME Keyring, KWallet…), then try again.",
                detail,
            ),
            AccountError::Unsafe { .. } => UiError::new(
                "account_unsafe_address",
                "Cette adresse est refusée : elle doit commencer par https:// (http:// seulement vers cet ordinateur) et ne pas contenir de nom d'utilisateur.",
                "This address is refused: it must be https:// (plain http only to this computer) and carry no user name.",
                detail,
            ),
            AccountError::Store(s) => s.into(),
            _ => UiError::new(
                "internal",
                "Le compte n'a pas pu être enregistré.",
                "The account could not be saved.",
                detail,
            ),
        }
    }
}

impl From<OutboxError> for UiError {
    fn from(e: OutboxError) -> UiError {
        let detail = Some(e.to_string());
        match e {
            OutboxError::Store(s) => s.into(),
            OutboxError::Account(a) => a.into(),
            OutboxError::NotReplayable(_) => UiError::not_allowed(
                "Seule une facture refusée pour « Mandat absent » peut être rejouée.",
                "Only an invoice refused for \"Mandat absent\" can be replayed.",
                detail,
            ),
            OutboxError::NotCorrectable(_) => UiError::not_allowed(
                "Seule une facture rejetée (ou refusée pour un autre motif que le mandat) se corrige par une nouvelle facture.",
                "Only a rejected invoice (or one refused for another reason than the mandate) is corrected by a new invoice.",
                detail,
            ),
            OutboxError::SameNumber(_) => UiError::new(
                "same_number",
                "La facture corrigée doit porter un nouveau numéro : avec le même, le portail la rejetterait encore.",
                "The corrected invoice needs a new number: with the same one the portal would reject it again.",
                detail,
            ),
            OutboxError::Io { .. } | OutboxError::Payload(..) => UiError::new(
                "file_missing",
                "Le fichier de la facture a disparu ou a changé depuis sa vérification : déposez-le de nouveau.",
                "The invoice's file is gone or changed since it was checked: drop it again.",
                detail,
            ),
            OutboxError::Channel(c) if c.is_transient() => UiError::new(
                "portal_unreachable",
                "Le portail ne répond pas. Réessayez dans quelques minutes.",
                "The portal does not answer. Try again in a few minutes.",
                detail,
            ),
            OutboxError::Channel(_) => UiError::new(
                "credentials",
                "Le portail a refusé la demande : vérifiez le compte dans les réglages.",
                "The portal refused the request: check the account in the settings.",
                detail,
            ),
        }
    }
}

impl From<PipelineError> for UiError {
    fn from(e: PipelineError) -> UiError {
        match e {
            PipelineError::Store(e) => e.into(),
            PipelineError::Outbox(e) => e.into(),
            PipelineError::Account(e) => e.into(),
            PipelineError::Route(e) => UiError::new(
                "store",
                "Facteur n'arrive pas à lire l'annuaire des clients. Fermez-le puis rouvrez-le ; si cela recommence, regardez les détails.",
                "Facteur cannot read the customer directory. Close and reopen it; if it happens again, see the details.",
                Some(e.to_string()),
            ),
        }
    }
}

impl From<FolderError> for UiError {
    fn from(e: FolderError) -> UiError {
        let detail = Some(e.to_string());
        match e {
            FolderError::Store(s) => s.into(),
            FolderError::Account(a) => a.into(),
            FolderError::Exists(_) => UiError::new(
                "folder_exists",
                "Ce dossier est déjà surveillé.",
                "This folder is already watched.",
                detail,
            ),
            FolderError::NotAFolder { .. } => UiError::new(
                "not_a_folder",
                "Ce dossier est introuvable : vérifiez qu'il existe (disque ou partage branché).",
                "This folder cannot be found: check that it exists (drive or share connected).",
                detail,
            ),
            FolderError::NotFound(k) => UiError::new(
                "not_found",
                "Ce dossier n'est plus surveillé : la liste va se mettre à jour.",
                "This folder is no longer watched: the list will refresh.",
                Some(k),
            ),
            FolderError::Mode(_) => UiError::not_allowed(
                "Mode inconnu : « contrôle seul » ou « contrôle et envoi ».",
                "Unknown mode: \"check only\" or \"check and submit\".",
                detail,
            ),
        }
    }
}

impl From<DirectoryError> for UiError {
    fn from(e: DirectoryError) -> UiError {
        let detail = Some(e.to_string());
        match e {
            DirectoryError::Store(s) => s.into(),
            DirectoryError::Account(a) => a.into(),
            DirectoryError::NotFound(_) => UiError::new(
                "not_found",
                "Ce client n'est plus dans l'annuaire : la liste va se mettre à jour.",
                "This customer is no longer in the directory: the list will refresh.",
                detail,
            ),
            // Validation is said in both languages before the core is
            // called; what reaches here is an identifier already taken.
            DirectoryError::Invalid(_) => UiError::new(
                "customer_conflict",
                "Un identifiant de ce client désigne déjà un autre client : un identifiant, un client. Voyez les détails.",
                "An identifier of this customer already names another customer: one identifier, one customer. See the details.",
                detail,
            ),
            DirectoryError::Csv(_) => UiError::new(
                "csv_unreadable",
                "Ce fichier ne se lit pas comme un CSV : réenregistrez-le en « CSV UTF-8 » depuis votre tableur.",
                "This file cannot be read as a CSV: save it again as \"CSV UTF-8\" from your spreadsheet.",
                detail,
            ),
            DirectoryError::NoNameColumn => UiError::new(
                "csv_no_name",
                "Aucune colonne de ce fichier ne donne le nom du client : choisissez « nom » pour l'une d'elles.",
                "No column of this file gives the customer's name: choose \"name\" for one of them.",
                detail,
            ),
            DirectoryError::BadLines(_) => UiError::not_allowed(
                "Des lignes du fichier sont invalides : rien n'a été importé.",
                "Some lines of the file are invalid: nothing was imported.",
                detail,
            ),
        }
    }
}
