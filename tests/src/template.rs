//! `infra/template.yaml` for the tests, through the local cloud's reader of it: the single
//! source of truth for the table, functions and routes.

use local_cloud::template::{Function, Template};
use serde_yaml::Value;

fn parsed() -> Template {
    Template::of_repo().expect("infra/template.yaml reads")
}

pub fn template() -> Value {
    parsed().root().clone()
}

pub fn functions() -> Vec<Function> {
    parsed().functions().expect("the template's functions read")
}

/// `(METHOD, path)` of every route of a function.
pub fn routes(function: &Function) -> Vec<(String, String)> {
    function.routes.iter().map(|route| (route.method.clone(), route.path.clone())).collect()
}

/// The IAM actions the template's inline policies grant the function that builds `binary`.
pub fn granted_actions(binary: &str) -> std::collections::BTreeSet<String> {
    let template = template();
    let resources = template["Resources"].as_mapping().expect("Resources is a mapping");
    let function = resources
        .values()
        .find(|resource| resource["Metadata"]["BuildProperties"]["Binary"].as_str() == Some(binary))
        .unwrap_or_else(|| panic!("no template function builds {binary}"));
    let policies = function["Properties"]["Policies"].as_sequence().cloned().unwrap_or_default();
    policies
        .iter()
        .flat_map(|policy| policy["Statement"].as_sequence().cloned().unwrap_or_default())
        .flat_map(|statement| match &statement["Action"] {
            Value::String(action) => vec![action.clone()],
            Value::Sequence(actions) => actions.iter().filter_map(|a| a.as_str().map(str::to_owned)).collect(),
            other => panic!("unexpected Action {other:?} in {binary}'s policy"),
        })
        .collect()
}
