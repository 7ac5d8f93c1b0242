package dev.weft.platform.pagination;

import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;

/**
 * The keyset clause behind every list: newest first on {@code (createdAt, id)}, so rows inserted
 * while a client pages never shift the pages it has not read yet.
 */
public final class Keyset {
    private Keyset() {
    }

    public static final Sort NEWEST_FIRST = Sort.descending("createdAt", "id");

    /** A JPQL condition to AND with a list query, or {@code "1 = 1"} on the first page. */
    public static String condition(PageRequest request) {
        return request.after().isPresent() ? "(createdAt < :kCreatedAt or (createdAt = :kCreatedAt and id < :kId))" : "1 = 1";
    }

    public static Parameters parameters(PageRequest request) {
        Parameters parameters = new Parameters();
        request.after().ifPresent(cursor -> parameters.and("kCreatedAt", cursor.createdAt()).and("kId", cursor.id()));
        return parameters;
    }
}
