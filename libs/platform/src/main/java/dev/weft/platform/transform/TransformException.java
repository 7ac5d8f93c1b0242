package dev.weft.platform.transform;

/**
 * A transform that does not compile, or a record it could not transform: a message safe to show to the transform's
 * author and, when known, the 1-based line and column in the transform's source.
 */
public class TransformException extends RuntimeException {
    /** What went wrong, as the API names it. */
    public enum Kind {
        /** The source does not parse, or does not define a transform function. */
        SYNTAX,
        /** The code threw, or returned something that is not a record. */
        RUNTIME,
        /** A statement, time or memory limit stopped the record. */
        LIMIT,
        /** The code reached for something the sandbox does not give (Java, files, processes, modules). */
        REFUSED;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Kind kind;
    private final Integer line;
    private final Integer column;

    public TransformException(Kind kind, String message, Integer line, Integer column) {
        super(message, null, false, false);
        this.kind = kind;
        this.line = line;
        this.column = column;
    }

    public Kind kind() {
        return kind;
    }

    /** 1-based line in the source, or null when the error has no place in it (e.g. the record's own shape). */
    public Integer line() {
        return line;
    }

    /** 1-based column in the source, or null. */
    public Integer column() {
        return column;
    }
}
