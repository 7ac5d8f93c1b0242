package dev.weft.platform.transform;

/** Character offsets in a transform's source as the 1-based line and column an author sees in an editor. */
final class SourcePositions {
    private SourcePositions() {
    }

    static int[] lineAndColumn(String source, int offset) {
        int end = Math.max(0, Math.min(offset, source.length()));
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < end; i++) {
            if (source.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return new int[] {line, end - lineStart + 1};
    }
}
