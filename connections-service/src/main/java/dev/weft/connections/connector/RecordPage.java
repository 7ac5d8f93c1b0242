package dev.weft.connections.connector;

import java.util.List;
import java.util.Map;

/** Records of one page or batch, and where the next one starts (opaque to everyone but the connector). */
public record RecordPage(List<Map<String, Object>> records, String nextCursor, boolean hasMore) {
}
