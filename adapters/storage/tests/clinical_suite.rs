//! Clinical storage on SQLite and PostgreSQL: constraints back the domain's rules, search
//! uses the prefix columns, structured parts and money round-trip exactly.

use application::StoreError;
use application::clinical::seed::{ClinicalBulkLoader, seed_patients};
use application::clinical::{ClinicalStore, PatientFilter, RecordFilter};
use chrono::{Duration, NaiveDate, Utc};
use domain::clinical::allergy::{ClosedAs, Closure};
use domain::clinical::{
    Allergy, AllergyEntry, AllergySource, MedicalHistory, MedicalRecord, Medication, Patient,
    PhysicalExam, Severity, Sex, VitalSigns,
};
use domain::identity::{EmailAddress, PersonName, UscId};
use domain::paging::PageRequest;
use domain::{MedicalRecordId, PatientId, UserId};
use storage::testing::fresh_database;
use storage::{Database, SeaOrmAuditStore, SeaOrmClinicalStore};

fn patient(first: &str, last: &str, email: &str, usc: &str) -> Patient {
    // PostgreSQL keeps microseconds: start from a whole second so the round trip is exact.
    let mut p = Patient::new(
        PatientId::new(),
        PersonName::parse(first).expect("name"),
        PersonName::parse(last).expect("name"),
        NaiveDate::from_ymd_opt(2004, 6, 12).expect("date"),
        Sex::Female,
        None,
        Utc::now().with_nanosecond_zero(),
    );
    p.email = Some(EmailAddress::parse(email).expect("email"));
    p.usc_id = Some(UscId::parse(usc).expect("usc"));
    p.height_cm = Some(158.0);
    p.weight_kg = Some(52.0);
    // One active, one closed: provenance and the closure survive the round trip.
    let now = Utc::now().with_nanosecond_zero();
    let mut closed = AllergyEntry::new(
        Allergy::new("Aspirin", None, Severity::Mild).expect("allergy"),
        AllergySource::PatientReported,
        None,
        now,
    );
    closed.closed = Some(Closure {
        status: ClosedAs::EnteredInError,
        reason: "wrong patient".into(),
        by: UserId::new(),
        at: now,
    });
    p.allergies = vec![
        AllergyEntry::new(
            Allergy::new("Shellfish", Some("Hives"), Severity::Moderate).expect("allergy"),
            AllergySource::ClinicianRecorded,
            Some(UserId::new()),
            now,
        ),
        closed,
    ];
    p.medications = vec![Medication::new("Salbutamol", Some("PRN")).expect("med")];
    p.history = MedicalHistory {
        existing_conditions: Some("Mild asthma".into()),
        ..MedicalHistory::default()
    };
    p
}

fn record(p: PatientId, hours_ago: i64) -> MedicalRecord {
    let at = (Utc::now() - Duration::hours(hours_ago)).with_nanosecond_zero();
    MedicalRecord {
        id: MedicalRecordId::new(),
        patient_id: p,
        visit_at: at,
        chief_complaint: "Headache".into(),
        diagnosis: "Tension headache".into(),
        treatment: "Paracetamol, rest".into(),
        notes: None,
        vital_signs: VitalSigns {
            temperature_c: Some(37.8),
            systolic: Some(110),
            diastolic: Some(70),
            ..VitalSigns::default()
        },
        physical_exam: PhysicalExam::default(),
        medications: vec![],
        override_reason: None,
        created_by: None,
        created_at: at,
        updated_at: at,
        version: 1,
    }
}

trait NoNanos {
    fn with_nanosecond_zero(self) -> Self;
}
impl NoNanos for chrono::DateTime<Utc> {
    fn with_nanosecond_zero(self) -> Self {
        use chrono::Timelike;
        self.with_nanosecond(0).unwrap_or(self)
    }
}

async fn setup() -> (Database, SeaOrmClinicalStore) {
    let db = fresh_database().await.expect("test database");
    (db.clone(), SeaOrmClinicalStore::new(db))
}

#[tokio::test]
async fn patients_round_trip_and_uniques_are_conflicts() {
    let (_db, store) = setup().await;
    let maria = patient("Maria", "Reyes", "21104567@usc.edu.ph", "21104567");
    let mut tx = store.begin().await.expect("tx");
    tx.clinical().insert_patient(&maria).await.expect("insert");
    tx.commit().await.expect("commit");
    let back = store.patient(maria.id).await.expect("read").expect("found");
    assert_eq!(back, maria, "every field, allergies and history included");

    // A name that grows when lower-cased (İ → i̇) still fits the search columns.
    let long = "İ".repeat(76);
    let mut tx = store.begin().await.expect("tx");
    tx.clinical()
        .insert_patient(&patient(&long, &long, "long@usc.edu.ph", "21100009"))
        .await
        .expect("long names fit");
    tx.commit().await.expect("commit");

    for (dup, what) in [
        (
            patient("Ana", "Cruz", "21104567@usc.edu.ph", "21100000"),
            "email",
        ),
        (
            patient("Ana", "Cruz", "ana@usc.edu.ph", "21104567"),
            "usc_id",
        ),
    ] {
        let mut tx = store.begin().await.expect("tx");
        match tx.clinical().insert_patient(&dup).await {
            Err(StoreError::Conflict { what: w }) => assert_eq!(w, what),
            other => panic!("expected a {what} conflict, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn the_database_refuses_deleting_a_patient_with_records_and_duplicate_visits() {
    let (_db, store) = setup().await;
    let p = patient("Maria", "Reyes", "m@usc.edu.ph", "21104567");
    let r = record(p.id, 5);
    let mut tx = store.begin().await.expect("tx");
    tx.clinical().insert_patient(&p).await.expect("patient");
    tx.clinical()
        .save_medical_record(&r, true)
        .await
        .expect("record");
    tx.commit().await.expect("commit");

    // Even if a use case forgot to check, the foreign key refuses (RESTRICT).
    let mut tx = store.begin().await.expect("tx");
    let refused = tx.clinical().delete_patient(p.id).await;
    assert!(
        matches!(&refused, Err(StoreError::Conflict { what }) if what == "dependents"),
        "{refused:?}"
    );
    drop(tx);
    let mut tx = store.begin().await.expect("tx");
    let mut twin = record(p.id, 5);
    twin.visit_at = r.visit_at;
    match tx.clinical().save_medical_record(&twin, true).await {
        Err(StoreError::Conflict { what }) => assert_eq!(what, "visit"),
        other => panic!("expected a visit conflict, got {other:?}"),
    }
    drop(tx);
    let back = store
        .medical_record(r.id)
        .await
        .expect("read")
        .expect("found");
    assert_eq!(back.vital_signs.temperature_c, Some(37.8));
    assert_eq!(back.vital_signs.systolic, Some(110));
}

#[tokio::test]
async fn check_constraints_hold_against_raw_sql() {
    let (db, store) = setup().await;
    let p = patient("Maria", "Reyes", "m@usc.edu.ph", "21104567");
    let mut tx = store.begin().await.expect("tx");
    tx.clinical().insert_patient(&p).await.expect("patient");
    tx.commit().await.expect("commit");
    // Sex must be M/F/O even for writers that bypass the domain.
    assert!(
        db.execute_unprepared("UPDATE patients SET sex = '1'")
            .await
            .is_err()
    );
    assert!(
        db.execute_unprepared("UPDATE patients SET blood_type = 'C+'")
            .await
            .is_err()
    );
}

#[tokio::test]
async fn prefix_search_matches_names_emails_and_ids_and_records_list_newest_first() {
    let (db, store) = setup().await;
    let audit = SeaOrmAuditStore::new(db.clone());
    let report = seed_patients(&store, &audit, 300, 3, 11, Utc::now(), &|_| {})
        .await
        .expect("seeded");
    assert_eq!(report.patients, 300);
    assert_eq!(store.patient_count().await.expect("count"), 300);
    let maria = patient("María", "Dela Cruz", "maria.dc@usc.edu.ph", "99104567");
    let mut tx = store.begin().await.expect("tx");
    tx.clinical().insert_patient(&maria).await.expect("patient");
    tx.commit().await.expect("commit");
    let page = PageRequest::new(None, Some(100)).expect("page");
    for term in ["maría", "dela c", "maría dela", "maria.dc@", "99104"] {
        let f = PatientFilter {
            search: Some(term.into()),
            ..PatientFilter::default()
        };
        let found = store.search_patients(&f, page).await.expect("search");
        assert!(found.items.iter().any(|p| p.id == maria.id), "{term}");
        assert!(
            found.items.iter().all(|p| {
                let full =
                    format!("{} {}", p.first_name.as_str(), p.last_name.as_str()).to_lowercase();
                full.starts_with(term)
                    || p.last_name.as_str().to_lowercase().starts_with(term)
                    || p.email
                        .as_ref()
                        .is_some_and(|e| e.as_str().starts_with(term))
                    || p.usc_id
                        .as_ref()
                        .is_some_and(|u| u.as_str().starts_with(term))
            }),
            "only matches for {term}"
        );
    }
    // A patient's records, newest first, paginated.
    let some = store
        .search_patients(&PatientFilter::default(), page)
        .await
        .expect("all")
        .items;
    let with_records = futures_first(&store, &some).await;
    let list = store
        .medical_records(
            &RecordFilter {
                patient_id: Some(with_records),
                ..RecordFilter::default()
            },
            page,
        )
        .await
        .expect("records");
    assert!(list.total > 0);
    assert!(
        list.items
            .windows(2)
            .all(|w| w[0].visit_at >= w[1].visit_at)
    );
    // The page's rows carry the total; a page past the end counts on its own.
    let past = store
        .medical_records(
            &RecordFilter {
                patient_id: Some(with_records),
                ..RecordFilter::default()
            },
            PageRequest::new(Some(50), Some(100)).expect("page"),
        )
        .await
        .expect("records");
    assert_eq!((past.items.len(), past.total), (0, list.total));
}

async fn futures_first(store: &SeaOrmClinicalStore, patients: &[Patient]) -> PatientId {
    for p in patients {
        let f = RecordFilter {
            patient_id: Some(p.id),
            ..RecordFilter::default()
        };
        let page = PageRequest::new(None, Some(1)).expect("page");
        if store
            .medical_records(&f, page)
            .await
            .expect("records")
            .total
            > 1
        {
            return p.id;
        }
    }
    panic!("no seeded patient has two records")
}

/// Every page of a search equals the same page of a brute-force filter and sort of all
/// patients, for terms with few matches (one query sorts them) and with many (one branch
/// per prefix range, united).
#[tokio::test]
async fn search_pages_equal_a_brute_force_sort_for_few_and_many_matches() {
    let (db, store) = setup().await;
    let audit = SeaOrmAuditStore::new(db.clone());
    seed_patients(&store, &audit, 3000, 0, 5, Utc::now(), &|_| {})
        .await
        .expect("seeded");
    let mut all = Vec::new();
    for n in 1.. {
        let page = PageRequest::new(Some(n), Some(100)).expect("page");
        let got = store
            .search_patients(&PatientFilter::default(), page)
            .await
            .expect("list")
            .items;
        if got.is_empty() {
            break;
        }
        all.extend(got);
    }
    assert_eq!(all.len(), 3000);
    let key = |p: &Patient| {
        (
            p.last_name.as_str().to_lowercase(),
            p.first_name.as_str().to_lowercase(),
            p.id.as_uuid(),
        )
    };
    let mut most = 0;
    for term in [
        "a", "m", "ma", "sant", "maria", "dela c", "ana s", "2", "zz",
    ] {
        let mut want: Vec<&Patient> = all
            .iter()
            .filter(|p| {
                let (last, first, _) = key(p);
                last.starts_with(term)
                    || first.starts_with(term)
                    || format!("{first} {last}").starts_with(term)
                    || p.email
                        .as_ref()
                        .is_some_and(|e| e.as_str().starts_with(term))
                    || p.usc_id
                        .as_ref()
                        .is_some_and(|u| u.as_str().starts_with(&term.to_uppercase()))
            })
            .collect();
        want.sort_by_key(|p| key(p));
        most = most.max(want.len());
        let f = PatientFilter {
            search: Some(term.into()),
            ..PatientFilter::default()
        };
        for n in [1, 2, 7] {
            let page = PageRequest::new(Some(n), Some(20)).expect("page");
            let got = store.search_patients(&f, page).await.expect("search");
            assert_eq!(got.total, want.len() as u64, "total for {term:?}");
            let ids: Vec<PatientId> = got.items.iter().map(|p| p.id).collect();
            let expected: Vec<PatientId> = want
                .iter()
                .skip((n as usize - 1) * 20)
                .take(20)
                .map(|p| p.id)
                .collect();
            assert_eq!(ids, expected, "page {n} of {term:?}");
        }
    }
    assert!(most > 400, "a term with many matches was tried ({most})");
}
