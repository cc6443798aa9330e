-- Schema 7: the customer directory and routing.

-- Each customer of the supplier, with the identifiers an invoice may carry
-- for it (stored normalised, as the routing compares them) and the channel
-- that reaches it: one of the supplier's accounts (mail deposit, Chorus Pro,
-- plateforme agréée, sandbox), a direct e-mail of the PDF, or paper.
CREATE TABLE customers (
    id                  INTEGER PRIMARY KEY,
    name                TEXT    NOT NULL,
    customer_number     TEXT,
    electronic_address  TEXT,
    ovt                 TEXT,
    iban                TEXT,
    gln                 TEXT,
    siren               TEXT,
    siret               TEXT,
    vat                 TEXT,
    channel             TEXT    NOT NULL CHECK (channel IN ('account', 'email', 'print')),
    -- channel = 'account': the account that reaches this customer.
    account             TEXT,
    -- channel = 'email': where the PDF is mailed.
    email               TEXT,
    -- Chorus Pro: the service code the customer requires, and whether it
    -- requires an engagement (purchase order) number.
    service_code        TEXT,
    engagement_required INTEGER NOT NULL DEFAULT 0,
    created_ms          INTEGER NOT NULL,
    updated_ms          INTEGER NOT NULL,
    CHECK (channel <> 'account' OR account IS NOT NULL),
    CHECK (channel <> 'email' OR email IS NOT NULL)
);
-- One identifier names one customer: a second customer with the same value
-- would make routing ambiguous, so the store refuses it.
CREATE UNIQUE INDEX customers_number ON customers(customer_number) WHERE customer_number IS NOT NULL;
CREATE UNIQUE INDEX customers_address ON customers(electronic_address) WHERE electronic_address IS NOT NULL;
CREATE UNIQUE INDEX customers_ovt ON customers(ovt) WHERE ovt IS NOT NULL;
CREATE UNIQUE INDEX customers_iban ON customers(iban) WHERE iban IS NOT NULL;
CREATE UNIQUE INDEX customers_gln ON customers(gln) WHERE gln IS NOT NULL;
CREATE UNIQUE INDEX customers_siret ON customers(siret) WHERE siret IS NOT NULL;
CREATE INDEX customers_siren ON customers(siren) WHERE siren IS NOT NULL;
CREATE UNIQUE INDEX customers_vat ON customers(vat) WHERE vat IS NOT NULL;

-- Plain settings of the supplier (never secrets): which account sends the
-- e-mail fallback, which one the print fallback, …
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Where a routed invoice goes beyond the account: the customer's e-mail
-- address for a direct e-mail. Kept with the attempt, so a later change in
-- the directory never redirects an invoice already queued.
ALTER TABLE submissions ADD COLUMN recipient TEXT;

-- Two more kinds of account: a direct e-mail sender (SMTP only) and a print
-- folder. SQLite cannot change a CHECK in place: the table is rebuilt.
CREATE TABLE accounts_v7 (
    name          TEXT PRIMARY KEY,
    kind          TEXT    NOT NULL CHECK (kind IN ('mail_deposit', 'chorus_pro', 'sandbox', 'plateforme', 'email', 'print')),
    settings_json TEXT    NOT NULL DEFAULT '{}',
    secret_fields TEXT    NOT NULL DEFAULT '[]',
    created_ms    INTEGER NOT NULL
);
INSERT INTO accounts_v7 (name, kind, settings_json, secret_fields, created_ms)
    SELECT name, kind, settings_json, secret_fields, created_ms FROM accounts;
DROP TABLE accounts;
ALTER TABLE accounts_v7 RENAME TO accounts;
