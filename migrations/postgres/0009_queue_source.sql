-- Where a queued conversation came from, for the queue's fair order: a keyed hash of the
-- customer's client address as the per-address limits group it (an IPv6 /64), never the
-- address itself. A source's n-th waiting conversation counts as queued (n - 1) x 10 minutes
-- later, so a flood from one address waits behind the other customers (store::chat).
ALTER TABLE conversations ADD COLUMN source TEXT NULL;
