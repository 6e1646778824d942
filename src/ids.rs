//! Newtype ids shared by the core, so a question id can never be passed where a
//! framework id is expected.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an id as written in a catalogue or question-set file.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }
    };
}

id_type!(
    /// One of the guide's seven criteria, e.g. `performance`.
    CriterionId
);
id_type!(
    /// One of the guide's frameworks, e.g. `phoenix`.
    FrameworkId
);
id_type!(
    /// A programming language of the catalogue, e.g. `elixir`.
    LanguageId
);
id_type!(
    /// A question of a question set.
    QuestionId
);
id_type!(
    /// An option of a question.
    OptionId
);
id_type!(
    /// A question set, e.g. `default`.
    SetId
);
