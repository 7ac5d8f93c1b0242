package dev.weft.connections.capture;

import java.util.List;
import java.util.Map;

/**
 * Changes a source hands over at once, in source order, with the source's own position after the last of them. The
 * offsets are opaque to everyone but the source; they are stored in the same transaction as the events, so a source
 * that starts again reads back exactly the position of the last batch whose events were stored.
 */
public record ChangeBatch(List<Change> changes, Map<String, String> offsets, String position) {
}
