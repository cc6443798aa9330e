-- Schema: every checked document is listed, invoice number or not.
--
-- A document whose number was not recognised, or that the check blocked
-- (a scan, a signed or damaged PDF, a file that is no PDF), was recorded
-- only in `documents` and `checks`: out of every list, with no detail.
-- Each now has its row in `invoices`; an empty `number` means « numéro à
-- saisir », and `number_source` says whose value the number is: read from
-- the file, typed by the owner, or still missing.
ALTER TABLE invoices ADD COLUMN number_source TEXT NOT NULL DEFAULT 'read'
    CHECK (number_source IN ('read', 'user', 'missing'));

-- The documents recorded before, each with its latest check's verdict.
INSERT INTO invoices (document_id, number, number_source, doc_type, current_status,
                      status_since_ms, created_ms)
SELECT d.id, '', 'missing', 'invoice',
       CASE c.verdict WHEN 'accepted' THEN 'checked' ELSE 'blocked' END,
       c.checked_ms, c.checked_ms
  FROM documents d
  JOIN checks c ON c.id = (SELECT max(id) FROM checks WHERE document_id = d.id)
 WHERE NOT EXISTS (SELECT 1 FROM invoices i WHERE i.document_id = d.id);

-- Their history starts with that check, as for every other invoice.
INSERT INTO events (invoice_id, at_ms, recorded_ms, source, vocabulary, raw_status, status)
SELECT i.id, i.created_ms, i.created_ms, 'local_check', 'local', i.current_status, i.current_status
  FROM invoices i
 WHERE i.number_source = 'missing'
   AND NOT EXISTS (SELECT 1 FROM events e WHERE e.invoice_id = i.id);
