package dev.weft.connections.connector.channel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.connections.connection.Connection;
import dev.weft.connections.connection.ConnectionService;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.tenancy.RequestPrincipal;
import dev.weft.platform.tenancy.RequiresScope;
import dev.weft.platform.tenancy.TenantContext;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A messaging channel (or mail and calendar) connection's decrypted credentials, for messaging-service's adapters. Only another Weft
 * service's internal credential is accepted (the router does not expose {@code /internal}, and even an org's admin
 * key is refused here): secrets never leave through the public API.
 */
@Path("/internal/v1/channel-connections")
@Produces(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "internal", description = "Service-to-service calls; not for API clients")
@APIResponse(responseCode = "401", description = "UNAUTHORIZED: no valid credential")
public class ChannelCredentialsResource {
    /** Chat channels, and the accounts whose mail and calendars messaging-service syncs (Google, Microsoft, IMAP mailboxes). */
    static final Set<String> CHANNELS = Set.of("whatsapp", "instagram", "facebook", "telegram", "google", "microsoft", "imap");

    private final ConnectionService connections;
    private final ObjectMapper json;

    public ChannelCredentialsResource(ConnectionService connections, ObjectMapper json) {
        this.connections = connections;
        this.json = json;
    }

    /** A channel connection: its provider, config and decrypted credentials. */
    public record ChannelConnection(String connectionId, String provider, String name, JsonNode config, JsonNode credentials) {
    }

    public record ChannelConnectionList(List<ChannelConnection> data) {
    }

    @GET
    @Path("/{connection_id}")
    @RequiresScope("connections:read")
    @Transactional
    @Operation(operationId = "getChannelConnectionInternal", summary = "A messaging channel connection with its decrypted credentials (internal callers only)")
    @APIResponse(responseCode = "200", description = "The connection")
    @APIResponse(responseCode = "403", description = "FORBIDDEN: not an internal caller")
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no such channel connection in the org")
    public ChannelConnection get(@PathParam("connection_id") String connectionId) {
        requireInternal();
        Connection connection = connections.require(connectionId);
        if (!CHANNELS.contains(connection.provider)) {
            throw ApiException.notFound("connection");
        }
        return view(connection);
    }

    @GET
    @RequiresScope("connections:read")
    @Transactional
    @Operation(operationId = "listChannelConnectionsInternal", summary = "The org's connections of one channel provider, oldest first, with decrypted credentials (internal callers only)")
    @APIResponse(responseCode = "200", description = "{data}")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: provider is not a channel")
    @APIResponse(responseCode = "403", description = "FORBIDDEN: not an internal caller")
    public ChannelConnectionList list(@QueryParam("provider") String provider) {
        requireInternal();
        if (provider == null || !CHANNELS.contains(provider)) {
            throw ApiException.invalid("provider", "one_of", "provider must be one of " + String.join(", ", new TreeSet<>(CHANNELS)));
        }
        List<Connection> found = Connection.find("provider = ?1 order by createdAt, id", provider).page(0, 50).list();
        return new ChannelConnectionList(found.stream().map(this::view).toList());
    }

    private ChannelConnection view(Connection connection) {
        try {
            return new ChannelConnection(connection.connectionId(), connection.provider, connection.name, json.readTree(connection.config),
                    connections.openCredentials(connection));
        } catch (IOException e) {
            throw new IllegalStateException("stored config is not JSON", e);
        }
    }

    /** Internal callers carry {@code system:<service>} (InternalCredentialVerifier); anyone else is refused. */
    private static void requireInternal() {
        RequestPrincipal principal = TenantContext.require();
        if (principal.credentialId() == null || !principal.credentialId().startsWith("system:")) {
            throw new ApiException(ErrorCode.FORBIDDEN, "channel credentials are given to Weft's own services only");
        }
    }
}
