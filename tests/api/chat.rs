//! Tests of the chat (being written).
