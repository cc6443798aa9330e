//! The Chorus Pro channel: sends invoices to the French public sector's
//! portal through the PISTE API, and reads their statuses back.
//!
//! A Factur-X invoice (a PDF carrying a CII XML) goes as a deposit flow
//! (`deposer/flux`, syntax `IN_DP_E2_CII_FACTURX`): the portal reads every
//! field from the XML, and the flow's report (`consulterCRDetaille`) says
//! whether it was integrated. A plain PDF goes through the "PDF deposit"
//! route: the customer's requirements are read first (does it want a service
//! code, an engagement number?), then the file is uploaded
//! (`ajouter/fichier`) and the invoice is submitted (`soumettre`) with the
//! facts the checker read. Statuses come from `rechercher/fournisseur`
//! (every page, always) and `consulter/historique`.
//!
//! Authentication is PISTE's OAuth2 client-credentials token, cached and
//! renewed before it expires, plus the technical user's `cpro-account`
//! header on every call. A 401 drops the token and tries once more with a
//! fresh one; a second 401 is an [`ChannelError::Auth`].
//!
//! Deliberately not here: retries, back-off and exactly-once (the outbox
//! decides from [`ChannelError::is_transient`]), mapping Chorus Pro's words
//! onto the canonical lifecycle ([`crate::mirror::lifecycle`]), filling in the
//! invoice's lines or VAT breakdown (the PDF route sends totals only; the
//! PDF itself is the invoice), annexes, invoices on behalf of a third party
//! (cadres other than `A1_FACTURE_FOURNISSEUR`), and the "recycler" /
//! "compléter" actions on a suspended invoice. No secret, token or
//! `cpro-account` value is ever logged or put into an error.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use base64::Engine as _;
use jiff::civil::Date;
use serde_json::{Value, json};

use super::http::{self, TokenCache};
use super::{
    Channel, ChannelError, Delivered, Lookup, Outgoing, PortalEvent, Pulled, Tracked,
    install_crypto, retry_after, status_error,
};
use crate::check::facts::FactKey;
use crate::mirror::lifecycle::Vocabulary;
use crate::send::accounts::{Account, SecretStore};

/// The flow syntax of a Factur-X PDF (CII inside a PDF/A-3).
pub const SYNTAX_FACTURX: &str = "IN_DP_E2_CII_FACTURX";
/// Each file must be smaller than 10 MB.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// An attachment's name is at most 50 characters.
pub const MAX_NAME_CHARS: usize = 50;
/// An engagement number is at most 50 characters.
pub const MAX_ENGAGEMENT_CHARS: usize = 50;
/// Warn about the technical password this many days before it expires.
pub const PASSWORD_WARNING_DAYS: i32 = 15;

const PRODUCTION_API: &str = "https://api.piste.gouv.fr";
const PRODUCTION_OAUTH: &str = "https://oauth.piste.gouv.fr";
const SANDBOX_API: &str = "https://sandbox-api.piste.gouv.fr";
const SANDBOX_OAUTH: &str = "https://sandbox-oauth.piste.gouv.fr";
const TOKEN_PATH: &str = "/api/oauth/token";

/// A stop for portals whose paging never ends.
const MAX_PAGES: u32 = 10_000;
const DEFAULT_PAGE_SIZE: u32 = 100;
const DEFAULT_TIMEOUT_SECS: u64 = 60;

/// A client of Chorus Pro for one account. Holds its secrets in memory for
/// its lifetime; [`std::fmt::Debug`] shows none of them.
pub struct ChorusChannel {
    account: String,
    /// `https://api.piste.gouv.fr` or an override; calls go to `<api>/cpro/<path>`.
    api: String,
    /// `base64(login:password)` of the technical user.
    cpro_account: String,
    /// Strings that must never leave this struct (scrubbed from messages).
    secrets: Vec<String>,
    supplier_id: i64,
    page_size: u32,
    type_tva: String,
    http: reqwest::Client,
    token: TokenCache,
}

impl std::fmt::Debug for ChorusChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChorusChannel")
            .field("account", &self.account)
            .field("api", &self.api)
            .field("token_url", &self.token.url())
            .field("supplier_id", &self.supplier_id)
            .finish_non_exhaustive()
    }
}

impl ChorusChannel {
    /// Builds the channel from an account's settings and its secrets in the
    /// keyring.
    ///
    /// Settings: `environment` (`sandbox` or `production`), `client_id`,
    /// `login` (the technical user), `supplier_id` (the supplier structure's
    /// idStructureCPP); optional `api_url` / `oauth_url` (replace the
    /// environment's hosts), `password_expires` (YYYY-MM-DD), `timeout_secs`
    /// (60), `page_size` (100), `type_tva` (`TVA_SUR_DEBIT`).
    /// Secrets: `client_secret`, `technical_password`.
    pub fn from_account(
        account: &Account,
        secrets: &dyn SecretStore,
    ) -> Result<ChorusChannel, ChannelError> {
        install_crypto();
        let name = account.name.as_str();
        let config = |detail: String| ChannelError::Config {
            account: name.to_string(),
            detail,
        };
        let setting = |key: &str| {
            account
                .settings
                .get(key)
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
        };
        let required = |key: &str| {
            setting(key)
                .map(str::to_string)
                .ok_or_else(|| config(format!("the setting \"{key}\" is missing")))
        };
        let secret = |field: &str| match secrets.get(name, field) {
            Ok(Some(v)) if !v.is_empty() => Ok(v),
            Ok(_) => Err(config(format!(
                "the secret \"{field}\" is not in the keyring"
            ))),
            Err(e) => Err(config(format!(
                "the secret \"{field}\" could not be read: {e}"
            ))),
        };

        let (api, oauth) = match (setting("api_url"), setting("oauth_url")) {
            (Some(api), Some(oauth)) => (api.to_string(), oauth.to_string()),
            (api, oauth) => {
                let (default_api, default_oauth) = match required("environment")?.as_str() {
                    "sandbox" | "qualification" => (SANDBOX_API, SANDBOX_OAUTH),
                    "production" => (PRODUCTION_API, PRODUCTION_OAUTH),
                    _ => {
                        return Err(config(
                            "the setting \"environment\" must be \"sandbox\" or \"production\""
                                .into(),
                        ));
                    }
                };
                (
                    api.unwrap_or(default_api).to_string(),
                    oauth.unwrap_or(default_oauth).to_string(),
                )
            }
        };
        let api = http::base_url(name, "api_url", &api)?;
        let oauth = http::base_url(name, "oauth_url", &oauth)?;

        let client_id = required("client_id")?;
        let login = required("login")?;
        let supplier_id = required("supplier_id")?.parse::<i64>().map_err(|_| {
            config(
                "the setting \"supplier_id\" must be the supplier structure's numeric \
                 identifier on Chorus Pro (idStructureCPP)"
                    .into(),
            )
        })?;
        let number = |key: &str, default: u64, max: u64| match setting(key) {
            None => Ok(default),
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| config(format!("the setting \"{key}\" must be 1 to {max}"))),
        };
        let timeout = Duration::from_secs(number("timeout_secs", DEFAULT_TIMEOUT_SECS, 3600)?);
        let page_size = number("page_size", DEFAULT_PAGE_SIZE.into(), 1000)? as u32;
        let type_tva = setting("type_tva").unwrap_or("TVA_SUR_DEBIT").to_string();

        let client_secret = secret("client_secret")?;
        let password = secret("technical_password")?;
        let cpro_account =
            base64::engine::general_purpose::STANDARD.encode(format!("{login}:{password}"));

        let http = http::client(timeout)
            .map_err(|e| config(format!("cannot build the HTTP client: {e}")))?;

        if let Some(warning) = password_warning(account, jiff::Zoned::now().date()) {
            tracing::info!(account = name, "{warning}");
        }
        Ok(ChorusChannel {
            account: name.to_string(),
            api,
            token: TokenCache::new(
                name,
                "PISTE",
                format!("{oauth}{TOKEN_PATH}"),
                &client_id,
                &client_secret,
                Some("openid"),
            ),
            secrets: vec![client_secret, password, cpro_account.clone()],
            cpro_account,
            supplier_id,
            page_size,
            type_tva,
            http,
        })
    }

    /// Replaces every secret (and `extra`, a token) in a message by `***`.
    fn redact(&self, text: &str, extra: Option<&str>) -> String {
        let mut s = text.to_string();
        for secret in self.secrets.iter().map(String::as_str).chain(extra) {
            if secret.len() >= 4 {
                s = s.replace(secret, "***");
            }
        }
        s
    }

    fn auth_error(&self, detail: String) -> ChannelError {
        ChannelError::Auth {
            account: self.account.clone(),
            detail,
        }
    }

    /// A valid bearer token (cached, renewed before it expires).
    async fn bearer(&self) -> Result<String, ChannelError> {
        self.token.bearer(&self.http).await
    }

    /// What a refusal says: the portal's message from the body, and the
    /// headers that carry 401 details (PISTE may say nothing else).
    async fn response_detail(&self, resp: reqwest::Response, token: Option<&str>) -> String {
        let mut parts = Vec::new();
        for (name, value) in resp.headers() {
            let n = name.as_str();
            if (n == "www-authenticate" || n.contains("error") || n.contains("message"))
                && let Ok(v) = value.to_str()
            {
                parts.push(format!("{n}: {v}"));
            }
        }
        let body = http::error_text(resp).await;
        let message = portal_message(&body);
        if !message.is_empty() {
            parts.push(message);
        }
        if parts.is_empty() {
            parts.push("no details given".into());
        }
        self.redact(&parts.join("; "), token)
    }

    /// One API call: POST JSON to `<api>/cpro/<path>` with the bearer token
    /// and the technical account; a 401 is tried once more with a new token.
    async fn call(&self, path: &str, body: &Value) -> Result<Value, ChannelError> {
        let url = format!("{}/cpro/{path}", self.api);
        let mut renewed = false;
        loop {
            let token = self.bearer().await?;
            let started = Instant::now();
            let resp = http::send(
                self.http
                    .post(&url)
                    .bearer_auth(&token)
                    .header("cpro-account", &self.cpro_account)
                    .json(body),
            )
            .await
            .inspect_err(|e| {
                tracing::info!(account = %self.account, path, "Chorus Pro call failed: {e}");
            })?;
            let status = resp.status().as_u16();
            tracing::debug!(
                account = %self.account,
                path,
                status,
                ms = started.elapsed().as_millis() as u64,
                "Chorus Pro call"
            );
            if status == 401 {
                let detail = self.response_detail(resp, Some(&token)).await;
                self.token.forget(&token).await;
                if !renewed {
                    tracing::info!(account = %self.account, path, "token refused; asking PISTE for a new one");
                    renewed = true;
                    continue;
                }
                return Err(self.auth_error(format!(
                    "HTTP 401 on {path} even with a new token: {detail}"
                )));
            }
            if status == 403 {
                let detail = self.response_detail(resp, Some(&token)).await;
                return Err(self.auth_error(format!(
                    "HTTP 403 on {path} (check the technical user's login, password and \
                     rights on the supplier structure): {detail}"
                )));
            }
            if !(200..300).contains(&status) {
                let after = retry_after(resp.headers());
                let detail = self.response_detail(resp, Some(&token)).await;
                return Err(status_error(status, after, &format!("{path}: {detail}")));
            }
            let v = http::read_json(resp, path).await?;
            let code = v
                .get("codeRetour")
                .and_then(|c| c.as_i64().or_else(|| c.as_str()?.trim().parse().ok()))
                .unwrap_or(0);
            if code != 0 {
                let libelle = text(&v, "libelle").unwrap_or_default();
                return Err(ChannelError::Refused(self.redact(
                    &format!("{path}: codeRetour {code} {libelle}"),
                    Some(&token),
                )));
            }
            return Ok(v);
        }
    }

    // --- Factur-X: deposit flow -------------------------------------------

    async fn deposit_flow(&self, out: &Outgoing) -> Result<Delivered, ChannelError> {
        let name = short_name(&out.file_name);
        let body = json!({
            "fichierFlux": base64::engine::general_purpose::STANDARD.encode(&out.pdf),
            "nomFichier": name,
            "syntaxeFlux": SYNTAX_FACTURX,
            "avecSignature": false,
        });
        // The token first: a failure to get one sent nothing. The deposit
        // creates the flow: a failure once the request may have been
        // written is ambiguous, never retried blindly.
        self.bearer().await?;
        let v = self
            .call("factures/v1/deposer/flux", &body)
            .await
            .map_err(ChannelError::after_write)?;
        let flow = text(&v, "numeroFluxDepot").ok_or_else(|| {
            ChannelError::Protocol("deposer/flux answered without a numeroFluxDepot".into())
        })?;
        tracing::info!(account = %self.account, invoice = out.invoice_id, flow = %flow, "Factur-X flow deposited");
        // The flow is at the portal now: the outbox records its number
        // before the deposit report is asked for (`after_delivery`), so a
        // crash in between is settled by the flow number.
        Ok(Delivered {
            portal_ref: flow,
            events: Vec::new(),
        })
    }

    /// The flow's current state from its detailed report.
    async fn flow_report(
        &self,
        flow: &str,
        number: Option<&str>,
    ) -> Result<Option<PortalEvent>, ChannelError> {
        let v = self
            .call(
                "transverses/v1/consulterCRDetaille",
                &json!({ "numeroFluxDepot": flow, "syntaxeFlux": SYNTAX_FACTURX }),
            )
            .await?;
        let Some(state) = text(&v, "etatCourantDepotFlux") else {
            return Ok(None);
        };
        let mut reasons = Vec::new();
        for e in list(&v, "listeErreurDP") {
            if let Some(l) = text(e, "libelleErreurDP") {
                reasons.push(match text(e, "numeroDP") {
                    Some(n) => format!("{n}: {l}"),
                    None => l,
                });
            }
        }
        for e in list(&v, "listeErreurTechnique") {
            let code = text(e, "codeErreur");
            let label = text(e, "libelleErreur");
            match (code, label) {
                (Some(c), Some(l)) => reasons.push(format!("{c} {l}")),
                (Some(x), None) | (None, Some(x)) => reasons.push(x),
                (None, None) => {}
            }
        }
        let at_ms = ["dateHeureEtatCourantFlux", "dateDepotFlux"]
            .iter()
            .find_map(|k| v.get(*k).and_then(at_ms))
            .unwrap_or_else(now_ms);
        Ok(Some(PortalEvent {
            portal_ref: Some(flow.to_string()),
            number: number.map(str::to_string),
            at_ms,
            vocabulary: Vocabulary::ChorusProFlow,
            raw_status: state,
            raw_reason: (!reasons.is_empty()).then(|| reasons.join(" | ")),
        }))
    }

    // --- Plain PDF: structure rules, upload, submit -----------------------

    /// The customer's idStructureCPP, if Chorus Pro knows its SIRET.
    async fn find_structure(&self, siret: &str) -> Result<Option<i64>, ChannelError> {
        let v = self
            .call(
                "structures/v1/rechercher",
                &json!({
                    "structure": {
                        "identifiantStructure": siret,
                        "typeIdentifiantStructure": "SIRET",
                    },
                    "restreindreStructuresPrivees": false,
                    "parametres": { "pageResultatDemandee": 1, "nbResultatsParPage": 10 },
                }),
            )
            .await?;
        Ok(list(&v, "listeStructures")
            .iter()
            .filter(|s| text(s, "identifiantStructure").is_none_or(|i| i == siret))
            .find_map(|s| number_of(s, "idStructureCPP")))
    }

    /// Whether the structure wants a service code and an engagement number.
    async fn structure_rules(&self, id: i64) -> Result<(bool, bool), ChannelError> {
        let v = self
            .call(
                "structures/v1/consulter",
                &json!({ "idStructure": id, "codeLangue": "FR" }),
            )
            .await?;
        let p = v.get("parametres").unwrap_or(&Value::Null);
        Ok((
            flag(p, "codeServiceDoitEtreRenseigne"),
            flag(p, "numeroEJDoitEtreRenseigne"),
        ))
    }

    async fn submit_pdf(&self, out: &Outgoing) -> Result<Delivered, ChannelError> {
        let siret = buyer_siret(out)?;
        let service = out.facts.get(FactKey::BuyerReference);
        let engagement = out.facts.get(FactKey::OrderReference);
        let structure = self.find_structure(&siret).await?.ok_or_else(|| {
            ChannelError::Invalid(format!(
                "Le SIRET destinataire {siret} n'est pas inscrit sur Chorus Pro : vérifiez-le \
                 auprès du client. / The recipient SIRET {siret} is not registered on Chorus \
                 Pro: check it with the customer."
            ))
        })?;
        let (needs_service, needs_engagement) = self.structure_rules(structure).await?;
        let missing_service = needs_service && service.is_none();
        let missing_engagement = needs_engagement && engagement.is_none();
        if missing_service || missing_engagement {
            return Err(ChannelError::Invalid(missing_references(
                &siret,
                missing_service,
                missing_engagement,
            )));
        }

        let name = short_name(&out.file_name);
        let up = self
            .call(
                "transverses/v1/ajouter/fichier",
                &json!({
                    "pieceJointeFichier": base64::engine::general_purpose::STANDARD.encode(&out.pdf),
                    "pieceJointeNom": name,
                    "pieceJointeTypeMime": "application/pdf",
                    "pieceJointeExtension": "PDF",
                }),
            )
            .await?;
        let attachment = number_of(&up, "pieceJointeId").ok_or_else(|| {
            ChannelError::Protocol("ajouter/fichier answered without a pieceJointeId".into())
        })?;

        let body = self.submission(out, &siret, service, engagement, attachment, &name)?;
        // Submitting creates the invoice: see the deposit above.
        self.bearer().await?;
        let v = self
            .call("factures/v1/soumettre", &body)
            .await
            .map_err(ChannelError::after_write)?;
        let id = text(&v, "identifiantFactureCPP").ok_or_else(|| {
            ChannelError::Protocol("soumettre answered without an identifiantFactureCPP".into())
        })?;
        tracing::info!(account = %self.account, invoice = out.invoice_id, portal_ref = %id, "PDF invoice submitted");
        let events = text(&v, "statutFacture")
            .map(|status| PortalEvent {
                portal_ref: Some(id.clone()),
                number: Some(text(&v, "numeroFacture").unwrap_or_else(|| out.number.clone())),
                at_ms: v.get("dateDepot").and_then(at_ms).unwrap_or_else(now_ms),
                vocabulary: Vocabulary::ChorusPro,
                raw_status: status,
                raw_reason: None,
            })
            .into_iter()
            .collect();
        Ok(Delivered {
            portal_ref: id,
            events,
        })
    }

    /// The `soumettre` request from the checked facts.
    fn submission(
        &self,
        out: &Outgoing,
        siret: &str,
        service: Option<&str>,
        engagement: Option<&str>,
        attachment: i64,
        name: &str,
    ) -> Result<Value, ChannelError> {
        let facts = &out.facts;
        let ht = amount(facts.get(FactKey::TotalWithoutTax)).ok_or_else(missing_totals)?;
        let ttc = amount(facts.get(FactKey::TotalWithTax)).ok_or_else(missing_totals)?;
        let tva =
            amount(facts.get(FactKey::TotalTax)).unwrap_or(((ttc - ht) * 100.0).round() / 100.0);
        let due = amount(facts.get(FactKey::AmountDue)).unwrap_or(ttc);
        let credit = facts.get(FactKey::DocType) == Some("credit_note");
        let mut destinataire = json!({ "codeDestinataire": siret });
        if let Some(s) = service {
            destinataire["codeServiceExecutant"] = json!(s);
        }
        let mut references = json!({
            "deviseFacture": facts.get(FactKey::Currency).unwrap_or("EUR"),
            "typeFacture": if credit { "AVOIR" } else { "FACTURE" },
            "typeTva": self.type_tva,
            "modePaiement": "VIREMENT",
        });
        if let Some(e) = engagement {
            references["numeroBonCommande"] = json!(e);
        }
        Ok(json!({
            "modeDepot": "DEPOT_PDF_API",
            "numeroFactureSaisi": out.number,
            "dateFacture": issue_date(out)?,
            "destinataire": destinataire,
            "fournisseur": { "idFournisseur": self.supplier_id },
            "cadreDeFacturation": { "codeCadreFacturation": "A1_FACTURE_FOURNISSEUR" },
            "references": references,
            "montantTotal": {
                "montantHtTotal": ht,
                "montantTVA": tva,
                "montantTtcTotal": ttc,
                "montantAPayer": due,
            },
            "pieceJointePrincipale": [{
                "pieceJointePrincipaleDesignation": name,
                "pieceJointePrincipaleId": attachment,
            }],
        }))
    }

    // --- Reading back -----------------------------------------------------

    /// Every invoice of the supplier (optionally with this number), reading
    /// all pages. Stops, saying so, when the portal's paging misbehaves.
    async fn list_invoices(&self, number: Option<&str>) -> Result<Listing, ChannelError> {
        let mut seen: BTreeMap<String, Listed> = BTreeMap::new();
        let mut page: u32 = 1;
        let mut note = None;
        let complete = loop {
            let mut body = json!({
                "idFournisseur": self.supplier_id,
                "rechercheFactureParFournisseur": {
                    "pageResultatDemandee": page,
                    "nbResultatsParPage": self.page_size,
                },
            });
            if let Some(n) = number {
                body["numeroFacture"] = json!(n);
            }
            let v = self
                .call("factures/v1/rechercher/fournisseur", &body)
                .await?;
            let rows = list(&v, "listeFactures");
            let params = v.get("parametresRetour").unwrap_or(&Value::Null);
            let total = number_of(params, "total").map(|t| t.max(0) as usize);
            let pages = number_of(params, "pages");
            let before = seen.len();
            for row in rows {
                if let Some(inv) = Listed::from_row(row) {
                    seen.entry(inv.id.clone()).or_insert(inv);
                }
            }
            let added = seen.len() - before;
            if total.is_some_and(|t| seen.len() >= t) {
                break true;
            }
            if rows.is_empty() {
                if total.is_some() {
                    note = Some(format!(
                        "Chorus Pro announced {} invoices but its pages held {}",
                        total.unwrap_or_default(),
                        seen.len()
                    ));
                }
                break total.is_none();
            }
            if added == 0 {
                note = Some(format!(
                    "Chorus Pro answered page {page} with invoices already read; stopped after \
                     {} of {} invoices",
                    seen.len(),
                    total.map_or("?".to_string(), |t| t.to_string())
                ));
                break false;
            }
            if total.is_none() && pages.is_some_and(|p| i64::from(page) >= p) {
                break true;
            }
            if page >= MAX_PAGES {
                note = Some(format!("stopped after {MAX_PAGES} pages of invoices"));
                break false;
            }
            page += 1;
        };
        if let Some(n) = &note {
            tracing::warn!(account = %self.account, "{n}");
        }
        tracing::debug!(account = %self.account, pages = page, invoices = seen.len(), "invoices listed");
        Ok(Listing {
            invoices: seen.into_values().collect(),
            complete,
            note,
        })
    }

    /// The statuses an invoice went through.
    async fn history(&self, id: &str, number: &str) -> Result<Vec<PortalEvent>, ChannelError> {
        let id_value = id.parse::<i64>().map_or_else(|_| json!(id), |n| json!(n));
        let v = self
            .call(
                "factures/v1/consulter/historique",
                &json!({
                    "idFacture": id_value,
                    "paramRechercheHistoStatuts": {
                        "pageResultatDemandeeListeHistoStatut": 1,
                        "nbResultatsParPageListeHistoStatut": 200,
                    },
                }),
            )
            .await?;
        let number = text(&v, "numeroFacture").unwrap_or_else(|| number.to_string());
        let statuses = v
            .get("historiquesDesStatuts")
            .map(|h| list(h, "histoStatut"))
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| list(&v, "histoStatut"));
        let event = |status: String, at: Option<i64>, reason: Option<String>| PortalEvent {
            portal_ref: Some(id.to_string()),
            number: Some(number.clone()),
            at_ms: at.unwrap_or_else(now_ms),
            vocabulary: Vocabulary::ChorusPro,
            raw_status: status,
            raw_reason: reason,
        };
        let mut events: Vec<PortalEvent> = statuses
            .iter()
            .filter_map(|s| {
                Some(event(
                    text(s, "histoStatutCode")?,
                    s.get("histoStatutDatePassage").and_then(at_ms),
                    text(s, "histoStatutCommentaire"),
                ))
            })
            .collect();
        if events.is_empty()
            && let Some(current) = text(&v, "statutCourantCode")
        {
            events.push(event(current, None, None));
        }
        events.sort_by_key(|e| e.at_ms);
        Ok(events)
    }
}

/// One invoice as `rechercher/fournisseur` lists it.
#[derive(Debug, Clone)]
struct Listed {
    id: String,
    number: String,
    status: Option<String>,
    at_ms: Option<i64>,
    flow: Option<String>,
    reason: Option<String>,
}

impl Listed {
    fn from_row(row: &Value) -> Option<Listed> {
        Some(Listed {
            id: text(row, "identifiantFactureCPP")?,
            number: text(row, "numeroFacture").unwrap_or_default(),
            status: text(row, "statut"),
            at_ms: ["dateHeureEtatCourant", "dateDepot", "dateFacture"]
                .iter()
                .find_map(|k| row.get(*k).and_then(at_ms)),
            flow: text(row, "numeroFluxDepot"),
            reason: text(row, "commentaireEtatCourant"),
        })
    }
}

struct Listing {
    invoices: Vec<Listed>,
    /// Every page was read and the count matches what the portal announced.
    complete: bool,
    note: Option<String>,
}

/// How long after an ambiguous Factur-X deposit a search that does not
/// find the invoice is not believed (Chorus Pro lists a flow only once it
/// is integrated): `FACTEUR_CHORUS_FLOW_LISTING_SECONDS`, an hour by default.
fn flow_listing_delay_ms() -> i64 {
    http::env_seconds("FACTEUR_CHORUS_FLOW_LISTING_SECONDS").map_or(3_600_000, |d| {
        i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
    })
}

impl Channel for ChorusChannel {
    fn kind(&self) -> &'static str {
        "chorus_pro"
    }

    fn account(&self) -> &str {
        &self.account
    }

    fn vocabulary(&self) -> Vocabulary {
        Vocabulary::ChorusPro
    }

    fn precheck(&self, out: &Outgoing) -> Result<(), ChannelError> {
        // The API's flow syntax for CII or UBL alone is not one this
        // client knows: Factur-X and plain PDF only.
        super::require_pdf(out, crate::send::accounts::Kind::ChorusPro, &self.account)?;
        if out.pdf.len() >= MAX_FILE_BYTES {
            return Err(ChannelError::Invalid(format!(
                "Le fichier fait {:.1} Mo ; Chorus Pro n'accepte que des fichiers de moins de \
                 10 Mo. / The file is {:.1} MB; Chorus Pro only takes files under 10 MB.",
                out.pdf.len() as f64 / 1_048_576.0,
                out.pdf.len() as f64 / 1_048_576.0,
            )));
        }
        if is_facturx(out) {
            // The portal reads everything from the XML.
            return Ok(());
        }
        buyer_siret(out)?;
        issue_date(out)?;
        if amount(out.facts.get(FactKey::TotalWithoutTax)).is_none()
            || amount(out.facts.get(FactKey::TotalWithTax)).is_none()
        {
            return Err(missing_totals());
        }
        if let Some(e) = out.facts.get(FactKey::OrderReference)
            && e.chars().count() > MAX_ENGAGEMENT_CHARS
        {
            return Err(ChannelError::Invalid(format!(
                "Le numéro d'engagement « {e} » dépasse {MAX_ENGAGEMENT_CHARS} caractères. / \
                 The engagement number \"{e}\" is longer than {MAX_ENGAGEMENT_CHARS} \
                 characters."
            )));
        }
        Ok(())
    }

    async fn send(&self, out: &Outgoing) -> Result<Delivered, ChannelError> {
        self.precheck(out)?;
        if is_facturx(out) {
            self.deposit_flow(out).await
        } else {
            self.submit_pdf(out).await
        }
    }

    async fn after_delivery(
        &self,
        out: &Outgoing,
        delivered: &Delivered,
    ) -> Result<Vec<PortalEvent>, ChannelError> {
        if !is_facturx(out) {
            return Ok(Vec::new());
        }
        // Whatever the report says (or if it cannot be read yet), the flow
        // was delivered: an error here is never a reason to send again.
        match self
            .flow_report(&delivered.portal_ref, Some(&out.number))
            .await
        {
            Ok(event) => Ok(event.into_iter().collect()),
            Err(e) => {
                tracing::warn!(account = %self.account, flow = %delivered.portal_ref, "deposit report not available yet: {e}");
                Ok(Vec::new())
            }
        }
    }

    async fn lookup(&self, out: &Outgoing) -> Result<Lookup, ChannelError> {
        let listing = self.list_invoices(Some(&out.number)).await?;
        let found = listing
            .invoices
            .iter()
            .filter(|i| i.number == out.number)
            .max_by_key(|i| (i.id.len(), i.id.clone()));
        match found {
            Some(i) => Ok(Lookup::Found {
                portal_ref: i.id.clone(),
            }),
            // A Factur-X flow Chorus Pro has not integrated yet is not in
            // this list: after an ambiguous deposit, "not found" is only
            // believed once integration had time to happen.
            None if listing.complete
                && is_facturx(out)
                && out.ambiguous_since_ms.is_some_and(|since| {
                    now_ms().saturating_sub(since) < flow_listing_delay_ms()
                }) =>
            {
                Ok(Lookup::NotYet {
                    why: format!(
                        "Chorus Pro does not list invoice {} yet; a flow it has not integrated is not listed",
                        out.number
                    ),
                })
            }
            None if listing.complete => Ok(Lookup::NotFound),
            None => Err(ChannelError::Protocol(format!(
                "cannot tell whether Chorus Pro holds invoice {}: {}",
                out.number,
                listing
                    .note
                    .unwrap_or_else(|| "its list was incomplete".into())
            ))),
        }
    }

    async fn replay(&self, _portal_ref: &str) -> Result<Vec<PortalEvent>, ChannelError> {
        Err(ChannelError::Unsupported(
            "replay an invoice on Chorus Pro (send a corrected invoice instead)",
        ))
    }

    async fn pull(
        &self,
        tracked: &[Tracked],
        cursor: Option<&str>,
    ) -> Result<Pulled, ChannelError> {
        let since = cursor.and_then(|c| c.trim().parse::<i64>().ok());
        let listing = self.list_invoices(None).await?;
        let mut pulled = Pulled::default();
        pulled.ignored.extend(listing.note.clone());

        // Tracked invoices: their whole history. A Factur-X flow is tracked
        // by its flow number until the portal lists the invoice it became.
        let mut covered = BTreeSet::new();
        for t in tracked {
            let id = if is_invoice_id(&t.portal_ref) {
                Some(t.portal_ref.clone())
            } else {
                listing
                    .invoices
                    .iter()
                    .find(|i| i.flow.as_deref() == Some(t.portal_ref.as_str()))
                    .or_else(|| listing.invoices.iter().find(|i| i.number == t.number))
                    .map(|i| i.id.clone())
            };
            let answer = match &id {
                Some(id) => {
                    covered.insert(id.clone());
                    self.history(id, &t.number).await
                }
                None => self
                    .flow_report(&t.portal_ref, Some(&t.number))
                    .await
                    .map(|e| e.into_iter().collect()),
            };
            match answer {
                Ok(events) => pulled.events.extend(events),
                Err(ChannelError::Refused(e)) => pulled.ignored.push(format!(
                    "{} ({}): Chorus Pro does not know it ({e})",
                    t.number, t.portal_ref
                )),
                Err(e) => return Err(e),
            }
        }

        // Every other invoice: its current status, if it changed since the cursor.
        let mut newest = since;
        for inv in &listing.invoices {
            if covered.contains(&inv.id) {
                continue;
            }
            let Some(status) = &inv.status else { continue };
            let at = inv.at_ms.unwrap_or_else(now_ms);
            if since.is_some_and(|s| at <= s) {
                continue;
            }
            newest = newest.max(Some(at));
            pulled.events.push(PortalEvent {
                portal_ref: Some(inv.id.clone()),
                number: Some(inv.number.clone()),
                at_ms: at,
                vocabulary: Vocabulary::ChorusPro,
                raw_status: status.clone(),
                raw_reason: inv.reason.clone(),
            });
        }
        pulled.cursor = newest.map(|n| n.to_string());
        tracing::info!(
            account = %self.account,
            invoices = listing.invoices.len(),
            events = pulled.events.len(),
            "Chorus Pro statuses pulled"
        );
        Ok(pulled)
    }
}

/// A warning when the technical user's password (setting `password_expires`,
/// YYYY-MM-DD) expires within [`PASSWORD_WARNING_DAYS`] days or already has.
pub fn password_warning(account: &Account, today: Date) -> Option<String> {
    let raw = account.settings.get("password_expires")?.trim();
    if raw.is_empty() {
        return None;
    }
    let name = &account.name;
    let Ok(expires) = raw.parse::<Date>() else {
        return Some(format!(
            "Compte « {name} » : la date d'expiration du mot de passe technique « {raw} » n'est \
             pas au format AAAA-MM-JJ. / Account \"{name}\": the technical password's expiry \
             date \"{raw}\" is not in YYYY-MM-DD form."
        ));
    };
    let days = today.until(expires).ok()?.get_days();
    let renew_fr = "renouvelez-le dans Chorus Pro (compte technique) puis mettez à jour le \
                    trousseau et le réglage password_expires";
    let renew_en = "renew it in Chorus Pro (technical account), then update the keyring and \
                    the password_expires setting";
    match days {
        d if d > PASSWORD_WARNING_DAYS => None,
        d if d < 0 => Some(format!(
            "Compte « {name} » : le mot de passe technique Chorus Pro a expiré le {expires} ; \
             aucun envoi ne passera : {renew_fr}. / Account \"{name}\": the Chorus Pro \
             technical password expired on {expires}; nothing can be sent: {renew_en}."
        )),
        0 => Some(format!(
            "Compte « {name} » : le mot de passe technique Chorus Pro expire aujourd'hui \
             ({expires}) : {renew_fr}. / Account \"{name}\": the Chorus Pro technical password \
             expires today ({expires}): {renew_en}."
        )),
        d => Some(format!(
            "Compte « {name} » : le mot de passe technique Chorus Pro expire dans {d} jour(s), \
             le {expires} : {renew_fr}. / Account \"{name}\": the Chorus Pro technical password \
             expires in {d} day(s), on {expires}: {renew_en}."
        )),
    }
}

/// Whether the invoice carries a Factur-X (CII) XML: then it goes as a flow.
fn is_facturx(out: &Outgoing) -> bool {
    out.structured
        .as_ref()
        .is_some_and(|s| s.syntax.eq_ignore_ascii_case("CII"))
        && out.pdf.starts_with(b"%PDF")
}

/// Chorus Pro's invoice ids are numbers; flow numbers are not.
fn is_invoice_id(portal_ref: &str) -> bool {
    !portal_ref.is_empty() && portal_ref.bytes().all(|b| b.is_ascii_digit())
}

fn buyer_siret(out: &Outgoing) -> Result<String, ChannelError> {
    let siret: String = out
        .facts
        .get(FactKey::BuyerSiret)
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if siret.len() == 14 && siret.bytes().all(|b| b.is_ascii_digit()) {
        Ok(siret)
    } else {
        Err(ChannelError::Invalid(
            "Chorus Pro : une facture PDF sans Factur-X doit porter le SIRET du destinataire \
             (14 chiffres) ; ajoutez-le sur la facture ou envoyez-la en Factur-X. / Chorus Pro: \
             a PDF invoice without Factur-X must show the recipient's SIRET (14 digits); add \
             it to the invoice or send it as Factur-X."
                .into(),
        ))
    }
}

fn issue_date(out: &Outgoing) -> Result<String, ChannelError> {
    out.facts
        .get(FactKey::IssueDate)
        .and_then(|d| d.trim().parse::<Date>().ok())
        .map(|d| d.to_string())
        .ok_or_else(|| {
            ChannelError::Invalid(
                "Chorus Pro : la date de la facture n'a pas pu être lue ; elle est obligatoire \
                 pour un dépôt PDF. / Chorus Pro: the invoice date could not be read; a PDF \
                 deposit requires it."
                    .into(),
            )
        })
}

fn missing_totals() -> ChannelError {
    ChannelError::Invalid(
        "Chorus Pro : les totaux HT et TTC de la facture n'ont pas pu être lus ; ils sont \
         obligatoires pour un dépôt PDF. / Chorus Pro: the invoice's totals without and with VAT \
         could not be read; a PDF deposit requires them."
            .into(),
    )
}

fn missing_references(siret: &str, service: bool, engagement: bool) -> String {
    let (fr, en) = match (service, engagement) {
        (true, true) => (
            "un code service et un numéro d'engagement (bon de commande)",
            "a service code and an engagement number (purchase order)",
        ),
        (true, false) => ("un code service", "a service code"),
        _ => (
            "un numéro d'engagement (bon de commande)",
            "an engagement number (purchase order)",
        ),
    };
    format!(
        "Le destinataire (SIRET {siret}) exige {fr} sur Chorus Pro : demandez-le au client, \
         ajoutez-le sur la facture (référence acheteur pour le code service, référence de \
         commande pour l'engagement) puis renvoyez-la. Rien n'a été envoyé. / The customer \
         (SIRET {siret}) requires {en} on Chorus Pro: ask the customer for it, add it to the \
         invoice (buyer reference for the service code, order reference for the engagement) \
         and send it again. Nothing was sent."
    )
}

/// A file name Chorus Pro accepts: ASCII letters, digits, `-` and `_`, the
/// extension kept, at most [`MAX_NAME_CHARS`] characters.
pub fn short_name(file_name: &str) -> String {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let (stem, ext) = match base.rsplit_once('.') {
        Some((s, e))
            if !s.is_empty()
                && (1..=5).contains(&e.len())
                && e.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            (s, e.to_ascii_lowercase())
        }
        _ => (base, "pdf".to_string()),
    };
    let mut clean = String::new();
    for c in stem.chars() {
        let c = match c {
            'à' | 'â' | 'ä' | 'á' => 'a',
            'À' | 'Â' | 'Ä' | 'Á' => 'A',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'É' | 'È' | 'Ê' | 'Ë' => 'E',
            'î' | 'ï' | 'í' => 'i',
            'Î' | 'Ï' => 'I',
            'ô' | 'ö' | 'ó' => 'o',
            'Ô' | 'Ö' => 'O',
            'ù' | 'û' | 'ü' | 'ú' => 'u',
            'Ù' | 'Û' | 'Ü' => 'U',
            'ç' => 'c',
            'Ç' => 'C',
            c if c.is_ascii_alphanumeric() || c == '-' || c == '_' => c,
            _ => '_',
        };
        if !(c == '_' && clean.ends_with('_')) {
            clean.push(c);
        }
    }
    clean.truncate(MAX_NAME_CHARS - ext.len() - 1);
    let clean = clean.trim_matches('_');
    let stem = if clean.is_empty() { "facture" } else { clean };
    format!("{stem}.{ext}")
}

/// A string field, also when the portal sends it as a number.
fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A numeric field, also when the portal sends it as a string.
fn number_of(v: &Value, key: &str) -> Option<i64> {
    let f = v.get(key)?;
    f.as_i64().or_else(|| f.as_str()?.trim().parse().ok())
}

fn flag(v: &Value, key: &str) -> bool {
    match v.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => matches!(s.trim(), "true" | "TRUE" | "1" | "OUI" | "oui"),
        Some(Value::Number(n)) => n.as_i64() == Some(1),
        _ => false,
    }
}

fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

fn amount(fact: Option<&str>) -> Option<f64> {
    let s: String = fact?
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    s.parse::<f64>().ok().filter(|a| a.is_finite())
}

/// The portal's own words from an error body, short.
fn portal_message(body: &str) -> String {
    let from_json = serde_json::from_str::<Value>(body).ok().and_then(|v| {
        [
            "libelle",
            "message",
            "error_description",
            "error",
            "moreInformation",
        ]
        .iter()
        .find_map(|k| text(&v, k))
    });
    let s = from_json.unwrap_or_else(|| body.trim().to_string());
    s.chars().take(300).collect()
}

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// A date as Chorus Pro writes them (epoch ms, RFC 3339, `YYYY-MM-DD HH:MM`,
/// `YYYY-MM-DD`), local times being Paris time.
fn at_ms(v: &Value) -> Option<i64> {
    if let Some(n) = v.as_i64() {
        return Some(n);
    }
    let s = v.as_str()?.trim();
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Some(t.as_millisecond());
    }
    let civil = s
        .parse::<jiff::civil::DateTime>()
        .or_else(|_| s.parse::<Date>().map(|d| d.at(0, 0, 0, 0)))
        .ok()?;
    let tz = jiff::tz::TimeZone::get("Europe/Paris").unwrap_or(jiff::tz::TimeZone::UTC);
    Some(civil.to_zoned(tz).ok()?.timestamp().as_millisecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_shortened_keeping_the_extension() {
        assert_eq!(short_name("F-2026-0001.pdf"), "F-2026-0001.pdf");
        let long = format!("{}.PDF", "Facture élève ".repeat(10));
        let s = short_name(&long);
        assert!(s.chars().count() <= MAX_NAME_CHARS, "{s}");
        assert!(s.starts_with("Facture_eleve_"), "{s}");
        assert!(s.ends_with(".pdf"), "{s}");
        assert_eq!(short_name("dir/«».pdf"), "facture.pdf");
        assert_eq!(short_name("noext"), "noext.pdf");
    }

    #[test]
    fn portal_dates_are_read() {
        assert_eq!(at_ms(&json!(1_700_000_000_000i64)), Some(1_700_000_000_000));
        assert_eq!(
            at_ms(&json!("2026-01-15T10:00:00Z")),
            Some(1_768_471_200_000)
        );
        // 10:00 in Paris in winter is 09:00 UTC.
        assert_eq!(at_ms(&json!("2026-01-15 10:00")), Some(1_768_467_600_000));
        assert!(at_ms(&json!("2026-01-15")).is_some());
        assert_eq!(at_ms(&json!("hier")), None);
    }

    #[test]
    fn loopback_only_for_plain_http() {
        let base_url = super::http::base_url;
        assert!(base_url("a", "api_url", "http://127.0.0.1:8080/").is_ok());
        assert!(base_url("a", "api_url", "https://api.piste.gouv.fr").is_ok());
        assert!(base_url("a", "api_url", "http://api.piste.gouv.fr").is_err());
        assert!(base_url("a", "api_url", "http://127.0.0.1.evil.fr").is_err());
        assert!(base_url("a", "api_url", "http://127.0.0.1:80@example.org/").is_err());
    }
}
