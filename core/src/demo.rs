//! Demo data (filled in by the demo generator work).
