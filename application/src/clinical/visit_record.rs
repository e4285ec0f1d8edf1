//! [`VisitRecord`]: what the record use cases need to know of a kind of visit record, so
//! that listing, reading, creating, changing and deleting are written once for medical
//! and dental records alike.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::clinical::{DentalRecord, MedicalRecord, Medication, RecordErrors, Revision};
use domain::paging::{Page, PageRequest};
use domain::policy::Action;
use domain::{DentalRecordId, MedicalRecordId, PatientId, UserId};

use super::inputs::{DentalRecordInput, MedicalRecordInput};
use super::ports::{ClinicalOps, ClinicalStore, RecordFilter};
use crate::store::StoreError;

/// A kind of visit record: its names, who may write it, its domain rules and where it is
/// stored. Implemented by [`MedicalRecord`] and [`DentalRecord`]; the use cases
/// (`ClinicalService::list_records`, `get_record`, `create_record`, `update_record`,
/// `delete_record`) take it as a type parameter.
#[async_trait]
pub trait VisitRecord: Clone + Send + Sync + Sized + 'static {
    /// The record's id type.
    type Id: Copy + std::fmt::Display + Send + Sync + 'static;
    /// The fields as sent (checked by [`VisitRecord::build`] and [`VisitRecord::edit`]).
    type Input: Send + 'static;
    /// Entity name in audit entries (`medical_record`); actions are `<KIND>s.<verb>`.
    const KIND: &'static str;
    /// Name in "not found" answers (`medical record`).
    const WHAT: &'static str;
    /// The policy action that creates, changes and deletes it.
    const WRITE: Action;

    /// A new record (version 1) under the domain's rules, or every refused field.
    fn build(input: Self::Input, author: UserId, now: DateTime<Utc>) -> Result<Self, RecordErrors>;
    /// Applies an edit under the same rules; the revision to keep, `None` when nothing
    /// changed.
    fn edit(
        &mut self,
        input: Self::Input,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<Revision>, RecordErrors>;
    /// Whether an edit gives substances the allergy check weighs (medications, a
    /// dental anaesthetic), and the override reason it sends.
    fn entered(input: &Self::Input) -> (bool, &Option<String>);
    /// The record's id.
    fn id(&self) -> Self::Id;
    /// Whose record.
    fn patient_id(&self) -> PatientId;
    /// Medications given or prescribed.
    fn medications(&self) -> &[Medication];
    /// What the allergy check weighs: the medications and, for a dental visit, the
    /// anaesthetic.
    fn checked_substances(&self) -> Vec<Medication>;
    /// Why a medication matching an allergy was given anyway.
    fn override_reason(&self) -> &Option<String>;

    /// Reads one on the pool.
    async fn find(store: &dyn ClinicalStore, id: Self::Id) -> Result<Option<Self>, StoreError>;
    /// A page of them on the pool, newest visit first.
    async fn search(
        store: &dyn ClinicalStore,
        filter: &RecordFilter,
        page: PageRequest,
    ) -> Result<Page<Self>, StoreError>;
    /// Reads one in a transaction, locked.
    async fn load(ops: &mut dyn ClinicalOps, id: Self::Id) -> Result<Option<Self>, StoreError>;
    /// Inserts (`insert`) or saves it in a transaction.
    async fn save(&self, ops: &mut dyn ClinicalOps, insert: bool) -> Result<(), StoreError>;
    /// Deletes one in a transaction.
    async fn delete(ops: &mut dyn ClinicalOps, id: Self::Id) -> Result<(), StoreError>;

    /// The reason an edit's allergy check weighs: only when the edit gives substances,
    /// and only the reason the edit itself sends.
    fn edit_gate(input: &Self::Input) -> Option<Option<String>> {
        let (substances, reason) = Self::entered(input);
        substances.then(|| reason.clone().filter(|s| !s.trim().is_empty()))
    }
}

/// Implements [`VisitRecord`] for a record type from its names and its store methods
/// (the two kinds differ only in these).
macro_rules! visit_record {
    ($record:ty, $id:ty, $input:ty, $kind:literal, $what:literal, $write:expr,
     $find:ident, $search:ident, $save:ident, $delete:ident) => {
        #[async_trait]
        impl VisitRecord for $record {
            type Id = $id;
            type Input = $input;
            const KIND: &'static str = $kind;
            const WHAT: &'static str = $what;
            const WRITE: Action = $write;

            fn build(
                input: Self::Input,
                author: UserId,
                now: DateTime<Utc>,
            ) -> Result<Self, RecordErrors> {
                <$record>::new(<$id>::new(), input, author, now)
            }
            fn edit(
                &mut self,
                input: Self::Input,
                by: UserId,
                now: DateTime<Utc>,
            ) -> Result<Option<Revision>, RecordErrors> {
                <$record>::edit(self, input, by, now)
            }
            fn entered(input: &Self::Input) -> (bool, &Option<String>) {
                (input.names_substances(), &input.override_reason)
            }
            fn id(&self) -> Self::Id {
                self.id
            }
            fn patient_id(&self) -> PatientId {
                self.patient_id
            }
            fn medications(&self) -> &[Medication] {
                &self.medications
            }
            fn checked_substances(&self) -> Vec<Medication> {
                <$record>::checked_substances(self)
            }
            fn override_reason(&self) -> &Option<String> {
                &self.override_reason
            }
            async fn find(
                store: &dyn ClinicalStore,
                id: Self::Id,
            ) -> Result<Option<Self>, StoreError> {
                store.$find(id).await
            }
            async fn search(
                store: &dyn ClinicalStore,
                filter: &RecordFilter,
                page: PageRequest,
            ) -> Result<Page<Self>, StoreError> {
                store.$search(filter, page).await
            }
            async fn load(
                ops: &mut dyn ClinicalOps,
                id: Self::Id,
            ) -> Result<Option<Self>, StoreError> {
                ops.$find(id).await
            }
            async fn save(
                &self,
                ops: &mut dyn ClinicalOps,
                insert: bool,
            ) -> Result<(), StoreError> {
                ops.$save(self, insert).await
            }
            async fn delete(ops: &mut dyn ClinicalOps, id: Self::Id) -> Result<(), StoreError> {
                ops.$delete(id).await
            }
        }
    };
}

visit_record!(
    MedicalRecord,
    MedicalRecordId,
    MedicalRecordInput,
    "medical_record",
    "medical record",
    Action::WriteMedicalRecords,
    medical_record,
    medical_records,
    save_medical_record,
    delete_medical_record
);
visit_record!(
    DentalRecord,
    DentalRecordId,
    DentalRecordInput,
    "dental_record",
    "dental record",
    Action::WriteDentalRecords,
    dental_record,
    dental_records,
    save_dental_record,
    delete_dental_record
);
