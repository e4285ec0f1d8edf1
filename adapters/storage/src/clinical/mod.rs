//! `ClinicalStore` on sea-orm. Structured parts (allergies, vitals, tooth charts) are JSON
//! text columns; money is integer centavos; searched name columns are stored lower-cased
//! and compared by byte ranges, which both backends answer from a B-tree index.
//!
//! Layout: `store.rs` answers the reads on the pool (and the `PatientDirectory` other
//! capabilities ask), `tx.rs` the operations inside the unit of work, `rows.rs` converts
//! rows to domain values; queries both share live here.

mod rows;
mod search;
mod store;
mod tx;

pub(crate) use rows::*;

use std::collections::BTreeMap;

use application::StoreError;
use application::UnitOfWork;
use application::clinical::{
    CertificateFilter, ClinicalOps, ClinicalStore, Dependents, PatientDirectory, PatientDocument,
    PatientFilter, PatientRef, RecordFilter, RecordRef,
};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use domain::clinical::allergy::{ClosedAs, Closure};
use domain::clinical::certificate::{Revocation, Workflow};
use domain::clinical::{
    Allergy, AllergyEntry, AllergySource, BloodType, Certificate, CertificateCode,
    CertificateContent, CertificateKind, CertificateStatus, CertificateTemplate, CivilStatus,
    DentalProcedure, DentalRecord, DocumentType, EmergencyContact, FieldChange, Fitness,
    GumCondition, MedicalHistory, MedicalRecord, Medication, Money, OralHygiene, PainLevel,
    Patient, PhysicalExam, Priority, Revision, Severity, Sex, TemplateBody, ToothCondition,
    ToothNumber, VitalSigns,
};
use domain::identity::{Campus, CourseCode, EmailAddress, PersonName, Phone, UscId, YearLevel};
use domain::paging::{Page, PageRequest};
use domain::{
    CertificateId, DentalRecordId, DocumentId, MedicalRecordId, PatientId, TemplateId, UserId,
};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::{Value, json};

use crate::Database;
use crate::entities::{
    certificate_templates, dental_records, medical_certificates, medical_records,
    patient_documents, patient_revisions, patients, record_revisions, users,
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

pub(crate) fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_owned)
}

pub(crate) fn opt_parse<T, E: std::fmt::Display>(
    field: &str,
    v: Option<String>,
    p: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, StoreError> {
    v.as_deref()
        .map(|x| p(x).map_err(|e| corrupt(field, e)))
        .transpose()
}

// ---------- rows ----------

pub(crate) fn patient_from(m: patients::Model) -> Result<Patient, StoreError> {
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
        allergies: allergies_from(&m.allergies, m.id, m.created_at)?,
        medications: meds_from(&m.medications)?,
        history: history_from(&m.history)?,
        created_by: m.created_by.map(UserId::from_uuid),
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

pub(crate) fn cents(m: Money) -> Result<i64, StoreError> {
    let d = m.amount() * Decimal::ONE_HUNDRED;
    i64::try_from(d).map_err(|e| corrupt("cost", e))
}

// ---------- queries shared by the pool and the transaction ----------

pub(crate) async fn find_patient<C: ConnectionTrait>(
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

pub(crate) async fn find_patient_of_user<C: ConnectionTrait>(
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

pub(crate) async fn find_medical<C: ConnectionTrait>(
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

pub(crate) async fn find_dental<C: ConnectionTrait>(
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

pub(crate) async fn find_certificate<C: ConnectionTrait>(
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

pub(crate) async fn find_template<C: ConnectionTrait>(
    c: &C,
    id: TemplateId,
    lock: bool,
) -> Result<Option<CertificateTemplate>, StoreError> {
    one(
        c,
        certificate_templates::Entity::find_by_id(id.as_uuid()),
        lock,
        template_from,
    )
    .await
}

/// `col` starts with `prefix` (byte order; the column is indexed).
pub(crate) fn starts_with<C: sea_orm::ColumnTrait>(col: C, prefix: &str) -> Condition {
    Condition::all()
        .add(col.gte(prefix))
        .add(col.lt(format!("{prefix}\u{10FFFF}")))
}

pub(crate) fn record_time_filter<C: sea_orm::ColumnTrait>(visit: C, f: &RecordFilter) -> Condition {
    let mut cond = Condition::all();
    if let Some(from) = f.from {
        cond = cond.add(visit.gte(from));
    }
    if let Some(to) = f.to {
        cond = cond.add(visit.lt(to));
    }
    cond
}

pub(crate) async fn count<E: EntityTrait, C: ConnectionTrait>(
    c: &C,
    q: sea_orm::Select<E>,
) -> Result<u64, StoreError>
where
    E::Model: Sync,
{
    crate::query::count(c, &q).await
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
        let (_turn, tx) = self.db.begin_write().await?;
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
