//! Job leases: a row per background job naming the instance that runs it until when.

use application::StoreError;
use application::jobs::JobLease;
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter};

use crate::Database;
use crate::entities::job_leases;
use crate::error::map_db_err;

#[async_trait]
impl JobLease for Database {
    async fn try_lease(
        &self,
        job: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (_turn, tx) = self.begin_write().await?;
        job_leases::Entity::insert(job_leases::ActiveModel {
            job: Set(job.to_owned()),
            holder: Set(String::new()),
            lease_until: Set(now - Duration::seconds(1)),
        })
        .on_conflict(
            OnConflict::column(job_leases::Column::Job)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&tx)
        .await
        .map_err(map_db_err)?;
        // The conditional update is the lease: of two instances, one matches.
        let r = job_leases::Entity::update_many()
            .col_expr(job_leases::Column::Holder, Expr::value(holder))
            .col_expr(job_leases::Column::LeaseUntil, Expr::value(until))
            .filter(job_leases::Column::Job.eq(job))
            .filter(
                Condition::any()
                    .add(job_leases::Column::LeaseUntil.lt(now))
                    .add(job_leases::Column::Holder.eq(holder)),
            )
            .exec(&tx)
            .await
            .map_err(map_db_err)?;
        tx.commit().await.map_err(map_db_err)?;
        Ok(r.rows_affected == 1)
    }
}
