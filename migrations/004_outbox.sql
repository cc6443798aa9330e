-- Schema 4: the outbox and portal synchronisation.

-- How many times an attempt was tried, and where the exact bytes wait
-- (relative to FACTEUR_HOME: outbox/<sha256>.pdf), so a queued invoice
-- survives the user moving or deleting the original file.
ALTER TABLE submissions ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE submissions ADD COLUMN payload TEXT;
-- Files sent with the invoice (mail deposit attachments): a JSON list of
-- {"file_name", "payload"}, each payload an outbox copy like the invoice's.
ALTER TABLE submissions ADD COLUMN annexes TEXT;
CREATE INDEX submissions_open ON submissions(outcome, id) WHERE outcome IN ('queued', 'sending');
CREATE INDEX submissions_ref ON submissions(account, portal_ref);

-- Where each account's last sync stopped (IMAP UID, date…).
CREATE TABLE sync_state (
    account   TEXT    PRIMARY KEY,
    cursor    TEXT,
    synced_ms INTEGER NOT NULL
);

-- Portal answers that match no invoice here: kept and shown, never dropped.
CREATE TABLE unmatched_events (
    id          INTEGER PRIMARY KEY,
    account     TEXT    NOT NULL,
    recorded_ms INTEGER NOT NULL,
    portal_ref  TEXT,
    number      TEXT,
    at_ms       INTEGER NOT NULL,
    vocabulary  TEXT    NOT NULL,
    raw_status  TEXT    NOT NULL,
    raw_reason  TEXT
);
-- Each answer once, however often the portal repeats it (NULLs compare
-- equal here, unlike in a plain UNIQUE constraint).
CREATE UNIQUE INDEX unmatched_once ON unmatched_events(account, coalesce(portal_ref, ''),
    coalesce(number, ''), at_ms, raw_status, coalesce(raw_reason, ''));

-- Events gain a source for Facteur's own outbox steps (queued, sending,
-- to verify…). SQLite cannot change a CHECK in place: the table is rebuilt
-- with every row, its index and its append-only triggers.
DROP TRIGGER events_no_update;
DROP TRIGGER events_no_delete;
CREATE TABLE events_v4 (
    id            INTEGER PRIMARY KEY,
    invoice_id    INTEGER NOT NULL REFERENCES invoices(id),
    at_ms         INTEGER NOT NULL,
    recorded_ms   INTEGER NOT NULL,
    source        TEXT    NOT NULL CHECK (source IN ('portal_api', 'portal_mail', 'manual', 'local_check', 'outbox')),
    vocabulary    TEXT    NOT NULL,
    raw_status    TEXT    NOT NULL,
    raw_reason    TEXT,
    status        TEXT,
    reason_code   TEXT,
    mandatory     INTEGER NOT NULL DEFAULT 0,
    submission_id INTEGER REFERENCES submissions(id)
);
INSERT INTO events_v4 (id, invoice_id, at_ms, recorded_ms, source, vocabulary, raw_status, raw_reason,
                       status, reason_code, mandatory, submission_id)
    SELECT id, invoice_id, at_ms, recorded_ms, source, vocabulary, raw_status, raw_reason,
           status, reason_code, mandatory, submission_id FROM events;
DROP TABLE events;
ALTER TABLE events_v4 RENAME TO events;
CREATE INDEX events_invoice ON events(invoice_id, at_ms, id);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'status events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'status events are append-only'); END;
