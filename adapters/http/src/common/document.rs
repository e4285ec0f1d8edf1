//! The published OpenAPI document, amended to say what the server enforces.
//!
//! poem-openapi generates the document from the DTOs, but leaves out what the domain
//! checks: closed vocabularies (sex, blood type, statuses, …), numeric ranges (vital
//! signs, pain, durations), that request objects refuse unknown fields, that an optional
//! answer field may be `null`, and it names dates `naive-date`. [`amend`] adds these from
//! the domain's own lists and limits, in one place. The middleware's body check
//! ([`super::contract`]) reads the amended document, so every added word and range is
//! also enforced: the document and the server cannot disagree.

use std::collections::BTreeSet;

use domain::appointment::ExceptionKind;
use domain::clinical::{
    BloodType, CertificateKind, CertificateStatus, CivilStatus, ClosedAs, DentalProcedure, Fitness,
    GumCondition, OralHygiene, Priority, Severity, Sex,
};
use domain::identity::Role;
use serde_json::{Value, json};

/// The wire names of a domain vocabulary (a `code_enum`: `ALL` and `as_str`).
macro_rules! codes {
    ($t:ty) => {
        words(<$t>::ALL.iter().map(|v| v.as_str()))
    };
}

fn words(list: impl IntoIterator<Item = &'static str>) -> Vec<String> {
    list.into_iter().map(str::to_owned).collect()
}

fn campuses() -> Vec<String> {
    words(["Downtown Campus", "Talamban Campus"])
}

/// `(schema, property, allowed words)`; a clearable field also takes "" (PATCH clears it).
fn vocabularies() -> Vec<(&'static str, &'static str, Vec<String>)> {
    fn clearable(mut list: Vec<String>) -> Vec<String> {
        list.push(String::new());
        list
    }
    let clinic_roles = words(
        [
            Role::Admin,
            Role::Staff,
            Role::Doctor,
            Role::Dentist,
            Role::Nurse,
        ]
        .map(|r| r.as_str()),
    );
    vec![
        ("PatientRequest", "sex", codes!(Sex)),
        ("PatientRequest", "blood_type", clearable(codes!(BloodType))),
        (
            "PatientRequest",
            "civil_status",
            clearable(codes!(CivilStatus)),
        ),
        ("PatientRequest", "campus", clearable(campuses())),
        ("ProfilePatch", "campus", clearable(campuses())),
        ("AllergyDto", "severity", codes!(Severity)),
        ("AllergyCloseRequest", "status", codes!(ClosedAs)),
        ("CertificateRequest", "fitness", codes!(Fitness)),
        ("DentalRecordRequest", "procedure", codes!(DentalProcedure)),
        (
            "DentalRecordRequest",
            "oral_hygiene",
            clearable(codes!(OralHygiene)),
        ),
        (
            "DentalRecordRequest",
            "gum_condition",
            clearable(codes!(GumCondition)),
        ),
        ("DentalRecordRequest", "priority", codes!(Priority)),
        ("ExceptionRequest", "kind", codes!(ExceptionKind)),
        ("ExceptionPatchRequest", "kind", codes!(ExceptionKind)),
        ("TemplateRequest", "kind", codes!(CertificateKind)),
        (
            "AppointmentTypeRequest",
            "provider_roles",
            clinic_roles.clone(),
        ),
        ("AppointmentTypePatch", "provider_roles", clinic_roles),
    ]
}

/// `(schema, property, minimum, maximum)`, inclusive: the domain's limits.
const RANGES: &[(&str, &str, f64, f64)] = &[
    ("VitalSignsDto", "temperature_c", 30.0, 45.0),
    ("VitalSignsDto", "systolic", 50.0, 260.0),
    ("VitalSignsDto", "diastolic", 30.0, 160.0),
    ("VitalSignsDto", "pulse", 20.0, 250.0),
    ("VitalSignsDto", "respiratory_rate", 4.0, 80.0),
    ("VitalSignsDto", "spo2", 50.0, 100.0),
    ("VitalSignsDto", "height_cm", 30.0, 272.0),
    ("VitalSignsDto", "weight_kg", 1.0, 500.0),
    ("PatientRequest", "height_cm", 30.0, 272.0),
    ("PatientRequest", "weight_kg", 1.0, 500.0),
    ("DentalRecordRequest", "pain_level", 1.0, 10.0),
    ("AppointmentTypeRequest", "duration_minutes", 5.0, 480.0),
    ("AppointmentTypeRequest", "buffer_minutes", 0.0, 240.0),
    ("AppointmentTypeRequest", "capacity", 1.0, 1000.0),
    ("AppointmentTypePatch", "duration_minutes", 5.0, 480.0),
    ("AppointmentTypePatch", "buffer_minutes", 0.0, 240.0),
    ("AppointmentTypePatch", "capacity", 1.0, 1000.0),
    ("WeeklyRangeDto", "weekday", 1.0, 7.0),
];

/// `(path, query parameter, allowed words)` for list filters.
fn parameter_vocabularies() -> Vec<(&'static str, &'static str, Vec<String>)> {
    vec![
        ("/api/patients", "sex", codes!(Sex)),
        ("/api/patients", "campus", campuses()),
        (
            "/api/medical-certificates",
            "status",
            codes!(CertificateStatus),
        ),
    ]
}

/// The schemas a request body can reach (through `$ref`, lists and `allOf`).
fn request_schemas(doc: &Value) -> BTreeSet<String> {
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                for (k, x) in o {
                    if k == "$ref" {
                        if let Some(name) = x.as_str().and_then(|r| r.rsplit('/').next()) {
                            out.push(name.to_owned());
                        }
                    } else {
                        refs(x, out);
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut todo = Vec::new();
    for ops in doc["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(_, o)| o)
    {
        for op in ops.as_object().into_iter().flatten().map(|(_, o)| o) {
            refs(&op["requestBody"], &mut todo);
        }
    }
    let mut seen = BTreeSet::new();
    while let Some(name) = todo.pop() {
        if seen.insert(name.clone()) {
            refs(&doc["components"]["schemas"][&name], &mut todo);
        }
    }
    seen
}

/// `naive-date` (poem-openapi's name) becomes the standard `date`, everywhere.
fn standard_dates(v: &mut Value) {
    match v {
        Value::Object(o) => {
            if o.get("format").and_then(Value::as_str) == Some("naive-date") {
                o.insert("format".into(), json!("date"));
            }
            o.values_mut().for_each(standard_dates);
        }
        Value::Array(a) => a.iter_mut().for_each(standard_dates),
        _ => {}
    }
}

/// The document as served: see the [module](self).
pub fn amend(spec: &str) -> String {
    let Ok(mut doc) = serde_json::from_str::<Value>(spec) else {
        return spec.to_owned();
    };
    let requests = request_schemas(&doc);
    let schemas = &mut doc["components"]["schemas"];
    if let Some(all) = schemas.as_object_mut() {
        for (name, s) in all.iter_mut() {
            let Some(obj) = s.as_object_mut() else {
                continue;
            };
            if obj.get("type").and_then(Value::as_str) != Some("object") {
                continue;
            }
            if requests.contains(name) {
                // Unknown fields are refused (the body check does it for every one).
                obj.insert("additionalProperties".into(), Value::Bool(false));
            }
            // An optional field may be absent or null, in answers and in requests (a
            // request's null is read as absent).
            let required: BTreeSet<String> = obj
                .get("required")
                .and_then(Value::as_array)
                .map(|r| {
                    r.iter()
                        .filter_map(|x| x.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            if let Some(props) = obj.get_mut("properties").and_then(Value::as_object_mut) {
                for (k, p) in props.iter_mut() {
                    if !required.contains(k)
                        && let Some(p) = p.as_object_mut()
                    {
                        p.insert("nullable".into(), Value::Bool(true));
                    }
                }
            }
        }
    }
    for (schema, property, words) in vocabularies() {
        let p = &mut doc["components"]["schemas"][schema]["properties"][property];
        if p.is_null() {
            continue;
        }
        let target = if p["type"] == "array" {
            &mut p["items"]
        } else {
            p
        };
        target["enum"] = json!(words);
    }
    for (schema, property, min, max) in RANGES {
        let p = &mut doc["components"]["schemas"][*schema]["properties"][*property];
        if p.is_null() {
            continue;
        }
        p["minimum"] = json!(min);
        p["maximum"] = json!(max);
    }
    for (path, name, words) in parameter_vocabularies() {
        let Some(params) = doc["paths"][path]["get"]["parameters"].as_array_mut() else {
            continue;
        };
        for param in params.iter_mut().filter(|p| p["name"] == name) {
            param["schema"]["enum"] = json!(words);
        }
    }
    standard_dates(&mut doc);
    doc.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_gains_what_the_server_enforces() {
        let spec = json!({
            "paths": {
                "/api/patients": {"post": {"requestBody": {"content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/PatientRequest"}}}}},
                    "get": {"parameters": [{"name": "sex", "in": "query", "schema": {"type": "string"}}]}},
            },
            "components": {"schemas": {
                "PatientRequest": {"type": "object", "properties": {
                    "sex": {"type": "string"},
                    "date_of_birth": {"type": "string", "format": "naive-date"},
                    "height_cm": {"type": "number"},
                    "allergies": {"type": "array", "items": {"$ref": "#/components/schemas/AllergyDto"}}}},
                "AllergyDto": {"type": "object", "properties": {"severity": {"type": "string"}}},
                "PatientDto": {"type": "object", "required": ["id"], "properties": {
                    "id": {"type": "string"}, "middle_name": {"type": "string"}}}
            }}
        });
        let doc: Value = serde_json::from_str(&amend(&spec.to_string())).expect("json");
        let s = &doc["components"]["schemas"];
        assert_eq!(s["PatientRequest"]["additionalProperties"], false);
        assert_eq!(
            s["AllergyDto"]["additionalProperties"], false,
            "reached through a list"
        );
        assert!(s["PatientDto"].get("additionalProperties").is_none());
        assert_eq!(
            s["PatientRequest"]["properties"]["sex"]["enum"],
            json!(["M", "F", "O"])
        );
        assert_eq!(
            s["AllergyDto"]["properties"]["severity"]["enum"],
            json!(["mild", "moderate", "severe"])
        );
        assert_eq!(
            s["PatientRequest"]["properties"]["date_of_birth"]["format"],
            "date"
        );
        assert_eq!(
            s["PatientRequest"]["properties"]["height_cm"]["maximum"],
            272.0
        );
        assert_eq!(
            s["PatientDto"]["properties"]["middle_name"]["nullable"],
            true
        );
        assert!(
            s["PatientDto"]["properties"]["id"]
                .get("nullable")
                .is_none()
        );
        assert_eq!(
            doc["paths"]["/api/patients"]["get"]["parameters"][0]["schema"]["enum"],
            json!(["M", "F", "O"])
        );
    }
}
