package dev.weft.platform.transform;

import java.util.regex.Pattern;

/**
 * Seed 000 writes a transform's code as a JavaScript template literal, between backticks, inside an otherwise JSON
 * body: {@code {"name": "...", "type": "javascript", "code": ` module.exports = ... ` }}. These helpers let that text
 * work as written.
 */
public final class TemplateLiterals {
    /** After a closing backtick: the next member of the object, or the end of the object or array. */
    private static final Pattern NEXT_MEMBER = Pattern.compile("\\s*,\\s*\"[^\"\\\\]{1,200}\"\\s*:");
    private static final Pattern CLOSERS = Pattern.compile("\\s*[}\\]][\\s,}\\]]*");
    /** The end of a nested object or array, then the next member of an outer one. */
    private static final Pattern CLOSERS_THEN_MEMBER = Pattern.compile("(\\s*[}\\]])+\\s*,\\s*\"[^\"\\\\]{1,200}\"\\s*:");

    private TemplateLiterals() {
    }

    /**
     * A JSON body where a value written between backticks becomes a JSON string (escaped as JSON requires); any other
     * body comes back unchanged, so the JSON parser reports its own errors. A backtick-delimited value ends at the
     * backtick that is followed by the next member ({@code , "key":}) or by the end of the object, so template literals
     * inside the code survive.
     */
    public static String toJson(String body) {
        if (body.indexOf('`') < 0) {
            return body;
        }
        StringBuilder out = new StringBuilder(body.length() + 64);
        boolean inString = false;
        int i = 0;
        while (i < body.length()) {
            char c = body.charAt(i);
            if (inString) {
                out.append(c);
                if (c == '\\' && i + 1 < body.length()) {
                    out.append(body.charAt(i + 1));
                    i += 2;
                    continue;
                }
                inString = c != '"';
                i++;
            } else if (c == '"') {
                inString = true;
                out.append(c);
                i++;
            } else if (c == '`') {
                int end = closing(body, i + 1);
                if (end < 0) {
                    return body;
                }
                quote(body, i + 1, end, out);
                i = end + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /**
     * The code without the backticks around it, when the whole code is written between a pair of them (blanks aside);
     * the two backticks become spaces so lines and columns stay where the author sees them. Null when the code is not
     * written so.
     */
    public static String unwrapDelimiters(String code) {
        int first = 0;
        while (first < code.length() && Character.isWhitespace(code.charAt(first))) {
            first++;
        }
        int last = code.length() - 1;
        while (last > first && Character.isWhitespace(code.charAt(last))) {
            last--;
        }
        if (last <= first || code.charAt(first) != '`' || code.charAt(last) != '`') {
            return null;
        }
        StringBuilder unwrapped = new StringBuilder(code);
        unwrapped.setCharAt(first, ' ');
        unwrapped.setCharAt(last, ' ');
        return unwrapped.toString();
    }

    private static int closing(String body, int from) {
        for (int j = body.indexOf('`', from); j >= 0; j = body.indexOf('`', j + 1)) {
            if (body.charAt(j - 1) == '\\') {
                continue;
            }
            if (CLOSERS.matcher(body).region(j + 1, body.length()).matches() || NEXT_MEMBER.matcher(body).region(j + 1, body.length()).lookingAt()
                    || CLOSERS_THEN_MEMBER.matcher(body).region(j + 1, body.length()).lookingAt()) {
                return j;
            }
        }
        return -1;
    }

    private static void quote(String body, int start, int end, StringBuilder out) {
        out.append('"');
        for (int k = start; k < end; k++) {
            char c = body.charAt(k);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
