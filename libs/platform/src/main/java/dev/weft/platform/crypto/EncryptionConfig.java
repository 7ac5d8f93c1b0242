package dev.weft.platform.crypto;

import io.smallrye.config.ConfigMapping;

import java.util.Optional;

/**
 * The deployment's keyring ({@code WEFT_ENCRYPTION_KEYS}, {@code WEFT_ENCRYPTION_ACTIVE_KEY}):
 * {@code id:base64-of-32-bytes} pairs separated by commas, and the id new ciphertexts use.
 */
@ConfigMapping(prefix = "weft.encryption")
public interface EncryptionConfig {
    Optional<String> keys();

    /** Defaults to the last key listed. */
    Optional<String> activeKey();
}
