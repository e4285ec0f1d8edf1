//! Reads on the pool: `IdentityStore`.

use super::*;

#[async_trait]
impl IdentityStore for SeaOrmIdentityStore {
    async fn begin(&self) -> Result<Box<dyn UnitOfWork>, StoreError> {
        self.db.begin_unit().await
    }

    async fn session_user(&self, token_hash: &str) -> Result<Option<(Session, User)>, StoreError> {
        if let Some(hit) = self.db.session_cache().get(token_hash) {
            return Ok(Some(hit));
        }
        let generation = self.db.session_cache().generation();
        let found = sessions::Entity::find()
            .filter(sessions::Column::TokenHash.eq(token_hash))
            .filter(sessions::Column::RevokedAt.is_null())
            .find_also_related(users::Entity)
            .one(self.db.connection())
            .await
            .map_err(map_db_err)?;
        let Some((s, Some(u))) = found else {
            return Ok(None);
        };
        let session = Session {
            id: SessionId::from_uuid(s.id),
            user_id: UserId::from_uuid(s.user_id),
            token_hash: s.token_hash,
            created_at: s.created_at,
            expires_at: s.expires_at,
        };
        let value = (session, user_from_row(u)?.user);
        self.db.session_cache().put(generation, token_hash, &value);
        Ok(Some(value))
    }

    async fn user_by_email(&self, email: &EmailAddress) -> Result<Option<UserRecord>, StoreError> {
        user_by_email(self.db.connection(), email, false).await
    }

    async fn user_by_id(&self, id: UserId) -> Result<Option<UserRecord>, StoreError> {
        user_by_id(self.db.connection(), id, false).await
    }

    async fn reset_token_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<UserId>, StoreError> {
        Ok(password_resets::Entity::find()
            .filter(password_resets::Column::TokenHash.eq(token_hash))
            .filter(password_resets::Column::UsedAt.is_null())
            .filter(password_resets::Column::ExpiresAt.gt(now))
            .one(self.db.connection())
            .await
            .map_err(map_db_err)?
            .map(|r| UserId::from_uuid(r.user_id)))
    }

    async fn count_users(&self) -> Result<u64, StoreError> {
        users::Entity::find()
            .count(self.db.connection())
            .await
            .map_err(map_db_err)
    }
}
