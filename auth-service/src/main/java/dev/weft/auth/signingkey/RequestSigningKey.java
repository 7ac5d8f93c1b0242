package dev.weft.auth.signingkey;

import dev.weft.auth.credential.IssuedCredential;
import dev.weft.platform.auth.CredentialCache;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import java.util.UUID;

/**
 * A key for WEFT-HMAC signed requests: its scopes and its secret, sealed by SecretCipher (the
 * server recomputes each signature, so the secret cannot be hashed).
 */
@Entity
@Table(name = "request_signing_keys")
public class RequestSigningKey extends IssuedCredential {
    public static final String ID_PREFIX = "sk";

    @Column(name = "secret_enc", nullable = false)
    public String secretEnc;

    @Override
    protected String idPrefix() {
        return ID_PREFIX;
    }

    @Override
    public String credentialType() {
        return CredentialCache.SIGNING_KEY;
    }

    /** Binds the ciphertext to its row and org: copied elsewhere, it no longer decrypts. */
    public static String associatedData(UUID id, String orgId) {
        return "request_signing_key:" + id + ":" + orgId;
    }
}
