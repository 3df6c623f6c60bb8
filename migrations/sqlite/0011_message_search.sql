-- What agents' conversation search matches: a message's words as the help-center search reads
-- them (lower case, ё as е, stems of the conversation's language), space-separated with a space
-- at each end, so that ' term ' finds a whole word. Filled when a message is stored; older
-- messages are filled in the background at start-up.
ALTER TABLE messages ADD COLUMN search_text TEXT NULL;
