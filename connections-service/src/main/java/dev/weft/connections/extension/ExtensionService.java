package dev.weft.connections.extension;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.weft.connections.ConnectionsConfig;
import dev.weft.connections.connection.Connection;
import dev.weft.connections.connector.Connector;
import dev.weft.connections.connector.ConnectorRegistry;
import dev.weft.platform.crypto.SecretCipher;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.http.OutboundUrls;
import dev.weft.platform.id.Ids;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.pagination.CursorCodec;
import dev.weft.platform.pagination.Keyset;
import dev.weft.platform.pagination.Page;
import dev.weft.platform.pagination.PageRequest;
import dev.weft.platform.tenancy.TenantContext;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.net.URI;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Comparator;
import java.util.Optional;
import java.util.Set;

/**
 * Extensions of the current org. Registering one returns its signing secret once; connections
 * then name it as provider {@code ext_<key>} and work through the same data API as built-in ones,
 * with {@link ExtensionConnector} speaking the documented protocol to the customer's service.
 */
@ApplicationScoped
public class ExtensionService implements ConnectorRegistry.ExtensionConnectors {
    public static final String PROVIDER_PREFIX = "ext_";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    private final SecretCipher cipher;
    private final CursorCodec cursors;
    private final ObjectMapper json;
    private final ConnectionsConfig config;

    public ExtensionService(SecretCipher cipher, CursorCodec cursors, ObjectMapper json, ConnectionsConfig config) {
        this.cipher = cipher;
        this.cursors = cursors;
        this.json = json;
        this.config = config;
    }

    public static boolean isExtensionProvider(String provider) {
        return provider != null && provider.startsWith(PROVIDER_PREFIX);
    }

    @Override
    public boolean handles(String provider) {
        return isExtensionProvider(provider);
    }

    @Transactional
    public ExtensionDtos.ExtensionView register(ExtensionDtos.RegisterExtension request) {
        URI baseUrl = OutboundUrls.requireAllowed(request.baseUrl(), config.extensions().allowInsecureUrls(), "base_url");
        String provider = PROVIDER_PREFIX + request.key();
        if (Extension.count("provider", provider) > 0) {
            throw new ApiException(ErrorCode.DUPLICATE, "an extension with key " + request.key() + " already exists",
                    java.util.Map.of("field", "key", "constraint", "unique"));
        }
        if (request.configSchema() != null && !request.configSchema().isNull()) {
            compile(request.configSchema());
        }
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        String secret = "whsec_" + Base64.getEncoder().encodeToString(key);
        Extension extension = new Extension();
        extension.id = TypeId.uuidV7();
        extension.provider = provider;
        extension.name = request.name().trim();
        extension.description = request.description();
        extension.baseUrl = baseUrl.toString().replaceAll("/+$", "");
        extension.secret = cipher.encrypt(secret, extension.associatedData());
        extension.configSchema = request.configSchema() == null || request.configSchema().isNull() ? null : request.configSchema().toString();
        extension.persist();
        Log.infof("event=extension_registered org_id=%s extension_id=%s provider=%s", extension.orgId, extension.extensionId(), provider);
        return view(extension, secret);
    }

    public Page<ExtensionDtos.ExtensionView> list(String limit, String cursor) {
        PageRequest page = PageRequest.of(limit, cursor, cursors);
        return Keyset.of(Extension.class).page(page, e -> view(e, null), cursors);
    }

    public ExtensionDtos.ExtensionView get(String id) {
        return view(require(id), null);
    }

    @Transactional
    public void delete(String id) {
        Extension extension = require(id);
        long inUse = Connection.count("provider", extension.provider);
        if (inUse > 0) {
            throw new ApiException(ErrorCode.CONFLICT, inUse + " connection(s) still use this extension; delete them first");
        }
        extension.delete();
        Log.infof("event=extension_deleted org_id=%s extension_id=%s", extension.orgId, extension.extensionId());
    }

    /** Checks a connection's config against the extension's schema; the auth type of extension connections is {@code extension}. */
    @Override
    public String validateConnection(String provider, ObjectNode config, ObjectNode credentials) {
        Extension extension = byProvider(provider).orElseThrow(() ->
                ApiException.invalid("provider", "known_provider", "unknown provider " + provider + "; register it with POST /v1/extensions"));
        if (extension.configSchema != null) {
            Set<ValidationMessage> problems = compile(read(extension.configSchema)).validate(config);
            problems.stream().min(Comparator.comparing(ValidationMessage::getMessage)).ifPresent(problem -> {
                throw ApiException.invalid("config", problem.getType(), "config: " + problem.getMessage());
            });
        }
        return "extension";
    }

    @Override
    public Optional<Connector> connectorFor(String provider) {
        if (!isExtensionProvider(provider) || TenantContext.current().isEmpty()) {
            return Optional.empty();
        }
        return byProvider(provider).map(extension -> {
            URI baseUrl = OutboundUrls.requireAllowed(extension.baseUrl, config.extensions().allowInsecureUrls(), "base_url");
            return new ExtensionConnector(provider, baseUrl, cipher.decrypt(extension.secret, extension.associatedData()));
        });
    }

    private Optional<Extension> byProvider(String provider) {
        return Extension.<Extension>find("provider", provider).firstResultOptional();
    }

    private Extension require(String id) {
        Extension extension = Extension.findById(Ids.require(Extension.ID_PREFIX, id, "extension"));
        if (extension == null) {
            throw ApiException.notFound("extension");
        }
        return extension;
    }

    private ExtensionDtos.ExtensionView view(Extension e, String secret) {
        return new ExtensionDtos.ExtensionView(e.extensionId(), e.provider, e.name, e.description, e.baseUrl,
                e.configSchema == null ? null : read(e.configSchema), secret, e.createdAt, e.updatedAt);
    }

    private static JsonSchema compile(JsonNode schema) {
        try {
            return SCHEMAS.getSchema(schema);
        } catch (RuntimeException e) {
            throw ApiException.invalid("config_schema", "json_schema", "config_schema is not a valid JSON Schema");
        }
    }

    private JsonNode read(String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
