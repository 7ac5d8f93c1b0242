package dev.weft.platform;

import dev.weft.platform.crypto.EncryptionConfig;
import dev.weft.platform.crypto.SecretCipher;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecretCipherTest {
    static final String OLD = "old:" + Base64.getEncoder().encodeToString(new byte[32]);
    static final String NEW = "new:" + Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());

    /** A keyring of the given {@code id:base64} keys; {@code active} null means the last one. */
    static SecretCipher cipher(String keys, String active) {
        return new SecretCipher(new EncryptionConfig() {
            @Override
            public Optional<String> keys() {
                return Optional.of(keys);
            }

            @Override
            public Optional<String> activeKey() {
                return Optional.ofNullable(active);
            }
        });
    }

    @Test
    void round_trips_and_never_repeats_a_ciphertext() {
        SecretCipher cipher = cipher(OLD + "," + NEW, null);
        String sealed = cipher.encrypt("whsec_abc", "row:1");
        assertTrue(sealed.startsWith("v1:new:"), "last key is active by default");
        assertEquals("whsec_abc", cipher.decrypt(sealed, "row:1"));
        assertNotEquals(sealed, cipher.encrypt("whsec_abc", "row:1"));
        assertFalse(sealed.contains("whsec_abc"));
    }

    @Test
    void refuses_other_rows_tampering_and_unknown_keys() {
        SecretCipher cipher = cipher(NEW, null);
        String sealed = cipher.encrypt("secret", "row:1");
        assertThrows(IllegalStateException.class, () -> cipher.decrypt(sealed, "row:2"));
        String tampered = sealed.substring(0, sealed.length() - 4) + (sealed.endsWith("AAAA") ? "BBBB" : "AAAA");
        assertThrows(IllegalStateException.class, () -> cipher.decrypt(tampered, "row:1"));
        assertThrows(IllegalStateException.class, () -> cipher(OLD, null).decrypt(sealed, "row:1"));
    }

    @Test
    void old_keys_still_decrypt_after_rotation() {
        String sealedWithOld = cipher(OLD, null).encrypt("secret", "row:1");
        SecretCipher rotated = cipher(OLD + "," + NEW, "new");
        assertEquals("secret", rotated.decrypt(sealedWithOld, "row:1"));
        assertTrue(rotated.needsRotation(sealedWithOld));
        assertFalse(rotated.needsRotation(rotated.encrypt("secret", "row:1")));
        assertThrows(IllegalStateException.class, () -> cipher(OLD, "missing"));
    }
}
