//! Writes in the unit of work: `IdentityOps`.

use super::*;

#[async_trait]
impl IdentityOps for SeaOrmUnitOfWork {
    async fn user_by_email(
        &mut self,
        email: &EmailAddress,
    ) -> Result<Option<UserRecord>, StoreError> {
        user_by_email(&self.tx, email, true).await
    }

    async fn user_by_id(&mut self, id: UserId) -> Result<Option<UserRecord>, StoreError> {
        user_by_id(&self.tx, id, true).await
    }

    async fn insert_user(&mut self, user: &User, hash: &PasswordHash) -> Result<(), StoreError> {
        let mut am = user_to_active(user);
        am.password_hash = Set(hash.as_str().to_owned());
        users::Entity::insert(am)
            .exec_without_returning(&self.tx)
            .await
            .map_err(map_db_err)?;
        Ok(())
    }

    async fn update_user(&mut self, user: &User) -> Result<(), StoreError> {
        self.touches_sessions = true;
        users::Entity::update(user_to_active(user))
            .exec(&self.tx)
            .await
            .map_err(map_db_err)?;
        Ok(())
    }

    async fn set_password(
        &mut self,
        id: UserId,
        hash: &PasswordHash,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.touches_sessions = true;
        users::Entity::update_many()
            .col_expr(users::Column::PasswordHash, Expr::value(hash.as_str()))
            .col_expr(users::Column::UpdatedAt, Expr::value(now))
            .filter(users::Column::Id.eq(id.as_uuid()))
            .exec(&self.tx)
            .await
            .map_err(map_db_err)?;
        Ok(())
    }

    async fn list_users(
        &mut self,
        filter: &UserFilter,
        page: PageRequest,
    ) -> Result<Page<User>, StoreError> {
        let mut cond = Condition::all();
        if let Some(s) = filter
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let lower = |c: users::Column| Expr::expr(Func::lower(Expr::col(c)));
            cond = cond.add(
                Condition::any()
                    .add(lower(users::Column::Email).like(like_pattern(s)))
                    .add(lower(users::Column::FirstName).like(like_pattern(s)))
                    .add(lower(users::Column::LastName).like(like_pattern(s)))
                    .add(lower(users::Column::UscId).like(like_pattern(s))),
            );
        }
        if let Some(r) = filter.role {
            cond = cond.add(users::Column::Role.eq(r.as_str()));
        }
        if let Some(a) = filter.active {
            cond = cond.add(users::Column::IsActive.eq(a));
        }
        if let Some(v) = filter.verified {
            cond = cond.add(users::Column::IsVerified.eq(v));
        }
        let query = users::Entity::find().filter(cond);
        let query = query
            .order_by_asc(users::Column::LastName)
            .order_by_asc(users::Column::FirstName)
            .order_by_asc(users::Column::Email);
        crate::query::fetch_page(&self.tx, query, page, |r| user_from_row(r).map(|u| u.user)).await
    }

    async fn safe_email(&mut self, email: &EmailAddress) -> Result<Option<SafeEmail>, StoreError> {
        safe_emails::Entity::find()
            .filter(safe_emails::Column::Email.eq(email.as_str()))
            .one(&self.tx)
            .await
            .map_err(map_db_err)?
            .map(safe_from_row)
            .transpose()
    }

    async fn list_safe_emails(&mut self, page: PageRequest) -> Result<Page<SafeEmail>, StoreError> {
        let query = safe_emails::Entity::find().order_by_asc(safe_emails::Column::Email);
        crate::query::fetch_page(&self.tx, query, page, safe_from_row).await
    }

    async fn save_safe_email(&mut self, e: &SafeEmail, insert: bool) -> Result<(), StoreError> {
        let am = safe_emails::ActiveModel {
            id: Set(e.id.as_uuid()),
            email: Set(e.email.as_str().to_owned()),
            role: Set(e.role.as_str().to_owned()),
            is_active: Set(e.is_active),
            created_at: Set(e.created_at),
            updated_at: Set(e.updated_at),
        };
        if insert {
            safe_emails::Entity::insert(am)
                .exec_without_returning(&self.tx)
                .await
                .map_err(map_db_err)?;
        } else {
            safe_emails::Entity::update(am)
                .exec(&self.tx)
                .await
                .map_err(map_db_err)?;
        }
        Ok(())
    }

    async fn delete_safe_email(&mut self, id: SafeEmailId) -> Result<bool, StoreError> {
        let r = safe_emails::Entity::delete_by_id(id.as_uuid())
            .exec(&self.tx)
            .await
            .map_err(map_db_err)?;
        Ok(r.rows_affected > 0)
    }

    async fn verification_code(
        &mut self,
        user: UserId,
    ) -> Result<Option<VerificationCode>, StoreError> {
        Ok(locked(
            email_verifications::Entity::find_by_id(user.as_uuid()),
            true,
        )
        .one(&self.tx)
        .await
        .map_err(map_db_err)?
        .map(|m| VerificationCode {
            code_hash: m.code_hash,
            issued_at: m.issued_at,
            expires_at: m.expires_at,
            attempts: u32::try_from(m.attempts).unwrap_or(u32::MAX),
            window_start: m.window_start,
            issued_in_window: u32::try_from(m.issued_in_window).unwrap_or(u32::MAX),
        }))
    }

    async fn put_verification_code(
        &mut self,
        user: UserId,
        code: &VerificationCode,
    ) -> Result<(), StoreError> {
        let am = email_verifications::ActiveModel {
            user_id: Set(user.as_uuid()),
            code_hash: Set(code.code_hash.clone()),
            issued_at: Set(code.issued_at),
            expires_at: Set(code.expires_at),
            attempts: Set(i32::try_from(code.attempts).unwrap_or(i32::MAX)),
            window_start: Set(code.window_start),
            issued_in_window: Set(i32::try_from(code.issued_in_window).unwrap_or(i32::MAX)),
        };
        email_verifications::Entity::insert(am)
            .on_conflict(
                OnConflict::column(email_verifications::Column::UserId)
                    .update_columns([
                        email_verifications::Column::CodeHash,
                        email_verifications::Column::IssuedAt,
                        email_verifications::Column::ExpiresAt,
                        email_verifications::Column::Attempts,
                        email_verifications::Column::WindowStart,
                        email_verifications::Column::IssuedInWindow,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&self.tx)
            .await
            .map_err(map_db_err)?;
        Ok(())
    }

    async fn delete_verification_code(&mut self, user: UserId) -> Result<(), StoreError> {
        email_verifications::Entity::delete_by_id(user.as_uuid())
            .exec(&self.tx)
            .await
            .map_err(map_db_err)?;
        Ok(())
    }

    async fn insert_session(&mut self, s: &Session) -> Result<(), StoreError> {
        let am = sessions::ActiveModel {
            id: Set(s.id.as_uuid()),
            user_id: Set(s.user_id.as_uuid()),
            token_hash: Set(s.token_hash.clone()),
            created_at: Set(s.created_at),
            expires_at: Set(s.expires_at),
            revoked_at: Set(None),
        };
        sessions::Entity::insert(am)
            .exec_without_returning(&self.tx)
            .await
            .map_err(map_db_err)?;
        Ok(())
    }

    async fn revoke_session(
        &mut self,
        id: SessionId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.touches_sessions = true;
        sessions::Entity::update_many()
            .col_expr(sessions::Column::RevokedAt, Expr::value(now))
            .filter(sessions::Column::Id.eq(id.as_uuid()))
            .filter(sessions::Column::RevokedAt.is_null())
            .exec(&self.tx)
            .await
            .map_err(map_db_err)?;
        Ok(())
    }

    async fn revoke_sessions(
        &mut self,
        user: UserId,
        keep: Option<SessionId>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.touches_sessions = true;
        let mut q = sessions::Entity::update_many()
            .col_expr(sessions::Column::RevokedAt, Expr::value(now))
            .filter(sessions::Column::UserId.eq(user.as_uuid()))
            .filter(sessions::Column::RevokedAt.is_null());
        if let Some(k) = keep {
            q = q.filter(sessions::Column::Id.ne(k.as_uuid()));
        }
        q.exec(&self.tx).await.map_err(map_db_err)?;
        // Expired sessions of this user are of no further use: keep the table small.
        sessions::Entity::delete_many()
            .filter(sessions::Column::UserId.eq(user.as_uuid()))
            .filter(sessions::Column::ExpiresAt.lt(now - Duration::days(30)))
            .exec(&self.tx)
            .await
            .map_err(map_db_err)?;
        Ok(())
    }

    async fn insert_reset_token(
        &mut self,
        user: UserId,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let am = password_resets::ActiveModel {
            id: Set(Uuid::now_v7()),
            user_id: Set(user.as_uuid()),
            token_hash: Set(token_hash.to_owned()),
            expires_at: Set(expires_at),
            used_at: Set(None),
            created_at: Set(now),
        };
        password_resets::Entity::insert(am)
            .exec_without_returning(&self.tx)
            .await
            .map_err(map_db_err)?;
        Ok(())
    }

    async fn last_reset_request(
        &mut self,
        user: UserId,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(password_resets::Entity::find()
            .filter(password_resets::Column::UserId.eq(user.as_uuid()))
            .order_by_desc(password_resets::Column::CreatedAt)
            .one(&self.tx)
            .await
            .map_err(map_db_err)?
            .map(|r| r.created_at))
    }

    async fn invalidate_reset_tokens(
        &mut self,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        password_resets::Entity::update_many()
            .col_expr(password_resets::Column::UsedAt, Expr::value(now))
            .filter(password_resets::Column::UserId.eq(user.as_uuid()))
            .filter(password_resets::Column::UsedAt.is_null())
            .exec(&self.tx)
            .await
            .map_err(map_db_err)?;
        Ok(())
    }

    async fn consume_reset_token(
        &mut self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<UserId>, StoreError> {
        let r = password_resets::Entity::update_many()
            .col_expr(password_resets::Column::UsedAt, Expr::value(now))
            .filter(password_resets::Column::TokenHash.eq(token_hash))
            .filter(password_resets::Column::UsedAt.is_null())
            .filter(password_resets::Column::ExpiresAt.gt(now))
            .exec(&self.tx)
            .await
            .map_err(map_db_err)?;
        if r.rows_affected != 1 {
            return Ok(None);
        }
        Ok(password_resets::Entity::find()
            .filter(password_resets::Column::TokenHash.eq(token_hash))
            .one(&self.tx)
            .await
            .map_err(map_db_err)?
            .map(|m| UserId::from_uuid(m.user_id)))
    }

    async fn lock_throttle_keys(
        &mut self,
        keys: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut sorted: Vec<&String> = keys.iter().collect();
        sorted.sort(); // one lock order everywhere: no deadlocks between two logins
        for key in sorted {
            let am = throttle_keys::ActiveModel {
                key: Set(key.clone()),
                touched_at: Set(now),
            };
            // An upsert takes the row lock (PostgreSQL) until commit.
            throttle_keys::Entity::insert(am)
                .on_conflict(
                    OnConflict::column(throttle_keys::Column::Key)
                        .update_column(throttle_keys::Column::TouchedAt)
                        .to_owned(),
                )
                .exec_without_returning(&self.tx)
                .await
                .map_err(map_db_err)?;
            login_failures::Entity::delete_many()
                .filter(login_failures::Column::Key.eq(key.as_str()))
                .filter(login_failures::Column::At.lt(now - Duration::days(1)))
                .exec(&self.tx)
                .await
                .map_err(map_db_err)?;
        }
        Ok(())
    }

    async fn login_failures(
        &mut self,
        keys: &[String],
        since: DateTime<Utc>,
    ) -> Result<Vec<(String, DateTime<Utc>)>, StoreError> {
        Ok(login_failures::Entity::find()
            .filter(login_failures::Column::Key.is_in(keys.iter().map(String::as_str)))
            .filter(login_failures::Column::At.gt(since))
            .all(&self.tx)
            .await
            .map_err(map_db_err)?
            .into_iter()
            .map(|m| (m.key, m.at))
            .collect())
    }

    async fn record_login_failure(
        &mut self,
        key: &str,
        at: DateTime<Utc>,
    ) -> Result<Uuid, StoreError> {
        let id = Uuid::now_v7();
        let am = login_failures::ActiveModel {
            id: Set(id),
            key: Set(key.to_owned()),
            at: Set(at),
        };
        login_failures::Entity::insert(am)
            .exec_without_returning(&self.tx)
            .await
            .map_err(map_db_err)?;
        Ok(id)
    }

    async fn delete_login_failures(&mut self, ids: &[Uuid]) -> Result<(), StoreError> {
        login_failures::Entity::delete_many()
            .filter(login_failures::Column::Id.is_in(ids.iter().copied()))
            .exec(&self.tx)
            .await
            .map_err(map_db_err)?;
        Ok(())
    }

    async fn clear_login_failures(&mut self, key: &str) -> Result<(), StoreError> {
        login_failures::Entity::delete_many()
            .filter(login_failures::Column::Key.eq(key))
            .exec(&self.tx)
            .await
            .map_err(map_db_err)?;
        Ok(())
    }
}
