-- Schema 2: submission attempts, and which attempt an event answers.

-- Each attempt to deliver an invoice.
CREATE TABLE submissions (
    id          INTEGER PRIMARY KEY,
    invoice_id  INTEGER NOT NULL REFERENCES invoices(id),
    kind        TEXT    NOT NULL DEFAULT 'submit' CHECK (kind IN ('submit', 'replay', 'resend')),
    channel     TEXT    NOT NULL,
    account     TEXT,
    started_ms  INTEGER NOT NULL,
    finished_ms INTEGER,
    outcome     TEXT    NOT NULL CHECK (outcome IN ('queued', 'sending', 'sent', 'failed', 'to_verify')),
    portal_ref  TEXT,
    error       TEXT
);
CREATE INDEX submissions_invoice ON submissions(invoice_id, id);

ALTER TABLE events ADD COLUMN submission_id INTEGER REFERENCES submissions(id);
