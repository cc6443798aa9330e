//! The customer directory: who the supplier invoices, the identifiers an
//! invoice may carry for each customer, and the channel that reaches them —
//! one of the supplier's accounts (a portal's mail deposit, Chorus Pro, a
//! plateforme agréée, the sandbox), a direct e-mail of the PDF, or paper.
//!
//! Identifiers are validated when they enter the directory (check digits,
//! shapes, placeholders such as « N/A » refused) and stored normalised, so
//! routing compares like with like. One identifier names one customer: the
//! database refuses a second customer with the same customer number, GLN,
//! SIRET… CSV files are imported all or nothing: every line is validated
//! first and the report names each bad line; only a clean file is written,
//! in one transaction.
//!
//! The customers and settings are read and written by the store's
//! [`crate::mirror::store::customers`] and [`crate::mirror::store::settings`]
//! families; this module decides what may go in.
//!
//! Deliberately not here: deciding where an invoice goes ([`crate::send::route`]
//! reads this directory), talking to any portal, and secrets (an e-mail
//! channel names an account whose password is in the OS keyring).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::check::finding::Lang;
use crate::check::ident::{self, IdKind, Validity};
pub use crate::mirror::store::customers::{Customer, CustomerData, Level, Reach};
use crate::mirror::store::{Store, StoreError};
use crate::send::accounts;

#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Account(#[from] accounts::AccountError),
    #[error("no customer #{0} in the directory")]
    NotFound(i64),
    #[error("{}", .0.join("; "))]
    Invalid(Vec<String>),
    #[error("the CSV file cannot be read: {0}")]
    Csv(#[from] csv::Error),
    #[error("the CSV file has no column for the customer's name (Nom / Name)")]
    NoNameColumn,
    #[error("{0} line(s) of the CSV file are invalid: nothing was imported")]
    BadLines(usize),
}

type Result<T> = std::result::Result<T, DirectoryError>;

impl Level {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Level::CustomerNumber, Lang::Fr) => "numéro client",
            (Level::CustomerNumber, Lang::En) => "customer number",
            (Level::ElectronicAddress, Lang::Fr) => "adresse de facturation électronique",
            (Level::ElectronicAddress, Lang::En) => "e-invoice address",
            (Level::Ovt, _) => "OVT",
            (Level::Iban, _) => "IBAN",
            (Level::Gln, _) => "GLN",
            (Level::Organisation, Lang::Fr) => "SIRET/SIREN",
            (Level::Organisation, Lang::En) => "SIRET/SIREN",
            (Level::Vat, Lang::Fr) => "numéro de TVA",
            (Level::Vat, Lang::En) => "VAT number",
        }
    }
}

impl Reach {
    /// The value of the CSV « canal » column: the account's name, `email`
    /// or `courrier`.
    pub fn csv_value(&self) -> &str {
        match self {
            Reach::Account(a) => a,
            Reach::Email(_) => "email",
            Reach::Print => "courrier",
        }
    }
}

impl CustomerData {
    /// Validates and normalises every field. Returns the problems, each a
    /// sentence naming the field, in French and English.
    pub fn normalised(mut self, known_accounts: &[String]) -> std::result::Result<Self, Vec<Msg>> {
        let mut problems = Vec::new();
        self.name = self.name.trim().to_string();
        if self.name.is_empty() {
            problems.push(Msg::new(
                "le nom du client est vide",
                "the customer's name is empty",
            ));
        }
        let mut id = |v: &mut Option<String>, kind: Option<IdKind>, fr: &str, en: &str| {
            let Some(raw) = v.take().map(|s| s.trim().to_string()) else {
                return;
            };
            if raw.is_empty() {
                return;
            }
            match check_id(kind, &raw) {
                Ok(n) => *v = Some(n),
                Err((why_fr, why_en)) => problems.push(Msg::new(
                    &format!("{fr} « {raw} » : {why_fr}"),
                    &format!("{en} \"{raw}\": {why_en}"),
                )),
            }
        };
        id(
            &mut self.customer_number,
            None,
            "numéro client",
            "customer number",
        );
        id(
            &mut self.electronic_address,
            None,
            "adresse électronique",
            "electronic address",
        );
        id(&mut self.ovt, Some(IdKind::Ovt), "OVT", "OVT");
        id(&mut self.iban, Some(IdKind::Iban), "IBAN", "IBAN");
        id(&mut self.gln, Some(IdKind::Gln), "GLN", "GLN");
        id(&mut self.siren, Some(IdKind::Siren), "SIREN", "SIREN");
        id(&mut self.siret, Some(IdKind::Siret), "SIRET", "SIRET");
        id(
            &mut self.vat,
            Some(IdKind::Vat),
            "numéro de TVA",
            "VAT number",
        );
        // A SIRET names its company's SIREN too.
        if let (Some(siret), None) = (&self.siret, &self.siren) {
            self.siren = ident::siren_of(IdKind::Siret, siret);
        }
        if let (Some(siret), Some(siren)) = (&self.siret, &self.siren)
            && !siret.starts_with(siren.as_str())
        {
            problems.push(Msg::new(
                &format!("le SIRET {siret} n'appartient pas au SIREN {siren}"),
                &format!("SIRET {siret} does not belong to SIREN {siren}"),
            ));
        }
        for v in [&mut self.street, &mut self.postcode, &mut self.city] {
            *v = v
                .take()
                .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|s| !s.is_empty());
        }
        if let Some(c) = self.country.take().map(|c| c.trim().to_uppercase()) {
            if c.len() == 2 && c.chars().all(|ch| ch.is_ascii_uppercase()) {
                self.country = Some(c);
            } else if !c.is_empty() {
                problems.push(Msg::new(
                    &format!("pays « {c} » : le code à deux lettres est attendu (FR, BE…)"),
                    &format!("country \"{c}\": the two-letter code is expected (FR, BE…)"),
                ));
            }
        }
        if let Some(sch) = self.electronic_scheme.take().map(|c| c.trim().to_string()) {
            if sch.len() == 4 && sch.chars().all(|ch| ch.is_ascii_digit()) {
                self.electronic_scheme = Some(sch);
            } else if !sch.is_empty() {
                problems.push(Msg::new(
                    &format!("schéma d'adresse électronique « {sch} » : quatre chiffres attendus (0225, 0009…)"),
                    &format!("electronic address scheme \"{sch}\": four digits expected (0225, 0009…)"),
                ));
            }
        }
        self.service_code = self
            .service_code
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        if problems.is_empty() && Level::ALL.iter().all(|l| self.id_at(*l).is_none()) {
            problems.push(Msg::new(
                "aucun identifiant : il faut au moins un numéro client, une adresse électronique, un SIRET, un numéro de TVA…",
                "no identifier: at least a customer number, an electronic address, a SIRET, a VAT number… is needed",
            ));
        }
        match &mut self.reach {
            None => problems.push(Msg::new(
                "aucun canal : indiquez un compte, « email » ou « courrier »",
                "no channel: give an account, \"email\" or \"print\"",
            )),
            Some(Reach::Account(a)) => {
                *a = a.trim().to_string();
                if !known_accounts.iter().any(|k| k == a) {
                    problems.push(Msg::new(
                        &format!("aucun compte nommé « {a} » (facteur account list)"),
                        &format!("no account named \"{a}\" (facteur account list)"),
                    ));
                }
            }
            Some(Reach::Email(e)) => {
                *e = e.trim().to_string();
                if !plausible_email(e) {
                    problems.push(Msg::new(
                        &format!("« {e} » n'est pas une adresse e-mail"),
                        &format!("\"{e}\" is not an e-mail address"),
                    ));
                }
            }
            Some(Reach::Print) => {}
        }
        if problems.is_empty() {
            Ok(self)
        } else {
            Err(problems)
        }
    }
}

/// A message in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Msg {
    pub fr: String,
    pub en: String,
}

impl Msg {
    pub fn new(fr: &str, en: &str) -> Msg {
        Msg {
            fr: crate::check::finding::typo_fr(fr),
            en: en.to_string(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        }
    }
}

fn plausible_email(e: &str) -> bool {
    match e.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !e.chars().any(|c| c.is_whitespace() || c == ',' || c == ';')
        }
        None => false,
    }
}

/// Normalises one identifier for the directory or for routing. `kind` is
/// `None` for the free-form ones (customer number, electronic address),
/// which only have to be something other than a placeholder.
pub fn check_id(
    kind: Option<IdKind>,
    raw: &str,
) -> std::result::Result<String, (&'static str, &'static str)> {
    if ident::is_placeholder(raw) {
        return Err((
            "valeur de remplissage, pas un identifiant (laissez vide s'il est inconnu)",
            "a placeholder, not an identifier (leave it empty when unknown)",
        ));
    }
    let Some(kind) = kind else {
        let s: String = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        return Ok(s.to_uppercase());
    };
    match ident::validate(kind, raw) {
        Validity::Valid | Validity::FormatOnly => Ok(ident::normalize(kind, raw)),
        Validity::BadCheckDigit => Err((
            "numéro incorrect (un chiffre a sans doute été mal recopié)",
            "wrong check digit (a digit was probably mistyped)",
        )),
        Validity::BadFormat => Err(("forme invalide", "invalid format")),
        Validity::Placeholder => Err((
            "valeur de remplissage, pas un identifiant",
            "a placeholder, not an identifier",
        )),
    }
}

/// Every customer, by name.
pub fn list(store: &Store) -> Result<Vec<Customer>> {
    Ok(store.list_customers()?)
}

/// How many customers the directory holds.
pub fn count(store: &Store) -> Result<i64> {
    Ok(store.count_customers()?)
}

pub fn get(store: &Store, id: i64) -> Result<Customer> {
    store.customer(id)?.ok_or(DirectoryError::NotFound(id))
}

/// The customers whose identifier at `level` is `value` (normalised). At
/// the organisation level a SIRET matches the customer with that SIRET, and
/// a SIREN every customer of that company.
pub fn find(store: &Store, level: Level, value: &str) -> Result<Vec<Customer>> {
    Ok(store.customers_at(level, value)?)
}

/// The accounts a customer may be reached through (those added, and the
/// built-in demonstration portals).
pub fn known_accounts(store: &Store) -> Result<Vec<String>> {
    let mut names: Vec<String> = accounts::list(store)?.into_iter().map(|a| a.name).collect();
    for builtin in [
        crate::send::accounts::SANDBOX_ACCOUNT,
        crate::send::accounts::SANDBOX_PA_ACCOUNT,
    ] {
        if !names.iter().any(|n| n == builtin) {
            names.push(builtin.to_string());
        }
    }
    Ok(names)
}

fn invalid(problems: Vec<Msg>) -> DirectoryError {
    DirectoryError::Invalid(problems.into_iter().map(|m| m.en).collect())
}

/// Adds a customer after validating it; returns its id.
pub fn add(store: &mut Store, data: CustomerData, now_ms: i64) -> Result<i64> {
    let data = data.normalised(&known_accounts(store)?).map_err(invalid)?;
    store.add_customer(&data, now_ms).map_err(unique_error)
}

/// Replaces a customer's fields after validating them.
pub fn update(store: &mut Store, id: i64, data: CustomerData, now_ms: i64) -> Result<()> {
    get(store, id)?;
    let data = data.normalised(&known_accounts(store)?).map_err(invalid)?;
    store
        .update_customer(id, &data, now_ms)
        .map_err(unique_error)
}

pub fn remove(store: &mut Store, id: i64) -> Result<()> {
    if !store.remove_customer(id)? {
        return Err(DirectoryError::NotFound(id));
    }
    Ok(())
}

/// An identifier already taken is said like the other problems with what
/// was entered: "this identifier already names a customer".
fn unique_error(e: StoreError) -> DirectoryError {
    match e {
        e @ StoreError::IdentifierTaken { .. } => DirectoryError::Invalid(vec![e.to_string()]),
        e => DirectoryError::Store(e),
    }
}

// ---------------------------------------------------------------------------
// Settings of routing.

/// The setting naming the account that sends the e-mail fallback.
pub const EMAIL_ACCOUNT: &str = "routing.email_account";
/// The setting naming the account (kind `print`) of the print fallback.
pub const PRINT_ACCOUNT: &str = "routing.print_account";

pub fn setting(store: &Store, key: &str) -> Result<Option<String>> {
    Ok(store.setting(key)?)
}

/// Sets (`Some`) or clears (`None`) a plain setting. Never for secrets.
pub fn set_setting(store: &mut Store, key: &str, value: Option<&str>) -> Result<()> {
    Ok(store.set_setting(key, value)?)
}

// ---------------------------------------------------------------------------
// CSV.

/// A field of the directory a CSV column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Id,
    Name,
    CustomerNumber,
    ElectronicAddress,
    Ovt,
    Iban,
    Gln,
    Siren,
    Siret,
    Vat,
    Channel,
    Email,
    ServiceCode,
    EngagementRequired,
    Street,
    Postcode,
    City,
    Country,
    ElectronicScheme,
}

impl Field {
    const ALL: [Field; 19] = [
        Field::Id,
        Field::Name,
        Field::CustomerNumber,
        Field::ElectronicAddress,
        Field::Ovt,
        Field::Iban,
        Field::Gln,
        Field::Siren,
        Field::Siret,
        Field::Vat,
        Field::Channel,
        Field::Email,
        Field::ServiceCode,
        Field::EngagementRequired,
        Field::Street,
        Field::Postcode,
        Field::City,
        Field::Country,
        Field::ElectronicScheme,
    ];

    /// The header this program writes (French, as the export).
    pub fn header(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Name => "nom",
            Field::CustomerNumber => "numero_client",
            Field::ElectronicAddress => "adresse_electronique",
            Field::Ovt => "ovt",
            Field::Iban => "iban",
            Field::Gln => "gln",
            Field::Siren => "siren",
            Field::Siret => "siret",
            Field::Vat => "tva",
            Field::Channel => "canal",
            Field::Email => "email",
            Field::ServiceCode => "code_service",
            Field::EngagementRequired => "engagement_obligatoire",
            Field::Street => "adresse",
            Field::Postcode => "code_postal",
            Field::City => "ville",
            Field::Country => "pays",
            Field::ElectronicScheme => "schema_adresse_electronique",
        }
    }

    /// The field a header of [`Field::header`] names; `rue` is taken for
    /// `adresse` too.
    pub fn parse(s: &str) -> Option<Field> {
        if s == "rue" {
            return Some(Field::Street);
        }
        Field::ALL.iter().copied().find(|f| f.header() == s)
    }

    /// Every header [`Field::parse`] takes, for messages.
    pub fn headers() -> Vec<&'static str> {
        Field::ALL.iter().map(|f| f.header()).collect()
    }

    /// Headers seen in portal and accounting exports, accents, case,
    /// spaces and punctuation folded.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::Id => &["id", "identifiantfacteur"],
            Field::Name => &[
                "nom",
                "name",
                "raisonsociale",
                "client",
                "customer",
                "customername",
                "nomduclient",
                "companyname",
                "denomination",
            ],
            Field::CustomerNumber => &[
                "numeroclient",
                "numclient",
                "nclient",
                "codeclient",
                "customernumber",
                "customerno",
                "customerid",
                "refclient",
            ],
            Field::ElectronicAddress => &[
                "adresseelectronique",
                "adressedefacturationelectronique",
                "einvoiceid",
                "einvoiceaddress",
                "electronicaddress",
                "endpointid",
                "peppolid",
                "idfactureelectronique",
            ],
            Field::Ovt => &["ovt", "ovtnumber", "numeroovt"],
            Field::Iban => &["iban", "numeroiban"],
            Field::Gln => &["gln", "ean", "codegln"],
            Field::Siren => &["siren", "numerosiren"],
            Field::Siret => &[
                "siret",
                "numerosiret",
                "organisationnumber",
                "organizationnumber",
                "numerodorganisation",
            ],
            Field::Vat => &[
                "tva",
                "numerotva",
                "tvaintracommunautaire",
                "vat",
                "vatnumber",
                "vatid",
            ],
            Field::Channel => &["canal", "channel", "compte", "account", "portail", "portal"],
            Field::Email => &["email", "mail", "courriel", "adresseemail", "emailaddress"],
            Field::ServiceCode => &["codeservice", "servicecode", "service"],
            Field::EngagementRequired => &[
                "engagementobligatoire",
                "engagementrequired",
                "numeroengagementobligatoire",
            ],
            // The postal address: French, English and German exports.
            Field::Street => &[
                "adresse",
                "rue",
                "adressepostale",
                "adressedefacturation",
                "adresse1",
                "ligneadresse1",
                "voie",
                "street",
                "streetaddress",
                "address",
                "address1",
                "addressline1",
                "billingstreet",
                "billingaddress",
                "strasse",
                "anschrift",
            ],
            Field::Postcode => &[
                "codepostal",
                "cp",
                "postcode",
                "postalcode",
                "zip",
                "zipcode",
                "billingpostalcode",
                "plz",
                "postleitzahl",
            ],
            Field::City => &[
                "ville",
                "commune",
                "localite",
                "city",
                "town",
                "billingcity",
                "ort",
                "stadt",
            ],
            Field::Country => &[
                "pays",
                "codepays",
                "country",
                "countrycode",
                "billingcountry",
                "land",
                "landercode",
            ],
            Field::ElectronicScheme => &[
                "schemaadresseelectronique",
                "schemadeladresseelectronique",
                "schema",
                "scheme",
                "schemeid",
                "electronicaddressscheme",
                "endpointscheme",
                "endpointschemeid",
                "eas",
            ],
        }
    }

    fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Field::Id, _) => "id",
            (Field::Name, Lang::Fr) => "nom",
            (Field::Name, Lang::En) => "name",
            (Field::ElectronicAddress, _) | (Field::CustomerNumber, _) => {
                let l = match self {
                    Field::CustomerNumber => Level::CustomerNumber,
                    _ => Level::ElectronicAddress,
                };
                l.label(lang)
            }
            (Field::Ovt, _) => "OVT",
            (Field::Iban, _) => "IBAN",
            (Field::Gln, _) => "GLN",
            (Field::Siren, _) => "SIREN",
            (Field::Siret, _) => "SIRET",
            (Field::Vat, Lang::Fr) => "numéro de TVA",
            (Field::Vat, Lang::En) => "VAT number",
            (Field::Channel, Lang::Fr) => "canal",
            (Field::Channel, Lang::En) => "channel",
            (Field::Email, _) => "e-mail",
            (Field::ServiceCode, Lang::Fr) => "code service",
            (Field::ServiceCode, Lang::En) => "service code",
            (Field::EngagementRequired, Lang::Fr) => "engagement obligatoire",
            (Field::EngagementRequired, Lang::En) => "engagement required",
            (Field::Street, Lang::Fr) => "adresse",
            (Field::Street, Lang::En) => "street",
            (Field::Postcode, Lang::Fr) => "code postal",
            (Field::Postcode, Lang::En) => "postcode",
            (Field::City, Lang::Fr) => "ville",
            (Field::City, Lang::En) => "city",
            (Field::Country, Lang::Fr) => "pays",
            (Field::Country, Lang::En) => "country",
            (Field::ElectronicScheme, Lang::Fr) => "schéma de l'adresse électronique",
            (Field::ElectronicScheme, Lang::En) => "electronic address scheme",
        }
    }
}

/// Which column fills which field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mapping {
    /// The file's headers, in order.
    pub headers: Vec<String>,
    /// Per header: the field it fills, or `None` (ignored).
    pub fields: Vec<Option<Field>>,
}

impl Mapping {
    /// Guesses the mapping from the headers; `overrides` (header → field
    /// name, or `-` to ignore) win.
    pub fn guess(headers: &[String], overrides: &BTreeMap<String, String>) -> Mapping {
        let mut taken = Vec::new();
        let fields = headers
            .iter()
            .map(|h| {
                if let Some(o) = overrides.get(h.trim()) {
                    return Field::parse(o.trim());
                }
                let key: String = crate::check::text::fold(h)
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect();
                let f = Field::ALL
                    .iter()
                    .copied()
                    .find(|f| f.aliases().contains(&key.as_str()) && !taken.contains(f));
                if let Some(f) = f {
                    taken.push(f);
                }
                f
            })
            .collect();
        Mapping {
            headers: headers.to_vec(),
            fields,
        }
    }

    /// One line per column: `« SIRET client » → SIRET`, `« Notes » → ignorée`.
    pub fn describe(&self, lang: Lang) -> Vec<String> {
        self.headers
            .iter()
            .zip(&self.fields)
            .map(|(h, f)| match (f, lang) {
                (Some(f), Lang::Fr) => format!("« {h} » → {}", f.label(lang)),
                (Some(f), Lang::En) => format!("\"{h}\" → {}", f.label(lang)),
                (None, Lang::Fr) => format!("« {h} » → ignorée"),
                (None, Lang::En) => format!("\"{h}\" → ignored"),
            })
            .collect()
    }
}

/// One line of a CSV file, validated.
#[derive(Debug, Clone, Serialize)]
pub struct ImportLine {
    /// The line number in the file (the header is line 1).
    pub line: usize,
    /// The existing customer this line replaces (its `id` column).
    pub id: Option<i64>,
    pub data: Option<CustomerData>,
    pub problems: Vec<Msg>,
}

/// What importing a CSV file would do.
#[derive(Debug, Clone, Serialize)]
pub struct ImportPlan {
    pub mapping: Mapping,
    pub lines: Vec<ImportLine>,
}

impl ImportPlan {
    pub fn bad_lines(&self) -> usize {
        self.lines.iter().filter(|l| !l.problems.is_empty()).count()
    }
}

/// Reads a CSV file (comma or semicolon, as French spreadsheets write it)
/// and validates every line against the directory, without writing.
pub fn plan_import(
    store: &Store,
    text: &str,
    overrides: &BTreeMap<String, String>,
) -> Result<ImportPlan> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mapping = Mapping::guess(&headers, overrides);
    if !mapping.fields.contains(&Some(Field::Name)) {
        return Err(DirectoryError::NoNameColumn);
    }
    let accounts = known_accounts(store)?;
    let mut lines: Vec<ImportLine> = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                lines.push(ImportLine {
                    line,
                    id: None,
                    data: None,
                    problems: vec![Msg::new(
                        &format!("ligne illisible : {e}"),
                        &format!("unreadable line: {e}"),
                    )],
                });
                continue;
            }
        };
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        lines.push(read_line(store, line, &rec, &mapping, &accounts)?);
    }
    // One identifier, one customer: within the file too.
    let mut seen: BTreeMap<(Level, String), usize> = BTreeMap::new();
    for l in &mut lines {
        let Some(d) = &l.data else { continue };
        for level in Level::ALL {
            let Some(v) = d.id_at(level) else { continue };
            if level == Level::Organisation && v.len() != 14 {
                // Several establishments may share a SIREN.
                continue;
            }
            if let Some(other) = seen.insert((level, v.to_string()), l.line) {
                l.problems.push(Msg::new(
                    &format!(
                        "{} {v} déjà donné à la ligne {other} : un identifiant, un client",
                        level.label(Lang::Fr)
                    ),
                    &format!(
                        "{} {v} already given on line {other}: one identifier, one customer",
                        level.label(Lang::En)
                    ),
                ));
            }
        }
    }
    Ok(ImportPlan { mapping, lines })
}

fn read_line(
    store: &Store,
    line: usize,
    rec: &csv::StringRecord,
    mapping: &Mapping,
    accounts: &[String],
) -> Result<ImportLine> {
    let mut d = CustomerData::default();
    let mut id = None;
    let mut problems = Vec::new();
    let mut channel: Option<String> = None;
    for (value, field) in rec.iter().zip(&mapping.fields) {
        let value = value.trim();
        let Some(field) = field else { continue };
        if value.is_empty() {
            continue;
        }
        let v = Some(value.to_string());
        match field {
            Field::Id => match value.parse::<i64>() {
                Ok(n) => id = Some(n),
                Err(_) => problems.push(Msg::new(
                    &format!("id « {value} » n'est pas un nombre"),
                    &format!("id \"{value}\" is not a number"),
                )),
            },
            Field::Name => d.name = value.to_string(),
            Field::CustomerNumber => d.customer_number = v,
            Field::ElectronicAddress => d.electronic_address = v,
            Field::Ovt => d.ovt = v,
            Field::Iban => d.iban = v,
            Field::Gln => d.gln = v,
            Field::Siren => d.siren = v,
            Field::Siret => d.siret = v,
            Field::Vat => d.vat = v,
            Field::Channel => channel = v,
            Field::Email => d.reach = Some(Reach::Email(value.to_string())),
            Field::ServiceCode => d.service_code = v,
            Field::EngagementRequired => {
                d.engagement_required = matches!(
                    crate::check::text::fold(value).as_str(),
                    "oui" | "yes" | "true" | "1" | "o" | "y" | "x"
                )
            }
            Field::Street => d.street = v,
            Field::Postcode => d.postcode = v,
            Field::City => d.city = v,
            Field::Country => d.country = v,
            Field::ElectronicScheme => d.electronic_scheme = v,
        }
    }
    // The channel column: an account's name, « email » or « courrier ».
    let email = match &d.reach {
        Some(Reach::Email(e)) => Some(e.clone()),
        _ => None,
    };
    d.reach = match channel.as_deref().map(crate::check::text::fold).as_deref() {
        Some("email" | "e-mail" | "mail" | "courriel") => match email {
            Some(e) => Some(Reach::Email(e)),
            None => {
                problems.push(Msg::new(
                    "canal « email » sans adresse e-mail",
                    "channel \"email\" without an e-mail address",
                ));
                None
            }
        },
        Some("courrier" | "print" | "papier" | "paper" | "impression" | "poste") => {
            Some(Reach::Print)
        }
        Some(_) => channel.map(Reach::Account),
        None => email.map(Reach::Email),
    };
    if let Some(n) = id
        && get(store, n).is_err()
    {
        problems.push(Msg::new(
            &format!("aucun client #{n} dans l'annuaire"),
            &format!("no customer #{n} in the directory"),
        ));
    }
    let data = match d.normalised(accounts) {
        Ok(d) => {
            // Identifiers already held by another customer of the directory.
            for level in Level::ALL {
                let Some(v) = d.id_at(level) else { continue };
                if level == Level::Organisation && v.len() != 14 {
                    continue;
                }
                for other in find(store, level, v)? {
                    if Some(other.id) != id {
                        problems.push(Msg::new(
                            &format!(
                                "{} {v} appartient déjà au client #{} ({})",
                                level.label(Lang::Fr),
                                other.id,
                                other.data.name
                            ),
                            &format!(
                                "{} {v} already belongs to customer #{} ({})",
                                level.label(Lang::En),
                                other.id,
                                other.data.name
                            ),
                        ));
                    }
                }
            }
            Some(d)
        }
        Err(p) => {
            problems.extend(p);
            None
        }
    };
    Ok(ImportLine {
        line,
        id,
        data,
        problems,
    })
}

/// Writes a plan with no bad line, in one transaction; returns how many
/// customers were added and how many replaced.
pub fn apply_import(store: &mut Store, plan: &ImportPlan, now_ms: i64) -> Result<(usize, usize)> {
    let bad = plan.bad_lines();
    if bad > 0 {
        return Err(DirectoryError::BadLines(bad));
    }
    let lines: Vec<(Option<i64>, &CustomerData)> = plan
        .lines
        .iter()
        .filter_map(|l| l.data.as_ref().map(|d| (l.id, d)))
        .collect();
    store
        .import_customers(&lines, now_ms)
        .map_err(unique_error)?;
    let replaced = lines.iter().filter(|(id, _)| id.is_some()).count();
    Ok((lines.len() - replaced, replaced))
}

/// The whole directory as CSV (comma, UTF-8, the headers of
/// [`Field::header`]), readable again by [`plan_import`].
pub fn export_csv<W: std::io::Write>(store: &Store, out: W) -> Result<usize> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(Field::ALL.iter().map(|f| f.header()))?;
    let all = list(store)?;
    for c in &all {
        let d = &c.data;
        let email = match &d.reach {
            Some(Reach::Email(e)) => e.as_str(),
            _ => "",
        };
        let o = |v: &Option<String>| v.clone().unwrap_or_default();
        w.write_record([
            c.id.to_string(),
            d.name.clone(),
            o(&d.customer_number),
            o(&d.electronic_address),
            o(&d.ovt),
            o(&d.iban),
            o(&d.gln),
            o(&d.siren),
            o(&d.siret),
            o(&d.vat),
            d.reach
                .as_ref()
                .map(|r| r.csv_value().to_string())
                .unwrap_or_default(),
            email.to_string(),
            o(&d.service_code),
            if d.engagement_required { "oui" } else { "" }.to_string(),
            o(&d.street),
            o(&d.postcode),
            o(&d.city),
            o(&d.country),
            o(&d.electronic_scheme),
        ])?;
    }
    w.flush().map_err(|e| DirectoryError::Csv(e.into()))?;
    Ok(all.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(name: &str) -> CustomerData {
        CustomerData {
            name: name.into(),
            reach: Some(Reach::Print),
            ..Default::default()
        }
    }

    #[test]
    fn identifiers_are_validated_and_normalised() {
        let mut d = data("Boulangerie");
        d.siret = Some("732 829 320 00074".into());
        d.gln = Some("3012345678900".into());
        d.vat = Some("N/A".into());
        let problems = d.clone().normalised(&[]).unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0]
                .en
                .contains("GLN \"3012345678900\": wrong check digit")
        );
        assert!(problems[1].en.contains("placeholder"));
        d.gln = Some("3012345678902".into());
        d.vat = None;
        let ok = d.normalised(&[]).unwrap();
        assert_eq!(ok.siret.as_deref(), Some("73282932000074"));
        assert_eq!(
            ok.siren.as_deref(),
            Some("732829320"),
            "SIREN from the SIRET"
        );
    }

    #[test]
    fn a_customer_needs_an_identifier_and_a_channel_that_exists() {
        let mut d = data("X");
        d.reach = Some(Reach::Account("nowhere".into()));
        let p = d.normalised(&["sandbox".into()]).unwrap_err();
        assert!(p.iter().any(|m| m.en.contains("no identifier")));
        assert!(
            p.iter()
                .any(|m| m.en.contains("no account named \"nowhere\""))
        );
    }

    #[test]
    fn one_identifier_names_one_customer() {
        let mut s = Store::open_in_memory().unwrap();
        let mut a = data("A");
        a.gln = Some("3012345678902".into());
        add(&mut s, a.clone(), 1).unwrap();
        a.name = "B".into();
        let e = add(&mut s, a, 2).unwrap_err().to_string();
        assert!(
            e.contains("gln 3012345678902 already names another customer"),
            "{e}"
        );
        assert_eq!(count(&s).unwrap(), 1);
    }

    #[test]
    fn headers_are_mapped_from_common_exports() {
        let h: Vec<String> = [
            "Raison sociale",
            "N° client",
            "SIRET",
            "TVA intracommunautaire",
            "Notes",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let m = Mapping::guess(&h, &BTreeMap::new());
        assert_eq!(
            m.fields,
            vec![
                Some(Field::Name),
                Some(Field::CustomerNumber),
                Some(Field::Siret),
                Some(Field::Vat),
                None
            ]
        );
        let o = BTreeMap::from([("Notes".to_string(), "code_service".to_string())]);
        assert_eq!(Mapping::guess(&h, &o).fields[4], Some(Field::ServiceCode));
    }

    #[test]
    fn postal_addresses_are_imported_from_common_headers_and_exported_again() {
        let mut s = Store::open_in_memory().unwrap();
        let csv = "Raison sociale;SIRET;Canal;Adresse;CP;Ville;Pays;Schéma\n\
                   Boulangerie Martin;732 829 320 00074;courrier;12  rue des Lilas;75011;Paris;fr;0225\n\
                   Hôtel du Lac;;courrier;;;;;\n";
        // The second line has no identifier: refused for that, not for its
        // empty address.
        let plan = plan_import(&s, csv, &BTreeMap::new()).unwrap();
        assert_eq!(
            &plan.mapping.fields[3..],
            &[
                Some(Field::Street),
                Some(Field::Postcode),
                Some(Field::City),
                Some(Field::Country),
                Some(Field::ElectronicScheme)
            ]
        );
        assert_eq!(plan.bad_lines(), 1);
        assert!(plan.lines[1].problems[0].en.contains("no identifier"));
        let d = plan.lines[0].data.as_ref().unwrap();
        assert_eq!(d.street.as_deref(), Some("12 rue des Lilas"));
        assert_eq!(d.postcode.as_deref(), Some("75011"));
        assert_eq!(d.city.as_deref(), Some("Paris"));
        assert_eq!(d.country.as_deref(), Some("FR"));
        assert_eq!(d.electronic_scheme.as_deref(), Some("0225"));

        // English and German headers, then the export read back the same.
        let csv = "Name,Organisation number,Street,ZIP,Ort,Land,Channel\n\
                   Atelier Lumière,73282932000074,4 Hauptstraße,10115,Berlin,DE,courrier\n";
        let plan = plan_import(&s, csv, &BTreeMap::new()).unwrap();
        assert_eq!(plan.bad_lines(), 0, "{:?}", plan.lines);
        apply_import(&mut s, &plan, 1).unwrap();
        let mut out = Vec::new();
        export_csv(&s, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let header = text.lines().next().unwrap();
        assert!(
            header.ends_with(",adresse,code_postal,ville,pays,schema_adresse_electronique"),
            "{header}"
        );
        assert!(text.contains("4 Hauptstraße,10115,Berlin,DE,"), "{text}");
        let again = plan_import(&s, &text, &BTreeMap::new()).unwrap();
        assert_eq!(again.bad_lines(), 0, "{:?}", again.lines);
        let back = again.lines[0].data.as_ref().unwrap();
        assert_eq!(back, &list(&s).unwrap()[0].data);
        assert_eq!(again.lines[0].id, Some(list(&s).unwrap()[0].id));
    }

    #[test]
    fn a_country_that_is_not_a_two_letter_code_is_refused_on_its_line() {
        let s = Store::open_in_memory().unwrap();
        let csv = "nom,siret,canal,rue,code_postal,ville,pays\n\
                   Boulangerie Martin,73282932000074,courrier,12 rue des Lilas,75011,Paris,France\n";
        let plan = plan_import(&s, csv, &BTreeMap::new()).unwrap();
        assert_eq!(plan.bad_lines(), 1);
        let p = &plan.lines[0].problems;
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].fr.contains("pays «\u{a0}FRANCE\u{a0}»"), "{}", p[0].fr);
        assert!(p[0].en.contains("two-letter code"), "{}", p[0].en);
        assert!(plan.lines[0].data.is_none());
    }
}
