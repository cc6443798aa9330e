//! The `facteur` command line: the binary edge of the core library.
//!
//! Parses arguments, wires logging, prints results. All the work is done by
//! the `facteur` library; this file only turns its values into text and exit
//! statuses (0 all accepted, 1 some rejected, 2 usage or I/O error).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use facteur::check::finding::Lang;
use facteur::check::{self, Options, Outcome, Report};
use facteur::render;

mod cli;
use cli::accounts as cli_accounts;
use cli::store as cli_store;
use cli::submit as cli_submit;

#[derive(Parser)]
#[command(
    name = "facteur",
    version,
    about = "Vérifie et envoie vos factures aux portails de facturation électronique / Checks and sends your invoices to e-invoicing portals"
)]
struct Cli {
    /// Language of messages (default: from the locale, French otherwise).
    #[arg(long, global = true, value_enum)]
    lang: Option<LangArg>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    Fr,
    En,
}

#[derive(Subcommand)]
enum Command {
    /// Check invoice PDFs offline, as a portal would, before anything is sent.
    Check {
        /// One JSON object per file, one per line (format in README).
        #[arg(long)]
        json: bool,
        /// Files checked at once (default: the number of CPUs).
        #[arg(long, short = 'j')]
        jobs: Option<usize>,
        /// Do not record the results in the local database.
        #[arg(long)]
        no_store: bool,
        /// Files or folders (folders are searched recursively for *.pdf and *.xml).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Read invoice PDFs as a person does: number, parties, lines, VAT and
    /// totals, in EN 16931 terms (format in README).
    Read {
        /// One JSON object per invoice, one per line.
        #[arg(long)]
        json: bool,
        /// The owner's confirmed reading of FILE (same format, plain values
        /// allowed): recorded, and its layout learned for the next invoices.
        #[arg(long, value_name = "CONFIRMED.json")]
        confirm: Option<PathBuf>,
        /// PDF files.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Check structured invoices (CII/UBL XML, or the XML of a Factur-X PDF)
    /// against the official EN 16931, BR-FR and Factur-X rules, offline.
    Rules {
        /// One JSON object per file, one per line.
        #[arg(long)]
        json: bool,
        /// XML or PDF files.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Make a Factur-X (PDF/A-3 with its EN 16931 XML) from a plain PDF
    /// invoice: `draft` prints what would go in it, `make` makes it.
    Facturx {
        #[command(subcommand)]
        action: FacturxAction,
    },
    /// Layouts learned from confirmed readings.
    Layouts {
        #[command(subcommand)]
        action: LayoutsAction,
    },
    /// List invoices with their current status, most recent first.
    Status {
        #[arg(long)]
        json: bool,
        /// Status names or reform codes, comma-separated (e.g. rejected,refused or 213).
        #[arg(long)]
        status: Option<String>,
        /// Part of the customer's name or SIREN.
        #[arg(long)]
        customer: Option<String>,
        /// Invoices issued on or after this date (YYYY-MM-DD).
        #[arg(long)]
        since: Option<String>,
        /// Part of the invoice number.
        #[arg(long)]
        number: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Every status an invoice went through, and what to do now.
    History {
        /// Invoice number, or #id.
        invoice: String,
        #[arg(long)]
        json: bool,
    },
    /// Portal accounts; their secrets go to the OS keyring only.
    Account {
        #[command(subcommand)]
        action: AccountAction,
    },
    /// Check, queue and send invoices to a portal (the demonstration portal by default).
    Submit {
        /// The account to send through (see `facteur account list`); default: the sandbox.
        #[arg(long)]
        to: Option<String>,
        /// This file is the corrected invoice (new number) for that rejected one (number or #id).
        #[arg(long, value_name = "INVOICE")]
        corrects: Option<String>,
        /// A file sent with the invoice (mail deposit: its own attachment); one invoice only (repeatable).
        #[arg(long, value_name = "FILE")]
        annex: Vec<PathBuf>,
        /// Files or folders (folders are searched recursively for *.pdf and *.xml).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Watch folders: every invoice exported there is checked once complete (and sent with --submit)
    Watch {
        /// Folders to watch (none: the folders of `facteur folders list`, each with its settings).
        dirs: Vec<PathBuf>,
        /// Their subfolders too.
        #[arg(long, short = 'r')]
        recursive: bool,
        /// Also send each accepted invoice (where the customer directory routes it, unless --to).
        #[arg(long)]
        submit: bool,
        /// The account to send to (implies --submit).
        #[arg(long)]
        to: Option<String>,
        /// Move each processed file into a subfolder: envoyées, bloquées, à vérifier, contrôlées.
        #[arg(long)]
        tidy: bool,
        /// Seconds a file's size and date must stay the same before it is taken.
        #[arg(long, default_value_t = 2.0)]
        settle: f64,
        /// One JSON object per file taken.
        #[arg(long)]
        json: bool,
    },
    /// The watched folders, each with its own settings (used by the window and `facteur watch`).
    Folders {
        #[command(subcommand)]
        action: FoldersAction,
    },
    /// Pull the portals' statuses into the local mirror (every account, or one).
    Sync {
        #[arg(long)]
        account: Option<String>,
    },
    /// Replay (« Rejeu ») an invoice refused for « Mandat absent », once the mandate is signed.
    Replay {
        /// Invoice number, or #id.
        invoice: String,
    },
    /// Say whether an invoice left "to verify" after an interrupted sending did arrive.
    Verify {
        /// Invoice number, or #id.
        invoice: String,
        /// It is on the portal: never send it again.
        #[arg(
            long,
            conflicts_with = "not_arrived",
            required_unless_present = "not_arrived"
        )]
        arrived: bool,
        /// It is not on the portal: it may be sent again.
        #[arg(long)]
        not_arrived: bool,
    },
    /// Declare an invoice paid (« Encaissée », 212) to the plateforme agréée that has it.
    Paid {
        /// Invoice number, or #id.
        invoice: String,
        #[arg(long)]
        json: bool,
    },
    /// Whether a customer (SIREN) can receive e-invoices, from a plateforme's directory.
    Directory {
        siren: String,
        /// The plateforme account to ask (default: the demonstration plateforme).
        #[arg(long)]
        to: Option<String>,
        /// Ask again even if the answer kept from today is still fresh.
        #[arg(long)]
        refresh: bool,
        #[arg(long)]
        json: bool,
    },
    /// The demonstration portal (a simulation on this computer).
    #[command(after_help = "Le portail de démonstration accepte tous les clients. \
Trois SIREN de client réservés montrent ses autres réponses / \
It accepts every customer; three reserved customer SIRENs show its other answers:\n  \
443061841  rejetée « Le client référencé n'existe pas » / rejected (unknown customer)\n  \
542051180  refusée « Mandat absent », rejouable une fois le mandat signé / refused (no mandate), replayable once signed\n  \
382396513  refusée « Doublon » / refused (duplicate)")]
    Sandbox {
        #[command(subcommand)]
        action: SandboxAction,
    },
    /// Explain where each invoice would go (customer, channel, and why), without sending.
    Route {
        /// One JSON object per file.
        #[arg(long)]
        json: bool,
        /// Files or folders (folders are searched recursively for *.pdf and *.xml).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// The customer directory that routing reads.
    Customers {
        #[command(subcommand)]
        action: CustomersAction,
    },
    /// Say that a printed invoice (« à imprimer et poster ») was posted.
    Posted {
        /// Invoice number, or #id.
        invoice: String,
    },
    /// « Mon entreprise »: the seller's own data, entered once, that completes
    /// every Factur-X made from a plain PDF.
    Company {
        #[command(subcommand)]
        action: CompanyAction,
    },
    /// Export every invoice for the accountant.
    Export {
        /// Destination CSV file (`-` for standard output).
        #[arg(long)]
        csv: PathBuf,
    },
}

#[derive(Subcommand)]
enum CompanyAction {
    /// Show the profile as kept.
    Show {
        /// The profile as JSON (what `company set --data` reads back).
        #[arg(long)]
        json: bool,
    },
    /// Change the profile: only the values given change (an empty value
    /// clears one); every problem is said and nothing is kept when one is
    /// wrong.
    Set(Box<SetCompany>),
}

#[derive(clap::Args)]
struct SetCompany {
    /// A whole profile as `company show --json` prints it (`-`: standard
    /// input); the other options win over it.
    #[arg(long, value_name = "FILE.json")]
    data: Option<PathBuf>,
    /// The company's name (BT-27).
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    siren: Option<String>,
    #[arg(long)]
    siret: Option<String>,
    /// Intra-community VAT number (FR + key + SIREN).
    #[arg(long)]
    vat: Option<String>,
    #[arg(long)]
    street: Option<String>,
    #[arg(long)]
    postcode: Option<String>,
    #[arg(long)]
    city: Option<String>,
    /// Two-letter country code (FR when empty).
    #[arg(long)]
    country: Option<String>,
    #[arg(long)]
    iban: Option<String>,
    #[arg(long)]
    bic: Option<String>,
    /// Payment means code: 58 SEPA transfer, 30 transfer, 42 bank account,
    /// 49 direct debit, 59 SEPA direct debit, 20 cheque, 10 cash, 48 card.
    #[arg(long, value_name = "CODE")]
    payment_means: Option<String>,
    /// The usual payment terms, as printed (« 30 jours fin de mois »).
    #[arg(long)]
    payment_terms: Option<String>,
    /// Days from the issue date to the due date when an invoice prints none.
    #[arg(long, value_name = "DAYS")]
    payment_days: Option<u32>,
    /// The option for paying VAT on debits (« TVA sur les débits »).
    #[arg(long, value_name = "true|false")]
    vat_on_debits: Option<bool>,
    /// What is usually invoiced: goods, services or both.
    #[arg(long, value_name = "goods|services|both")]
    operations: Option<String>,
    /// Under the VAT franchise (art. 293 B du CGI: no VAT charged).
    #[arg(long, value_name = "true|false")]
    franchise: Option<bool>,
    #[arg(long)]
    contact_name: Option<String>,
    #[arg(long)]
    contact_phone: Option<String>,
    #[arg(long)]
    contact_email: Option<String>,
    /// The electronic address invoices are received at (the SIREN when empty).
    #[arg(long)]
    e_address: Option<String>,
    /// The late-payment penalties note, when worded otherwise than the default.
    #[arg(long)]
    note_pmd: Option<String>,
    /// The recovery indemnity note, when worded otherwise than the default.
    #[arg(long)]
    note_pmt: Option<String>,
    /// The early-payment discount note, when worded otherwise than the default.
    #[arg(long)]
    note_aab: Option<String>,
}

#[derive(Subcommand)]
enum SandboxAction {
    /// Run the demonstration portal on 127.0.0.1 until Ctrl-C.
    Serve {
        /// Port on 127.0.0.1 (0: any free port, printed at start; default:
        /// this FACTEUR_HOME's own, 8917 when it was free at first use).
        #[arg(long)]
        port: Option<u16>,
        /// How long « vidéocodage » lasts, in seconds (the real portal: about 48 h).
        #[arg(long, default_value_t = 120.0)]
        videocodage_secs: f64,
        /// Seconds between the later steps (émise → … → paid).
        #[arg(long, default_value_t = 60.0)]
        step_secs: f64,
        /// Where the portal keeps its state (default: FACTEUR_HOME/sandbox.json).
        #[arg(long)]
        state: Option<PathBuf>,
    },
    /// Run the demonstration plateforme agréée (AFNOR API) on 127.0.0.1 until Ctrl-C.
    ServePa {
        /// Port on 127.0.0.1 (0: any free port, printed at start; default:
        /// this FACTEUR_HOME's own, 8918 when it was free at first use).
        #[arg(long)]
        port: Option<u16>,
        /// Seconds between two lifecycle statuses of an invoice.
        #[arg(long, default_value_t = 30.0)]
        step_secs: f64,
    },
    /// Mark a customer's mandate as signed on the demonstration portal.
    SignMandate {
        siren: String,
        /// The sandbox account (default: the built-in one).
        #[arg(long)]
        to: Option<String>,
    },
}

#[derive(clap::Args)]
struct AddCustomer {
    #[arg(long)]
    name: String,
    #[arg(long)]
    customer_number: Option<String>,
    /// E-invoice ID / electronic address.
    #[arg(long)]
    electronic_address: Option<String>,
    #[arg(long)]
    ovt: Option<String>,
    #[arg(long)]
    iban: Option<String>,
    #[arg(long)]
    gln: Option<String>,
    #[arg(long)]
    siren: Option<String>,
    #[arg(long)]
    siret: Option<String>,
    #[arg(long)]
    vat: Option<String>,
    /// Reached through this account (mail deposit, Chorus Pro, plateforme, sandbox).
    #[arg(long)]
    account: Option<String>,
    /// Reached by a direct e-mail of the PDF to this address.
    #[arg(long)]
    email: Option<String>,
    /// Reached on paper.
    #[arg(long)]
    print: bool,
    /// Chorus Pro: the service code this customer requires.
    #[arg(long)]
    service_code: Option<String>,
    /// Chorus Pro: this customer requires an engagement (order) number.
    #[arg(long)]
    engagement_required: bool,
    /// Postal address, for the Factur-X made from a plain PDF.
    #[arg(long)]
    street: Option<String>,
    #[arg(long)]
    postcode: Option<String>,
    #[arg(long)]
    city: Option<String>,
    /// Two-letter country code (FR, BE…).
    #[arg(long)]
    country: Option<String>,
    /// Scheme of the electronic address (0225, the French directory, when empty).
    #[arg(long)]
    electronic_scheme: Option<String>,
}

#[derive(Subcommand)]
enum CustomersAction {
    /// List the customers and their identifiers.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Add one customer, with its identifiers and one channel.
    Add(Box<AddCustomer>),
    /// Remove a customer by its #id.
    Remove { id: i64 },
    /// Import customers from a CSV file (all lines valid, or nothing is imported).
    Import {
        file: PathBuf,
        /// Map a column to a field, e.g. --map "Code client=numero_client" (or =- to ignore it).
        #[arg(long = "map", value_name = "HEADER=FIELD")]
        maps: Vec<String>,
        /// Show the mapping and the bad lines, write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Export the directory as CSV (readable again by import).
    Export {
        /// Destination CSV file (`-` for standard output).
        #[arg(long)]
        csv: PathBuf,
    },
    /// Turn the e-mail and paper fallbacks on (naming their account) or off.
    Fallbacks {
        /// The account (kind email) that mails PDFs to customers.
        #[arg(long, conflicts_with = "no_email")]
        email: Option<String>,
        #[arg(long)]
        no_email: bool,
        /// The account (kind print) whose folder collects invoices to post.
        #[arg(long, conflicts_with = "no_print")]
        print: Option<String>,
        #[arg(long)]
        no_print: bool,
    },
}

#[derive(Subcommand)]
enum FoldersAction {
    /// Watch a folder (check only unless --submit or --to).
    Add {
        path: PathBuf,
        /// Its subfolders too.
        #[arg(long, short = 'r')]
        recursive: bool,
        /// Also send each accepted invoice (where the customer directory routes it, unless --to).
        #[arg(long)]
        submit: bool,
        /// The account to send to (implies --submit).
        #[arg(long)]
        to: Option<String>,
        /// Move each processed file into a subfolder: envoyées, bloquées, à vérifier, contrôlées.
        #[arg(long)]
        tidy: bool,
        /// Make the Factur-X of each plain PDF: sent when every value was
        /// read with certainty and the official rules pass, held for review
        /// otherwise.
        #[arg(long)]
        make_facturx: bool,
    },
    /// List the watched folders and their settings.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Stop watching a folder (its files stay where they are).
    Remove {
        /// The folder's path or #id.
        folder: String,
    },
    /// Keep a folder configured but do not watch it for now.
    Pause { folder: String },
    /// Watch a paused folder again.
    Resume { folder: String },
    /// Change a folder's settings.
    Set {
        /// The folder's path or #id.
        folder: String,
        /// check (check only) or submit (check and submit).
        #[arg(long)]
        mode: Option<String>,
        /// The account to send to (`-`: the demonstration portal).
        #[arg(long)]
        to: Option<String>,
        /// Tidy-up on or off.
        #[arg(long)]
        tidy: Option<bool>,
        /// Subfolders too, or not.
        #[arg(long)]
        recursive: Option<bool>,
        /// Make the Factur-X of each plain PDF, or not.
        #[arg(long)]
        make_facturx: Option<bool>,
    },
}

#[derive(Subcommand)]
enum AccountAction {
    /// Add an account. Secrets are asked without echo (or read from stdin).
    Add {
        name: String,
        /// mail_deposit, chorus_pro, sandbox, plateforme, email (direct e-mail to customers) or print (a folder).
        #[arg(long)]
        kind: String,
        /// A setting that is not secret, e.g. --set smtp_host=smtp.example.fr (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        settings: Vec<String>,
        /// The name of a secret field to ask for, e.g. --secret smtp_password (repeatable).
        #[arg(long = "secret", value_name = "FIELD")]
        secrets: Vec<String>,
        /// Read the secrets from standard input, one line each, in the order given.
        #[arg(long)]
        secret_stdin: bool,
    },
    /// List accounts (secrets are never shown).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove an account and its secrets.
    Remove { name: String },
}

#[derive(Subcommand)]
enum FacturxAction {
    /// What Facteur reads in FILE, completed from « Mon entreprise » and the
    /// customer directory, and what is missing (`facteur read`'s format).
    Draft {
        #[arg(long)]
        json: bool,
        file: PathBuf,
    },
    /// Make the Factur-X of FILE; refuses with every missing term and every
    /// rule of EN 16931 / BR-FR it would break.
    Make {
        /// The invoice's values (the draft, edited; plain values allowed):
        /// they win over what was read, the company and the directory.
        #[arg(long, value_name = "DRAFT.json")]
        data: Option<PathBuf>,
        /// Where to write it (default: FILE's name with `-factur-x.pdf`).
        #[arg(short = 'o', long = "out", value_name = "OUT.pdf")]
        out: Option<PathBuf>,
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum LayoutsAction {
    /// The learned layouts: seller, fields learned, when.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Forget a learned layout.
    Remove { id: i64 },
}

fn main() -> ExitCode {
    init_logging();
    // A panic inside one file's check is caught and reported as a finding;
    // keep the default hook from printing a backtrace over the results.
    std::panic::set_hook(Box::new(|info| {
        tracing::error!("internal error: {info}");
    }));
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let lang = match cli.lang {
        Some(LangArg::Fr) => Lang::Fr,
        Some(LangArg::En) => Lang::En,
        None => Lang::from_env(),
    };
    let result = match cli.command {
        Command::Check {
            json,
            jobs,
            no_store,
            paths,
        } => run_check(&paths, json, jobs, no_store, lang),
        Command::Read {
            json,
            confirm,
            paths,
        } => cli::read::read(&paths, json, confirm.as_deref(), lang),
        Command::Rules { json, paths } => cli::rules::rules(&paths, json, lang),
        Command::Facturx { action } => match action {
            FacturxAction::Draft { json, file } => cli::facturx::draft_cmd(&file, json, lang),
            FacturxAction::Make { data, out, file } => {
                cli::facturx::make_cmd(&file, data.as_deref(), out.as_deref(), lang)
            }
        },
        Command::Layouts { action } => match action {
            LayoutsAction::List { json } => cli::read::layouts_list(json, lang),
            LayoutsAction::Remove { id } => cli::read::layouts_remove(id, lang),
        },
        Command::Status {
            json,
            status,
            customer,
            since,
            number,
            limit,
        } => cli_store::status(json, status, customer, since, number, limit, lang),
        Command::History { invoice, json } => cli_store::history(&invoice, json, lang),
        Command::Export { csv } => cli_store::export(&csv, lang),
        Command::Company { action } => match action {
            CompanyAction::Show { json } => cli::company::show(json, lang),
            CompanyAction::Set(a) => {
                let a = *a;
                cli::company::set(
                    cli::company::Changes {
                        data: a.data,
                        name: a.name,
                        siren: a.siren,
                        siret: a.siret,
                        vat: a.vat,
                        street: a.street,
                        postcode: a.postcode,
                        city: a.city,
                        country: a.country,
                        e_address: a.e_address,
                        iban: a.iban,
                        bic: a.bic,
                        payment_means: a.payment_means,
                        payment_terms: a.payment_terms,
                        payment_days: a.payment_days,
                        vat_on_debits: a.vat_on_debits,
                        operations: a.operations,
                        franchise: a.franchise,
                        contact_name: a.contact_name,
                        contact_phone: a.contact_phone,
                        contact_email: a.contact_email,
                        note_pmd: a.note_pmd,
                        note_pmt: a.note_pmt,
                        note_aab: a.note_aab,
                    },
                    lang,
                )
            }
        },
        Command::Route { json, paths } => cli::route::route(&paths, json, lang),
        Command::Posted { invoice } => cli::route::posted(&invoice, lang),
        Command::Customers { action } => match action {
            CustomersAction::List { json } => cli::route::list(json, lang),
            CustomersAction::Add(a) => {
                let a = *a;
                cli::route::add(
                    cli::route::NewCustomer {
                        name: a.name,
                        customer_number: a.customer_number,
                        electronic_address: a.electronic_address,
                        ovt: a.ovt,
                        iban: a.iban,
                        gln: a.gln,
                        siren: a.siren,
                        siret: a.siret,
                        vat: a.vat,
                        account: a.account,
                        email: a.email,
                        print: a.print,
                        service_code: a.service_code,
                        engagement_required: a.engagement_required,
                        street: a.street,
                        postcode: a.postcode,
                        city: a.city,
                        country: a.country,
                        electronic_scheme: a.electronic_scheme,
                    },
                    lang,
                )
            }
            CustomersAction::Remove { id } => cli::route::remove(id, lang),
            CustomersAction::Import {
                file,
                maps,
                dry_run,
            } => cli::route::import(&file, &maps, dry_run, lang),
            CustomersAction::Export { csv } => cli::route::export(&csv, lang),
            CustomersAction::Fallbacks {
                email,
                no_email,
                print,
                no_print,
            } => cli::route::fallbacks(email, no_email, print, no_print, lang),
        },
        Command::Submit {
            to,
            corrects,
            annex,
            paths,
        } => cli_submit::submit(&paths, to.as_deref(), corrects.as_deref(), &annex, lang),
        Command::Sync { account } => cli_submit::sync(account.as_deref(), lang),
        Command::Watch {
            dirs,
            recursive,
            submit,
            to,
            tidy,
            settle,
            json,
        } => cli::watch::watch(
            cli::watch::Args {
                dirs: &dirs,
                recursive,
                submit,
                to: to.as_deref(),
                tidy,
                settle_secs: settle,
                json,
            },
            lang,
        ),
        Command::Folders { action } => folders_command(action, lang),
        Command::Replay { invoice } => cli_submit::replay(&invoice, lang),
        Command::Verify {
            invoice, arrived, ..
        } => cli_submit::verify(&invoice, arrived, lang),
        Command::Sandbox { action } => match action {
            SandboxAction::Serve {
                port,
                videocodage_secs,
                step_secs,
                state,
            } => cli_submit::serve(port, videocodage_secs, step_secs, state, lang),
            SandboxAction::ServePa { port, step_secs } => {
                cli::plateforme::serve_pa(port, step_secs, lang)
            }
            SandboxAction::SignMandate { siren, to } => {
                cli_submit::sign_mandate(&siren, to.as_deref(), lang)
            }
        },
        Command::Paid { invoice, json } => cli::plateforme::paid(&invoice, json, lang),
        Command::Directory {
            siren,
            to,
            refresh,
            json,
        } => cli::plateforme::directory(&siren, to.as_deref(), refresh, json, lang),
        Command::Account { action } => match action {
            AccountAction::Add {
                name,
                kind,
                settings,
                secrets,
                secret_stdin,
            } => cli_accounts::add(&name, &kind, &settings, &secrets, secret_stdin, lang),
            AccountAction::List { json } => cli_accounts::list(json, lang),
            AccountAction::Remove { name } => cli_accounts::remove(&name, lang),
        },
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("facteur: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn folders_command(action: FoldersAction, lang: Lang) -> anyhow::Result<ExitCode> {
    use facteur::intake::folders::Change;
    match action {
        FoldersAction::Add {
            path,
            recursive,
            submit,
            to,
            tidy,
            make_facturx,
        } => cli::folders::add(
            cli::folders::AddArgs {
                path: &path,
                recursive,
                submit,
                to,
                tidy,
                make_facturx,
            },
            lang,
        ),
        FoldersAction::List { json } => cli::folders::list(json, lang),
        FoldersAction::Remove { folder } => cli::folders::remove(&folder, lang),
        FoldersAction::Pause { folder } => {
            cli::folders::change(&folder, &[Change::Paused(true)], lang)
        }
        FoldersAction::Resume { folder } => {
            cli::folders::change(&folder, &[Change::Paused(false)], lang)
        }
        FoldersAction::Set {
            folder,
            mode,
            to,
            tidy,
            recursive,
            make_facturx,
        } => {
            let mut changes = Vec::new();
            if let Some(v) = make_facturx {
                changes.push(Change::MakeFacturx(v));
            }
            if let Some(m) = mode {
                changes.push(Change::Mode(cli::folders::parse_mode(&m)?));
            }
            if let Some(a) = to {
                changes.push(Change::Account((a != "-").then_some(a)));
            }
            if let Some(t) = tidy {
                changes.push(Change::Tidy(t));
            }
            if let Some(r) = recursive {
                changes.push(Change::Recursive(r));
            }
            cli::folders::change(&folder, &changes, lang)
        }
    }
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let mut filter =
        EnvFilter::try_from_env("FACTEUR_LOG").unwrap_or_else(|_| EnvFilter::new("warn,lopdf=off"));
    // The mail libraries log the raw SMTP/IMAP dialogue (passwords, whole
    // invoices) at debug level: off whatever FACTEUR_LOG asks.
    for target in facteur::send::channel::mail::WIRE_LOG_TARGETS {
        if let Ok(d) = format!("{target}=off").parse() {
            filter = filter.add_directive(d);
        }
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

fn run_check(
    inputs: &[PathBuf],
    json: bool,
    jobs: Option<usize>,
    no_store: bool,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    let mut store = if no_store { None } else { Some(cli::open()?) };
    let (files, walk_errors) = check::collect_paths(inputs);
    let mut io_errors = walk_errors.len();
    for e in &walk_errors {
        eprintln!("facteur: {e}");
    }
    let jobs = jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let progress = progress_bar(files.len() as u64, lang);
    let cancelled = Arc::new(AtomicBool::new(false));
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    // Results are printed in input order as soon as each is ready.
    let mut pending: Vec<Option<Outcome>> = (0..files.len()).map(|_| None).collect();
    let mut next_to_print = 0;
    let (mut accepted, mut rejected) = (0usize, 0usize);
    let mut write_error: Option<std::io::Error> = None;
    // The layouts learned from confirmed readings guide the reading of
    // their next invoices (the checker never opens the store itself).
    let layouts = match store.as_ref() {
        Some(s) => cli::read::load_layouts(s).unwrap_or_default(),
        None => Vec::new(),
    };
    let opts = Options {
        layouts: Arc::new(layouts),
        ..Options::default()
    };
    let cancel_flag = cancelled.clone();
    check::check_batch(
        &files,
        jobs,
        &opts,
        &|| cancel_flag.load(Ordering::Relaxed),
        &mut |i, outcome| {
            if let Some(p) = &progress {
                p.inc(1);
            }
            pending[i] = Some(outcome);
            while next_to_print < pending.len() {
                let Some(o) = pending[next_to_print].take() else {
                    break;
                };
                next_to_print += 1;
                let printed = match o {
                    Outcome::Checked(mut r) => {
                        if let Some(store) = store.as_mut() {
                            let _ = cli_store::record(store, &mut r);
                        }
                        if r.accepted() {
                            accepted += 1;
                        } else {
                            rejected += 1;
                        }
                        print_report(&mut out, &r, json, lang, progress.as_ref())
                    }
                    Outcome::Failed(e) => {
                        io_errors += 1;
                        let line = format!("facteur: {e}");
                        match &progress {
                            Some(p) => p.suspend(|| eprintln!("{line}")),
                            None => eprintln!("{line}"),
                        }
                        Ok(())
                    }
                };
                if let Err(e) = printed {
                    // Output closed (e.g. piped into `head`): stop quietly.
                    write_error.get_or_insert(e);
                    cancel_flag.store(true, Ordering::Relaxed);
                }
            }
        },
    );
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    if let Some(e) = write_error
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(e).context("writing the results");
    }
    if !json {
        let _ = writeln!(
            out,
            "{}",
            render::summary(accepted, rejected, io_errors, lang)
        );
    }
    if files.is_empty() && walk_errors.is_empty() {
        eprintln!(
            "{}",
            match lang {
                Lang::Fr => "facteur\u{a0}: aucun fichier PDF trouvé.",
                Lang::En => "facteur: no PDF file found.",
            }
        );
    }
    Ok(if io_errors > 0 {
        ExitCode::from(2)
    } else if rejected > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_report(
    out: &mut impl Write,
    r: &Report,
    json: bool,
    lang: Lang,
    progress: Option<&indicatif::ProgressBar>,
) -> std::io::Result<()> {
    let text = if json {
        let mut line = serde_json::to_string(r).map_err(std::io::Error::other)?;
        line.push('\n');
        line
    } else {
        render::report(r, lang)
    };
    match progress {
        Some(p) => p.suspend(|| out.write_all(text.as_bytes())),
        None => out.write_all(text.as_bytes()),
    }
}

/// A progress bar on stderr when it is a terminal and there is more than one file.
fn progress_bar(len: u64, lang: Lang) -> Option<indicatif::ProgressBar> {
    if len < 2 || !std::io::stderr().is_terminal() {
        return None;
    }
    let msg = match lang {
        Lang::Fr => "vérification",
        Lang::En => "checking",
    };
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(msg);
    Some(bar)
}
