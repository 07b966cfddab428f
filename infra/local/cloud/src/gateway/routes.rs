//! The HTTP API's routes from the template, matched as API Gateway does: literal segments win
//! over `{parameter}` segments, which win over a greedy `{proxy+}`; no route is a 404.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::template::Function;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Parameter(String),
    Greedy(String),
}

#[derive(Debug, Clone)]
struct RouteEntry {
    method: String,
    segments: Vec<Segment>,
    route_key: String,
    function: String,
    authorized: bool,
}

/// A request's route: its function, whether the authorizer guards it, and its path parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched<'a> {
    pub route_key: &'a str,
    pub function: &'a str,
    pub authorized: bool,
    pub path_parameters: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    routes: Vec<RouteEntry>,
}

impl RouteTable {
    pub fn new(functions: &[Function]) -> Self {
        let routes = functions
            .iter()
            .flat_map(|function| {
                function.routes.iter().map(|route| RouteEntry {
                    method: route.method.clone(),
                    segments: route.path.split('/').filter(|s| !s.is_empty()).map(segment).collect(),
                    route_key: format!("{} {}", route.method, route.path),
                    function: function.binary.clone(),
                    authorized: route.authorized,
                })
            })
            .collect();
        Self { routes }
    }

    /// The most specific route for `method` and the raw (still percent-encoded) `path`.
    pub fn find(&self, method: &str, path: &str) -> Option<Matched<'_>> {
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        self.routes
            .iter()
            .filter(|route| route.method == method || route.method == "ANY")
            .filter_map(|route| Some((route, parameters(&route.segments, &parts)?)))
            .max_by(|(a, _), (b, _)| specificity(a, b))
            .map(|(route, path_parameters)| Matched {
                route_key: &route.route_key,
                function: &route.function,
                authorized: route.authorized,
                path_parameters,
            })
    }
}

fn segment(text: &str) -> Segment {
    match text.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
        Some(name) => match name.strip_suffix('+') {
            Some(greedy) => Segment::Greedy(greedy.to_owned()),
            None => Segment::Parameter(name.to_owned()),
        },
        None => Segment::Literal(text.to_owned()),
    }
}

/// The path parameters when the route matches the path's segments.
fn parameters(segments: &[Segment], parts: &[&str]) -> Option<BTreeMap<String, String>> {
    let mut values = BTreeMap::new();
    for (index, segment) in segments.iter().enumerate() {
        match segment {
            Segment::Greedy(name) => {
                let rest = parts.get(index..).filter(|rest| !rest.is_empty())?;
                values.insert(name.clone(), percent_decode(&rest.join("/")));
                return Some(values);
            }
            Segment::Literal(literal) if parts.get(index)? == literal => {}
            Segment::Literal(_) => return None,
            Segment::Parameter(name) => {
                values.insert(name.clone(), percent_decode(parts.get(index)?));
            }
        }
    }
    (segments.len() == parts.len()).then_some(values)
}

/// Literal beats parameter beats greedy at the first segment where two routes differ; an exact
/// method beats `ANY`.
fn specificity(a: &RouteEntry, b: &RouteEntry) -> Ordering {
    let rank = |segment: &Segment| match segment {
        Segment::Literal(_) => 2,
        Segment::Parameter(_) => 1,
        Segment::Greedy(_) => 0,
    };
    a.segments
        .iter()
        .zip(&b.segments)
        .map(|(x, y)| rank(x).cmp(&rank(y)))
        .find(|order| order.is_ne())
        .unwrap_or(Ordering::Equal)
        .then_with(|| (a.method != "ANY").cmp(&(b.method != "ANY")))
}

/// `%XX` sequences decoded (invalid ones kept as they are).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = bytes.get(index + 1..index + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[index], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                index += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{AsyncInvokeConfig, FunctionConfiguration, Route};

    fn function(binary: &str, routes: &[(&str, &str)]) -> Function {
        Function {
            logical_id: binary.into(),
            binary: binary.into(),
            configuration: FunctionConfiguration::default(),
            routes: routes
                .iter()
                .map(|(method, path)| Route { method: method.to_string(), path: path.to_string(), authorized: true })
                .collect(),
            stream_sources: vec![],
            queue_sources: vec![],
            rules: vec![],
            schedules: vec![],
            async_invoke: AsyncInvokeConfig { maximum_retry_attempts: 2, maximum_event_age: Default::default() },
        }
    }

    fn table() -> RouteTable {
        RouteTable::new(&[
            function("list", &[("GET", "/customers")]),
            function("get", &[("GET", "/customers/{id}")]),
            function("mine", &[("GET", "/customers/me")]),
            function("events", &[("GET", "/customers/{id}/events")]),
            function("files", &[("ANY", "/files/{proxy+}")]),
            function("file-get", &[("GET", "/files/{proxy+}")]),
        ])
    }

    #[test]
    fn path_parameters_are_read_and_decoded() {
        let table = table();
        let matched = table.find("GET", "/customers/acme%2Dco/events").unwrap();
        assert_eq!((matched.function, matched.route_key), ("events", "GET /customers/{id}/events"));
        assert_eq!(matched.path_parameters["id"], "acme-co");
        assert_eq!(table.find("GET", "/customers/").unwrap().function, "list");
    }

    #[test]
    fn literal_segments_win_over_parameters_and_methods_must_match() {
        let table = table();
        assert_eq!(table.find("GET", "/customers/me").unwrap().function, "mine");
        assert_eq!(table.find("GET", "/customers/acme").unwrap().function, "get");
        assert!(table.find("DELETE", "/customers/acme").is_none());
        assert!(table.find("GET", "/customers/acme/events/extra").is_none());
        assert!(table.find("GET", "/unknown").is_none());
    }

    #[test]
    fn greedy_parameters_take_the_rest_and_exact_methods_win_over_any() {
        let table = table();
        let matched = table.find("GET", "/files/a/b.txt").unwrap();
        assert_eq!((matched.function, matched.path_parameters["proxy"].as_str()), ("file-get", "a/b.txt"));
        assert_eq!(table.find("PUT", "/files/a").unwrap().function, "files");
        assert!(table.find("PUT", "/files").is_none());
    }
}
