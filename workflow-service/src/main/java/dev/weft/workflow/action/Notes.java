package dev.weft.workflow.action;

import java.util.LinkedHashSet;
import java.util.List;

/** Step warnings, worded once. */
final class Notes {
    private Notes() {
    }

    /** Each template path that was not there (rendered empty), once. */
    static List<String> missing(List<String> paths) {
        return new LinkedHashSet<>(paths).stream().map(p -> "template path {{" + p + "}} is missing; rendered empty").toList();
    }
}
