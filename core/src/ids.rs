//! Deterministic UUIDs from a seeded generator, so that demo data and tests are reproducible.

use rand::RngCore;
use uuid::{Builder, Uuid};

/// A random (version 4) UUID drawn from `rng`.
pub fn uuid_from_rng(rng: &mut impl RngCore) -> Uuid {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    Builder::from_random_bytes(bytes).into_uuid()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn same_seed_same_ids_and_they_are_version_4() {
        let a = uuid_from_rng(&mut ChaCha8Rng::seed_from_u64(1));
        let b = uuid_from_rng(&mut ChaCha8Rng::seed_from_u64(1));
        assert_eq!(a, b);
        assert_eq!(a.get_version_num(), 4);
        assert_ne!(a, uuid_from_rng(&mut ChaCha8Rng::seed_from_u64(2)));
    }
}
