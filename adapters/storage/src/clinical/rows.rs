//! Rows ↔ domain values.

use super::*;

pub(crate) fn parse_json(field: &str, raw: &str) -> Result<Value, StoreError> {
    serde_json::from_str(raw).map_err(|e| corrupt(field, e))
}

pub(crate) fn allergies_json(list: &[AllergyEntry]) -> String {
    Value::Array(
        list.iter()
            .map(|e| {
                let a = &e.allergy;
                let mut v = json!({
                    "id": e.id,
                    "substance": a.substance,
                    "reaction": a.reaction,
                    "severity": a.severity.as_str(),
                    "source": e.source.as_str(),
                    "recorded_by": e.recorded_by.map(|u| u.as_uuid()),
                    "recorded_at": e.recorded_at,
                });
                if let Some(c) = &e.closed {
                    v["closed"] = json!({
                        "status": c.status.as_str(),
                        "reason": c.reason,
                        "by": c.by.as_uuid(),
                        "at": c.at,
                    });
                }
                v
            })
            .collect(),
    )
    .to_string()
}

/// A stable id for an entry stored before entries had ids (migration 7): derived from
/// the patient and the entry's position, so it is the same on every read until the
/// entry is next saved with it.
fn legacy_allergy_id(patient: uuid::Uuid, index: usize) -> uuid::Uuid {
    let (hi, lo) = patient.as_u64_pair();
    // The patient's id with its low half offset by the position: unique per entry.
    uuid::Uuid::from_u64_pair(hi, lo.wrapping_add(index as u64 + 1))
}

fn json_time(v: &Value, k: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    s(v, k)
        .map(|t| {
            DateTime::parse_from_rfc3339(&t)
                .map(|t| t.to_utc())
                .map_err(|e| corrupt(k, e))
        })
        .transpose()
}

fn json_uuid(v: &Value, k: &str) -> Result<Option<uuid::Uuid>, StoreError> {
    s(v, k)
        .map(|u| uuid::Uuid::parse_str(&u).map_err(|e| corrupt(k, e)))
        .transpose()
}

/// Entries stored before provenance was recorded read as clinician-recorded (the
/// safe side: a patient cannot erase them), recorded when the patient was created.
pub(crate) fn allergies_from(
    raw: &str,
    patient: uuid::Uuid,
    created_at: DateTime<Utc>,
) -> Result<Vec<AllergyEntry>, StoreError> {
    let v = parse_json("allergies", raw)?;
    let mut out = Vec::new();
    for (i, a) in v.as_array().into_iter().flatten().enumerate() {
        let sev = Severity::parse(&s(a, "severity").unwrap_or_default())
            .map_err(|e| corrupt("allergy.severity", e))?;
        let allergy = Allergy::new(
            &s(a, "substance").unwrap_or_default(),
            s(a, "reaction").as_deref(),
            sev,
        )
        .map_err(|e| corrupt("allergy", e))?;
        let source = match s(a, "source") {
            Some(src) => AllergySource::parse(&src).map_err(|e| corrupt("allergy.source", e))?,
            None => AllergySource::ClinicianRecorded,
        };
        let closed = match a.get("closed").filter(|c| !c.is_null()) {
            None => None,
            Some(c) => Some(Closure {
                status: ClosedAs::parse(&s(c, "status").unwrap_or_default())
                    .map_err(|e| corrupt("allergy.closed.status", e))?,
                reason: s(c, "reason").unwrap_or_default(),
                by: UserId::from_uuid(
                    json_uuid(c, "by")?.ok_or_else(|| corrupt("allergy.closed.by", "missing"))?,
                ),
                at: json_time(c, "at")?.ok_or_else(|| corrupt("allergy.closed.at", "missing"))?,
            }),
        };
        out.push(AllergyEntry {
            id: json_uuid(a, "id")?.unwrap_or_else(|| legacy_allergy_id(patient, i)),
            allergy,
            source,
            recorded_by: json_uuid(a, "recorded_by")?.map(UserId::from_uuid),
            recorded_at: json_time(a, "recorded_at")?.unwrap_or(created_at),
            closed,
        });
    }
    Ok(out)
}

pub(crate) fn meds_json(list: &[Medication]) -> String {
    Value::Array(
        list.iter()
            .map(|m| json!({"name": m.name, "dose": m.dose}))
            .collect(),
    )
    .to_string()
}

pub(crate) fn meds_from(raw: &str) -> Result<Vec<Medication>, StoreError> {
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

pub(crate) fn history_json(h: &MedicalHistory) -> String {
    json!({
        "illnesses": h.illnesses, "childhood_diseases": h.childhood_diseases,
        "special_needs": h.special_needs, "existing_conditions": h.existing_conditions,
        "hospitalizations": h.hospitalizations, "surgeries": h.surgeries,
    })
    .to_string()
}

pub(crate) fn history_from(raw: &str) -> Result<MedicalHistory, StoreError> {
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

pub(crate) fn vitals_json(v: &VitalSigns) -> String {
    json!({
        "temperature_c": v.temperature_c, "systolic": v.systolic, "diastolic": v.diastolic,
        "pulse": v.pulse, "respiratory_rate": v.respiratory_rate, "spo2": v.spo2,
        "height_cm": v.height_cm, "weight_kg": v.weight_kg,
    })
    .to_string()
}

pub(crate) fn vitals_from(raw: &str) -> Result<VitalSigns, StoreError> {
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

pub(crate) fn exam_json(e: &PhysicalExam) -> String {
    json!({
        "general_appearance": e.general_appearance, "skin": e.skin, "heent": e.heent,
        "heart": e.heart, "lungs": e.lungs, "abdomen": e.abdomen,
        "extremities": e.extremities, "neurological": e.neurological,
    })
    .to_string()
}

pub(crate) fn exam_from(raw: &str) -> Result<PhysicalExam, StoreError> {
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

pub(crate) fn patient_row(p: &Patient) -> patients::ActiveModel {
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

pub(crate) fn medical_from(m: medical_records::Model) -> Result<MedicalRecord, StoreError> {
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

pub(crate) fn medical_row(r: &MedicalRecord) -> medical_records::ActiveModel {
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

pub(crate) fn dental_from(m: dental_records::Model) -> Result<DentalRecord, StoreError> {
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

pub(crate) fn dental_row(r: &DentalRecord) -> Result<dental_records::ActiveModel, StoreError> {
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

pub(crate) fn template_from(
    m: certificate_templates::Model,
) -> Result<CertificateTemplate, StoreError> {
    Ok(CertificateTemplate {
        id: TemplateId::from_uuid(m.id),
        name: m.name,
        description: m.description,
        kind: CertificateKind::parse(&m.kind).map_err(|e| corrupt("template.kind", e))?,
        form_code: m.form_code,
        body: TemplateBody::parse(&m.body).map_err(|e| corrupt("template.body", e))?,
        active: m.active,
        created_at: m.created_at,
    })
}

pub(crate) fn template_row(t: &CertificateTemplate) -> certificate_templates::ActiveModel {
    certificate_templates::ActiveModel {
        id: Set(t.id.as_uuid()),
        name: Set(t.name.clone()),
        description: Set(t.description.clone()),
        kind: Set(t.kind.as_str().to_owned()),
        form_code: Set(t.form_code.clone()),
        body: Set(t.body.as_str().to_owned()),
        active: Set(t.active),
        created_at: Set(t.created_at),
    }
}

pub(crate) fn certificate_from(m: medical_certificates::Model) -> Result<Certificate, StoreError> {
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
            revocation: match (m.revoked_by, m.revoked_at, m.revocation_reason) {
                (Some(by), Some(at), Some(reason)) => Some(Revocation {
                    by: UserId::from_uuid(by),
                    at,
                    reason,
                }),
                _ => None,
            },
        },
        m.created_at,
        m.updated_at,
    ))
}

pub(crate) fn certificate_row(c: &Certificate) -> medical_certificates::ActiveModel {
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
        status: Set(w
            .status
            .unwrap_or(CertificateStatus::Draft)
            .as_str()
            .to_owned()),
        issued_by: Set(c.issued_by.as_uuid()),
        decided_by: Set(w.decided_by.map(|u| u.as_uuid())),
        decided_at: Set(w.decided_at),
        submitted_at: Set(w.submitted_at),
        rejection_reason: Set(w.rejection_reason),
        verification_code: Set(w.verification_code.map(|c| c.as_str().to_owned())),
        revoked_by: Set(w.revocation.as_ref().map(|r| r.by.as_uuid())),
        revoked_at: Set(w.revocation.as_ref().map(|r| r.at)),
        revocation_reason: Set(w.revocation.map(|r| r.reason)),
        created_at: Set(c.created_at),
        updated_at: Set(c.updated_at),
    }
}

pub(crate) fn document_from(m: patient_documents::Model) -> Result<PatientDocument, StoreError> {
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

pub(crate) fn changes_json(changes: &[FieldChange]) -> String {
    Value::Array(
        changes
            .iter()
            .map(|c| json!({"field": c.field, "old": c.old, "new": c.new}))
            .collect(),
    )
    .to_string()
}

fn changes_from(raw: &str) -> Result<Vec<FieldChange>, StoreError> {
    let v = parse_json("revision.changes", raw)?;
    Ok(v.as_array()
        .into_iter()
        .flatten()
        .map(|c| FieldChange {
            field: s(c, "field").unwrap_or_default(),
            old: s(c, "old"),
            new: s(c, "new"),
        })
        .collect())
}

/// A record revision; one saved before values were kept lists its fields without them.
pub(crate) fn revision_from(m: record_revisions::Model) -> Result<Revision, StoreError> {
    let changes = match &m.changes {
        Some(raw) => changes_from(raw)?,
        None => serde_json::from_str::<Vec<String>>(&m.changed_fields)
            .map_err(|e| corrupt("changed_fields", e))?
            .into_iter()
            .map(|field| FieldChange {
                field,
                old: None,
                new: None,
            })
            .collect(),
    };
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
        changes,
    })
}

pub(crate) fn patient_revision_from(m: patient_revisions::Model) -> Result<Revision, StoreError> {
    Ok(Revision {
        record_kind: "patient",
        record_id: m.patient_id,
        version: m.version,
        changed_by: UserId::from_uuid(m.changed_by),
        changed_at: m.changed_at,
        changes: changes_from(&m.changes)?,
    })
}
