//! Tests of the widget (being written).
