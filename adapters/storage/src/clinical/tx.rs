//! Writes in the unit of work: `ClinicalOps`.

use super::*;

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
                changed_fields: Set(json!(r.changed_fields()).to_string()),
                changes: Set(Some(changes_json(&r.changes))),
            },
            true,
        )
        .await
    }

    async fn insert_patient_revision(&mut self, r: &Revision) -> Result<(), StoreError> {
        let last = patient_revisions::Entity::find()
            .filter(patient_revisions::Column::PatientId.eq(r.record_id))
            .order_by_desc(patient_revisions::Column::Version)
            .one(&self.tx)
            .await
            .map_err(map_db_err)?
            .map_or(0, |m| m.version);
        save(
            &self.tx,
            patient_revisions::ActiveModel {
                id: Set(uuid::Uuid::now_v7()),
                patient_id: Set(r.record_id),
                version: Set(last + 1),
                changed_by: Set(r.changed_by.as_uuid()),
                changed_at: Set(r.changed_at),
                changes: Set(changes_json(&r.changes)),
            },
            true,
        )
        .await
    }

    async fn patients_born_on(&mut self, day: NaiveDate) -> Result<Vec<Patient>, StoreError> {
        patients::Entity::find()
            .filter(patients::Column::DateOfBirth.eq(day))
            .order_by_asc(patients::Column::Id)
            .all(&self.tx)
            .await
            .map_err(map_db_err)?
            .into_iter()
            .map(patient_from)
            .collect()
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
        find_template(&self.tx, id, false).await
    }

    async fn lock_template(
        &mut self,
        id: TemplateId,
    ) -> Result<Option<CertificateTemplate>, StoreError> {
        find_template(&self.tx, id, true).await
    }

    async fn insert_template(&mut self, t: &CertificateTemplate) -> Result<(), StoreError> {
        save(&self.tx, template_row(t), true).await
    }

    async fn update_template(&mut self, t: &CertificateTemplate) -> Result<(), StoreError> {
        save(&self.tx, template_row(t), false).await
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

    async fn delete_document(
        &mut self,
        patient: PatientId,
        id: DocumentId,
    ) -> Result<Option<PatientDocument>, StoreError> {
        let q = patient_documents::Entity::find_by_id(id.as_uuid())
            .filter(patient_documents::Column::PatientId.eq(patient.as_uuid()));
        let Some(doc) = one(&self.tx, q, true, document_from).await? else {
            return Ok(None);
        };
        patient_documents::Entity::delete_by_id(id.as_uuid())
            .exec(&self.tx)
            .await
            .map_err(map_db_err)?;
        Ok(Some(doc))
    }
}
