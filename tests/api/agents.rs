//! Tests of the agents (being written).
