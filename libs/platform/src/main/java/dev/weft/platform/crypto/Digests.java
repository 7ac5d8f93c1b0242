package dev.weft.platform.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 fingerprints of text, as lower-case hex: for keys and ids derived from values, never for secrets' storage. */
public final class Digests {
    private Digests() {
    }

    /**
     * The SHA-256 of {@code parts} in UTF-8, each after the first preceded by a NUL byte (so ("ab", "c") and ("a", "bc")
     * differ), as hex; {@code hexChars} keeps that many leading characters (64 for all of it).
     */
    public static String sha256Hex(int hexChars, String... parts) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                digest.update((byte) 0);
            }
            digest.update(parts[i].getBytes(StandardCharsets.UTF_8));
        }
        String hex = HexFormat.of().formatHex(digest.digest());
        return hexChars >= hex.length() ? hex : hex.substring(0, hexChars);
    }

    /** The whole SHA-256 of {@code value} in UTF-8, as hex. */
    public static String sha256Hex(String value) {
        return sha256Hex(64, value);
    }
}
