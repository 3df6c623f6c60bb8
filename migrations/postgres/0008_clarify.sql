-- «Вы об этом?»: a bot message offering a few sections (JSON of domain::Clarify), and which
-- option the customer chose (0-based; NULL with feedback = 0 for "none of these"). The choice
-- is the message's feedback: 1 when an option was chosen.
ALTER TABLE messages ADD COLUMN clarify TEXT NULL;
ALTER TABLE messages ADD COLUMN choice BIGINT NULL;
