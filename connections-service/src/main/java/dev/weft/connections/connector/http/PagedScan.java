package dev.weft.connections.connector.http;

import dev.weft.connections.connector.RecordPage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Walks an API's pages collecting the records a filter keeps, for APIs that cannot filter
 * themselves. Stops at {@code limit} kept records (the cursor then points just past the last one,
 * inside its page) or after {@code maxPages} pages, so a selective filter over a large listing
 * answers with a short (even empty) page and a cursor instead of holding the caller.
 */
public final class PagedScan {

    /** One page of the API: its records and the position of the next page (null at the end). */
    public record Page(List<Map<String, Object>> records, String nextPosition) {
    }

    @FunctionalInterface
    public interface PageSource {
        /** Fetches the page at {@code position} (null: the first page). */
        Page fetch(String position);
    }

    private PagedScan() {
    }

    public static RecordPage scan(PageSource source, PageCursor start, Predicate<Map<String, Object>> keep,
                                  UnaryOperator<Map<String, Object>> project, int limit, int maxPages) {
        List<Map<String, Object>> kept = new ArrayList<>();
        String position = start.position();
        int skip = start.skip();
        for (int pages = 0; ; pages++) {
            if (pages == maxPages) {
                return new RecordPage(kept, new PageCursor(position, 0).encode(), true);
            }
            Page page = source.fetch(position);
            List<Map<String, Object>> records = page.records();
            for (int i = skip; i < records.size(); i++) {
                Map<String, Object> record = records.get(i);
                if (keep.test(record)) {
                    kept.add(project.apply(record));
                    if (kept.size() >= limit) {
                        if (i + 1 < records.size()) {
                            return new RecordPage(kept, new PageCursor(position, i + 1).encode(), true);
                        }
                        return page.nextPosition() == null
                                ? new RecordPage(kept, null, false)
                                : new RecordPage(kept, new PageCursor(page.nextPosition(), 0).encode(), true);
                    }
                }
            }
            if (page.nextPosition() == null) {
                return new RecordPage(kept, null, false);
            }
            position = page.nextPosition();
            skip = 0;
        }
    }

    /** The record with only {@code fields}, in that order (missing ones as null); all fields when empty. */
    public static UnaryOperator<Map<String, Object>> projection(List<String> fields) {
        if (fields == null || fields.isEmpty()) {
            return record -> record;
        }
        return record -> {
            Map<String, Object> projected = new java.util.LinkedHashMap<>();
            fields.forEach(f -> projected.put(f, record.get(f)));
            return projected;
        };
    }
}
