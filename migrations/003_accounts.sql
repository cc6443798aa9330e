-- Schema 3: portal accounts. Only settings that are not secret live here
-- (kind, hosts, user names, addresses); passwords and client secrets are in
-- the OS keyring, named by account and field.
CREATE TABLE accounts (
    name          TEXT PRIMARY KEY,
    kind          TEXT    NOT NULL CHECK (kind IN ('mail_deposit', 'chorus_pro', 'sandbox', 'plateforme')),
    settings_json TEXT    NOT NULL DEFAULT '{}',
    -- Names of the secret fields stored in the keyring (never their values).
    secret_fields TEXT    NOT NULL DEFAULT '[]',
    created_ms    INTEGER NOT NULL
);
