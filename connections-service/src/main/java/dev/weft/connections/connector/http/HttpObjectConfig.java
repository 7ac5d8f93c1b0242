package dev.weft.connections.connector.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.connections.connector.ConnectorException;
import dev.weft.connections.connector.FieldSchema;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One object of a generic HTTP connection's {@code config.objects}, with defaults applied. */
record HttpObjectConfig(String name, String path, String recordsPath, String idField, String updatedField,
                        String sinceParam, Pagination pagination, List<FieldSchema> fields) {

    enum Style { NONE, PAGE, OFFSET, CURSOR, LINK_HEADER }

    record Pagination(Style style, String pageParam, String sizeParam, int start, int pageSize,
                      String offsetParam, String limitParam, String cursorParam, String nextCursorPath) {
    }

    static HttpObjectConfig parse(String name, JsonNode node) {
        String path = node.path("path").asText("");
        if (!path.startsWith("/")) {
            throw ConnectorException.invalid("config.objects." + name + ".path", "pattern", "path of object " + name + " must start with /");
        }
        JsonNode paging = node.path("pagination");
        Style style;
        try {
            style = Style.valueOf(paging.path("style").asText("none").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ConnectorException.invalid("config.objects." + name + ".pagination.style", "enum",
                    "pagination style must be none, page, offset, cursor or link_header");
        }
        if (style == Style.CURSOR && paging.path("next_cursor_path").asText("").isBlank()) {
            throw ConnectorException.invalid("config.objects." + name + ".pagination.next_cursor_path", "required",
                    "cursor pagination needs next_cursor_path");
        }
        Pagination pagination = new Pagination(style,
                paging.path("page_param").asText("page"), paging.path("size_param").asText("per_page"),
                paging.path("start").asInt(1), Math.max(1, paging.path("page_size").asInt(100)),
                paging.path("offset_param").asText("offset"), paging.path("limit_param").asText("limit"),
                paging.path("cursor_param").asText("cursor"), paging.path("next_cursor_path").asText(""));
        List<FieldSchema> fields = new ArrayList<>();
        for (JsonNode field : node.path("fields")) {
            fields.add(FieldSchema.of(field.path("name").asText(), field.path("type").asText("string")));
        }
        return new HttpObjectConfig(name, path, node.path("records_path").asText(""), node.path("id_field").asText("id"),
                blankToNull(node.path("updated_field").asText(null)), blankToNull(node.path("since_param").asText(null)),
                pagination, List.copyOf(fields));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
