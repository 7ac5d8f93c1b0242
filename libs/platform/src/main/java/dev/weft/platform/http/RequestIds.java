package dev.weft.platform.http;

import dev.weft.platform.id.TypeId;

import java.util.regex.Pattern;

/** The request id every response carries as {@code X-Request-Id}. */
public final class RequestIds {
    public static final String HEADER = "X-Request-Id";
    /** Accept a caller's id only when it is short and plain, so it is safe to log and echo. */
    private static final Pattern ACCEPTABLE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private RequestIds() {
    }

    public static String fromHeaderOrNew(String header) {
        if (header != null && ACCEPTABLE.matcher(header).matches()) {
            return header;
        }
        return TypeId.generate("req");
    }
}
