//! A keychain in memory, for tests and benchmarks only (feature `memory`); it can also be
//! told to fail the way a real keychain does.

use std::{collections::HashMap, sync::Mutex};

use crate::{KeychainError, SecretStore, Sensitive};

#[derive(Default)]
pub struct MemoryKeychain {
    pub entries: Mutex<HashMap<String, String>>,
    /// When set, every call fails with this error.
    pub failure: Mutex<Option<KeychainError>>,
}

impl MemoryKeychain {
    fn check(&self) -> Result<(), KeychainError> {
        match self.failure.lock().expect("keychain lock").clone() {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}

impl SecretStore for MemoryKeychain {
    fn read(&self, account: &str) -> Result<Option<Sensitive<String>>, KeychainError> {
        self.check()?;
        Ok(self.entries.lock().expect("keychain lock").get(account).cloned().map(Sensitive::new))
    }

    fn write(&self, account: &str, secret: &Sensitive<String>) -> Result<(), KeychainError> {
        self.check()?;
        self.entries.lock().expect("keychain lock").insert(account.into(), secret.expose().clone());
        Ok(())
    }

    fn delete(&self, account: &str) -> Result<(), KeychainError> {
        self.check()?;
        self.entries.lock().expect("keychain lock").remove(account);
        Ok(())
    }
}
