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
