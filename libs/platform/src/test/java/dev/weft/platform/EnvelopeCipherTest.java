package dev.weft.platform;

import dev.weft.platform.crypto.EnvelopeCipher;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EnvelopeCipherTest {
    private static final String OLD = SecretCipherTest.OLD;
    private static final String NEW = SecretCipherTest.NEW;

    private static EnvelopeCipher envelopes(String keys, String active) {
        return new EnvelopeCipher(SecretCipherTest.cipher(keys, active));
    }

    @Test
    void seals_with_a_fresh_data_key_bound_to_its_row() {
        EnvelopeCipher cipher = envelopes(NEW, null);
        EnvelopeCipher.Envelope sealed = cipher.seal("{\"password\":\"hunter2\"}", "connection:1");
        assertFalse(sealed.ciphertext().contains("hunter2"));
        assertTrue(sealed.wrappedKey().startsWith("v1:new:"), "the data key is wrapped under the active key id");
        assertEquals("{\"password\":\"hunter2\"}", cipher.open(sealed, "connection:1"));
        assertThrows(IllegalStateException.class, () -> cipher.open(sealed, "connection:2"));
        EnvelopeCipher.Envelope other = cipher.seal("{\"password\":\"hunter2\"}", "connection:1");
        assertThrows(IllegalStateException.class, () -> cipher.open(new EnvelopeCipher.Envelope(other.wrappedKey(), sealed.ciphertext()), "connection:1"),
                "another envelope's data key does not open this value");
    }

    @Test
    void rotation_rewraps_the_data_key_and_keeps_the_value() {
        EnvelopeCipher.Envelope sealedWithOld = envelopes(OLD, null).seal("token", "connection:1");
        EnvelopeCipher rotated = envelopes(OLD + "," + NEW, "new");
        assertEquals("token", rotated.open(sealedWithOld, "connection:1"), "old key still opens during the overlap");
        assertTrue(rotated.needsRewrap(sealedWithOld));
        EnvelopeCipher.Envelope rewrapped = rotated.rewrap(sealedWithOld, "connection:1");
        assertEquals(sealedWithOld.ciphertext(), rewrapped.ciphertext(), "only the data key is re-encrypted");
        assertFalse(rotated.needsRewrap(rewrapped));
        assertEquals("token", envelopes(NEW, null).open(rewrapped, "connection:1"), "the retired key is no longer needed");
    }
}
