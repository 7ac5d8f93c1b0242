package dev.weft.connections.connection;

import dev.weft.platform.error.ApiException;
import dev.weft.platform.id.Ids;
import dev.weft.platform.tenancy.TenantContext;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The connection a data call names, for the calls that only read it (the data API, sync-service's internal reads and
 * writes: one per batch of a run). Loading the entity through Hibernate on every call was a tenth of connections-service's
 * CPU in bench/sync; here each call asks PostgreSQL only for the row's version ({@code xmin}, which every committed
 * change of the row renews, whoever made it: an update, a token refresh, a key re-wrap), and the entity loaded for that
 * version is reused while the version stays. A deleted connection, or one of another org, is a 404 at once, as with
 * {@link ConnectionService#require}: the version is read for this id and org on every call, so nothing outlives a
 * change. Credentials stay sealed in the entity and are opened per call, as before.
 *
 * <p>The entity handed out is detached and shared: callers read it and must not change it. Inside a transaction this
 * delegates to {@link ConnectionService#require}, as the transaction may hold changes not yet flushed.
 */
@ApplicationScoped
public class CurrentConnections {
    private static final String VERSION = "SELECT xmin::text FROM connections WHERE id = ? AND org_id = ?";
    /** Connections kept at most; past it the map starts over (a working set larger than this only reloads more). */
    private static final int MAX_KEPT = 1024;

    private final ConnectionService connections;
    private final DataSource dataSource;
    private final Map<UUID, Kept> kept = new ConcurrentHashMap<>();

    private record Kept(String orgId, String version, Connection connection) {
    }

    public CurrentConnections(ConnectionService connections, DataSource dataSource) {
        this.connections = connections;
        this.dataSource = dataSource;
    }

    /** The connection of this id in the current org, as last committed; another org's is a 404 like a missing one. */
    public Connection require(String id) {
        if (QuarkusTransaction.isActive()) {
            return connections.require(id);
        }
        UUID uuid = Ids.require(Connection.ID_PREFIX, id, "connection");
        String orgId = TenantContext.requireOrgId();
        String version = version(uuid, orgId);
        if (version == null) {
            kept.remove(uuid);
            throw ApiException.notFound("connection");
        }
        Kept known = kept.get(uuid);
        if (known != null && known.orgId().equals(orgId) && known.version().equals(version)) {
            return known.connection();
        }
        // Loaded after its version was read: a change in between makes the next call load it again, never the reverse.
        Connection connection = connections.require(id);
        if (kept.size() >= MAX_KEPT) {
            kept.clear();
        }
        kept.put(uuid, new Kept(orgId, version, connection));
        return connection;
    }

    private String version(UUID id, String orgId) {
        try (java.sql.Connection db = dataSource.getConnection(); PreparedStatement select = db.prepareStatement(VERSION)) {
            select.setObject(1, id);
            select.setString(2, orgId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? row.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read connection " + id + "'s version: " + e.getMessage(), e);
        }
    }
}
