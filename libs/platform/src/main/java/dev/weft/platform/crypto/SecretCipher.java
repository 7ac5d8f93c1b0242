package dev.weft.platform.crypto;

import jakarta.enterprise.context.ApplicationScoped;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AES-256-GCM under the deployment keyring. A ciphertext reads {@code v1:<key id>:<base64(nonce ||
 * ciphertext+tag)>}, so any listed key decrypts it while new ones use the active key (rotation
 * without downtime). The associated data binds a ciphertext to where it is stored (e.g.
 * {@code "signing_key:" + id}): copied to another row, it no longer decrypts.
 */
@ApplicationScoped
public class SecretCipher {
    private static final String VERSION = "v1";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, SecretKeySpec> keys;
    private final String activeKeyId;

    public SecretCipher(EncryptionConfig config) {
        this.keys = parse(config.keys().orElse(""));
        this.activeKeyId = config.activeKey().orElse(keys.isEmpty() ? null : keys.keySet().stream().reduce((a, b) -> b).orElseThrow());
        if (activeKeyId != null && !keys.containsKey(activeKeyId)) {
            throw new IllegalStateException("weft.encryption.active-key " + activeKeyId + " is not in weft.encryption.keys");
        }
    }

    /** Whether a keyring is configured; without one nothing can be stored encrypted. */
    public boolean isConfigured() {
        return activeKeyId != null;
    }

    public String encrypt(String plaintext, String associatedData) {
        if (activeKeyId == null) {
            throw new IllegalStateException("no encryption keyring configured: set WEFT_ENCRYPTION_KEYS");
        }
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(activeKeyId), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array();
            return VERSION + ":" + activeKeyId + ":" + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encryption failed", e);
        }
    }

    public String decrypt(String ciphertext, String associatedData) {
        String[] parts = ciphertext.split(":", 3);
        if (parts.length != 3 || !VERSION.equals(parts[0]) || !keys.containsKey(parts[1])) {
            throw new IllegalStateException("ciphertext is not from this keyring (unknown format or key id)");
        }
        try {
            byte[] in = Base64.getDecoder().decode(parts[2]);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, keys.get(parts[1]), new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("decryption failed: wrong key, associated data or a tampered ciphertext", e);
        }
    }

    /** Whether a ciphertext was sealed with an older key and should be re-encrypted. */
    public boolean needsRotation(String ciphertext) {
        return !ciphertext.startsWith(VERSION + ":" + activeKeyId + ":");
    }

    private static Map<String, SecretKeySpec> parse(String spec) {
        Map<String, SecretKeySpec> parsed = new LinkedHashMap<>();
        for (String entry : spec.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int colon = entry.indexOf(':');
            if (colon <= 0) {
                throw new IllegalStateException("weft.encryption.keys entries must be id:base64key");
            }
            byte[] key = Base64.getDecoder().decode(entry.substring(colon + 1).trim());
            if (key.length != 32) {
                throw new IllegalStateException("encryption key " + entry.substring(0, colon) + " must be 32 bytes (AES-256)");
            }
            parsed.put(entry.substring(0, colon).trim(), new SecretKeySpec(key, "AES"));
        }
        return parsed;
    }
}
