package dev.weft.connections.connection;

import dev.weft.platform.tenancy.OrgScopedLookup;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.connections.connector.ConnectorRegistry;
import dev.weft.connections.connector.ProviderCatalog;
import dev.weft.platform.crypto.EnvelopeCipher;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.id.Ids;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.pagination.CursorCodec;
import dev.weft.platform.pagination.Keyset;
import dev.weft.platform.pagination.Page;
import dev.weft.platform.pagination.PageRequest;
import dev.weft.platform.tenancy.RequestPrincipal;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Connections of the current org: validated against the provider's schemas, credentials sealed
 * with {@link EnvelopeCipher} and bound to their row, every change an event in the same transaction.
 */
@ApplicationScoped
public class ConnectionService {
    private final Event<ConnectionDeleting> deleting;
    private final ProviderCatalog catalog;
    private final ConnectorRegistry connectors;
    private final ConnectorRegistry.ExtensionConnectors extensions;
    private final EnvelopeCipher cipher;
    private final ConnectionEvents events;
    private final CursorCodec cursors;
    private final ObjectMapper json;

    public ConnectionService(ProviderCatalog catalog, ConnectorRegistry connectors, ConnectorRegistry.ExtensionConnectors extensions,
                             EnvelopeCipher cipher, ConnectionEvents events, CursorCodec cursors, ObjectMapper json,
                             Event<ConnectionDeleting> deleting) {
        this.deleting = deleting;
        this.catalog = catalog;
        this.connectors = connectors;
        this.extensions = extensions;
        this.cipher = cipher;
        this.events = events;
        this.cursors = cursors;
        this.json = json;
    }

    @Transactional
    public ConnectionDtos.ConnectionView create(ConnectionDtos.CreateConnection request, RequestPrincipal creator) {
        ObjectNode config = object(request.config(), "config");
        ObjectNode credentials = object(request.credentials(), "credentials");
        String provider = request.provider().trim();
        String authType = validate(provider, config, credentials);
        Connection connection = new Connection();
        connection.id = TypeId.uuidV7();
        connection.provider = provider;
        connection.name = request.name().trim();
        connection.config = write(config);
        connection.authType = authType;
        connection.status = ConnectionStatus.PENDING.json();
        connection.nextCheckAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        connection.createdBy = creator.credentialId();
        storeCredentials(connection, credentials);
        connection.persist();
        events.created(connection);
        Log.infof("event=connection_created org_id=%s connection_id=%s provider=%s auth_type=%s",
                connection.orgId, connection.connectionId(), provider, authType);
        return view(connection);
    }

    /** Creates or updates the connection an OAuth callback authorized (credentials already validated by the flow). */
    @Transactional(Transactional.TxType.MANDATORY)
    public Connection saveAuthorized(Connection existing, String provider, String name, String authType, ObjectNode credentials,
                                     Instant tokenExpiresAt, String principalId) {
        boolean created = existing == null;
        Connection connection = created ? new Connection() : existing;
        if (created) {
            connection.id = TypeId.uuidV7();
            connection.provider = provider;
            connection.name = name;
            connection.config = "{}";
            connection.createdBy = principalId;
        }
        connection.authType = authType;
        connection.oauthSubject = principalId;
        connection.tokenExpiresAt = tokenExpiresAt;
        connection.status = ConnectionStatus.PENDING.json();
        connection.statusMessage = null;
        connection.consecutiveFailures = 0;
        connection.nextCheckAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        storeCredentials(connection, credentials);
        if (created) {
            connection.persist();
            events.created(connection);
        } else {
            events.updated(connection);
        }
        connectors.find(provider).ifPresent(c -> c.release(connection.connectionId()));
        return connection;
    }

    public Page<ConnectionDtos.ConnectionView> list(String limit, String cursor, String provider) {
        PageRequest page = PageRequest.of(limit, cursor, cursors);
        return Keyset.of(Connection.class).whereIfPresent("provider = :provider", "provider", provider == null ? null : provider.trim())
                .page(page, this::view, cursors);
    }

    public ConnectionDtos.ConnectionView get(String id) {
        return view(require(id));
    }

    @Transactional
    public ConnectionDtos.ConnectionView update(String id, ConnectionDtos.UpdateConnection request) {
        Connection connection = require(id);
        if (request.provider() != null && !request.provider().equals(connection.provider)) {
            throw ApiException.invalid("provider", "immutable", "a connection's provider cannot change; create a new connection");
        }
        ObjectNode config = request.config() == null ? (ObjectNode) read(connection.config) : object(request.config(), "config");
        ObjectNode credentials = openCredentials(connection);
        if (request.credentials() != null) {
            ObjectNode changes = object(request.credentials(), "credentials");
            for (Iterator<Map.Entry<String, JsonNode>> it = changes.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> change = it.next();
                if (change.getValue().isNull()) {
                    credentials.remove(change.getKey());
                } else {
                    credentials.set(change.getKey(), change.getValue());
                }
            }
        }
        connection.authType = validate(connection.provider, config, credentials);
        if (request.name() != null) {
            if (request.name().isBlank()) {
                throw ApiException.invalid("name", "not_blank", "name must not be blank");
            }
            connection.name = request.name().trim();
        }
        connection.config = write(config);
        if (request.credentials() != null || request.config() != null) {
            storeCredentials(connection, credentials);
            // New settings deserve a fresh verdict soon.
            connection.nextCheckAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        }
        connection.updatedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        events.updated(connection);
        connectors.find(connection.provider).ifPresent(c -> c.release(connection.connectionId()));
        Log.infof("event=connection_updated org_id=%s connection_id=%s credentials_changed=%s",
                connection.orgId, connection.connectionId(), request.credentials() != null);
        return view(connection);
    }

    @Transactional
    public void delete(String id) {
        Connection connection = require(id);
        deleting.fire(new ConnectionDeleting(connection.id, connection.connectionId()));
        connection.delete();
        events.deleted(connection);
        connectors.find(connection.provider).ifPresent(c -> c.release(connection.connectionId()));
        Log.infof("event=connection_deleted org_id=%s connection_id=%s provider=%s", connection.orgId, connection.connectionId(), connection.provider);
    }

    /** The connection of this id in the current org; another org's is a 404 like a missing one. */
    public Connection require(String id) {
        Connection connection = OrgScopedLookup.findById(Connection.class, Ids.require(Connection.ID_PREFIX, id, "connection"));
        if (connection == null) {
            throw ApiException.notFound("connection");
        }
        return connection;
    }

    /** The connection's health; read in a transaction of its own, as a check or refresh may just have committed it in another. */
    public ConnectionDtos.StatusView status(String id) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Connection c = require(id);
            return new ConnectionDtos.StatusView(c.connectionId(), c.provider, c.status, c.statusMessage, c.lastCheckedAt, c.nextCheckAt,
                    c.consecutiveFailures, c.tokenExpiresAt, c.credentialFieldList().contains("refresh_token"),
                    SyncRequests.SyncRequestView.latest(c));
        });
    }

    public ObjectNode openCredentials(Connection connection) {
        return (ObjectNode) read(cipher.open(connection.sealedCredentials(), connection.associatedData()));
    }

    public void storeCredentials(Connection connection, ObjectNode credentials) {
        connection.seal(cipher.seal(write(credentials), connection.associatedData()));
        List<String> fields = new ArrayList<>();
        credentials.fieldNames().forEachRemaining(fields::add);
        fields.sort(String::compareTo);
        connection.credentialFields = String.join(",", fields);
    }

    public Map<String, Object> config(Connection connection) {
        return json.convertValue(read(connection.config), json.getTypeFactory().constructMapType(Map.class, String.class, Object.class));
    }

    public ConnectionDtos.ConnectionView view(Connection c) {
        return new ConnectionDtos.ConnectionView(c.connectionId(), c.provider, c.name, read(c.config), c.authType, c.credentialFieldList(),
                c.status, c.statusMessage, c.lastCheckedAt, c.tokenExpiresAt, c.createdAt, c.updatedAt);
    }

    private String validate(String provider, ObjectNode config, ObjectNode credentials) {
        if (extensions.handles(provider)) {
            return extensions.validateConnection(provider, config, credentials);
        }
        return catalog.validate(provider, config, credentials).type();
    }

    private static ObjectNode object(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            if (field.equals("config")) {
                return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            }
            throw ApiException.invalid(field, "required", field + " is required");
        }
        if (!node.isObject()) {
            throw ApiException.invalid(field, "type", field + " must be a JSON object");
        }
        return ((ObjectNode) node).deepCopy();
    }

    private JsonNode read(String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is unreadable", e);
        }
    }

    private String write(JsonNode node) {
        try {
            return json.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
