//! The keys as written at each level of the file (serde drops unknown ones), so that
//! misspelt keys are reported with a suggestion.

/// The keys written at each level of a question-set file.
#[derive(Default)]
pub(super) struct Keys {
    /// The set's own keys.
    pub(super) top: Vec<String>,
    /// Per `[[questions]]`: its keys, and per option the option's keys.
    questions: Vec<(Vec<String>, Vec<Vec<String>>)>,
}

impl Keys {
    /// The keys of a parsed document.
    pub(super) fn of(document: &toml_edit::ImDocument<&str>) -> Keys {
        let names =
            |table: &dyn toml_edit::TableLike| table.iter().map(|(k, _)| k.to_owned()).collect();
        let questions = tables(document.get("questions"))
            .into_iter()
            .map(|q| {
                let options = tables(q.get("options")).into_iter().map(names).collect();
                (names(q), options)
            })
            .collect();
        Keys {
            top: names(document.as_table()),
            questions,
        }
    }

    /// The keys of the `index`th `[[questions]]` table.
    pub(super) fn question(&self, index: usize) -> Option<&[String]> {
        self.questions.get(index).map(|(own, _)| own.as_slice())
    }

    /// The keys of an option of a question.
    pub(super) fn option(&self, question: usize, option: usize) -> Option<&[String]> {
        self.questions
            .get(question)?
            .1
            .get(option)
            .map(Vec::as_slice)
    }
}

/// The tables of an array of tables, written either as `[[header]]` sections or as an
/// inline array of `{ … }`.
fn tables(item: Option<&toml_edit::Item>) -> Vec<&dyn toml_edit::TableLike> {
    match item {
        Some(toml_edit::Item::ArrayOfTables(array)) => array
            .iter()
            .map(|t| t as &dyn toml_edit::TableLike)
            .collect(),
        Some(toml_edit::Item::Value(toml_edit::Value::Array(array))) => array
            .iter()
            .filter_map(|v| v.as_inline_table().map(|t| t as &dyn toml_edit::TableLike))
            .collect(),
        _ => Vec::new(),
    }
}
