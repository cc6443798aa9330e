-- Schema 8: what the plateformes' Directory service said about a customer,
-- with the date it said it, so routing reads it without asking again each
-- time. One row per SIREN (the directory is national); `state` is enabled,
-- disabled, upcoming or not_found; `status_given` is 0 when the plateforme
-- omitted the status field (the line then counts as enabled).
CREATE TABLE directory_cache (
    siren        TEXT    PRIMARY KEY,
    state        TEXT    NOT NULL CHECK (state IN ('enabled', 'disabled', 'upcoming', 'not_found')),
    address      TEXT,
    platform     TEXT,
    status_given INTEGER NOT NULL DEFAULT 1,
    account      TEXT    NOT NULL,
    checked_ms   INTEGER NOT NULL
);
