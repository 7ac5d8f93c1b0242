package dev.weft.platform.id;

import java.security.SecureRandom;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * TypeID-style identifiers: {@code prefix_} followed by a UUIDv7 in 26 characters of Crockford
 * base32, lowercase (the TypeID 0.3 encoding), e.g. {@code conn_01h455vb4pex5vsknk084sn02q}.
 * Stored as {@code uuid}; the prefix says what the id names, so an id of the wrong kind never
 * parses.
 */
public final class TypeId {
    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private static final byte[] DECODE = new byte[128];
    private static final Pattern PREFIX = Pattern.compile("[a-z]([a-z_]{0,61}[a-z])?");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Prefixes already matched against {@link #PREFIX}; the code uses a few dozen, so the set stays small. */
    private static final java.util.Set<String> VALID_PREFIXES = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        java.util.Arrays.fill(DECODE, (byte) -1);
        for (int i = 0; i < ALPHABET.length; i++) {
            DECODE[ALPHABET[i]] = (byte) i;
        }
    }

    private TypeId() {
    }

    public static String generate(String prefix) {
        return format(prefix, uuidV7());
    }

    public static String format(String prefix, UUID uuid) {
        // Every event and row gets an id: the known prefixes skip the pattern (a set look-up instead of a regex match).
        if (!VALID_PREFIXES.contains(prefix)) {
            if (!PREFIX.matcher(prefix).matches()) {
                throw new IllegalArgumentException("invalid TypeID prefix: " + prefix);
            }
            if (VALID_PREFIXES.size() < 1024) {
                VALID_PREFIXES.add(prefix);
            }
        }
        return prefix + "_" + encode(uuid);
    }

    /** The UUID inside {@code id} when it is a well-formed id with this prefix; empty otherwise. */
    public static Optional<UUID> parse(String prefix, String id) {
        if (id == null || id.length() != prefix.length() + 27 || !id.startsWith(prefix) || id.charAt(prefix.length()) != '_') {
            return Optional.empty();
        }
        return decode(id.substring(prefix.length() + 1));
    }

    public static UUID uuidV7() {
        long millis = System.currentTimeMillis();
        // The 74 random bits in one draw: each draw from the shared generator takes its lock.
        byte[] random = new byte[10];
        RANDOM.nextBytes(random);
        long randA = ((random[0] & 0xFFL) << 4) | ((random[1] & 0xF0L) >>> 4);
        long randB = 0;
        for (int i = 2; i < 10; i++) {
            randB = (randB << 8) | (random[i] & 0xFFL);
        }
        long msb = (millis << 16) | 0x7000L | randA;
        long lsb = (randB & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }

    private static String encode(UUID uuid) {
        long msb = uuid.getMostSignificantBits();
        long lsb = uuid.getLeastSignificantBits();
        byte[] out = new byte[26];
        // 130 bits of output over 128 bits of input: two leading zero bits, then 5 bits a char. Char i holds the bits
        // whose lowest lies `shift` bits above the value's last bit.
        for (int i = 0; i < 26; i++) {
            int shift = 125 - 5 * i;
            long value;
            if (shift >= 64) {
                value = msb >>> (shift - 64);
            } else if (shift > 59) {
                value = (msb << (64 - shift)) | (lsb >>> shift);
            } else {
                value = lsb >>> shift;
            }
            out[i] = (byte) ALPHABET[(int) (value & 31)];
        }
        return new String(out, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static Optional<UUID> decode(String suffix) {
        if (suffix.length() != 26) {
            return Optional.empty();
        }
        byte[] bytes = new byte[16];
        for (int i = 0; i < 26; i++) {
            char c = suffix.charAt(i);
            int value = c < 128 ? DECODE[c] : -1;
            if (value < 0 || (i == 0 && value > 7)) {
                return Optional.empty();
            }
            for (int b = 0; b < 5; b++) {
                int bit = i * 5 - 2 + b;
                if (bit >= 0 && ((value >> (4 - b)) & 1) == 1) {
                    bytes[bit / 8] |= (byte) (1 << (7 - bit % 8));
                }
            }
        }
        return Optional.of(fromBytes(bytes));
    }

    private static byte[] toBytes(UUID uuid) {
        byte[] bytes = new byte[16];
        long msb = uuid.getMostSignificantBits();
        long lsb = uuid.getLeastSignificantBits();
        for (int i = 0; i < 8; i++) {
            bytes[i] = (byte) (msb >>> (56 - 8 * i));
            bytes[8 + i] = (byte) (lsb >>> (56 - 8 * i));
        }
        return bytes;
    }

    private static UUID fromBytes(byte[] bytes) {
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 8; i++) {
            msb = (msb << 8) | (bytes[i] & 0xFF);
            lsb = (lsb << 8) | (bytes[8 + i] & 0xFF);
        }
        return new UUID(msb, lsb);
    }
}
