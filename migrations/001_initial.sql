-- Facteur local mirror, schema 1. A shipped migration is never edited:
-- add a new numbered file instead.

-- A file's content, identified by its SHA-256: the same bytes are the same
-- document wherever they are found.
CREATE TABLE documents (
    id            INTEGER PRIMARY KEY,
    sha256        TEXT    NOT NULL UNIQUE,
    size_bytes    INTEGER NOT NULL,
    first_path    TEXT    NOT NULL,
    first_seen_ms INTEGER NOT NULL
);

-- Every check of a document, appended: the report (verdict, facts,
-- findings) exactly as the checker gave it.
CREATE TABLE checks (
    id          INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    path        TEXT    NOT NULL,
    checked_ms  INTEGER NOT NULL,
    verdict     TEXT    NOT NULL CHECK (verdict IN ('accepted', 'rejected')),
    report_json TEXT    NOT NULL
);
CREATE INDEX checks_document ON checks(document_id, id);

-- One invoice per document that carries an invoice number. The current
-- status is derived from the events and updated in the same transaction.
CREATE TABLE invoices (
    id                INTEGER PRIMARY KEY,
    document_id       INTEGER NOT NULL UNIQUE REFERENCES documents(id),
    seller_siren      TEXT,
    number            TEXT    NOT NULL,
    doc_type          TEXT    NOT NULL DEFAULT 'invoice',
    issue_date        TEXT,
    currency          TEXT,
    total_without_tax TEXT,
    total_with_tax    TEXT,
    customer          TEXT,
    -- customer in lower case without accents, for searching
    customer_key      TEXT,
    buyer_siren       TEXT,
    portal            TEXT,
    current_status    TEXT    NOT NULL,
    current_reason    TEXT,
    status_since_ms   INTEGER NOT NULL,
    created_ms        INTEGER NOT NULL,
    replaces_id       INTEGER REFERENCES invoices(id)
);
CREATE INDEX invoices_status   ON invoices(current_status, status_since_ms);
-- Newest first, with the columns searched by substring, so a search walks
-- this index alone until a page is full.
CREATE INDEX invoices_recent   ON invoices(status_since_ms, id, number, customer_key, buyer_siren);
CREATE INDEX invoices_key      ON invoices(seller_siren, number);
CREATE INDEX invoices_customer ON invoices(customer_key);
CREATE INDEX invoices_issued   ON invoices(issue_date);

-- Every status an invoice went through, as the portal (or Facteur) said it.
-- Raw values are kept beside the canonical status; never updated, never
-- deleted.
CREATE TABLE events (
    id            INTEGER PRIMARY KEY,
    invoice_id    INTEGER NOT NULL REFERENCES invoices(id),
    at_ms         INTEGER NOT NULL,
    recorded_ms   INTEGER NOT NULL,
    source        TEXT    NOT NULL CHECK (source IN ('portal_api', 'portal_mail', 'manual', 'local_check')),
    vocabulary    TEXT    NOT NULL,
    raw_status    TEXT    NOT NULL,
    raw_reason    TEXT,
    status        TEXT,
    reason_code   TEXT,
    mandatory     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX events_invoice ON events(invoice_id, at_ms, id);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'status events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'status events are append-only'); END;
CREATE TRIGGER checks_no_update BEFORE UPDATE ON checks
BEGIN SELECT RAISE(ABORT, 'check results are append-only'); END;
CREATE TRIGGER checks_no_delete BEFORE DELETE ON checks
BEGIN SELECT RAISE(ABORT, 'check results are append-only'); END;
