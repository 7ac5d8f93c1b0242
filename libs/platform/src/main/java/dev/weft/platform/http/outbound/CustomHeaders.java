package dev.weft.platform.http.outbound;

import dev.weft.platform.error.ApiException;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Headers a customer adds to Weft's outbound requests (a webhook endpoint's {@code headers}, a workflow http action's):
 * the one rule for their names and values, checked when they are saved, so that a request never fails later on a
 * header HTTP cannot carry, and none stands in for one Weft sets itself.
 */
public final class CustomHeaders {
    /** Weft's signature, idempotency and internal headers, and those HTTP and the client manage. */
    private static final Pattern RESERVED = Pattern.compile(
            "(?i)(webhook-.*|x-weft-.*|idempotency-key|authorization-weft|content-type|content-length|transfer-encoding|connection"
                    + "|keep-alive|upgrade|te|trailer|host|user-agent)");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9-]{1,64}");
    public static final int MAX_VALUE_CHARS = 1000;

    private CustomHeaders() {
    }

    /** Checks each header, as given: a 400 naming {@code at.<name>} for the first one that may not be sent. */
    public static void check(Map<String, String> headers, String at) {
        for (Map.Entry<String, String> header : headers.entrySet()) {
            String field = at + "." + header.getKey();
            if (!NAME.matcher(header.getKey()).matches() || RESERVED.matcher(header.getKey()).matches()) {
                throw ApiException.invalid(field, "header_name", header.getKey().toLowerCase(Locale.ROOT) + " cannot be set as a custom header");
            }
            if (header.getValue() == null || header.getValue().length() > MAX_VALUE_CHARS || !printable(header.getValue())) {
                throw ApiException.invalid(field, "header_value", "header values must be printable and at most " + MAX_VALUE_CHARS + " characters");
            }
        }
    }

    /** No control character but tab: a line break or NUL would end the header (or the request) early. */
    public static boolean printable(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                return false;
            }
        }
        return true;
    }
}
