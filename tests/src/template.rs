//! `infra/template.yaml`, read as data: the single source of truth for the table, functions and
//! routes.

use serde_yaml::Value;

use crate::repo_root;

pub fn template() -> Value {
    let path = repo_root().join("infra/template.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml::from_str(&text).expect("the template is YAML")
}

/// A function of the template: logical id, the crate it builds, and its HTTP routes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateFunction {
    pub logical_id: String,
    pub binary: String,
    pub routes: Vec<(String, String)>,
}

pub fn functions() -> Vec<TemplateFunction> {
    let template = template();
    let resources = template["Resources"].as_mapping().expect("Resources is a mapping");
    resources
        .iter()
        .filter(|(_, resource)| resource["Type"].as_str() == Some("AWS::Serverless::Function"))
        .map(|(id, resource)| {
            let events = resource["Properties"]["Events"].as_mapping().cloned().unwrap_or_default();
            let routes = events
                .values()
                .filter(|event| event["Type"].as_str() == Some("HttpApi"))
                .map(|event| {
                    let properties = &event["Properties"];
                    (
                        properties["Method"].as_str().expect("route method").to_uppercase(),
                        properties["Path"].as_str().expect("route path").to_owned(),
                    )
                })
                .collect();
            TemplateFunction {
                logical_id: id.as_str().expect("logical id").to_owned(),
                binary: resource["Metadata"]["BuildProperties"]["Binary"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{id:?} names no Binary"))
                    .to_owned(),
                routes,
            }
        })
        .collect()
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
