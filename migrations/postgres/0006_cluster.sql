-- Agent presence, shared by every node of one database: one row per agent and node with the
-- number of consoles open there. A node refreshes seen_at of its rows every few seconds; rows
-- not refreshed for 20 s belong to a node that died and count as offline. away is per agent
-- (set on every row of the agent).
CREATE TABLE agent_presence (
    agent_id BIGINT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    node     TEXT NOT NULL,
    sockets  BIGINT NOT NULL,
    away     BOOLEAN NOT NULL DEFAULT FALSE,
    seen_at  BIGINT NOT NULL,
    PRIMARY KEY (agent_id, node)
);
CREATE INDEX agent_presence_node ON agent_presence (node);

-- Every stored message (and an answer's "Did this help?") is announced to all nodes on the
-- channel otvet_chat, inside the transaction that stores it: the notification is delivered if
-- and only if the message was committed. The payload carries ids only (conversation, seq) and
-- the writing node's name (its connections' application_name), so that node can skip its own.
CREATE FUNCTION otvet_notify_message() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('otvet_chat', json_build_object(
        'k', CASE WHEN TG_OP = 'INSERT' THEN 'm' ELSE 'u' END,
        'c', NEW.conversation_id,
        's', NEW.seq,
        'n', current_setting('application_name', true)
    )::text);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER messages_notify_insert AFTER INSERT ON messages
    FOR EACH ROW EXECUTE FUNCTION otvet_notify_message();
CREATE TRIGGER messages_notify_feedback AFTER UPDATE OF feedback ON messages
    FOR EACH ROW WHEN (OLD.feedback IS DISTINCT FROM NEW.feedback)
    EXECUTE FUNCTION otvet_notify_message();
