package dev.weft.platform.transform;

import java.util.Locale;
import java.util.Optional;

/** The languages a transform can be written in; {@link #wire()} is the API's {@code type}. */
public enum TransformLanguage {
    /** JSONata expressions (dashjoin's Java implementation). */
    JSONATA,
    /** JavaScript on GraalJS, sandboxed: {@code module.exports = (record) => record}. */
    JAVASCRIPT;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The language of an API {@code type} value, case-insensitively; empty for anything else. */
    public static Optional<TransformLanguage> fromWire(String type) {
        if (type == null) {
            return Optional.empty();
        }
        for (TransformLanguage language : values()) {
            if (language.wire().equalsIgnoreCase(type.trim())) {
                return Optional.of(language);
            }
        }
        return Optional.empty();
    }
}
