//! Clinical use cases against mock ports: outcomes and what reached the ports.

use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use domain::audit::Outcome;
use domain::clinical::{
    Allergy, CertificateKind, CertificateStatus, CertificateTemplate, MedicalRecord, Patient,
    Severity, Sex, TemplateBody,
};
use domain::identity::{PersonName, Role};
use domain::policy::Actor;
use domain::{PatientId, TemplateId, UserId};

use super::*;
use crate::audit::ports::MockAuditStore;
use crate::media::MockMediaStore;
use crate::unit_of_work::MockTx;
use crate::{AppError, SystemClock};

pub(crate) fn patient(user: Option<UserId>, allergies: Vec<Allergy>) -> Patient {
    let mut p = Patient::new(
        PatientId::new(),
        PersonName::parse("Maria").expect("name"),
        PersonName::parse("Reyes").expect("name"),
        NaiveDate::from_ymd_opt(2004, 6, 12).expect("date"),
        Sex::Female,
        None,
        Utc::now(),
    );
    p.user_id = user;
    p.allergies = allergies
        .into_iter()
        .map(|a| {
            domain::clinical::AllergyEntry::new(
                a,
                domain::clinical::AllergySource::ClinicianRecorded,
                None,
                Utc::now(),
            )
        })
        .collect();
    p
}

pub(crate) fn actor(role: Role) -> Actor {
    Actor::new(UserId::new(), role)
}

fn service(
    store: MockClinicalStore,
    audit: MockAuditStore,
    media: MockMediaStore,
) -> ClinicalService {
    ClinicalService::new(
        Arc::new(store),
        Arc::new(audit),
        Arc::new(media),
        Arc::new(MockCertificateRenderer::new()),
        Arc::new(SystemClock),
        ClinicalConfig::default(),
    )
}

#[tokio::test]
async fn a_patient_asking_for_someone_else_gets_404_and_the_attempt_is_audited() {
    let other = patient(Some(UserId::new()), vec![]);
    let id = other.id;
    let mut store = MockClinicalStore::new();
    store
        .expect_patient()
        .returning(move |_| Ok(Some(other.clone())));
    let mut audit = MockAuditStore::new();
    audit
        .expect_append()
        .withf(move |e, _| e.outcome == Outcome::Denied && e.patient == Some(id))
        .times(1)
        .returning(|_, _| Ok(()));
    let svc = service(store, audit, MockMediaStore::new());
    let got = svc.get_patient(&actor(Role::Student), id).await;
    assert!(
        matches!(got, Err(AppError::NotFound { what: "patient" })),
        "{got:?}"
    );
}

#[tokio::test]
async fn a_medication_matching_an_allergy_is_refused_before_anything_is_saved() {
    let p = patient(
        None,
        vec![Allergy::new("Penicillin", None, Severity::Severe).expect("allergy")],
    );
    let id = p.id;
    let mut tx = MockTx::default();
    tx.clinical
        .expect_patient()
        .returning(move |_| Ok(Some(p.clone())));
    // No expectation for save_medical_record, append_audit or commit: calling them fails.
    let mut store = MockClinicalStore::new();
    store.expect_begin().return_once(move || Ok(Box::new(tx)));
    let svc = service(store, MockAuditStore::new(), MockMediaStore::new());
    let input = MedicalRecordInput {
        patient_id: Some(id),
        visit_at: Some(Utc::now() - chrono::Duration::hours(1)),
        chief_complaint: Some("Sore throat".into()),
        diagnosis: Some("Acute tonsillitis".into()),
        treatment: Some("Antibiotics for 7 days".into()),
        medications: Some(vec![MedicationInput {
            name: "Amoxicillin + penicillin".into(),
            dose: Some("500 mg".into()),
        }]),
        ..Default::default()
    };
    match svc
        .create_record::<MedicalRecord>(&actor(Role::Doctor), input)
        .await
    {
        Err(AppError::Conflict { code, details, .. }) => {
            assert_eq!(code, "allergy_conflict");
            assert_eq!(
                details.get("substances").map(String::as_str),
                Some("Penicillin")
            );
        }
        other => panic!("expected allergy_conflict, got {other:?}"),
    }
}

#[tokio::test]
async fn a_nurse_certificate_is_saved_as_a_draft_with_an_audit_entry() {
    let p = patient(None, vec![]);
    let pid = p.id;
    let template = CertificateTemplate {
        id: TemplateId::new(),
        name: "Default".into(),
        description: None,
        kind: CertificateKind::Medical,
        form_code: None,
        body: TemplateBody::parse("{{patient_name}}").expect("body"),
        active: true,
        created_at: Utc::now(),
    };
    let tid = template.id;
    let mut tx = MockTx::default();
    tx.clinical
        .expect_patient()
        .returning(move |_| Ok(Some(p.clone())));
    tx.clinical
        .expect_template()
        .returning(move |_| Ok(Some(template.clone())));
    tx.clinical
        .expect_save_certificate()
        .withf(|c, insert| *insert && c.status() == CertificateStatus::Draft)
        .times(1)
        .returning(|_, _| Ok(()));
    tx.work
        .expect_append_audit()
        .withf(move |e, _| e.action == "certificates.create" && e.patient == Some(pid))
        .times(1)
        .returning(|_, _| Ok(()));
    tx.work.expect_commit().times(1).returning(|| Ok(()));
    let mut store = MockClinicalStore::new();
    store.expect_begin().return_once(move || Ok(Box::new(tx)));
    let svc = service(store, MockAuditStore::new(), MockMediaStore::new());
    let input = CertificateInput {
        patient_id: Some(pid),
        template_id: Some(tid),
        purpose: Some("Off-campus tour".into()),
        valid_from: NaiveDate::from_ymd_opt(2026, 3, 10),
        valid_until: NaiveDate::from_ymd_opt(2026, 3, 15),
        ..Default::default()
    };
    let c = svc
        .create_certificate(&actor(Role::Nurse), input)
        .await
        .expect("created");
    assert_eq!(c.status(), CertificateStatus::Draft);
}

#[tokio::test]
async fn an_executable_upload_is_refused_before_the_media_store_is_touched() {
    let mut audit = MockAuditStore::new();
    audit.expect_append().never();
    // MockMediaStore without expectations: any put would fail the test.
    let svc = service(MockClinicalStore::new(), audit, MockMediaStore::new());
    let mut exe = b"MZ\x90\x00".to_vec();
    exe.resize(2048, 0);
    let got = svc
        .upload_document(
            &actor(Role::Nurse),
            PatientId::new(),
            UploadInput {
                filename: "lab.pdf".into(),
                content: exe,
                ..Default::default()
            },
        )
        .await;
    assert!(matches!(got, Err(AppError::Unsupported { .. })), "{got:?}");
}

#[tokio::test]
async fn the_certificate_pdf_names_the_program_and_the_physician_licence_once() {
    use domain::clinical::{Certificate, CertificateCode, CertificateContent, Fitness};
    use domain::identity::{CourseCode, YearLevel};
    let mut p = patient(None, vec![]);
    p.course = Some(CourseCode::parse("13").expect("code"));
    p.year_level = Some(YearLevel::parse("3").expect("year"));
    let template = CertificateTemplate {
        id: TemplateId::new(),
        name: "Default".into(),
        description: None,
        kind: CertificateKind::Medical,
        form_code: None,
        body: TemplateBody::parse(
            "{{patient_name}}, {{course_and_year}}, is {{fitness_status}}.\n\nSigned {{doctor_name}}, licence {{doctor_license}}.",
        )
        .expect("body"),
        active: true,
        created_at: Utc::now(),
    };
    let doctor = actor(Role::Doctor);
    let mut c = Certificate::create(
        domain::CertificateId::new(),
        p.id,
        template.id,
        CertificateKind::Medical,
        CertificateContent {
            purpose: "Off-campus tour".into(),
            recommendations: None,
            additional_notes: None,
            valid_from: NaiveDate::from_ymd_opt(2026, 3, 10).expect("date"),
            valid_until: NaiveDate::from_ymd_opt(2026, 3, 15).expect("date"),
            fitness: Fitness::NotFit,
            fitness_reason: Some("Febrile".into()),
        },
        &doctor,
        Utc::now(),
    )
    .expect("pending");
    c.approve(&doctor, CertificateCode::from_random(42), Utc::now())
        .expect("approved");
    let mut store = MockClinicalStore::new();
    store
        .expect_certificate()
        .returning(move |_| Ok(Some(c.clone())));
    store
        .expect_patient()
        .returning(move |_| Ok(Some(p.clone())));
    store
        .expect_template()
        .returning(move |_| Ok(Some(template.clone())));
    store
        .expect_signer()
        .returning(|_| Ok(Some(("Jose Rizal".into(), Some("0123456".into())))));
    let mut renderer = MockCertificateRenderer::new();
    renderer
        .expect_render()
        .withf(|doc| {
            doc.title == "Medical certificate"
                && doc.body
                    == [
                        "Maria Reyes, BS Computer Science – 3rd Year, is not fit.",
                        "Signed Jose Rizal, licence 0123456.",
                    ]
                && doc.physician_license.as_deref() == Some("0123456")
                && doc.facts.is_empty()
        })
        .times(1)
        .returning(|_| Ok(b"%PDF-".to_vec()));
    let mut audit = MockAuditStore::new();
    audit.expect_append().returning(|_, _| Ok(()));
    let svc = ClinicalService::new(
        Arc::new(store),
        Arc::new(audit),
        Arc::new(MockMediaStore::new()),
        Arc::new(renderer),
        Arc::new(SystemClock),
        ClinicalConfig::default(),
    );
    let pdf = svc
        .certificate_pdf(&doctor, domain::CertificateId::new())
        .await
        .expect("pdf");
    assert_eq!(pdf, b"%PDF-");
}
