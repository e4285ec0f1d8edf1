//! `ClinicalStore` on sea-orm. Structured parts (allergies, vitals, tooth charts) are JSON
//! text columns; money is integer centavos; searched name columns are stored lower-cased
//! and compared by byte ranges, which both backends answer from a B-tree index.

use std::collections::BTreeMap;

use application::StoreError;
use application::UnitOfWork;
use application::clinical::{
    CertificateFilter, ClinicalOps, ClinicalStore, Dependents, PatientDirectory, PatientDocument,
    PatientFilter, PatientRef, RecordFilter, RecordRef,
};
use async_trait::async_trait;
use domain::clinical::certificate::Workflow;
use domain::clinical::{
    Allergy, BloodType, Certificate, CertificateCode, CertificateContent, CertificateKind,
    CertificateStatus, CertificateTemplate, CivilStatus, DentalProcedure, DentalRecord,
    DocumentType, EmergencyContact, Fitness, GumCondition, MedicalHistory, MedicalRecord,
    Medication, Money, OralHygiene, PainLevel, Patient, PhysicalExam, Priority, Revision, Severity,
    Sex, TemplateBody, ToothCondition, ToothNumber, VitalSigns,
};
use domain::identity::{Campus, CourseCode, EmailAddress, PersonName, Phone, UscId, YearLevel};
use domain::paging::{Page, PageRequest};
use domain::{
    CertificateId, DentalRecordId, DocumentId, MedicalRecordId, PatientId, TemplateId, UserId,
};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder,
};
use serde_json::{Value, json};

use crate::Database;
use crate::entities::{
    certificate_templates, dental_records, medical_certificates, medical_records,
    patient_documents, patients, record_revisions, users,
};
use crate::error::{corrupt, map_db_err};
use crate::query::{like_pattern, one, save};
use crate::unit_of_work::SeaOrmUnitOfWork;

/// Clinical data on a sea-orm database.
#[derive(Clone, Debug)]
pub struct SeaOrmClinicalStore {
    db: Database,
}

impl SeaOrmClinicalStore {
    /// Wraps a connected database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

// ---------- JSON parts ----------

fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_owned)
}

fn parse_json(field: &str, raw: &str) -> Result<Value, StoreError> {
    serde_json::from_str(raw).map_err(|e| corrupt(field, e))
}

fn allergies_json(list: &[Allergy]) -> String {
    Value::Array(
        list.iter()
            .map(|a| json!({"substance": a.substance, "reaction": a.reaction, "severity": a.severity.as_str()}))
            .collect(),
    )
    .to_string()
}

fn allergies_from(raw: &str) -> Result<Vec<Allergy>, StoreError> {
    let v = parse_json("allergies", raw)?;
    let mut out = Vec::new();
    for a in v.as_array().into_iter().flatten() {
        let sev = Severity::parse(&s(a, "severity").unwrap_or_default())
            .map_err(|e| corrupt("allergy.severity", e))?;
        out.push(
            Allergy::new(
                &s(a, "substance").unwrap_or_default(),
                s(a, "reaction").as_deref(),
                sev,
            )
            .map_err(|e| corrupt("allergy", e))?,
        );
    }
    Ok(out)
}

fn meds_json(list: &[Medication]) -> String {
    Value::Array(
        list.iter()
            .map(|m| json!({"name": m.name, "dose": m.dose}))
            .collect(),
    )
    .to_string()
}

fn meds_from(raw: &str) -> Result<Vec<Medication>, StoreError> {
    let v = parse_json("medications", raw)?;
    v.as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            Medication::new(&s(m, "name").unwrap_or_default(), s(m, "dose").as_deref())
                .map_err(|e| corrupt("medication", e))
        })
        .collect()
}

fn history_json(h: &MedicalHistory) -> String {
    json!({
        "illnesses": h.illnesses, "childhood_diseases": h.childhood_diseases,
        "special_needs": h.special_needs, "existing_conditions": h.existing_conditions,
        "hospitalizations": h.hospitalizations, "surgeries": h.surgeries,
    })
    .to_string()
}

fn history_from(raw: &str) -> Result<MedicalHistory, StoreError> {
    let v = parse_json("history", raw)?;
    Ok(MedicalHistory {
        illnesses: s(&v, "illnesses"),
        childhood_diseases: s(&v, "childhood_diseases"),
        special_needs: s(&v, "special_needs"),
        existing_conditions: s(&v, "existing_conditions"),
        hospitalizations: s(&v, "hospitalizations"),
        surgeries: s(&v, "surgeries"),
    })
}

fn vitals_json(v: &VitalSigns) -> String {
    json!({
        "temperature_c": v.temperature_c, "systolic": v.systolic, "diastolic": v.diastolic,
        "pulse": v.pulse, "respiratory_rate": v.respiratory_rate, "spo2": v.spo2,
        "height_cm": v.height_cm, "weight_kg": v.weight_kg,
    })
    .to_string()
}

fn vitals_from(raw: &str) -> Result<VitalSigns, StoreError> {
    let v = parse_json("vital_signs", raw)?;
    let f = |k: &str| v.get(k).and_then(Value::as_f64);
    let i = |k: &str| v.get(k).and_then(Value::as_u64).map(|n| n as u16);
    Ok(VitalSigns {
        temperature_c: f("temperature_c"),
        systolic: i("systolic"),
        diastolic: i("diastolic"),
        pulse: i("pulse"),
        respiratory_rate: i("respiratory_rate"),
        spo2: i("spo2"),
        height_cm: f("height_cm"),
        weight_kg: f("weight_kg"),
    })
}

fn exam_json(e: &PhysicalExam) -> String {
    json!({
        "general_appearance": e.general_appearance, "skin": e.skin, "heent": e.heent,
        "heart": e.heart, "lungs": e.lungs, "abdomen": e.abdomen,
        "extremities": e.extremities, "neurological": e.neurological,
    })
    .to_string()
}

fn exam_from(raw: &str) -> Result<PhysicalExam, StoreError> {
    let v = parse_json("physical_exam", raw)?;
    Ok(PhysicalExam {
        general_appearance: s(&v, "general_appearance"),
        skin: s(&v, "skin"),
        heent: s(&v, "heent"),
        heart: s(&v, "heart"),
        lungs: s(&v, "lungs"),
        abdomen: s(&v, "abdomen"),
        extremities: s(&v, "extremities"),
        neurological: s(&v, "neurological"),
    })
}

fn opt_parse<T, E: std::fmt::Display>(
    field: &str,
    v: Option<String>,
    p: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, StoreError> {
    v.as_deref()
        .map(|x| p(x).map_err(|e| corrupt(field, e)))
        .transpose()
}

// ---------- rows ----------

fn patient_from(m: patients::Model) -> Result<Patient, StoreError> {
    let name = |f: &str, v: &str| PersonName::parse(v).map_err(|e| corrupt(f, e));
    Ok(Patient {
        id: PatientId::from_uuid(m.id),
        user_id: m.user_id.map(UserId::from_uuid),
        first_name: name("patient.first_name", &m.first_name)?,
        middle_name: opt_parse("patient.middle_name", m.middle_name, PersonName::parse)?,
        last_name: name("patient.last_name", &m.last_name)?,
        date_of_birth: m.date_of_birth,
        sex: Sex::parse(&m.sex).map_err(|e| corrupt("patient.sex", e))?,
        email: opt_parse("patient.email", m.email, EmailAddress::parse)?,
        usc_id: opt_parse("patient.usc_id", m.usc_id, UscId::parse)?,
        phone: opt_parse("patient.phone", m.phone, Phone::parse)?,
        address: m.address,
        permanent_address: m.permanent_address,
        civil_status: opt_parse("patient.civil_status", m.civil_status, CivilStatus::parse)?,
        nationality: m.nationality,
        religion: m.religion,
        course: opt_parse(
            "patient.course",
            m.course.map(|c| c.to_string()),
            CourseCode::parse,
        )?,
        year_level: opt_parse(
            "patient.year_level",
            m.year_level.map(|c| c.to_string()),
            YearLevel::parse,
        )?,
        campus: opt_parse("patient.campus", m.campus, Campus::parse)?,
        department: m.department,
        emergency_contact: EmergencyContact {
            name: m.emergency_name,
            phone: opt_parse("patient.emergency_phone", m.emergency_phone, Phone::parse)?,
            relationship: m.emergency_relationship,
        },
        blood_type: opt_parse("patient.blood_type", m.blood_type, BloodType::parse)?,
        height_cm: m.height_cm,
        weight_kg: m.weight_kg,
        allergies: allergies_from(&m.allergies)?,
        medications: meds_from(&m.medications)?,
        history: history_from(&m.history)?,
        created_by: m.created_by.map(UserId::from_uuid),
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

fn patient_row(p: &Patient) -> patients::ActiveModel {
    // Lower-casing can lengthen a name (İ → i̇): cut to the column widths.
    let cut = |s: String, n: usize| s.chars().take(n).collect::<String>();
    let first = cut(p.first_name.as_str().to_lowercase(), 150);
    let last = cut(p.last_name.as_str().to_lowercase(), 150);
    patients::ActiveModel {
        id: Set(p.id.as_uuid()),
        user_id: Set(p.user_id.map(|u| u.as_uuid())),
        first_name: Set(p.first_name.as_str().to_owned()),
        middle_name: Set(p.middle_name.as_ref().map(|n| n.as_str().to_owned())),
        last_name: Set(p.last_name.as_str().to_owned()),
        full_lc: Set(cut(format!("{first} {last}"), 301)),
        first_lc: Set(first),
        last_lc: Set(last),
        date_of_birth: Set(p.date_of_birth),
        sex: Set(p.sex.as_str().to_owned()),
        email: Set(p.email.as_ref().map(|e| e.as_str().to_owned())),
        usc_id: Set(p.usc_id.as_ref().map(|u| u.as_str().to_owned())),
        phone: Set(p.phone.as_ref().map(|x| x.as_str().to_owned())),
        address: Set(p.address.clone()),
        permanent_address: Set(p.permanent_address.clone()),
        civil_status: Set(p.civil_status.map(|c| c.as_str().to_owned())),
        nationality: Set(p.nationality.clone()),
        religion: Set(p.religion.clone()),
        course: Set(p.course.map(|c| i16::from(c.code()))),
        year_level: Set(p.year_level.map(|y| i16::from(y.level()))),
        campus: Set(p.campus.map(|c| c.as_str().to_owned())),
        department: Set(p.department.clone()),
        emergency_name: Set(p.emergency_contact.name.clone()),
        emergency_phone: Set(p
            .emergency_contact
            .phone
            .as_ref()
            .map(|x| x.as_str().to_owned())),
        emergency_relationship: Set(p.emergency_contact.relationship.clone()),
        blood_type: Set(p.blood_type.map(|b| b.as_str().to_owned())),
        height_cm: Set(p.height_cm),
        weight_kg: Set(p.weight_kg),
        allergies: Set(allergies_json(&p.allergies)),
        medications: Set(meds_json(&p.medications)),
        history: Set(history_json(&p.history)),
        created_by: Set(p.created_by.map(|u| u.as_uuid())),
        created_at: Set(p.created_at),
        updated_at: Set(p.updated_at),
    }
}

fn medical_from(m: medical_records::Model) -> Result<MedicalRecord, StoreError> {
    Ok(MedicalRecord {
        id: MedicalRecordId::from_uuid(m.id),
        patient_id: PatientId::from_uuid(m.patient_id),
        visit_at: m.visit_at,
        chief_complaint: m.chief_complaint,
        diagnosis: m.diagnosis,
        treatment: m.treatment,
        notes: m.notes,
        vital_signs: vitals_from(&m.vital_signs)?,
        physical_exam: exam_from(&m.physical_exam)?,
        medications: meds_from(&m.medications)?,
        override_reason: m.override_reason,
        created_by: m.created_by.map(UserId::from_uuid),
        created_at: m.created_at,
        updated_at: m.updated_at,
        version: m.version,
    })
}

fn medical_row(r: &MedicalRecord) -> medical_records::ActiveModel {
    medical_records::ActiveModel {
        id: Set(r.id.as_uuid()),
        patient_id: Set(r.patient_id.as_uuid()),
        visit_at: Set(r.visit_at),
        chief_complaint: Set(r.chief_complaint.clone()),
        diagnosis: Set(r.diagnosis.clone()),
        treatment: Set(r.treatment.clone()),
        notes: Set(r.notes.clone()),
        vital_signs: Set(vitals_json(&r.vital_signs)),
        physical_exam: Set(exam_json(&r.physical_exam)),
        medications: Set(meds_json(&r.medications)),
        override_reason: Set(r.override_reason.clone()),
        created_by: Set(r.created_by.map(|u| u.as_uuid())),
        created_at: Set(r.created_at),
        updated_at: Set(r.updated_at),
        version: Set(r.version),
    }
}

fn dental_from(m: dental_records::Model) -> Result<DentalRecord, StoreError> {
    let teeth: Vec<i64> =
        serde_json::from_str(&m.tooth_numbers).map_err(|e| corrupt("tooth_numbers", e))?;
    let chart: BTreeMap<String, String> =
        serde_json::from_str(&m.tooth_chart).map_err(|e| corrupt("tooth_chart", e))?;
    Ok(DentalRecord {
        id: DentalRecordId::from_uuid(m.id),
        patient_id: PatientId::from_uuid(m.patient_id),
        visit_at: m.visit_at,
        concern: m.concern,
        procedure: DentalProcedure::parse(&m.procedure).map_err(|e| corrupt("procedure", e))?,
        tooth_numbers: teeth
            .into_iter()
            .map(|t| ToothNumber::new(t).map_err(|e| corrupt("tooth_numbers", e)))
            .collect::<Result<_, _>>()?,
        tooth_chart: chart
            .into_iter()
            .map(|(t, c)| {
                Ok((
                    ToothNumber::parse(&t).map_err(|e| corrupt("tooth_chart", e))?,
                    ToothCondition::parse(&c).map_err(|e| corrupt("tooth_chart", e))?,
                ))
            })
            .collect::<Result<_, StoreError>>()?,
        diagnosis: m.diagnosis,
        treatment_performed: m.treatment_performed,
        treatment_plan: m.treatment_plan,
        referral_to: m.referral_to,
        oral_hygiene: opt_parse("oral_hygiene", m.oral_hygiene, OralHygiene::parse)?,
        gum_condition: opt_parse("gum_condition", m.gum_condition, GumCondition::parse)?,
        clinical_notes: m.clinical_notes,
        pain_level: m
            .pain_level
            .map(|p| PainLevel::new(i64::from(p)).map_err(|e| corrupt("pain_level", e)))
            .transpose()?,
        anesthesia_used: m.anesthesia_used,
        anesthesia_type: m.anesthesia_type,
        materials_used: m.materials_used,
        next_visit_on: m.next_visit_on,
        home_care_instructions: m.home_care_instructions,
        priority: Priority::parse(&m.priority).map_err(|e| corrupt("priority", e))?,
        cost: m
            .cost_cents
            .map(|c| Money::new(Decimal::new(c, 2)).map_err(|e| corrupt("cost", e)))
            .transpose()?,
        insurance_covered: m.insurance_covered,
        medications: meds_from(&m.medications)?,
        override_reason: m.override_reason,
        created_by: m.created_by.map(UserId::from_uuid),
        created_at: m.created_at,
        updated_at: m.updated_at,
        version: m.version,
    })
}

fn cents(m: Money) -> Result<i64, StoreError> {
    let d = m.amount() * Decimal::ONE_HUNDRED;
    i64::try_from(d).map_err(|e| corrupt("cost", e))
}

fn dental_row(r: &DentalRecord) -> Result<dental_records::ActiveModel, StoreError> {
    let teeth: Vec<u8> = r.tooth_numbers.iter().map(|t| t.get()).collect();
    let chart: BTreeMap<String, &str> = r
        .tooth_chart
        .iter()
        .map(|(t, c)| (t.to_string(), c.as_str()))
        .collect();
    Ok(dental_records::ActiveModel {
        id: Set(r.id.as_uuid()),
        patient_id: Set(r.patient_id.as_uuid()),
        visit_at: Set(r.visit_at),
        procedure: Set(r.procedure.as_str().to_owned()),
        tooth_numbers: Set(json!(teeth).to_string()),
        tooth_chart: Set(json!(chart).to_string()),
        concern: Set(r.concern.clone()),
        diagnosis: Set(r.diagnosis.clone()),
        treatment_performed: Set(r.treatment_performed.clone()),
        treatment_plan: Set(r.treatment_plan.clone()),
        referral_to: Set(r.referral_to.clone()),
        oral_hygiene: Set(r.oral_hygiene.map(|x| x.as_str().to_owned())),
        gum_condition: Set(r.gum_condition.map(|x| x.as_str().to_owned())),
        clinical_notes: Set(r.clinical_notes.clone()),
        pain_level: Set(r.pain_level.map(|p| i16::from(p.get()))),
        anesthesia_used: Set(r.anesthesia_used),
        anesthesia_type: Set(r.anesthesia_type.clone()),
        materials_used: Set(r.materials_used.clone()),
        next_visit_on: Set(r.next_visit_on),
        home_care_instructions: Set(r.home_care_instructions.clone()),
        priority: Set(r.priority.as_str().to_owned()),
        cost_cents: Set(r.cost.map(cents).transpose()?),
        insurance_covered: Set(r.insurance_covered),
        medications: Set(meds_json(&r.medications)),
        override_reason: Set(r.override_reason.clone()),
        created_by: Set(r.created_by.map(|u| u.as_uuid())),
        created_at: Set(r.created_at),
        updated_at: Set(r.updated_at),
        version: Set(r.version),
    })
}

fn template_from(m: certificate_templates::Model) -> Result<CertificateTemplate, StoreError> {
    Ok(CertificateTemplate {
        id: TemplateId::from_uuid(m.id),
        name: m.name,
        description: m.description,
        kind: CertificateKind::parse(&m.kind).map_err(|e| corrupt("template.kind", e))?,
        form_code: m.form_code,
        body: TemplateBody::parse(&m.body).map_err(|e| corrupt("template.body", e))?,
        created_at: m.created_at,
    })
}

fn certificate_from(m: medical_certificates::Model) -> Result<Certificate, StoreError> {
    let content = CertificateContent {
        purpose: m.purpose,
        recommendations: m.recommendations,
        additional_notes: m.additional_notes,
        valid_from: m.valid_from,
        valid_until: m.valid_until,
        fitness: Fitness::parse(&m.fitness).map_err(|e| corrupt("certificate.fitness", e))?,
        fitness_reason: m.fitness_reason,
    };
    Ok(Certificate::restore(
        CertificateId::from_uuid(m.id),
        PatientId::from_uuid(m.patient_id),
        TemplateId::from_uuid(m.template_id),
        CertificateKind::parse(&m.kind).map_err(|e| corrupt("certificate.kind", e))?,
        content,
        UserId::from_uuid(m.issued_by),
        Workflow {
            status: Some(
                CertificateStatus::parse(&m.status)
                    .map_err(|e| corrupt("certificate.status", e))?,
            ),
            decided_by: m.decided_by.map(UserId::from_uuid),
            decided_at: m.decided_at,
            submitted_at: m.submitted_at,
            rejection_reason: m.rejection_reason,
            verification_code: m
                .verification_code
                .as_deref()
                .and_then(CertificateCode::parse),
        },
        m.created_at,
        m.updated_at,
    ))
}

fn certificate_row(c: &Certificate) -> medical_certificates::ActiveModel {
    let w = c.workflow();
    medical_certificates::ActiveModel {
        id: Set(c.id.as_uuid()),
        patient_id: Set(c.patient_id.as_uuid()),
        template_id: Set(c.template_id.as_uuid()),
        kind: Set(c.kind.as_str().to_owned()),
        purpose: Set(c.content.purpose.clone()),
        recommendations: Set(c.content.recommendations.clone()),
        additional_notes: Set(c.content.additional_notes.clone()),
        valid_from: Set(c.content.valid_from),
        valid_until: Set(c.content.valid_until),
        fitness: Set(c.content.fitness.as_str().to_owned()),
        fitness_reason: Set(c.content.fitness_reason.clone()),
        status: Set(c.status().as_str().to_owned()),
        issued_by: Set(c.issued_by.as_uuid()),
        decided_by: Set(w.decided_by.map(|u| u.as_uuid())),
        decided_at: Set(w.decided_at),
        submitted_at: Set(w.submitted_at),
        rejection_reason: Set(w.rejection_reason),
        verification_code: Set(w.verification_code.map(|c| c.as_str().to_owned())),
        created_at: Set(c.created_at),
        updated_at: Set(c.updated_at),
    }
}

fn document_from(m: patient_documents::Model) -> Result<PatientDocument, StoreError> {
    Ok(PatientDocument {
        id: DocumentId::from_uuid(m.id),
        patient_id: PatientId::from_uuid(m.patient_id),
        medical_record_id: m.medical_record_id.map(MedicalRecordId::from_uuid),
        dental_record_id: m.dental_record_id.map(DentalRecordId::from_uuid),
        document_type: DocumentType::parse(&m.document_type)
            .map_err(|e| corrupt("document_type", e))?,
        description: m.description,
        filename: m.filename,
        content_type: m.content_type,
        size_bytes: m.size_bytes,
        sha256: m.sha256,
        storage_key: m.storage_key,
        uploaded_by: UserId::from_uuid(m.uploaded_by),
        uploaded_at: m.uploaded_at,
    })
}

fn revision_from(m: record_revisions::Model) -> Result<Revision, StoreError> {
    Ok(Revision {
        record_kind: if m.record_kind == "dental_record" {
            "dental_record"
        } else {
            "medical_record"
        },
        record_id: m.record_id,
        version: m.version,
        changed_by: UserId::from_uuid(m.changed_by),
        changed_at: m.changed_at,
        changed_fields: serde_json::from_str(&m.changed_fields)
            .map_err(|e| corrupt("changed_fields", e))?,
    })
}

// ---------- queries shared by the pool and the transaction ----------

async fn find_patient<C: ConnectionTrait>(
    c: &C,
    id: PatientId,
    lock: bool,
) -> Result<Option<Patient>, StoreError> {
    one(
        c,
        patients::Entity::find_by_id(id.as_uuid()),
        lock,
        patient_from,
    )
    .await
}

async fn find_patient_of_user<C: ConnectionTrait>(
    c: &C,
    user: UserId,
    lock: bool,
) -> Result<Option<Patient>, StoreError> {
    one(
        c,
        patients::Entity::find().filter(patients::Column::UserId.eq(user.as_uuid())),
        lock,
        patient_from,
    )
    .await
}

async fn find_medical<C: ConnectionTrait>(
    c: &C,
    id: MedicalRecordId,
    lock: bool,
) -> Result<Option<MedicalRecord>, StoreError> {
    one(
        c,
        medical_records::Entity::find_by_id(id.as_uuid()),
        lock,
        medical_from,
    )
    .await
}

async fn find_dental<C: ConnectionTrait>(
    c: &C,
    id: DentalRecordId,
    lock: bool,
) -> Result<Option<DentalRecord>, StoreError> {
    one(
        c,
        dental_records::Entity::find_by_id(id.as_uuid()),
        lock,
        dental_from,
    )
    .await
}

async fn find_certificate<C: ConnectionTrait>(
    c: &C,
    id: CertificateId,
    lock: bool,
) -> Result<Option<Certificate>, StoreError> {
    one(
        c,
        medical_certificates::Entity::find_by_id(id.as_uuid()),
        lock,
        certificate_from,
    )
    .await
}

async fn find_template<C: ConnectionTrait>(
    c: &C,
    id: TemplateId,
) -> Result<Option<CertificateTemplate>, StoreError> {
    one(
        c,
        certificate_templates::Entity::find_by_id(id.as_uuid()),
        false,
        template_from,
    )
    .await
}

/// `col` starts with `prefix` (byte order; the column is indexed).
fn starts_with<C: sea_orm::ColumnTrait>(col: C, prefix: &str) -> Condition {
    Condition::all()
        .add(col.gte(prefix))
        .add(col.lt(format!("{prefix}\u{10FFFF}")))
}

fn record_time_filter<C: sea_orm::ColumnTrait>(visit: C, f: &RecordFilter) -> Condition {
    let mut cond = Condition::all();
    if let Some(from) = f.from {
        cond = cond.add(visit.gte(from));
    }
    if let Some(to) = f.to {
        cond = cond.add(visit.lt(to));
    }
    cond
}

#[async_trait]
impl ClinicalStore for SeaOrmClinicalStore {
    async fn begin(&self) -> Result<Box<dyn UnitOfWork>, StoreError> {
        self.db.begin_unit().await
    }

    async fn patient(&self, id: PatientId) -> Result<Option<Patient>, StoreError> {
        find_patient(self.db.connection(), id, false).await
    }

    async fn patient_of_user(&self, user: UserId) -> Result<Option<Patient>, StoreError> {
        find_patient_of_user(self.db.connection(), user, false).await
    }

    async fn search_patients(
        &self,
        f: &PatientFilter,
        page: PageRequest,
    ) -> Result<Page<Patient>, StoreError> {
        let mut cond = Condition::all();
        if let Some(t) = &f.search {
            cond = cond.add(
                Condition::any()
                    .add(starts_with(patients::Column::LastLc, t))
                    .add(starts_with(patients::Column::FirstLc, t))
                    .add(starts_with(patients::Column::FullLc, t))
                    .add(starts_with(patients::Column::Email, t))
                    .add(starts_with(patients::Column::UscId, &t.to_uppercase())),
            );
        }
        if let Some(sex) = f.sex {
            cond = cond.add(patients::Column::Sex.eq(sex.as_str()));
        }
        if let Some(d) = f.born_from {
            cond = cond.add(patients::Column::DateOfBirth.gte(d));
        }
        if let Some(d) = f.born_until {
            cond = cond.add(patients::Column::DateOfBirth.lte(d));
        }
        if let Some(c) = f.course {
            cond = cond.add(patients::Column::Course.eq(i16::from(c.code())));
        }
        if let Some(y) = f.year_level {
            cond = cond.add(patients::Column::YearLevel.eq(i16::from(y.level())));
        }
        if let Some(c) = f.campus {
            cond = cond.add(patients::Column::Campus.eq(c.as_str()));
        }
        let q = patients::Entity::find()
            .filter(cond)
            .order_by_asc(patients::Column::LastLc)
            .order_by_asc(patients::Column::FirstLc)
            .order_by_asc(patients::Column::Id);
        crate::query::fetch_page(self.db.connection(), q, page, patient_from).await
    }

    async fn medical_record(
        &self,
        id: MedicalRecordId,
    ) -> Result<Option<MedicalRecord>, StoreError> {
        find_medical(self.db.connection(), id, false).await
    }

    async fn medical_records(
        &self,
        f: &RecordFilter,
        page: PageRequest,
    ) -> Result<Page<MedicalRecord>, StoreError> {
        let mut cond = record_time_filter(medical_records::Column::VisitAt, f);
        if let Some(p) = f.patient_id {
            cond = cond.add(medical_records::Column::PatientId.eq(p.as_uuid()));
        }
        if let Some(t) = &f.search {
            let lower = |c: medical_records::Column| Expr::expr(Func::lower(Expr::col(c)));
            cond = cond.add(
                Condition::any()
                    .add(lower(medical_records::Column::ChiefComplaint).like(like_pattern(t)))
                    .add(lower(medical_records::Column::Diagnosis).like(like_pattern(t))),
            );
        }
        let q = medical_records::Entity::find()
            .filter(cond)
            .order_by_desc(medical_records::Column::VisitAt)
            .order_by_desc(medical_records::Column::Id);
        crate::query::fetch_page(self.db.connection(), q, page, medical_from).await
    }

    async fn dental_record(&self, id: DentalRecordId) -> Result<Option<DentalRecord>, StoreError> {
        find_dental(self.db.connection(), id, false).await
    }

    async fn dental_records(
        &self,
        f: &RecordFilter,
        page: PageRequest,
    ) -> Result<Page<DentalRecord>, StoreError> {
        let mut cond = record_time_filter(dental_records::Column::VisitAt, f);
        if let Some(p) = f.patient_id {
            cond = cond.add(dental_records::Column::PatientId.eq(p.as_uuid()));
        }
        if let Some(t) = &f.search {
            let lower = |c: dental_records::Column| Expr::expr(Func::lower(Expr::col(c)));
            cond = cond.add(
                Condition::any()
                    .add(lower(dental_records::Column::Concern).like(like_pattern(t)))
                    .add(lower(dental_records::Column::Diagnosis).like(like_pattern(t))),
            );
        }
        let q = dental_records::Entity::find()
            .filter(cond)
            .order_by_desc(dental_records::Column::VisitAt)
            .order_by_desc(dental_records::Column::Id);
        crate::query::fetch_page(self.db.connection(), q, page, dental_from).await
    }

    async fn revisions(&self, record: RecordRef) -> Result<Vec<Revision>, StoreError> {
        record_revisions::Entity::find()
            .filter(record_revisions::Column::RecordKind.eq(record.kind()))
            .filter(record_revisions::Column::RecordId.eq(record.uuid()))
            .order_by_asc(record_revisions::Column::Version)
            .all(self.db.connection())
            .await
            .map_err(map_db_err)?
            .into_iter()
            .map(revision_from)
            .collect()
    }

    async fn certificate(&self, id: CertificateId) -> Result<Option<Certificate>, StoreError> {
        find_certificate(self.db.connection(), id, false).await
    }

    async fn certificate_by_code(
        &self,
        code: &CertificateCode,
    ) -> Result<Option<Certificate>, StoreError> {
        let q = medical_certificates::Entity::find()
            .filter(medical_certificates::Column::VerificationCode.eq(code.as_str()));
        one(self.db.connection(), q, false, certificate_from).await
    }

    async fn certificates(
        &self,
        f: &CertificateFilter,
        page: PageRequest,
    ) -> Result<Page<Certificate>, StoreError> {
        let mut cond = Condition::all();
        if let Some(p) = f.patient_id {
            cond = cond.add(medical_certificates::Column::PatientId.eq(p.as_uuid()));
        }
        if let Some(s) = f.status {
            cond = cond.add(medical_certificates::Column::Status.eq(s.as_str()));
        }
        let q = medical_certificates::Entity::find()
            .filter(cond)
            .order_by_desc(medical_certificates::Column::CreatedAt)
            .order_by_desc(medical_certificates::Column::Id);
        crate::query::fetch_page(self.db.connection(), q, page, certificate_from).await
    }

    async fn template(&self, id: TemplateId) -> Result<Option<CertificateTemplate>, StoreError> {
        find_template(self.db.connection(), id).await
    }

    async fn templates(&self) -> Result<Vec<CertificateTemplate>, StoreError> {
        certificate_templates::Entity::find()
            .order_by_asc(certificate_templates::Column::Name)
            .all(self.db.connection())
            .await
            .map_err(map_db_err)?
            .into_iter()
            .map(template_from)
            .collect()
    }

    async fn document(&self, id: DocumentId) -> Result<Option<PatientDocument>, StoreError> {
        let q = patient_documents::Entity::find_by_id(id.as_uuid());
        one(self.db.connection(), q, false, document_from).await
    }

    async fn documents(
        &self,
        patient: PatientId,
        page: PageRequest,
    ) -> Result<Page<PatientDocument>, StoreError> {
        let q = patient_documents::Entity::find()
            .filter(patient_documents::Column::PatientId.eq(patient.as_uuid()))
            .order_by_desc(patient_documents::Column::UploadedAt)
            .order_by_desc(patient_documents::Column::Id);
        crate::query::fetch_page(self.db.connection(), q, page, document_from).await
    }

    async fn user_contact(
        &self,
        user: UserId,
    ) -> Result<Option<(EmailAddress, String)>, StoreError> {
        let Some(u) = users::Entity::find_by_id(user.as_uuid())
            .one(self.db.connection())
            .await
            .map_err(map_db_err)?
        else {
            return Ok(None);
        };
        let email = EmailAddress::parse(&u.email).map_err(|e| corrupt("user.email", e))?;
        Ok(Some((email, format!("{} {}", u.first_name, u.last_name))))
    }
}

async fn count<E: EntityTrait, C: ConnectionTrait>(
    c: &C,
    q: sea_orm::Select<E>,
) -> Result<u64, StoreError>
where
    E::Model: Sync,
{
    q.count(c).await.map_err(map_db_err)
}

#[async_trait]
impl ClinicalOps for SeaOrmUnitOfWork {
    async fn patient(&mut self, id: PatientId) -> Result<Option<Patient>, StoreError> {
        find_patient(&self.tx, id, true).await
    }

    async fn patient_of_user(&mut self, user: UserId) -> Result<Option<Patient>, StoreError> {
        find_patient_of_user(&self.tx, user, true).await
    }

    async fn insert_patient(&mut self, p: &Patient) -> Result<(), StoreError> {
        save(&self.tx, patient_row(p), true).await
    }

    async fn update_patient(&mut self, p: &Patient) -> Result<(), StoreError> {
        save(&self.tx, patient_row(p), false).await
    }

    async fn dependents(&mut self, id: PatientId) -> Result<Dependents, StoreError> {
        let p = id.as_uuid();
        Ok(Dependents {
            medical_records: count(
                &self.tx,
                medical_records::Entity::find().filter(medical_records::Column::PatientId.eq(p)),
            )
            .await?,
            dental_records: count(
                &self.tx,
                dental_records::Entity::find().filter(dental_records::Column::PatientId.eq(p)),
            )
            .await?,
            certificates: count(
                &self.tx,
                medical_certificates::Entity::find()
                    .filter(medical_certificates::Column::PatientId.eq(p)),
            )
            .await?,
            documents: count(
                &self.tx,
                patient_documents::Entity::find()
                    .filter(patient_documents::Column::PatientId.eq(p)),
            )
            .await?,
        })
    }

    async fn delete_patient(&mut self, id: PatientId) -> Result<(), StoreError> {
        patients::Entity::delete_by_id(id.as_uuid())
            .exec(&self.tx)
            .await
            .map_err(map_db_err)?;
        Ok(())
    }

    async fn medical_record(
        &mut self,
        id: MedicalRecordId,
    ) -> Result<Option<MedicalRecord>, StoreError> {
        find_medical(&self.tx, id, true).await
    }

    async fn save_medical_record(
        &mut self,
        r: &MedicalRecord,
        insert: bool,
    ) -> Result<(), StoreError> {
        save(&self.tx, medical_row(r), insert).await
    }

    async fn delete_medical_record(&mut self, id: MedicalRecordId) -> Result<(), StoreError> {
        record_revisions::Entity::delete_many()
            .filter(record_revisions::Column::RecordKind.eq("medical_record"))
            .filter(record_revisions::Column::RecordId.eq(id.as_uuid()))
            .exec(&self.tx)
            .await
            .map_err(map_db_err)?;
        medical_records::Entity::delete_by_id(id.as_uuid())
            .exec(&self.tx)
            .await
            .map_err(map_db_err)?;
        Ok(())
    }

    async fn dental_record(
        &mut self,
        id: DentalRecordId,
    ) -> Result<Option<DentalRecord>, StoreError> {
        find_dental(&self.tx, id, true).await
    }

    async fn save_dental_record(
        &mut self,
        r: &DentalRecord,
        insert: bool,
    ) -> Result<(), StoreError> {
        save(&self.tx, dental_row(r)?, insert).await
    }

    async fn delete_dental_record(&mut self, id: DentalRecordId) -> Result<(), StoreError> {
        record_revisions::Entity::delete_many()
            .filter(record_revisions::Column::RecordKind.eq("dental_record"))
            .filter(record_revisions::Column::RecordId.eq(id.as_uuid()))
            .exec(&self.tx)
            .await
            .map_err(map_db_err)?;
        dental_records::Entity::delete_by_id(id.as_uuid())
            .exec(&self.tx)
            .await
            .map_err(map_db_err)?;
        Ok(())
    }

    async fn insert_revision(&mut self, r: &Revision) -> Result<(), StoreError> {
        save(
            &self.tx,
            record_revisions::ActiveModel {
                id: Set(uuid::Uuid::now_v7()),
                record_kind: Set(r.record_kind.to_owned()),
                record_id: Set(r.record_id),
                version: Set(r.version),
                changed_by: Set(r.changed_by.as_uuid()),
                changed_at: Set(r.changed_at),
                changed_fields: Set(json!(r.changed_fields).to_string()),
            },
            true,
        )
        .await
    }

    async fn certificate(&mut self, id: CertificateId) -> Result<Option<Certificate>, StoreError> {
        find_certificate(&self.tx, id, true).await
    }

    async fn save_certificate(&mut self, c: &Certificate, insert: bool) -> Result<(), StoreError> {
        save(&self.tx, certificate_row(c), insert).await
    }

    async fn template(
        &mut self,
        id: TemplateId,
    ) -> Result<Option<CertificateTemplate>, StoreError> {
        find_template(&self.tx, id).await
    }

    async fn insert_template(&mut self, t: &CertificateTemplate) -> Result<(), StoreError> {
        save(
            &self.tx,
            certificate_templates::ActiveModel {
                id: Set(t.id.as_uuid()),
                name: Set(t.name.clone()),
                description: Set(t.description.clone()),
                kind: Set(t.kind.as_str().to_owned()),
                form_code: Set(t.form_code.clone()),
                body: Set(t.body.as_str().to_owned()),
                created_at: Set(t.created_at),
            },
            true,
        )
        .await
    }

    async fn insert_document(&mut self, d: &PatientDocument) -> Result<(), StoreError> {
        save(
            &self.tx,
            patient_documents::ActiveModel {
                id: Set(d.id.as_uuid()),
                patient_id: Set(d.patient_id.as_uuid()),
                medical_record_id: Set(d.medical_record_id.map(|r| r.as_uuid())),
                dental_record_id: Set(d.dental_record_id.map(|r| r.as_uuid())),
                document_type: Set(d.document_type.as_str().to_owned()),
                description: Set(d.description.clone()),
                filename: Set(d.filename.clone()),
                content_type: Set(d.content_type.clone()),
                size_bytes: Set(d.size_bytes),
                sha256: Set(d.sha256.clone()),
                storage_key: Set(d.storage_key.clone()),
                uploaded_by: Set(d.uploaded_by.as_uuid()),
                uploaded_at: Set(d.uploaded_at),
            },
            true,
        )
        .await
    }
}

#[async_trait]
impl PatientDirectory for SeaOrmClinicalStore {
    async fn patient(&self, id: PatientId) -> Result<Option<PatientRef>, StoreError> {
        Ok(find_patient(self.db.connection(), id, false)
            .await?
            .as_ref()
            .map(PatientRef::from))
    }

    async fn patient_of_user(&self, user: UserId) -> Result<Option<PatientRef>, StoreError> {
        Ok(find_patient_of_user(self.db.connection(), user, false)
            .await?
            .as_ref()
            .map(PatientRef::from))
    }

    async fn record_patient(&self, record: RecordRef) -> Result<Option<PatientId>, StoreError> {
        let c = self.db.connection();
        Ok(match record {
            RecordRef::Medical(id) => find_medical(c, id, false).await?.map(|r| r.patient_id),
            RecordRef::Dental(id) => find_dental(c, id, false).await?.map(|r| r.patient_id),
        })
    }
}

#[async_trait]
impl application::clinical::seed::ClinicalBulkLoader for SeaOrmClinicalStore {
    async fn patient_count(&self) -> Result<u64, StoreError> {
        count(self.db.connection(), patients::Entity::find()).await
    }

    async fn load(
        &self,
        list: Vec<Patient>,
        records: Vec<MedicalRecord>,
    ) -> Result<(), StoreError> {
        let tx = self.db.begin_write().await?;
        // Multi-row inserts sized well under SQLite's 32,766 bound parameters.
        for chunk in list.chunks(400) {
            patients::Entity::insert_many(chunk.iter().map(patient_row))
                .exec_without_returning(&tx)
                .await
                .map_err(map_db_err)?;
        }
        for chunk in records.chunks(1000) {
            medical_records::Entity::insert_many(chunk.iter().map(medical_row))
                .exec_without_returning(&tx)
                .await
                .map_err(map_db_err)?;
        }
        tx.commit().await.map_err(map_db_err)
    }
}
