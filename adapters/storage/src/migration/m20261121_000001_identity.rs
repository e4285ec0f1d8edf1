//! Identity, audit and outbox tables.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

const ROLES: [&str; 7] = [
    "ADMIN", "STAFF", "DOCTOR", "DENTIST", "NURSE", "STUDENT", "FACULTY",
];

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    PasswordHash,
    Role,
    FirstName,
    LastName,
    MiddleName,
    UscId,
    Course,
    YearLevel,
    Campus,
    Phone,
    Department,
    IsActive,
    IsVerified,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SafeEmails {
    Table,
    Id,
    Email,
    Role,
    IsActive,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum EmailVerifications {
    Table,
    UserId,
    CodeHash,
    IssuedAt,
    ExpiresAt,
    Attempts,
    WindowStart,
    IssuedInWindow,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum PasswordResets {
    Table,
    Id,
    UserId,
    TokenHash,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum LoginFailures {
    Table,
    Id,
    Key,
    At,
}

#[derive(DeriveIden)]
enum ThrottleKeys {
    Table,
    Key,
    TouchedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Seq,
    Id,
    At,
    ActorId,
    Action,
    Entity,
    EntityId,
    SubjectId,
    Outcome,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum AuditHead {
    Table,
    Id,
    Seq,
    Hash,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Id,
    ToAddr,
    Subject,
    BodyText,
    BodyHtml,
    Status,
    Attempts,
    NextAttemptAt,
    LockedUntil,
    LastError,
    CreatedAt,
    SentAt,
}

fn fk(
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .take()
}

/// The migration.
pub struct Migration;

// Recorded as "migration": it used `DeriveMigrationName`, which names a migration after its
// source file's stem, and it lived in `migration.rs`. Existing databases list it under that
// name, so it keeps it (a new name would make them apply it again).
impl MigrationName for Migration {
    fn name(&self) -> &str {
        "migration"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(pk_uuid(Users::Id))
                .col(string_len(Users::Email, 254))
                .col(string(Users::PasswordHash))
                .col(string_len(Users::Role, 10).check(Expr::col(Users::Role).is_in(ROLES)))
                .col(string_len(Users::FirstName, 150))
                .col(string_len(Users::LastName, 150))
                .col(string_len_null(Users::MiddleName, 150))
                .col(string_len_null(Users::UscId, 20))
                .col(small_integer_null(Users::Course))
                .col(small_integer_null(Users::YearLevel))
                .col(string_len_null(Users::Campus, 20))
                .col(string_len_null(Users::Phone, 15))
                .col(string_len_null(Users::Department, 100))
                .col(boolean(Users::IsActive))
                .col(boolean(Users::IsVerified))
                .col(timestamp_with_time_zone(Users::CreatedAt))
                .col(timestamp_with_time_zone(Users::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_users_email")
                .table(Users::Table)
                .col(Users::Email)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_users_usc_id")
                .table(Users::Table)
                .col(Users::UscId)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(SafeEmails::Table)
                .col(pk_uuid(SafeEmails::Id))
                .col(string_len(SafeEmails::Email, 254))
                .col(
                    string_len(SafeEmails::Role, 10)
                        .check(Expr::col(SafeEmails::Role).is_in(ROLES)),
                )
                .col(boolean(SafeEmails::IsActive))
                .col(timestamp_with_time_zone(SafeEmails::CreatedAt))
                .col(timestamp_with_time_zone(SafeEmails::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_safe_emails_safe_email")
                .table(SafeEmails::Table)
                .col(SafeEmails::Email)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(EmailVerifications::Table)
                .col(pk_uuid(EmailVerifications::UserId))
                .col(string_len(EmailVerifications::CodeHash, 64))
                .col(timestamp_with_time_zone(EmailVerifications::IssuedAt))
                .col(timestamp_with_time_zone(EmailVerifications::ExpiresAt))
                .col(
                    integer(EmailVerifications::Attempts)
                        .check(Expr::col(EmailVerifications::Attempts).gte(0)),
                )
                .col(timestamp_with_time_zone(EmailVerifications::WindowStart))
                .col(
                    integer(EmailVerifications::IssuedInWindow)
                        .check(Expr::col(EmailVerifications::IssuedInWindow).gte(0)),
                )
                .foreign_key(&mut fk(
                    (EmailVerifications::Table, EmailVerifications::UserId),
                    (Users::Table, Users::Id),
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(pk_uuid(Sessions::Id))
                .col(uuid(Sessions::UserId))
                .col(string_len(Sessions::TokenHash, 64))
                .col(timestamp_with_time_zone(Sessions::CreatedAt))
                .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                .col(timestamp_with_time_zone_null(Sessions::RevokedAt))
                .foreign_key(&mut fk(
                    (Sessions::Table, Sessions::UserId),
                    (Users::Table, Users::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_sessions_token_hash")
                .table(Sessions::Table)
                .col(Sessions::TokenHash)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_sessions_user")
                .table(Sessions::Table)
                .col(Sessions::UserId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PasswordResets::Table)
                .col(pk_uuid(PasswordResets::Id))
                .col(uuid(PasswordResets::UserId))
                .col(string_len(PasswordResets::TokenHash, 64))
                .col(timestamp_with_time_zone(PasswordResets::ExpiresAt))
                .col(timestamp_with_time_zone_null(PasswordResets::UsedAt))
                .col(timestamp_with_time_zone(PasswordResets::CreatedAt))
                .foreign_key(&mut fk(
                    (PasswordResets::Table, PasswordResets::UserId),
                    (Users::Table, Users::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_password_resets_token_hash")
                .table(PasswordResets::Table)
                .col(PasswordResets::TokenHash)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(LoginFailures::Table)
                .col(pk_uuid(LoginFailures::Id))
                .col(string_len(LoginFailures::Key, 300))
                .col(timestamp_with_time_zone(LoginFailures::At))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_login_failures_key_at")
                .table(LoginFailures::Table)
                .col(LoginFailures::Key)
                .col(LoginFailures::At)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ThrottleKeys::Table)
                .col(string_len(ThrottleKeys::Key, 300).primary_key())
                .col(timestamp_with_time_zone(ThrottleKeys::TouchedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .col(
                    big_integer(AuditLog::Seq)
                        .primary_key()
                        .check(Expr::col(AuditLog::Seq).gt(0)),
                )
                .col(uuid_uniq(AuditLog::Id))
                .col(timestamp_with_time_zone(AuditLog::At))
                .col(uuid_null(AuditLog::ActorId))
                .col(string_len(AuditLog::Action, 64))
                .col(string_len(AuditLog::Entity, 64))
                .col(string_len_null(AuditLog::EntityId, 64))
                .col(uuid_null(AuditLog::SubjectId))
                .col(
                    string_len(AuditLog::Outcome, 10)
                        .check(Expr::col(AuditLog::Outcome).is_in(["success", "denied", "failed"])),
                )
                .col(string_len(AuditLog::PrevHash, 64))
                .col(string_len(AuditLog::Hash, 64))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_audit_log_prev_hash")
                .table(AuditLog::Table)
                .col(AuditLog::PrevHash)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_audit_log_actor")
                .table(AuditLog::Table)
                .col(AuditLog::ActorId)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_audit_log_subject")
                .table(AuditLog::Table)
                .col(AuditLog::SubjectId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AuditHead::Table)
                .col(
                    integer(AuditHead::Id)
                        .primary_key()
                        .check(Expr::col(AuditHead::Id).eq(1)),
                )
                .col(big_integer(AuditHead::Seq))
                .col(string_len(AuditHead::Hash, 64))
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table(AuditHead::Table)
                .columns([AuditHead::Id, AuditHead::Seq, AuditHead::Hash])
                .values_panic([1.into(), 0i64.into(), domain::audit::GENESIS_HASH.into()])
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Outbox::Table)
                .col(pk_uuid(Outbox::Id))
                .col(string_len(Outbox::ToAddr, 254))
                .col(string_len(Outbox::Subject, 300))
                .col(text(Outbox::BodyText))
                .col(text_null(Outbox::BodyHtml))
                .col(
                    string_len(Outbox::Status, 10)
                        .check(Expr::col(Outbox::Status).is_in(["pending", "sent", "failed"])),
                )
                .col(integer(Outbox::Attempts).check(Expr::col(Outbox::Attempts).gte(0)))
                .col(timestamp_with_time_zone(Outbox::NextAttemptAt))
                .col(timestamp_with_time_zone_null(Outbox::LockedUntil))
                .col(text_null(Outbox::LastError))
                .col(timestamp_with_time_zone(Outbox::CreatedAt))
                .col(timestamp_with_time_zone_null(Outbox::SentAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_outbox_due")
                .table(Outbox::Table)
                .col(Outbox::Status)
                .col(Outbox::NextAttemptAt)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            Outbox::Table.into_iden(),
            AuditHead::Table.into_iden(),
            AuditLog::Table.into_iden(),
            ThrottleKeys::Table.into_iden(),
            LoginFailures::Table.into_iden(),
            PasswordResets::Table.into_iden(),
            Sessions::Table.into_iden(),
            EmailVerifications::Table.into_iden(),
            SafeEmails::Table.into_iden(),
            Users::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
