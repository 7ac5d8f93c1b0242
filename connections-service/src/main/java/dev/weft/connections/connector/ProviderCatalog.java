package dev.weft.connections.connector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.weft.platform.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The provider catalog: each built-in connector's entry, read once at start, with its JSON Schemas
 * compiled. {@link #validate} checks a connection's {@code config} and {@code credentials} and
 * reports the first problem as a 400 naming the field ({@code config.api_version},
 * {@code credentials.password}).
 */
@ApplicationScoped
public class ProviderCatalog {
    private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    private final Map<String, Entry> entries = new LinkedHashMap<>();

    public ProviderCatalog(ConnectorRegistry registry, ObjectMapper json) {
        List<Connector> connectors = new ArrayList<>(registry.builtIn());
        connectors.sort(Comparator.comparing(Connector::provider));
        for (Connector connector : connectors) {
            ProviderDefinition definition = load(connector, json);
            entries.put(definition.id(), new Entry(definition, SCHEMAS.getSchema(definition.configSchema()),
                    definition.authTypes().stream().map(a -> SCHEMAS.getSchema(a.credentialsSchema())).toList()));
        }
    }

    public Collection<ProviderDefinition> all() {
        return entries.values().stream().map(Entry::definition).toList();
    }

    public Optional<ProviderDefinition> find(String provider) {
        return Optional.ofNullable(entries.get(provider)).map(Entry::definition);
    }

    /** The credential fields an auth type's schema declares (its {@code properties}). */
    public java.util.Set<String> declaredCredentialFields(String provider, String authType) {
        java.util.Set<String> names = new java.util.HashSet<>();
        find(provider).flatMap(d -> d.authTypes().stream().filter(a -> a.type().equals(authType)).findFirst())
                .ifPresent(a -> a.credentialsSchema().path("properties").fieldNames().forEachRemaining(names::add));
        return names;
    }

    /** Checks config and credentials against the provider's schemas; returns the auth type they select. */
    public ProviderDefinition.AuthType validate(String provider, JsonNode config, JsonNode credentials) {
        Entry entry = entries.get(provider);
        if (entry == null) {
            throw ApiException.invalid("provider", "known_provider", "unknown provider " + provider + "; GET /v1/providers lists them");
        }
        report("config", entry.configSchema().validate(config));
        int authIndex = authTypeIndex(entry.definition(), credentials);
        report("credentials", entry.credentialSchemas().get(authIndex).validate(credentials));
        return entry.definition().authTypes().get(authIndex);
    }

    private static int authTypeIndex(ProviderDefinition definition, JsonNode credentials) {
        String discriminator = definition.credentialsDiscriminator();
        if (discriminator == null || definition.authTypes().size() == 1) {
            return 0;
        }
        JsonNode value = credentials.get(discriminator);
        if (value == null || value.isNull()) {
            return 0;
        }
        List<String> allowed = new ArrayList<>();
        for (int i = 0; i < definition.authTypes().size(); i++) {
            String expected = definition.authTypes().get(i).discriminatorValue();
            allowed.add(expected);
            if (value.isTextual() && value.asText().equals(expected)) {
                return i;
            }
        }
        throw ApiException.invalid("credentials." + discriminator, "enum",
                "credentials." + discriminator + " must be one of " + String.join(", ", allowed));
    }

    private static void report(String root, java.util.Set<ValidationMessage> problems) {
        problems.stream().min(Comparator.comparing(ValidationMessage::getMessage)).ifPresent(problem -> {
            String field = fieldOf(root, problem);
            throw ApiException.invalid(field, problem.getType(), field + ": " + stripPath(problem.getMessage()));
        });
    }

    private static String fieldOf(String root, ValidationMessage problem) {
        StringBuilder field = new StringBuilder(root);
        String location = problem.getInstanceLocation() == null ? "$" : problem.getInstanceLocation().toString();
        for (String part : location.replaceFirst("^\\$", "").split("[.\\[\\]]")) {
            if (!part.isBlank()) {
                field.append('.').append(part);
            }
        }
        if (problem.getProperty() != null && ("required".equals(problem.getType()) || "additionalProperties".equals(problem.getType()))) {
            field.append('.').append(problem.getProperty());
        }
        return field.toString();
    }

    private static String stripPath(String message) {
        int colon = message.indexOf(": ");
        return colon > 0 && message.startsWith("$") ? message.substring(colon + 2) : message;
    }

    private static ProviderDefinition load(Connector connector, ObjectMapper json) {
        String resource = connector.catalogEntry();
        try (InputStream in = connector.getClass().getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("connector " + connector.provider() + " has no catalog entry " + resource);
            }
            JsonNode node = json.readTree(in);
            List<ProviderDefinition.AuthType> authTypes = new ArrayList<>();
            for (JsonNode auth : node.path("auth_types")) {
                authTypes.add(new ProviderDefinition.AuthType(auth.path("type").asText(),
                        auth.path("discriminator_value").asText(null), auth.path("credentials_schema")));
            }
            JsonNode oauth = node.path("oauth");
            Optional<ProviderDefinition.OAuth> oauthDefinition = oauth.isObject()
                    ? Optional.of(new ProviderDefinition.OAuth(oauth.path("authorize_url").asText(null), oauth.path("token_url").asText(null),
                    oauth.path("revoke_url").asText(null), strings(oauth.path("scopes")), oauth.path("scope_separator").asText(" "),
                    oauth.path("pkce").asBoolean(true), oauth.path("extra_authorize_params")))
                    : Optional.empty();
            ProviderDefinition definition = new ProviderDefinition(node.path("id").asText(), node.path("name").asText(),
                    node.path("category").asText(), node.path("description").asText(null), node.path("docs_url").asText(null),
                    node.path("config_schema"), node.path("credentials_discriminator").asText(null), List.copyOf(authTypes),
                    strings(node.path("objects")), oauthDefinition);
            if (!definition.id().equals(connector.provider()) || authTypes.isEmpty()) {
                throw new IllegalStateException(resource + " must have id " + connector.provider() + " and at least one auth type");
            }
            return definition;
        } catch (IOException e) {
            throw new IllegalStateException("unreadable catalog entry " + resource, e);
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return List.copyOf(values);
    }

    private record Entry(ProviderDefinition definition, JsonSchema configSchema, List<JsonSchema> credentialSchemas) {
    }
}
