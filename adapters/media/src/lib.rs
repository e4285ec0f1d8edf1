//! USC-PIS media adapter: the [`MediaStore`] port on `object_store` (local filesystem
//! under `<data dir>/media`, or in memory for tests). Cloudinary and S3 come with the
//! capabilities that publish images (health campaigns).

use std::path::Path;
use std::sync::Arc;

use application::media::MediaStore;
use async_trait::async_trait;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

/// Any object store behind the media port.
#[derive(Clone, Debug)]
pub struct ObjectMediaStore {
    store: Arc<dyn ObjectStore>,
}

impl ObjectMediaStore {
    /// Files under `dir` (created if missing).
    pub fn local(dir: impl AsRef<Path>) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir.as_ref())?;
        Ok(Self {
            store: Arc::new(LocalFileSystem::new_with_prefix(dir.as_ref())?),
        })
    }

    /// An in-memory store (tests, demos).
    pub fn memory() -> Self {
        Self {
            store: Arc::new(InMemory::new()),
        }
    }
}

fn key_path(key: &str) -> anyhow::Result<ObjectPath> {
    ObjectPath::parse(key).map_err(|e| anyhow::anyhow!("invalid media key: {e}"))
}

#[async_trait]
impl MediaStore for ObjectMediaStore {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> anyhow::Result<()> {
        self.store
            .put(&key_path(key)?, PutPayload::from(bytes))
            .await?;
        Ok(())
    }

    async fn get(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
        match self.store.get(&key_path(key)?).await {
            Ok(r) => Ok(Some(r.bytes().await?.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn delete(&self, key: &str) -> anyhow::Result<()> {
        match self.store.delete(&key_path(key)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    async fn healthy(&self) -> bool {
        self.get("health/probe").await.is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn round_trip(store: ObjectMediaStore) {
        assert_eq!(store.get("docs/a.pdf").await.expect("get"), None);
        store
            .put("docs/a.pdf", b"%PDF-1.7".to_vec())
            .await
            .expect("put");
        assert_eq!(
            store.get("docs/a.pdf").await.expect("get").as_deref(),
            Some(&b"%PDF-1.7"[..])
        );
        store.delete("docs/a.pdf").await.expect("delete");
        store
            .delete("docs/a.pdf")
            .await
            .expect("delete again is fine");
        assert_eq!(store.get("docs/a.pdf").await.expect("get"), None);
        assert!(store.healthy().await);
        assert!(
            store.put("../escape", vec![]).await.is_err(),
            "no path traversal"
        );
    }

    #[tokio::test]
    async fn memory_and_local_filesystem() {
        round_trip(ObjectMediaStore::memory()).await;
        let dir = std::env::temp_dir().join(format!("uscpis-media-{}", std::process::id()));
        round_trip(ObjectMediaStore::local(&dir).expect("dir")).await;
    }
}
