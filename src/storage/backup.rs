//! Encrypted backups: a Kehu data file locked with a passphrase (WebCrypto).
//!
//! # The file
//! One JSON object (the *envelope*), every binary field in standard base64 with padding:
//!
//! ```json
//! {"format":"kehu-crm-encrypted","version":1,
//!  "kdf":"PBKDF2-SHA-256","iterations":600000,"salt":"…16 bytes…",
//!  "cipher":"AES-GCM-256","iv":"…12 bytes…",
//!  "check":"…16 bytes…","ciphertext":"…"}
//! ```
//!
//! * `master` = PBKDF2-HMAC-SHA-256(passphrase as UTF-8, `salt`, `iterations`), 32 bytes. The salt
//!   (16 bytes) and IV (12 bytes) are fresh random bytes for every file.
//! * The AES-GCM-256 key is `master`; the plaintext is a normal Kehu data file (`kehu-crm` JSON,
//!   UTF-8); `ciphertext` is AES-GCM's output (the encrypted bytes followed by its 16-byte tag).
//! * The additional authenticated data is the UTF-8 text of `format`, `version`, `kdf`,
//!   `iterations`, `cipher`, `salt` and `iv` (the base64 texts as written), each followed by `\n`,
//!   so changing any of them makes decryption fail.
//! * `check` = the first 16 bytes of SHA-256(`"kehu-crm-encrypted/check\n"` ‖ `master`): it tells a
//!   wrong passphrase from a damaged or altered file without decrypting. It costs an attacker who
//!   guesses passphrases as much as the tag does (one PBKDF2 run per guess).
//!
//! Writers use [`ITERATIONS`] (600,000, OWASP's 2023 figure for PBKDF2-SHA-256); readers accept
//! 100,000 to 10,000,000 so a file can never make the page hang for minutes.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use js_sys::{Array, Object, Uint8Array};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AesGcmParams, CryptoKey, Pbkdf2Params, SubtleCrypto};

use super::js;

/// The `format` of an encrypted backup.
pub const FORMAT: &str = "kehu-crm-encrypted";
/// The envelope version this build writes and reads.
pub const VERSION: u32 = 1;
/// PBKDF2 iterations used for new files.
pub const ITERATIONS: u32 = 600_000;
/// The fewest iterations a file may name.
pub const MIN_ITERATIONS: u32 = 100_000;
/// The most iterations a file may name.
pub const MAX_ITERATIONS: u32 = 10_000_000;
const KDF: &str = "PBKDF2-SHA-256";
const CIPHER: &str = "AES-GCM-256";
const SALT_LEN: usize = 16;
const IV_LEN: usize = 12;
const CHECK_LEN: usize = 16;
const CHECK_LABEL: &[u8] = b"kehu-crm-encrypted/check\n";

/// Why a backup could not be made or opened. Nothing is written in either case.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BackupError {
    /// No passphrase was given.
    #[error("a passphrase is needed")]
    EmptyPassphrase,
    /// The file is not an encrypted Kehu backup.
    #[error("this file is not an encrypted Kehu backup")]
    NotEncrypted,
    /// A field of the envelope is missing or wrong.
    #[error("the encrypted backup is damaged: {0}")]
    Malformed(String),
    /// The file was made by a newer Kehu.
    #[error("the encrypted backup has version {0}; this version of Kehu reads version 1")]
    UnsupportedVersion(u32),
    /// The passphrase does not match the file.
    #[error("the passphrase is wrong")]
    WrongPassphrase,
    /// The passphrase matches but the content does not: the file was changed after it was made.
    #[error("the file was changed or damaged after it was made; it cannot be opened")]
    Tampered,
    /// The browser's cryptography failed or is missing.
    #[error("the browser's cryptography is not available: {0}")]
    Crypto(String),
}

/// The envelope as written to the file.
#[derive(Serialize, Deserialize)]
struct Envelope {
    format: String,
    version: u32,
    kdf: String,
    iterations: u32,
    salt: String,
    cipher: String,
    iv: String,
    check: String,
    ciphertext: String,
}

impl Envelope {
    /// The additional authenticated data: the header fields, each followed by a newline.
    fn aad(&self) -> Vec<u8> {
        format!(
            "{}\n{}\n{}\n{}\n{}\n{}\n{}\n",
            self.format, self.version, self.kdf, self.iterations, self.cipher, self.salt, self.iv
        )
        .into_bytes()
    }
}

fn crypto_error(e: &JsValue) -> BackupError {
    BackupError::Crypto(js::describe(e))
}

fn crypto() -> Result<web_sys::Crypto, BackupError> {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))
        .ok()
        .and_then(|c| c.dyn_into::<web_sys::Crypto>().ok())
        .ok_or_else(|| BackupError::Crypto("no crypto object".into()))
}

fn subtle() -> Result<SubtleCrypto, BackupError> {
    let subtle = crypto()?.subtle();
    if JsValue::from(subtle.clone()).is_undefined() {
        return Err(BackupError::Crypto(
            "crypto.subtle is missing (the page is not in a secure context)".into(),
        ));
    }
    Ok(subtle)
}

fn random<const N: usize>() -> Result<[u8; N], BackupError> {
    let mut bytes = [0u8; N];
    crypto()?
        .get_random_values_with_u8_array(&mut bytes)
        .map_err(|e| crypto_error(&e))?;
    Ok(bytes)
}

async fn run(promise: Result<js_sys::Promise, JsValue>) -> Result<JsValue, JsValue> {
    JsFuture::from(promise?).await
}

fn bytes_of(value: &JsValue) -> Vec<u8> {
    Uint8Array::new(value).to_vec()
}

/// PBKDF2 → the 32-byte master secret.
async fn master(
    subtle: &SubtleCrypto,
    passphrase: &str,
    salt: &[u8],
    iterations: u32,
) -> Result<Vec<u8>, BackupError> {
    let usages = Array::of1(&JsValue::from_str("deriveBits"));
    let raw = Uint8Array::from(passphrase.as_bytes());
    let base: CryptoKey = run(subtle.import_key_with_str("raw", &raw, "PBKDF2", false, &usages))
        .await
        .map_err(|e| crypto_error(&e))?
        .unchecked_into();
    let params =
        Pbkdf2Params::new_with_str("PBKDF2", "SHA-256", iterations, &Uint8Array::from(salt));
    let bits = run(subtle.derive_bits_with_object(&params, &base, 256))
        .await
        .map_err(|e| crypto_error(&e))?;
    Ok(bytes_of(&bits))
}

/// The passphrase check value for `master`.
async fn check_of(subtle: &SubtleCrypto, master: &[u8]) -> Result<Vec<u8>, BackupError> {
    let mut data = CHECK_LABEL.to_vec();
    data.extend_from_slice(master);
    let digest =
        run(subtle.digest_with_str_and_buffer_source("SHA-256", &Uint8Array::from(&data[..])))
            .await
            .map_err(|e| crypto_error(&e))?;
    let mut out = bytes_of(&digest);
    out.truncate(CHECK_LEN);
    Ok(out)
}

async fn aes_key(
    subtle: &SubtleCrypto,
    master: &[u8],
    usage: &str,
) -> Result<CryptoKey, BackupError> {
    let algorithm = Object::new();
    js_sys::Reflect::set(&algorithm, &"name".into(), &"AES-GCM".into())
        .map_err(|e| crypto_error(&e))?;
    let usages = Array::of1(&JsValue::from_str(usage));
    Ok(run(subtle.import_key_with_object(
        "raw",
        &Uint8Array::from(master),
        &algorithm,
        false,
        &usages,
    ))
    .await
    .map_err(|e| crypto_error(&e))?
    .unchecked_into())
}

fn gcm_params(iv: &[u8], aad: &[u8]) -> AesGcmParams {
    let params = AesGcmParams::new("AES-GCM", &Uint8Array::from(iv));
    params.set_additional_data(&Uint8Array::from(aad));
    params
}

/// Locks `plain` (a Kehu data file) with `passphrase`; the envelope's JSON text.
///
/// # Errors
/// [`BackupError::EmptyPassphrase`], or [`BackupError::Crypto`] when WebCrypto fails.
pub async fn encrypt(plain: &[u8], passphrase: &str) -> Result<String, BackupError> {
    encrypt_with(plain, passphrase, ITERATIONS).await
}

/// [`encrypt`] with a chosen iteration count (tests use the minimum to run faster).
///
/// # Errors
/// As [`encrypt`]; also [`BackupError::Malformed`] for an iteration count out of range.
pub async fn encrypt_with(
    plain: &[u8],
    passphrase: &str,
    iterations: u32,
) -> Result<String, BackupError> {
    if passphrase.is_empty() {
        return Err(BackupError::EmptyPassphrase);
    }
    if !(MIN_ITERATIONS..=MAX_ITERATIONS).contains(&iterations) {
        return Err(BackupError::Malformed(format!(
            "iterations must be between {MIN_ITERATIONS} and {MAX_ITERATIONS}"
        )));
    }
    let subtle = subtle()?;
    let salt = random::<SALT_LEN>()?;
    let iv = random::<IV_LEN>()?;
    let master = master(&subtle, passphrase, &salt, iterations).await?;
    let mut envelope = Envelope {
        format: FORMAT.into(),
        version: VERSION,
        kdf: KDF.into(),
        iterations,
        salt: STANDARD.encode(salt),
        cipher: CIPHER.into(),
        iv: STANDARD.encode(iv),
        check: STANDARD.encode(check_of(&subtle, &master).await?),
        ciphertext: String::new(),
    };
    let key = aes_key(&subtle, &master, "encrypt").await?;
    let sealed = run(subtle.encrypt_with_object_and_buffer_source(
        &gcm_params(&iv, &envelope.aad()),
        &key,
        &Uint8Array::from(plain),
    ))
    .await
    .map_err(|e| crypto_error(&e))?;
    envelope.ciphertext = STANDARD.encode(bytes_of(&sealed));
    serde_json::to_string(&envelope).map_err(|e| BackupError::Crypto(e.to_string()))
}

/// True when `bytes` look like an encrypted backup (its `format` near the start), so an import can
/// ask for the passphrase instead of reading it as a data file.
pub fn is_encrypted(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    text.starts_with('{') && text.contains(&format!("\"{FORMAT}\""))
}

fn field(name: &str, text: &str, len: Option<usize>) -> Result<Vec<u8>, BackupError> {
    let bytes = STANDARD
        .decode(text.trim())
        .map_err(|_| BackupError::Malformed(format!("`{name}` is not base64")))?;
    match len {
        Some(n) if bytes.len() != n => Err(BackupError::Malformed(format!(
            "`{name}` must be {n} bytes, not {}",
            bytes.len()
        ))),
        _ => Ok(bytes),
    }
}

/// Opens an encrypted backup with `passphrase`: the data file inside.
///
/// # Errors
/// [`BackupError::WrongPassphrase`] or [`BackupError::Tampered`] when it cannot be opened, the
/// other variants when the file is not a (readable) encrypted backup.
pub async fn decrypt(file: &[u8], passphrase: &str) -> Result<Vec<u8>, BackupError> {
    if passphrase.is_empty() {
        return Err(BackupError::EmptyPassphrase);
    }
    let value: serde_json::Value =
        serde_json::from_slice(file).map_err(|_| BackupError::NotEncrypted)?;
    if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        return Err(BackupError::NotEncrypted);
    }
    if let Some(v) = value.get("version").and_then(|v| v.as_u64()) {
        if v != u64::from(VERSION) {
            return Err(BackupError::UnsupportedVersion(
                u32::try_from(v).unwrap_or(u32::MAX),
            ));
        }
    }
    let envelope: Envelope =
        serde_json::from_value(value).map_err(|e| BackupError::Malformed(e.to_string()))?;
    if envelope.kdf != KDF {
        return Err(BackupError::Malformed(format!(
            "unknown key derivation `{}`",
            envelope.kdf
        )));
    }
    if envelope.cipher != CIPHER {
        return Err(BackupError::Malformed(format!(
            "unknown cipher `{}`",
            envelope.cipher
        )));
    }
    if !(MIN_ITERATIONS..=MAX_ITERATIONS).contains(&envelope.iterations) {
        return Err(BackupError::Malformed(format!(
            "`iterations` must be between {MIN_ITERATIONS} and {MAX_ITERATIONS}"
        )));
    }
    let salt = field("salt", &envelope.salt, Some(SALT_LEN))?;
    let iv = field("iv", &envelope.iv, Some(IV_LEN))?;
    let check = field("check", &envelope.check, Some(CHECK_LEN))?;
    let sealed = field("ciphertext", &envelope.ciphertext, None)?;

    let subtle = subtle()?;
    let master = master(&subtle, passphrase, &salt, envelope.iterations).await?;
    if check_of(&subtle, &master).await? != check {
        return Err(BackupError::WrongPassphrase);
    }
    let key = aes_key(&subtle, &master, "decrypt").await?;
    let plain = run(subtle.decrypt_with_object_and_buffer_source(
        &gcm_params(&iv, &envelope.aad()),
        &key,
        &Uint8Array::from(&sealed[..]),
    ))
    .await
    // WebCrypto reports a failed tag as OperationError: the content or header was altered.
    .map_err(|_| BackupError::Tampered)?;
    Ok(bytes_of(&plain))
}
