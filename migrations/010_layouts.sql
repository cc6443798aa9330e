-- Schema 10: invoice layouts learned from the owner's confirmed readings.

-- One row per layout: the seller it belongs to (an identifier, or its name
-- folded when none was printed), the fingerprint of its fixed labels and
-- fonts (to tell two layouts of one seller apart), and what was learned
-- (where each field sat, how the table is laid out) as the reader's JSON.
CREATE TABLE layouts (
    id          INTEGER PRIMARY KEY,
    seller_key  TEXT NOT NULL,
    seller_name TEXT,
    fingerprint TEXT NOT NULL,
    data        TEXT NOT NULL,
    fields      INTEGER NOT NULL,
    created_ms  INTEGER NOT NULL,
    updated_ms  INTEGER NOT NULL
);
CREATE INDEX layouts_seller ON layouts(seller_key);

-- The owner's confirmed reading of a document's invoice (EN 16931 JSON),
-- kept as given: what "correcting the reading" recorded.
CREATE TABLE confirmed_readings (
    id            INTEGER PRIMARY KEY,
    sha256        TEXT NOT NULL,
    invoice_index INTEGER NOT NULL,
    reading       TEXT NOT NULL,
    layout_id     INTEGER REFERENCES layouts(id) ON DELETE SET NULL,
    confirmed_ms  INTEGER NOT NULL
);
CREATE INDEX confirmed_readings_sha ON confirmed_readings(sha256);
