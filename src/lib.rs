//! stackpick: recommends a backend framework from the ratings of a published guide
//! ("Top 7 Backend Frameworks to Use in 2024"), explaining why in the guide's terms.
//!
//! The core knows nothing of Discord or terminals:
//! - [`guide`]: the catalogue of frameworks, criteria and ratings;
//! - [`questionnaire`]: the question-set format, its validation and answers;
//! - [`engine`]: answers → weights → scores → ranking → explanation;
//! - [`coverage`]: how a question set covers the guide over all its answers;
//! - [`conversation`]: the state machine every adapter drives.
//!
//! Adapters sit around it: [`terminal`] (the default mode), the Discord bot, and
//! [`chart`] (the result as a PNG, for both).

pub mod chart;
pub mod config;
pub mod conversation;
pub mod coverage;
pub mod discord;
pub mod engine;
pub mod guide;
pub mod ids;
pub mod ops;
pub mod questionnaire;
pub mod session;
pub mod store;
pub mod telemetry;
pub mod terminal;
pub mod text;
