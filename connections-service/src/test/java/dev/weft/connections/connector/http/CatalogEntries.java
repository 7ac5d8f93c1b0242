package dev.weft.connections.connector.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Set;

/** Reads a provider's catalog entry the way ProviderCatalog does, for plain tests. */
public final class CatalogEntries {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    private CatalogEntries() {
    }

    public static JsonNode load(String provider) {
        try (InputStream in = CatalogEntries.class.getClassLoader().getResourceAsStream("providers/" + provider + ".json")) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Problems of {@code instance} against the schema at {@code schema} (a node of the entry). */
    public static Set<ValidationMessage> validate(JsonNode schema, String instanceJson) {
        try {
            return SCHEMAS.getSchema(schema).validate(JSON.readTree(instanceJson));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
