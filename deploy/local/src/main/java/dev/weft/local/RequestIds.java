package dev.weft.local;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * Request ids as the services make them ({@code req_} + 26 base32 characters), and the same rule
 * for accepting a caller's id, so the id the router forwards is the one the service echoes.
 */
final class RequestIds {
    static final String HEADER = "X-Request-Id";
    private static final Pattern ACCEPTABLE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final char[] BASE32 = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private RequestIds() {
    }

    static String fromHeaderOrNew(String header) {
        return header != null && ACCEPTABLE.matcher(header).matches() ? header : generate();
    }

    /** Time-ordered like the services' UUIDv7 ids: 48 bits of milliseconds, then 82 random bits. */
    static String generate() {
        char[] out = new char[26];
        long millis = System.currentTimeMillis();
        for (int i = 9; i >= 0; i--) {
            out[i] = BASE32[(int) (millis & 31)];
            millis >>>= 5;
        }
        for (int i = 10; i < 26; i++) {
            out[i] = BASE32[RANDOM.nextInt(32)];
        }
        return "req_" + new String(out);
    }
}
