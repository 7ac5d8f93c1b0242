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

/**
 * Envelope encryption for larger secrets (connection credentials, OAuth tokens): each value gets
 * its own random 256-bit data key; the value is sealed with AES-256-GCM under that key, and the
 * data key is sealed by {@link SecretCipher} under the keyring's active key (its id stored with
 * it). Rotating the keyring re-wraps only the small data keys ({@link #rewrap}); the sealed
 * values never need re-encrypting, and any key still listed opens old envelopes meanwhile.
 */
@ApplicationScoped
public class EnvelopeCipher {
    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretCipher keyring;

    public EnvelopeCipher(SecretCipher keyring) {
        this.keyring = keyring;
    }

    /** A sealed value and its wrapped data key; both are safe to store. */
    public record Envelope(String wrappedKey, String ciphertext) {
    }

    /** Seals {@code plaintext}; {@code associatedData} binds it to where it is stored (e.g. {@code "connection:" + id}). */
    public Envelope seal(String plaintext, String associatedData) {
        byte[] dataKey = new byte[KEY_BYTES];
        RANDOM.nextBytes(dataKey);
        String wrapped = keyring.encrypt(Base64.getEncoder().encodeToString(dataKey), keyAad(associatedData));
        return new Envelope(wrapped, seal(dataKey, plaintext.getBytes(StandardCharsets.UTF_8), associatedData));
    }

    public String open(Envelope envelope, String associatedData) {
        byte[] dataKey = Base64.getDecoder().decode(keyring.decrypt(envelope.wrappedKey(), keyAad(associatedData)));
        return new String(unseal(dataKey, Base64.getDecoder().decode(envelope.ciphertext()), associatedData), StandardCharsets.UTF_8);
    }

    /** Whether the data key is wrapped by a key other than the active one. */
    public boolean needsRewrap(Envelope envelope) {
        return keyring.needsRotation(envelope.wrappedKey());
    }

    /** The same envelope with its data key re-wrapped under the active key. */
    public Envelope rewrap(Envelope envelope, String associatedData) {
        String dataKey = keyring.decrypt(envelope.wrappedKey(), keyAad(associatedData));
        return new Envelope(keyring.encrypt(dataKey, keyAad(associatedData)), envelope.ciphertext());
    }

    private static String keyAad(String associatedData) {
        return associatedData + ":data_key";
    }

    private static String seal(byte[] dataKey, byte[] plaintext, String associatedData) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(dataKey, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext);
            return Base64.getEncoder().encodeToString(ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("envelope encryption failed", e);
        }
    }

    private static byte[] unseal(byte[] dataKey, byte[] sealed, String associatedData) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(dataKey, "AES"), new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("envelope decryption failed: wrong data key, associated data or a tampered ciphertext", e);
        }
    }
}
