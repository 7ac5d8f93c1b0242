package dev.weft.platform.pagination;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.function.Function;

/** {@code {"data":[...],"pagination":{"next_cursor":"...","has_more":true}}}. */
public record Page<T>(List<T> data, Pagination pagination) {

    /** {@code next_cursor} is always present, null on the last page, so every list has one shape. */
    public record Pagination(@JsonInclude(JsonInclude.Include.ALWAYS) String next_cursor, boolean has_more) {
    }

    /**
     * Builds a page from rows fetched with {@code limit + 1} (newest first): the extra row only
     * says whether there is more.
     */
    public static <E, T> Page<T> of(List<E> rows, PageRequest request, Function<E, Cursor> position,
                                    Function<E, T> view, CursorCodec codec) {
        boolean hasMore = rows.size() > request.limit();
        List<E> shown = hasMore ? rows.subList(0, request.limit()) : rows;
        String next = hasMore ? codec.encode(position.apply(shown.get(shown.size() - 1))) : null;
        return new Page<>(shown.stream().map(view).toList(), new Pagination(next, hasMore));
    }
}
