-- A customer's phone number, as an agent wrote it on the contact card (the widget never asks).
ALTER TABLE customers ADD COLUMN phone TEXT NULL;
