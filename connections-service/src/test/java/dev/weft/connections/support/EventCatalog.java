package dev.weft.connections.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/** webhook-service's catalog of event types, the public description of every event's data, as tests check it. */
public final class EventCatalog {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EventCatalog() {
    }

    /** What in {@code data} breaks the catalog's schema for {@code type} (empty when it conforms). */
    public static Set<String> violations(String type, JsonNode data) {
        try {
            JsonNode catalog = JSON.readTree(Files.readString(Path.of(System.getProperty("basedir", "."))
                    .resolve("../webhook-service/src/main/resources/event-types.json")));
            for (JsonNode entry : catalog) {
                if (type.equals(entry.path("type").asText())) {
                    Set<String> messages = new HashSet<>();
                    JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                            .getSchema(entry.path("schema")).validate(data).forEach(m -> messages.add(m.getMessage()));
                    return messages;
                }
            }
            return Set.of("no catalog entry for " + type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
