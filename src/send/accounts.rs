//! Portal accounts: which portals the supplier uses and how to reach them,
//! with every secret (SMTP/IMAP password, PISTE client secret, technical
//! password) kept in the OS keyring and nowhere else.
//!
//! The database holds an account's kind, its non-secret settings and the
//! *names* of its secret fields; the values go to the keyring under the
//! service `facteur` and the user `<home id>/<account>/<field>`, the home id
//! being the random id kept in the home ([`home_id`]): two homes with an
//! account of the same name keep their own secrets. An entry of the older
//! form `<account>/<field>` is moved under the home's name the first time
//! that home reads it. Nothing here returns a secret except
//! [`SecretStore::get`], which the channels call at send time.
//!
//! The rows are read and written by the store's
//! [`crate::mirror::store::accounts`] family; this module encodes and decodes
//! them and keeps the keyring in step.
//!
//! Deliberately not here: talking to the portals (the channels), and any
//! fallback that would write a secret to a file when no keyring is available
//! (there is none: without a keyring, adding a secret fails with a clear
//! error).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::mirror::store::accounts::AccountRow;
use crate::mirror::store::{Store, StoreError};

/// The keyring service name.
pub const SERVICE: &str = "facteur";

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("an account named \"{0}\" already exists")]
    Exists(String),
    #[error("no account named \"{0}\" (see `facteur account list`)")]
    NotFound(String),
    #[error(
        "unknown account kind \"{0}\" (mail_deposit, chorus_pro, sandbox, plateforme, email, print)"
    )]
    Kind(String),
    #[error("an account name is 1 to 64 letters, digits, '-', '_' or '.': \"{0}\"")]
    Name(String),
    #[error(
        "the OS keyring refused to store or read the secret \"{field}\" of account \"{account}\": {detail}"
    )]
    Keyring {
        account: String,
        field: String,
        detail: String,
    },
    /// No keyring exists at all on this computer (no Secret Service on
    /// the session bus, no platform store): distinct from a locked one.
    #[error(
        "aucun trousseau de mots de passe n'est disponible sur cet ordinateur (Facteur ne garde les mots de passe que là) : installez ou démarrez-en un (GNOME Keyring, KWallet…) puis réessayez / no password keyring exists on this computer (Facteur keeps passwords only there): install or start one (GNOME Keyring, KWallet…), then try again ({detail})"
    )]
    NoKeyring { detail: String },
    #[error("cannot read the account settings: {0}")]
    Json(#[from] serde_json::Error),
    /// A setting that would send secrets or invoices where they must not
    /// go: an address that is not https (plain http only to this machine),
    /// carries a user name, or a mail server without TLS elsewhere.
    #[error("the setting \"{key}\" of account \"{account}\" is refused: {detail}")]
    Unsafe {
        account: String,
        key: String,
        detail: String,
    },
}

type Result<T> = std::result::Result<T, AccountError>;

/// The name of the built-in demonstration account (the sandbox portal).
pub const SANDBOX_ACCOUNT: &str = "sandbox";

/// The name of the built-in demonstration plateforme agréée account
/// (`facteur sandbox serve-pa`).
pub const SANDBOX_PA_ACCOUNT: &str = "sandbox-pa";

/// How an account is named to the owner: the built-in demonstration
/// accounts in plain words (their names are for the command line), any
/// other by the name its owner gave it. French, then English.
pub fn display_name(account: &str) -> (String, String) {
    match account {
        SANDBOX_ACCOUNT => (
            "le portail de démonstration".into(),
            "the demonstration portal".into(),
        ),
        SANDBOX_PA_ACCOUNT => (
            "la plateforme de démonstration".into(),
            "the demonstration plateforme".into(),
        ),
        other => (
            format!("le compte « {other} »"),
            format!("account \"{other}\""),
        ),
    }
}

/// The sandbox portal's default port on 127.0.0.1.
pub const SANDBOX_DEFAULT_PORT: u16 = 8917;

/// Names another loopback address for the built-in sandbox (two installs
/// side by side, tests): `FACTEUR_SANDBOX_URL=http://127.0.0.1:PORT`.
pub const SANDBOX_URL_ENV: &str = "FACTEUR_SANDBOX_URL";

/// The demonstration plateforme's default port on 127.0.0.1.
pub const SANDBOX_PA_DEFAULT_PORT: u16 = 8918;

/// Names another loopback address for the built-in plateforme:
/// `FACTEUR_PA_SANDBOX_URL=http://127.0.0.1:PORT`.
pub const SANDBOX_PA_URL_ENV: &str = "FACTEUR_PA_SANDBOX_URL";

/// The demonstration plateforme's client id. Not a secret: the
/// demonstration takes any.
pub const DEMO_CLIENT_ID: &str = "facteur-demonstration";

/// The demonstration plateforme's client secret. Not a secret: it is
/// published here and only opens the simulation on this computer.
pub const DEMO_CLIENT_SECRET: &str = "simulation";

fn url_from_env(var: &str, port: u16) -> String {
    match std::env::var(var) {
        Ok(u) if !u.trim().is_empty() => u.trim().trim_end_matches('/').to_string(),
        _ => format!("http://127.0.0.1:{port}"),
    }
}

/// The URL of the sandbox when no `FACTEUR_HOME` is known:
/// `FACTEUR_SANDBOX_URL` when set, otherwise port 8917 on loopback. The
/// built-in account uses [`sandbox_url_for`] its home.
pub fn sandbox_url() -> String {
    url_from_env(SANDBOX_URL_ENV, SANDBOX_DEFAULT_PORT)
}

/// The URL of the built-in plateforme when no `FACTEUR_HOME` is known:
/// `FACTEUR_PA_SANDBOX_URL` when set, otherwise port 8918 on loopback.
pub fn sandbox_pa_url() -> String {
    url_from_env(SANDBOX_PA_URL_ENV, SANDBOX_PA_DEFAULT_PORT)
}

/// The file in `FACTEUR_HOME` keeping the port of that home's sandbox.
pub const SANDBOX_PORT_FILE: &str = "sandbox.port";

/// The file in `FACTEUR_HOME` keeping the port of that home's
/// demonstration plateforme.
pub const SANDBOX_PA_PORT_FILE: &str = "sandbox-pa.port";

/// The file in `FACTEUR_HOME` naming that home to its sandbox: the sandbox
/// says it on its status endpoint, and the sandbox channel of the built-in
/// account refuses a sandbox that names another home.
pub const SANDBOX_ID_FILE: &str = "sandbox.id";

/// The setting of the built-in sandbox account holding its home's id
/// ([`sandbox_id`]); not a secret.
pub const HOME_ID_SETTING: &str = "home_id";

/// The URL of `home`'s own sandbox: `FACTEUR_SANDBOX_URL` when set (tests,
/// a portal run apart), otherwise loopback on the port recorded in
/// `home/sandbox.port`, chosen at first use (8917 when free), so that two
/// homes used at once (the window and a `facteur submit` with another
/// `FACTEUR_HOME`) never share a sandbox.
pub fn sandbox_url_for(home: &std::path::Path) -> String {
    match std::env::var(SANDBOX_URL_ENV) {
        Ok(u) if !u.trim().is_empty() => sandbox_url(),
        _ => format!(
            "http://127.0.0.1:{}",
            home_port(home, SANDBOX_PORT_FILE, SANDBOX_DEFAULT_PORT)
        ),
    }
}

/// The URL of `home`'s own demonstration plateforme, as
/// [`sandbox_url_for`]: `FACTEUR_PA_SANDBOX_URL`, or the port recorded in
/// `home/sandbox-pa.port` (8918 when free at first use).
pub fn sandbox_pa_url_for(home: &std::path::Path) -> String {
    match std::env::var(SANDBOX_PA_URL_ENV) {
        Ok(u) if !u.trim().is_empty() => sandbox_pa_url(),
        _ => format!(
            "http://127.0.0.1:{}",
            home_port(home, SANDBOX_PA_PORT_FILE, SANDBOX_PA_DEFAULT_PORT)
        ),
    }
}

/// The id of `home` for its sandbox (`home/sandbox.id`, 32 hex digits,
/// made at first use).
pub fn sandbox_id(home: &std::path::Path) -> std::io::Result<String> {
    let path = home.join(SANDBOX_ID_FILE);
    if let Some(id) = read_trimmed(&path).filter(|s| !s.is_empty()) {
        return Ok(id);
    }
    let id: String = (0..32)
        .map(|_| char::from_digit(fastrand::u32(0..16), 16).expect("a hex digit"))
        .collect();
    write_new(&path, &id)?;
    // Another process may have written its own first: the file decides.
    read_trimmed(&path).ok_or_else(|| std::io::Error::other("sandbox.id unreadable"))
}

fn read_trimmed(path: &std::path::Path) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
}

/// Writes `content` to `path` only if no file is there yet, never leaving
/// a half-written file under that name: written aside, then linked under
/// the name (which fails when it exists).
fn write_new(path: &std::path::Path, content: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        crate::home::create_private_dir(dir)?;
    }
    let tmp = path.with_extension(format!("tmp-{}-{}", std::process::id(), fastrand::u32(..)));
    crate::home::write_private(&tmp, content.as_bytes())?;
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// The port recorded in `home/file`, or one chosen now and recorded:
/// `preferred` when nothing listens there, otherwise any free loopback
/// port. A home that cannot be written uses `preferred`.
fn home_port(home: &std::path::Path, file: &str, preferred: u16) -> u16 {
    let path = home.join(file);
    if let Some(p) = read_trimmed(&path).and_then(|s| s.parse::<u16>().ok()) {
        return p;
    }
    let free = |port: u16| {
        std::net::TcpListener::bind(("127.0.0.1", port))
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .ok()
    };
    let Some(port) = free(preferred).or_else(|| free(0)) else {
        return preferred;
    };
    if let Err(e) = write_new(&path, &port.to_string()) {
        tracing::warn!(path = %path.display(), "the sandbox's port cannot be recorded: {e}");
        return port;
    }
    read_trimmed(&path)
        .and_then(|s| s.parse().ok())
        .unwrap_or(port)
}

/// The account to send through: the named one, or the built-in sandbox
/// (which exists even when no account was ever added). The built-in
/// `sandbox-pa` exists too. The built-in accounts' addresses are those of
/// the store's home ([`sandbox_url_for`]).
pub fn resolve(store: &Store, name: Option<&str>) -> Result<Account> {
    let name = name.unwrap_or(SANDBOX_ACCOUNT);
    match find(store, name)? {
        Some(a) => Ok(a),
        None if name == SANDBOX_ACCOUNT => {
            let mut settings: BTreeMap<String, String> = BTreeMap::new();
            match store.home() {
                Some(home) => {
                    settings.insert("url".into(), sandbox_url_for(home));
                    // A sandbox named by FACTEUR_SANDBOX_URL is run apart
                    // (tests, a portal shared on purpose): only the home's
                    // own one is held to the home's id.
                    let overridden =
                        std::env::var(SANDBOX_URL_ENV).is_ok_and(|u| !u.trim().is_empty());
                    if !overridden && let Ok(id) = sandbox_id(home) {
                        settings.insert(HOME_ID_SETTING.into(), id);
                    }
                }
                None => {
                    settings.insert("url".into(), sandbox_url());
                }
            }
            Ok(Account {
                name: SANDBOX_ACCOUNT.to_string(),
                kind: Kind::Sandbox,
                settings,
                secret_fields: Vec::new(),
            })
        }
        None if name == SANDBOX_PA_ACCOUNT => Ok(Account {
            name: SANDBOX_PA_ACCOUNT.to_string(),
            kind: Kind::Plateforme,
            settings: [
                (
                    "url".to_string(),
                    match store.home() {
                        Some(home) => sandbox_pa_url_for(home),
                        None => sandbox_pa_url(),
                    },
                ),
                ("simulation".to_string(), "true".to_string()),
            ]
            .into(),
            secret_fields: Vec::new(),
        }),
        None => Err(AccountError::NotFound(name.to_string())),
    }
}

/// The kinds of portal account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A portal's mail deposit (Generix style): SMTP out, IMAP for answers.
    MailDeposit,
    /// Chorus Pro through the PISTE API.
    ChorusPro,
    /// The built-in demonstration portal.
    Sandbox,
    /// A plateforme agréée through the AFNOR API.
    Plateforme,
    /// Direct e-mail of the PDF to a customer (SMTP only): routing's
    /// e-mail fallback.
    Email,
    /// A print folder: the PDF is placed there to be printed and posted.
    Print,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::MailDeposit => "mail_deposit",
            Kind::ChorusPro => "chorus_pro",
            Kind::Sandbox => "sandbox",
            Kind::Plateforme => "plateforme",
            Kind::Email => "email",
            Kind::Print => "print",
        }
    }

    pub fn parse(s: &str) -> Result<Kind> {
        match s {
            "mail_deposit" | "mail" => Ok(Kind::MailDeposit),
            "chorus_pro" | "chorus" => Ok(Kind::ChorusPro),
            "sandbox" => Ok(Kind::Sandbox),
            "plateforme" | "pa" => Ok(Kind::Plateforme),
            "email" => Ok(Kind::Email),
            "print" => Ok(Kind::Print),
            other => Err(AccountError::Kind(other.to_string())),
        }
    }
}

/// An account as listed: settings and the names of its secrets, never their values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub name: String,
    pub kind: Kind,
    pub settings: BTreeMap<String, String>,
    pub secret_fields: Vec<String>,
}

/// Where secrets live. The OS keyring in the product; the trait lets the
/// channels' unit tests run without one.
pub trait SecretStore {
    fn set(&self, account: &str, field: &str, value: &str) -> Result<()>;
    fn get(&self, account: &str, field: &str) -> Result<Option<String>>;
    fn delete(&self, account: &str, field: &str) -> Result<()>;
}

/// The OS keyring: Secret Service on Linux, Keychain on macOS, Credential
/// Manager on Windows; entries named after this process's home
/// (`FACTEUR_HOME` or the platform's data folder).
pub struct OsKeyring;

/// The id that names a home's keyring entries and its sandbox
/// (`home/sandbox.id`, 32 random hex digits made at first use).
pub fn home_id(home: &std::path::Path) -> std::io::Result<String> {
    sandbox_id(home)
}

/// The keyring user name of a field: `<home id>/<account>/<field>`.
pub fn keyring_user(home_id: &str, account: &str, field: &str) -> String {
    format!("{home_id}/{account}/{field}")
}

impl OsKeyring {
    /// This process's home id, made once.
    fn namespace(account: &str, field: &str) -> Result<&'static str> {
        static ID: std::sync::OnceLock<std::result::Result<String, String>> =
            std::sync::OnceLock::new();
        let id = ID.get_or_init(|| {
            let home = crate::home::ensure().map_err(|e| e.to_string())?;
            home_id(&home).map_err(|e| format!("cannot read the home's id: {e}"))
        });
        id.as_deref().map_err(|e| AccountError::Keyring {
            account: account.to_string(),
            field: field.to_string(),
            detail: e.clone(),
        })
    }

    fn entry(account: &str, field: &str) -> Result<keyring::Entry> {
        let ns = OsKeyring::namespace(account, field)?;
        keyring::Entry::new(SERVICE, &keyring_user(ns, account, field))
            .map_err(|e| keyring_error(account, field, e))
    }

    /// The entry of the older, home-less form `<account>/<field>`.
    fn legacy_entry(account: &str, field: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(SERVICE, &format!("{account}/{field}"))
            .map_err(|e| keyring_error(account, field, e))
    }

    /// Moves an older entry under this home's name: written under the new
    /// name first, then the old one deleted (a failure in between leaves
    /// both, never neither).
    fn migrate(account: &str, field: &str) -> Result<Option<String>> {
        let legacy = OsKeyring::legacy_entry(account, field)?;
        let value = match legacy.get_password() {
            Ok(v) => v,
            Err(keyring::Error::NoEntry) => return Ok(None),
            Err(e) => return Err(keyring_error(account, field, e)),
        };
        OsKeyring::entry(account, field)?
            .set_password(&value)
            .map_err(|e| keyring_error(account, field, e))?;
        match legacy.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => {}
            Err(e) => tracing::warn!(account, field, "the older keyring entry stays: {e}"),
        }
        tracing::info!(account, field, "keyring entry moved under this home's name");
        Ok(Some(value))
    }
}

fn keyring_error(account: &str, field: &str, e: keyring::Error) -> AccountError {
    match e {
        // No store at all, or none answering on this session: not a
        // locked keyring the user could unlock.
        keyring::Error::NoDefaultStore | keyring::Error::PlatformFailure(_) => {
            AccountError::NoKeyring {
                detail: e.to_string(),
            }
        }
        _ => AccountError::Keyring {
            account: account.to_string(),
            field: field.to_string(),
            // keyring errors never carry the secret itself.
            detail: e.to_string(),
        },
    }
}

impl SecretStore for OsKeyring {
    fn set(&self, account: &str, field: &str, value: &str) -> Result<()> {
        OsKeyring::entry(account, field)?
            .set_password(value)
            .map_err(|e| keyring_error(account, field, e))
    }

    fn get(&self, account: &str, field: &str) -> Result<Option<String>> {
        match OsKeyring::entry(account, field)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => OsKeyring::migrate(account, field),
            Err(e) => Err(keyring_error(account, field, e)),
        }
    }

    fn delete(&self, account: &str, field: &str) -> Result<()> {
        // Only this home's entry: an older home-less entry may be another
        // home's, and stays until a home reads (and so moves) it.
        match OsKeyring::entry(account, field)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_error(account, field, e)),
        }
    }
}

fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Whether an account's settings may be saved: every address (a setting
/// named `url` or ending in `_url`) parsed by
/// [`crate::send::channel::http::check_url`] — https, plain http only to
/// this machine, never with a user name —, and a mail server without TLS
/// only on this machine. The one check the CLI and the window call (through
/// [`add`]); the channels check again when they are built.
pub fn validate_settings(
    name: &str,
    kind: Kind,
    settings: &BTreeMap<String, String>,
) -> Result<()> {
    use crate::send::channel::http::{check_url, is_loopback_host};
    let refuse = |key: &str, detail: String| AccountError::Unsafe {
        account: name.to_string(),
        key: key.to_string(),
        detail,
    };
    for (key, value) in settings {
        if (key == "url" || key.ends_with("_url")) && !value.trim().is_empty() {
            check_url(value).map_err(|e| refuse(key, e.to_string()))?;
        }
    }
    if matches!(kind, Kind::MailDeposit | Kind::Email) {
        for proto in ["smtp", "imap"] {
            let tls = settings.get(&format!("{proto}_tls")).map(|t| t.trim());
            let host = settings.get(&format!("{proto}_host")).map(|h| h.trim());
            if let (Some(t), Some(h)) = (tls, host)
                && t.eq_ignore_ascii_case("none")
                && !is_loopback_host(h)
            {
                return Err(refuse(
                    &format!("{proto}_tls"),
                    format!(
                        "sans TLS, le mot de passe et les factures passeraient en clair vers {h} : \
                         seulement vers cet ordinateur (127.0.0.1, ::1, localhost) / without TLS \
                         the password and the invoices would travel in clear to {h}: only to this \
                         computer (127.0.0.1, ::1, localhost)"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Adds an account: secrets first into the keyring (so a keyring failure
/// leaves no half-made account), then its settings into the database.
pub fn add(
    store: &mut Store,
    keyring: &dyn SecretStore,
    name: &str,
    kind: Kind,
    settings: &BTreeMap<String, String>,
    secrets: &[(String, String)],
    now_ms: i64,
) -> Result<Account> {
    if !valid_name(name) {
        return Err(AccountError::Name(name.to_string()));
    }
    validate_settings(name, kind, settings)?;
    if find(store, name)?.is_some() {
        return Err(AccountError::Exists(name.to_string()));
    }
    for (field, value) in secrets {
        keyring.set(name, field, value)?;
    }
    let fields: Vec<String> = secrets.iter().map(|(f, _)| f.clone()).collect();
    let saved = insert(store, name, kind, settings, &fields, now_ms);
    if saved.is_err() {
        // No account row: take the secrets back out of the keyring.
        for field in &fields {
            let _ = keyring.delete(name, field);
        }
    }
    saved?;
    tracing::info!(
        account = name,
        kind = kind.as_str(),
        secrets = fields.len(),
        "account added"
    );
    Ok(Account {
        name: name.to_string(),
        kind,
        settings: settings.clone(),
        secret_fields: fields,
    })
}

fn insert(
    store: &mut Store,
    name: &str,
    kind: Kind,
    settings: &BTreeMap<String, String>,
    fields: &[String],
    now_ms: i64,
) -> Result<()> {
    let row = AccountRow {
        name: name.to_string(),
        kind: kind.as_str().to_string(),
        settings_json: serde_json::to_string(settings)?,
        secret_fields: serde_json::to_string(fields)?,
    };
    store.insert_account(&row, now_ms)?;
    Ok(())
}

pub fn find(store: &Store, name: &str) -> Result<Option<Account>> {
    store.account_row(name)?.map(to_account).transpose()
}

pub fn list(store: &Store) -> Result<Vec<Account>> {
    store.account_rows()?.into_iter().map(to_account).collect()
}

fn to_account(row: AccountRow) -> Result<Account> {
    Ok(Account {
        name: row.name,
        kind: Kind::parse(&row.kind)?,
        settings: serde_json::from_str(&row.settings_json)?,
        secret_fields: serde_json::from_str(&row.secret_fields)?,
    })
}

/// Removes an account and its secrets from the keyring.
pub fn remove(store: &mut Store, keyring: &dyn SecretStore, name: &str) -> Result<()> {
    let account = find(store, name)?.ok_or_else(|| AccountError::NotFound(name.to_string()))?;
    for field in &account.secret_fields {
        keyring.delete(name, field)?;
    }
    store.delete_account(name)?;
    tracing::info!(account = name, "account removed");
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;

    /// A test-only secret store in memory (the OS keyring is exercised by
    /// `tests/accounts.rs` under a real Secret Service).
    #[derive(Default)]
    struct Memory(RefCell<BTreeMap<(String, String), String>>);

    impl SecretStore for Memory {
        fn set(&self, a: &str, f: &str, v: &str) -> Result<()> {
            self.0.borrow_mut().insert((a.into(), f.into()), v.into());
            Ok(())
        }
        fn get(&self, a: &str, f: &str) -> Result<Option<String>> {
            Ok(self.0.borrow().get(&(a.into(), f.into())).cloned())
        }
        fn delete(&self, a: &str, f: &str) -> Result<()> {
            self.0.borrow_mut().remove(&(a.into(), f.into()));
            Ok(())
        }
    }

    #[test]
    fn add_list_remove_keeps_secrets_out_of_the_database() {
        let mut store = Store::open_in_memory().unwrap();
        let keys = Memory::default();
        let settings = BTreeMap::from([("smtp_host".to_string(), "smtp.example.fr".to_string())]);
        let secrets = vec![("smtp_password".to_string(), "p@ss-Ünïque-42".to_string())];
        add(
            &mut store,
            &keys,
            "generix",
            Kind::MailDeposit,
            &settings,
            &secrets,
            1,
        )
        .unwrap();
        let listed = list(&store).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].secret_fields, ["smtp_password"]);
        assert_eq!(
            keys.get("generix", "smtp_password").unwrap().as_deref(),
            Some("p@ss-Ünïque-42")
        );
        // What the database holds, as stored.
        let dump: String = store
            .account_rows()
            .unwrap()
            .iter()
            .map(|r| format!("{}{}", r.settings_json, r.secret_fields))
            .collect();
        assert!(!dump.contains("p@ss"), "{dump}");
        assert!(matches!(
            add(
                &mut store,
                &keys,
                "generix",
                Kind::Sandbox,
                &BTreeMap::new(),
                &[],
                2
            ),
            Err(AccountError::Exists(_))
        ));
        remove(&mut store, &keys, "generix").unwrap();
        assert!(list(&store).unwrap().is_empty());
        assert_eq!(keys.get("generix", "smtp_password").unwrap(), None);
        assert!(matches!(
            remove(&mut store, &keys, "generix"),
            Err(AccountError::NotFound(_))
        ));
    }

    #[test]
    fn names_and_kinds_are_validated() {
        let mut store = Store::open_in_memory().unwrap();
        let keys = Memory::default();
        for bad in ["", "a b", "x/y", &"n".repeat(65)] {
            assert!(matches!(
                add(
                    &mut store,
                    &keys,
                    bad,
                    Kind::Sandbox,
                    &BTreeMap::new(),
                    &[],
                    1
                ),
                Err(AccountError::Name(_))
            ));
        }
        assert_eq!(Kind::parse("chorus").unwrap(), Kind::ChorusPro);
        assert!(matches!(Kind::parse("fax"), Err(AccountError::Kind(_))));
    }
}
