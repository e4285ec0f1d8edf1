//! The request bodies' types, read from the generated OpenAPI document, checked before an
//! operation parses its body, and the sentences that explain a refused value.
//!
//! poem-openapi accepts a number or a boolean where the document says `string` (it stores
//! `{"reason": -425}` as `"-425"`), and its own type errors do not say which field failed
//! ("failed to parse \"string_naive-date\""). So the middleware checks a JSON body against
//! the document first: every value of the wrong JSON type, every date, time or UUID that
//! does not parse, every integer outside its format and every word outside its `enum` is
//! refused with the field's name and a sentence. What the document does not describe
//! (validators such as `maxLength`, required and unknown fields) poem-openapi checks as
//! before; [`explain`] turns its validator text into a sentence.

use std::collections::HashMap;

use serde_json::Value;

/// A property as the document describes it.
#[derive(Debug, Clone)]
enum Shape {
    Text(Option<String>),
    Number,
    Integer(Option<String>),
    Boolean,
    List(Box<Shape>),
    Object(String),
    Words(Vec<String>),
    Any,
}

/// An object's properties, and whether it refuses others (`additionalProperties: false`).
#[derive(Debug, Default)]
struct Schema {
    props: HashMap<String, Shape>,
    closed: bool,
}

/// The request schemas of the operations, and the schemas' properties.
#[derive(Debug, Default)]
pub struct Contract {
    routes: Vec<(String, Vec<String>, String)>,
    schemas: HashMap<String, Schema>,
    words: HashMap<String, Vec<String>>,
}

fn ref_name(v: &Value) -> Option<String> {
    let r = v
        .get("$ref")
        .or_else(|| v.get("allOf")?.get(0)?.get("$ref"))?;
    r.as_str()?.rsplit('/').next().map(str::to_owned)
}

impl Contract {
    /// Reads a generated OpenAPI document (JSON).
    pub fn from_spec(spec: &str) -> Self {
        let Ok(doc) = serde_json::from_str::<Value>(spec) else {
            return Self::default();
        };
        let mut c = Self::default();
        for (name, s) in doc["components"]["schemas"]
            .as_object()
            .into_iter()
            .flatten()
        {
            if let Some(values) = s["enum"].as_array() {
                let words = values
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect();
                c.words.insert(name.clone(), words);
            }
        }
        for (name, s) in doc["components"]["schemas"]
            .as_object()
            .into_iter()
            .flatten()
        {
            let props = s["properties"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, p)| (k.clone(), c.shape(p)))
                .collect();
            let closed = s["additionalProperties"] == Value::Bool(false);
            c.schemas.insert(name.clone(), Schema { props, closed });
        }
        for (path, ops) in doc["paths"].as_object().into_iter().flatten() {
            for (method, op) in ops.as_object().into_iter().flatten() {
                let content = &op["requestBody"]["content"];
                let Some((_, body)) = content
                    .as_object()
                    .into_iter()
                    .flatten()
                    .find(|(ct, _)| ct.starts_with("application/json"))
                else {
                    continue;
                };
                if let Some(schema) = ref_name(&body["schema"]) {
                    let segments = path.split('/').map(str::to_owned).collect();
                    c.routes
                        .push((method.to_ascii_uppercase(), segments, schema));
                }
            }
        }
        c
    }

    fn shape(&self, p: &Value) -> Shape {
        if let Some(name) = ref_name(p) {
            return match self.words.get(&name) {
                Some(words) => Shape::Words(words.clone()),
                None => Shape::Object(name),
            };
        }
        let format = p["format"].as_str().map(str::to_owned);
        match p["type"].as_str() {
            Some("string") => match p["enum"].as_array() {
                Some(values) => Shape::Words(
                    values
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect(),
                ),
                None => Shape::Text(format),
            },
            Some("number") => Shape::Number,
            Some("integer") => Shape::Integer(format),
            Some("boolean") => Shape::Boolean,
            Some("array") => Shape::List(Box::new(self.shape(&p["items"]))),
            _ => Shape::Any,
        }
    }

    /// The request schema of an operation, by method and concrete path.
    pub fn body_schema(&self, method: &str, path: &str) -> Option<&str> {
        let parts: Vec<&str> = path.split('/').collect();
        self.routes
            .iter()
            .find(|(m, template, _)| {
                m == method
                    && template.len() == parts.len()
                    && template
                        .iter()
                        .zip(&parts)
                        .all(|(t, p)| t == p || (t.starts_with('{') && t.ends_with('}')))
            })
            .map(|(_, _, s)| s.as_str())
    }

    /// The first value of `body` that the schema refuses: (field path, sentence).
    pub fn check(&self, schema: &str, body: &Value) -> Option<(String, String)> {
        self.check_object(schema, body, "")
    }

    fn check_object(&self, schema: &str, v: &Value, prefix: &str) -> Option<(String, String)> {
        let schema = self.schemas.get(schema)?;
        let obj = v.as_object()?;
        for (key, value) in obj {
            let Some(shape) = schema.props.get(key) else {
                if schema.closed {
                    return Some((
                        format!("{prefix}{key}"),
                        "is not a field of this request".into(),
                    ));
                }
                continue;
            };
            let path = format!("{prefix}{key}");
            if let Some(refused) = self.check_value(shape, value, &path) {
                return Some(refused);
            }
        }
        None
    }

    fn check_value(&self, shape: &Shape, v: &Value, path: &str) -> Option<(String, String)> {
        if v.is_null() {
            return None; // optional: a required one is poem-openapi's to answer
        }
        let refuse = |why: String| Some((path.to_owned(), why));
        match (shape, v) {
            (Shape::Text(format), Value::String(s)) => match format.as_deref() {
                Some("naive-date" | "date") if !is_date(s) => refuse(sentence("date")),
                Some("date-time") if !is_date_time(s) => refuse(sentence("date-time")),
                Some("uuid") if uuid::Uuid::parse_str(s).is_err() => refuse(sentence("uuid")),
                _ => None,
            },
            (Shape::Text(format), _) => refuse(sentence(format.as_deref().unwrap_or("string"))),
            // Ranges are the domain's limits: it refuses them, every field at once.
            (Shape::Number, Value::Number(_)) => None,
            (Shape::Boolean, Value::Bool(_)) => None,
            (Shape::Number, _) => refuse(sentence("number")),
            (Shape::Boolean, _) => refuse(sentence("boolean")),
            (Shape::Integer(format), Value::Number(n)) => {
                let (lo, hi) = int_range(format.as_deref());
                let fits = match (n.as_i64(), n.as_u64()) {
                    (Some(i), _) => i128::from(i) >= lo && i128::from(i) <= hi,
                    (None, Some(u)) => i128::from(u) <= hi,
                    _ => false,
                };
                (!fits).then(|| (path.to_owned(), integer_sentence(format.as_deref())))
            }
            (Shape::Integer(format), _) => refuse(integer_sentence(format.as_deref())),
            // A word outside the list is the domain's to refuse, with the other fields'
            // errors (the list comes from the domain); a non-word is refused here.
            (Shape::Words(_), Value::String(_)) => None,
            (Shape::Words(words), _) => refuse(format!("must be one of {}", words.join(", "))),
            (Shape::List(item), Value::Array(items)) => items
                .iter()
                .enumerate()
                .find_map(|(i, x)| self.check_value(item, x, &format!("{path}[{i}]"))),
            (Shape::List(_), _) => refuse("must be a list".into()),
            (Shape::Object(name), Value::Object(_)) => {
                self.check_object(name, v, &format!("{path}."))
            }
            (Shape::Object(_), _) => refuse("must be an object".into()),
            (Shape::Any, _) => None,
        }
    }
}

fn is_date(s: &str) -> bool {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

fn is_date_time(s: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

fn int_range(format: Option<&str>) -> (i128, i128) {
    match format {
        Some("uint8") => (0, u8::MAX.into()),
        Some("uint16") => (0, u16::MAX.into()),
        Some("uint32") => (0, u32::MAX.into()),
        Some("uint64") => (0, u64::MAX.into()),
        Some("int8") => (i8::MIN.into(), i8::MAX.into()),
        Some("int16") => (i16::MIN.into(), i16::MAX.into()),
        Some("int32") => (i32::MIN.into(), i32::MAX.into()),
        _ => (i64::MIN.into(), i64::MAX.into()),
    }
}

fn integer_sentence(format: Option<&str>) -> String {
    let (lo, hi) = int_range(format);
    if lo == 0 && hi < i128::from(u32::MAX) {
        format!("must be a whole number from 0 to {hi}")
    } else if lo == 0 {
        "must be a whole number, 0 or more".into()
    } else {
        "must be a whole number".into()
    }
}

/// What a value of a type (an OpenAPI type or format, or poem-openapi's type name such
/// as `string_naive-date`, `integer(uint32)`, `number_double`) must be, as a sentence.
pub fn sentence(type_name: &str) -> String {
    let t = type_name
        .trim_start_matches("optional_")
        .trim_start_matches("string_");
    if t.starts_with("integer") {
        let format = t
            .trim_start_matches("integer")
            .trim_matches(|c| c == '(' || c == ')' || c == '_');
        return integer_sentence((!format.is_empty()).then_some(format));
    }
    match t {
        "naive-date" | "date" => "must be a date, YYYY-MM-DD".into(),
        "date-time" => {
            "must be a date and time with its offset, e.g. 2026-03-02T09:30:00+08:00".into()
        }
        "uuid" => "must be a UUID".into(),
        "boolean" | "bool" => "must be true or false".into(),
        t if t.starts_with("number") => "must be a number".into(),
        _ => "must be text".into(),
    }
}

/// A poem-openapi validator (`maxLength(150)`, `maximum(100, exclusive: false)`,
/// `maxItems(50)`, `pattern("…")`) as a sentence; `None` when it is not one.
pub fn explain(validator: &str) -> Option<String> {
    let v = validator.trim().trim_end_matches('.');
    let (name, args) = v.split_once('(')?;
    let args = args.trim_end_matches(')');
    let first = args.split(',').next().unwrap_or("").trim();
    let exclusive = args.contains("exclusive: true");
    Some(match name {
        "maxLength" => format!("must be at most {first} characters"),
        "minLength" => format!("must be at least {first} characters"),
        "maxItems" => format!("must have at most {first} entries"),
        "minItems" => format!("must have at least {first} entries"),
        "maximum" if exclusive => format!("must be less than {first}"),
        "maximum" => format!("must be at most {first}"),
        "minimum" if exclusive => format!("must be more than {first}"),
        "minimum" => format!("must be at least {first}"),
        "pattern" => "has the wrong format".into(),
        "uniqueItems" => "must not list an entry twice".into(),
        "maxProperties" => format!("must have at most {first} entries"),
        "multipleOf" => format!("must be a multiple of {first}"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn contract() -> Contract {
        let spec = json!({
            "paths": {"/api/things/{id}": {"patch": {"requestBody": {"content": {
                "application/json; charset=utf-8": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}}},
            "components": {"schemas": {
                "Role": {"type": "string", "enum": ["ADMIN", "NURSE"]},
                "Part": {"type": "object", "properties": {"size": {"type": "integer", "format": "uint8"}}},
                "Thing": {"type": "object", "properties": {
                    "name": {"type": "string", "maxLength": 10},
                    "born": {"type": "string", "format": "naive-date"},
                    "at": {"type": "string", "format": "date-time"},
                    "weight": {"type": "number", "format": "double"},
                    "ok": {"type": "boolean"},
                    "role": {"allOf": [{"$ref": "#/components/schemas/Role"}, {"description": "x"}]},
                    "parts": {"type": "array", "items": {"$ref": "#/components/schemas/Part"}},
                    "part": {"$ref": "#/components/schemas/Part"}
                }}
            }}
        });
        Contract::from_spec(&spec.to_string())
    }

    #[test]
    fn bodies_are_checked_against_the_document_with_the_field_named() {
        let c = contract();
        let schema = c.body_schema("PATCH", "/api/things/42").expect("route");
        assert_eq!(c.body_schema("POST", "/api/things/42"), None);
        let check = |v: Value| c.check(schema, &v).map(|(f, _)| f);
        assert_eq!(
            check(json!({"name": "ok", "born": "2004-06-12", "ok": true})),
            None
        );
        assert_eq!(check(json!({"name": -425})).as_deref(), Some("name"));
        assert_eq!(check(json!({"name": true})).as_deref(), Some("name"));
        assert_eq!(
            check(json!({"born": "2001-13-01"})).as_deref(),
            Some("born")
        );
        assert_eq!(check(json!({"at": "yesterday"})).as_deref(), Some("at"));
        assert_eq!(check(json!({"weight": "abc"})).as_deref(), Some("weight"));
        assert_eq!(check(json!({"ok": "yes"})).as_deref(), Some("ok"));
        assert_eq!(check(json!({"role": 7})).as_deref(), Some("role"));
        assert_eq!(
            check(json!({"role": "KING"})),
            None,
            "the domain refuses words"
        );
        assert_eq!(
            check(json!({"parts": [{"size": 3}, {"size": 300}]})).as_deref(),
            Some("parts[1].size")
        );
        assert_eq!(
            check(json!({"part": {"size": -1}})).as_deref(),
            Some("part.size")
        );
        assert_eq!(check(json!({"name": null, "unknown": 5})), None);
        assert_eq!(
            c.check(schema, &json!({"role": 7}))
                .map(|(_, s)| s)
                .as_deref(),
            Some("must be one of ADMIN, NURSE")
        );
    }

    #[test]
    fn validators_and_types_read_as_sentences() {
        assert_eq!(
            explain("maxLength(150)").as_deref(),
            Some("must be at most 150 characters")
        );
        assert_eq!(
            explain("maximum(100, exclusive: false)").as_deref(),
            Some("must be at most 100")
        );
        assert_eq!(
            explain("minimum(0, exclusive: true)").as_deref(),
            Some("must be more than 0")
        );
        assert_eq!(explain("nonsense"), None);
        assert_eq!(
            sentence("optional_string_naive-date"),
            "must be a date, YYYY-MM-DD"
        );
        assert_eq!(
            sentence("integer(uint32)"),
            "must be a whole number, 0 or more"
        );
        assert_eq!(
            sentence("integer_uint8"),
            "must be a whole number from 0 to 255"
        );
        assert_eq!(sentence("number_double"), "must be a number");
    }
}
