package dev.weft.auth.client;

import dev.weft.auth.org.Organization;

import dev.weft.platform.id.TypeId;

import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Checks a client's id and secret at the token, revocation and introspection endpoints. There is
 * no principal yet, so this reads with plain JDBC by primary key instead of through Hibernate's
 * tenant-scoped session; the org comes from the row.
 */
@ApplicationScoped
public class ClientAuthenticator {
    /** Compared against when the client does not exist, so unknown and wrong-secret take the same time. */
    private static final String NO_CLIENT_HASH = ClientSecrets.hash("no client");

    private final DataSource dataSource;

    public ClientAuthenticator(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** {@code plan} is the org's plan, carried in access tokens so every service rate-limits without asking. */
    public record AuthenticatedClient(UUID id, String clientId, String orgId, Set<String> scopes, String plan) {
    }

    /** Empty for an unknown or deleted client and for a wrong secret alike. */
    public Optional<AuthenticatedClient> authenticate(String clientId, String secret) {
        Optional<UUID> id = TypeId.parse(OAuthClient.ID_PREFIX, clientId);
        Optional<Row> row = id.flatMap(this::load);
        boolean secretMatches = ClientSecrets.matches(secret, row.map(Row::secretHash).orElse(NO_CLIENT_HASH));
        if (row.isEmpty() || !secretMatches) {
            return Optional.empty();
        }
        return Optional.of(new AuthenticatedClient(id.get(), clientId, row.get().orgId(), Scopes.parse(row.get().scopes()), row.get().plan()));
    }

    /** Whether the client still exists (tokens of a deleted client introspect as inactive). */
    public boolean exists(String clientId) {
        return TypeId.parse(OAuthClient.ID_PREFIX, clientId).flatMap(this::load).isPresent();
    }

    private record Row(String orgId, String scopes, String secretHash, String plan) {
    }

    private Optional<Row> load(UUID id) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement client = connection.prepareStatement("SELECT org_id, scopes, secret_hash FROM oauth_clients WHERE id = ?");
             PreparedStatement org = connection.prepareStatement("SELECT plan FROM organizations WHERE id = ?")) {
            client.setObject(1, id);
            try (ResultSet row = client.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                String orgId = row.getString(1);
                String plan = null;
                Optional<UUID> orgUuid = TypeId.parse(Organization.ID_PREFIX, orgId);
                if (orgUuid.isPresent()) {
                    org.setObject(1, orgUuid.get());
                    try (ResultSet planRow = org.executeQuery()) {
                        plan = planRow.next() ? planRow.getString(1) : null;
                    }
                }
                return Optional.of(new Row(orgId, row.getString(2), row.getString(3), plan));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read oauth client", e);
        }
    }
}
