//! Reads on the pool: `ClinicalStore`.

use super::*;

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
        if let Some(term) = &f.search {
            return super::search::by_prefix(self.db.connection(), term, cond, page).await;
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
        crate::query::fetch_page_as(
            f.patient_id.is_some(),
            self.db.connection(),
            q,
            page,
            medical_from,
        )
        .await
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
        crate::query::fetch_page_as(
            f.patient_id.is_some(),
            self.db.connection(),
            q,
            page,
            dental_from,
        )
        .await
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

    async fn patient_revisions(&self, id: PatientId) -> Result<Vec<Revision>, StoreError> {
        patient_revisions::Entity::find()
            .filter(patient_revisions::Column::PatientId.eq(id.as_uuid()))
            .order_by_asc(patient_revisions::Column::Version)
            .all(self.db.connection())
            .await
            .map_err(map_db_err)?
            .into_iter()
            .map(patient_revision_from)
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
        match f.status {
            // Revoked ones are approved ones with a revocation beside.
            Some(CertificateStatus::Revoked) => {
                cond = cond.add(medical_certificates::Column::RevokedAt.is_not_null());
            }
            Some(s) => {
                cond = cond
                    .add(medical_certificates::Column::Status.eq(s.as_str()))
                    .add(medical_certificates::Column::RevokedAt.is_null());
            }
            None => {}
        }
        let q = medical_certificates::Entity::find()
            .filter(cond)
            .order_by_desc(medical_certificates::Column::CreatedAt)
            .order_by_desc(medical_certificates::Column::Id);
        crate::query::fetch_page(self.db.connection(), q, page, certificate_from).await
    }

    async fn template(&self, id: TemplateId) -> Result<Option<CertificateTemplate>, StoreError> {
        find_template(self.db.connection(), id, false).await
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

    async fn signer(&self, user: UserId) -> Result<Option<(String, Option<String>)>, StoreError> {
        Ok(users::Entity::find_by_id(user.as_uuid())
            .one(self.db.connection())
            .await
            .map_err(map_db_err)?
            .map(|u| {
                (
                    format!("{} {}", u.first_name, u.last_name),
                    u.license_number,
                )
            }))
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
