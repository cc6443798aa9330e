-- Schema 9: deliveries whose answer was uncertain, and second deposits.

-- When the attempt was claimed for sending, and, when a request that
-- creates the invoice at the portal was written without a definite answer
-- (timeout, broken connection, 5xx), since when and why: such an attempt
-- stays 'sending' until the portal is asked, never sent again on a guess.
ALTER TABLE submissions ADD COLUMN sending_since_ms INTEGER;
ALTER TABLE submissions ADD COLUMN ambiguous_ms INTEGER;

-- A portal's answer about a second deposit of an invoice already
-- delivered (its « Doublon », say) is kept on that attempt but does not
-- bear on the invoice's status, which follows the first delivery.
ALTER TABLE events ADD COLUMN secondary INTEGER NOT NULL DEFAULT 0;
