//! Use-case tests with mockall ports: what each use case asks of storage, mail and the
//! hasher, and what it refuses to do. No I/O.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use domain::audit::Outcome;
use domain::identity::{EmailAddress, PasswordHash, PersonName, Role, User};
use domain::paging::PageRequest;
use domain::policy::Actor;
use domain::{SafeEmailId, SessionId, UserId};

use super::ports::{MockIdentityStore, MockPasswordHasher, SafeEmail, Session};
use super::service::{IdentityConfig, IdentityService, LoginCommand, RegisterCommand};
use crate::clock::MockClock;
use crate::identity::UserFilter;
use crate::unit_of_work::MockTx;
use crate::{AppError, ErrorCode};

fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).expect("valid")
}

fn clock() -> Arc<MockClock> {
    let mut c = MockClock::new();
    c.expect_now().returning(t0);
    Arc::new(c)
}

fn hasher() -> Arc<MockPasswordHasher> {
    let mut h = MockPasswordHasher::new();
    h.expect_hash()
        .returning(|p| Ok(PasswordHash::new(format!("h:{}", p.expose()))));
    Arc::new(h)
}

fn service(store: MockIdentityStore, hasher: Arc<MockPasswordHasher>) -> IdentityService {
    IdentityService::new(Arc::new(store), hasher, clock(), IdentityConfig::default())
}

fn store_with(tx: MockTx) -> MockIdentityStore {
    let mut store = MockIdentityStore::new();
    let mut slot = Some(tx);
    store
        .expect_begin()
        .times(1)
        .returning(move || Ok(Box::new(slot.take().expect("one transaction"))));
    store
}

fn cmd(email: &str) -> RegisterCommand {
    RegisterCommand {
        client_ip: None,
        email: email.into(),
        password: "Str0ngPass".into(),
        first_name: "Maria".into(),
        last_name: "Reyes".into(),
    }
}

#[tokio::test]
async fn safe_list_grants_its_role_verified_with_a_welcome_mail() {
    let sent = Arc::new(Mutex::new(Vec::new()));
    let mut tx = MockTx::default();
    tx.identity.expect_user_by_email().returning(|_| Ok(None));
    tx.identity.expect_safe_email().returning(|e| {
        Ok(Some(SafeEmail {
            id: SafeEmailId::new(),
            email: e.clone(),
            role: Role::Doctor,
            is_active: true,
            created_at: t0(),
            updated_at: t0(),
        }))
    });
    tx.identity
        .expect_insert_user()
        .withf(|u, h| u.role == Role::Doctor && u.is_verified && h.as_str() == "h:Str0ngPass")
        .times(1)
        .returning(|_, _| Ok(()));
    tx.identity.expect_put_verification_code().never();
    let s = sent.clone();
    tx.work.expect_enqueue_mail().returning(move |m, _| {
        s.lock().expect("lock").push(m.subject.clone());
        Ok(())
    });
    tx.work
        .expect_append_audit()
        .withf(|e, _| e.action == "auth.register" && e.outcome == Outcome::Success)
        .times(1)
        .returning(|_, _| Ok(()));
    tx.work.expect_commit().times(1).returning(|| Ok(()));

    let user = service(store_with(tx), hasher())
        .register(cmd("dr.tan@usc.edu.ph"))
        .await
        .expect("registered");
    assert_eq!(user.role, Role::Doctor);
    assert_eq!(
        *sent.lock().expect("lock"),
        vec!["[USC-PIS] Welcome to USC-PIS".to_owned()]
    );
}

#[tokio::test]
async fn a_student_number_gets_student_role_usc_id_and_a_code() {
    let mut tx = MockTx::default();
    tx.identity.expect_user_by_email().returning(|_| Ok(None));
    tx.identity.expect_safe_email().returning(|_| Ok(None));
    tx.identity
        .expect_insert_user()
        .withf(|u, _| {
            u.role == Role::Student
                && !u.is_verified
                && u.usc_id.as_ref().map(|i| i.as_str()) == Some("21104567")
        })
        .returning(|_, _| Ok(()));
    tx.identity
        .expect_verification_code()
        .returning(|_| Ok(None));
    tx.identity
        .expect_put_verification_code()
        .withf(|_, c| c.attempts == 0 && c.expires_at == t0() + Duration::minutes(15))
        .times(1)
        .returning(|_, _| Ok(()));
    tx.work
        .expect_enqueue_mail()
        .withf(|m, _| {
            m.subject.contains("Verification Code") && m.text.contains("verification code is: ")
        })
        .times(1)
        .returning(|_, _| Ok(()));
    tx.work.expect_append_audit().returning(|_, _| Ok(()));
    tx.work.expect_commit().returning(|| Ok(()));
    let user = service(store_with(tx), hasher())
        .register(cmd("21104567@usc.edu.ph"))
        .await
        .expect("registered");
    assert_eq!(user.role, Role::Student);
}

#[tokio::test]
async fn invalid_registration_names_every_field_and_touches_nothing() {
    let store = MockIdentityStore::new(); // no expectations: any call panics
    let mut h = MockPasswordHasher::new();
    h.expect_hash().never();
    let err = service(store, Arc::new(h))
        .register(RegisterCommand {
            client_ip: None,
            email: "maria@usc.com".into(),
            password: "short".into(),
            first_name: "".into(),
            last_name: "Reyes".into(),
        })
        .await
        .expect_err("invalid");
    match err {
        AppError::Invalid { code, details, .. } => {
            assert_eq!(code, "invalid_input");
            for f in ["email", "suggestion", "password", "first_name"] {
                assert!(details.contains_key(f), "{f} missing in {details:?}");
            }
            assert_eq!(details["suggestion"], "maria@usc.edu.ph");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn a_locked_login_never_reaches_the_hasher() {
    let mut tx = MockTx::default();
    tx.identity
        .expect_lock_throttle_keys()
        .withf(|keys, _| keys == ["email:boss@usc.edu.ph".to_owned(), "ip:10.0.0.9".to_owned()])
        .returning(|_, _| Ok(()));
    tx.identity.expect_login_failures().returning(|_, _| {
        Ok((0..5)
            .map(|i| {
                (
                    "email:boss@usc.edu.ph".to_owned(),
                    t0() - Duration::minutes(i),
                )
            })
            .collect())
    });
    tx.identity.expect_record_login_failure().never();
    tx.work
        .expect_append_audit()
        .withf(|e, _| e.action == "auth.throttled")
        .returning(|_, _| Ok(()));
    tx.work.expect_commit().returning(|| Ok(()));
    let mut h = MockPasswordHasher::new();
    h.expect_verify().never();
    let err = service(store_with(tx), Arc::new(h))
        .login(LoginCommand {
            email: "boss@usc.edu.ph".into(),
            password: "whatever1A".into(),
            client_ip: Some("10.0.0.9".into()),
        })
        .await
        .expect_err("locked");
    // The oldest of the five failures is 4 minutes old: 11 minutes to go.
    assert!(
        matches!(
            err,
            AppError::RateLimited {
                retry_after_secs: 660
            }
        ),
        "{err:?}"
    );
}

fn user(role: Role) -> User {
    User {
        id: UserId::new(),
        email: EmailAddress::parse("someone@usc.edu.ph").expect("valid"),
        role,
        first_name: PersonName::parse("A").expect("valid"),
        last_name: PersonName::parse("B").expect("valid"),
        middle_name: None,
        usc_id: None,
        course: None,
        year_level: None,
        campus: None,
        phone: None,
        department: None,
        license_number: None,
        is_active: true,
        is_verified: true,
        created_at: t0(),
        updated_at: t0(),
    }
}

#[tokio::test]
async fn expired_sessions_are_refused() {
    let u = user(Role::Nurse);
    let mut store = MockIdentityStore::new();
    store.expect_session_user().returning(move |hash| {
        Ok(Some((
            Session {
                id: SessionId::new(),
                user_id: u.id,
                token_hash: hash.to_owned(),
                created_at: t0() - Duration::hours(13),
                expires_at: t0() - Duration::hours(1),
            },
            u.clone(),
        )))
    });
    let err = service(store, hasher())
        .authenticate("token")
        .await
        .expect_err("expired");
    assert!(matches!(
        err,
        AppError::Unauthenticated {
            code: ErrorCode::TokenExpired,
            ..
        }
    ));
}

#[tokio::test]
async fn a_denied_admin_action_is_audited_and_lists_nothing() {
    let mut tx = MockTx::default();
    tx.work
        .expect_append_audit()
        .withf(|e, _| e.action == "users.list" && e.outcome == Outcome::Denied)
        .times(1)
        .returning(|_, _| Ok(()));
    tx.work.expect_commit().times(1).returning(|| Ok(()));
    tx.identity.expect_list_users().never();
    let actor = Actor::new(UserId::new(), Role::Staff);
    let err = service(store_with(tx), hasher())
        .list_users(&actor, UserFilter::default(), PageRequest::default())
        .await
        .expect_err("denied");
    assert!(matches!(
        err,
        AppError::Forbidden {
            code: ErrorCode::Forbidden,
            ..
        }
    ));
}
