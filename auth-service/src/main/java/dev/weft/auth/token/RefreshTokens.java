package dev.weft.auth.token;

import dev.weft.auth.AuthConfig;
import dev.weft.auth.client.ClientSecrets;
import dev.weft.auth.client.Scopes;
import dev.weft.auth.credential.LocalRevocations;
import dev.weft.platform.auth.RevocationListener;
import dev.weft.platform.events.DomainEvent;
import dev.weft.platform.events.Outbox;
import dev.weft.platform.events.Topics;
import dev.weft.platform.id.TypeId;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Rotating refresh tokens, stored as SHA-256. Each token belongs to a family started by one
 * client-credentials grant; using a token marks it used and issues the family's next one, and
 * presenting an already-used token revokes the whole family (it was copied: RFC 6819 §5.2.2.3).
 * Written with JDBC and {@code SELECT ... FOR UPDATE} so two concurrent uses of one token cannot
 * both succeed; callers run inside a transaction and the tenant context of the client's org.
 */
@ApplicationScoped
public class RefreshTokens {
    public static final String PREFIX = "wrt_";
    public static final String FAMILY_PREFIX = "rtf";

    private final DataSource dataSource;
    private final Outbox outbox;
    private final AuthConfig config;
    private final LocalRevocations revocations;

    public RefreshTokens(DataSource dataSource, Outbox outbox, AuthConfig config, LocalRevocations revocations) {
        this.dataSource = dataSource;
        this.outbox = outbox;
        this.config = config;
        this.revocations = revocations;
    }

    public sealed interface Rotation {
        /** {@code family} is the {@code rtf_...} id access tokens carry as {@code sid}. */
        record Rotated(String refreshToken, String scope, String family) implements Rotation {
        }

        record Refused(String reason) implements Rotation {
        }

        /** The family was revoked because a used token came back; the caller reports invalid_grant. */
        record Reused() implements Rotation {
        }

        record ScopeTooWide() implements Rotation {
        }
    }

    public record Found(UUID familyId, String orgId, UUID clientId, String scope, Instant createdAt, Instant expiresAt,
                        boolean usable) {
    }

    /** A new family's first refresh token, and the family's id ({@code rtf_...}) for the access tokens it goes with. */
    public record Started(String refreshToken, String family) {
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public Started start(String orgId, UUID clientId, String scope) {
        try (Connection connection = dataSource.getConnection()) {
            UUID family = TypeId.uuidV7();
            return new Started(insert(connection, orgId, clientId, family, scope), TypeId.format(FAMILY_PREFIX, family));
        } catch (SQLException e) {
            throw new IllegalStateException("could not store a refresh token", e);
        }
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public Rotation rotate(String presented, UUID clientId, String clientPublicId, Set<String> requestedScopes) {
        try (Connection connection = dataSource.getConnection()) {
            Row row;
            try (PreparedStatement query = connection.prepareStatement("""
                    SELECT id, org_id, client_id, family_id, scope, expires_at, used_at, revoked_at
                    FROM refresh_tokens WHERE token_hash = ? FOR UPDATE""")) {
                query.setString(1, ClientSecrets.hash(presented));
                try (ResultSet result = query.executeQuery()) {
                    if (!result.next()) {
                        return new Rotation.Refused("unknown");
                    }
                    row = Row.of(result);
                }
            }
            if (!row.clientId().equals(clientId)) {
                return new Rotation.Refused("other_client");
            }
            if (row.revokedAt() != null) {
                return new Rotation.Refused("revoked");
            }
            if (row.usedAt() != null) {
                revokeFamily(connection, row.familyId(), row.orgId(), clientPublicId, "refresh_token_reuse");
                return new Rotation.Reused();
            }
            if (row.expiresAt().isBefore(Instant.now())) {
                return new Rotation.Refused("expired");
            }
            if (!Scopes.covers(Scopes.parse(row.scope()), requestedScopes)) {
                return new Rotation.ScopeTooWide();
            }
            try (PreparedStatement use = connection.prepareStatement("UPDATE refresh_tokens SET used_at = now() WHERE id = ?")) {
                use.setObject(1, row.id());
                use.executeUpdate();
            }
            // RFC 6749 §6: the new refresh token has exactly the scope of the one it replaces.
            return new Rotation.Rotated(insert(connection, row.orgId(), clientId, row.familyId(), row.scope()), row.scope(),
                    TypeId.format(FAMILY_PREFIX, row.familyId()));
        } catch (SQLException e) {
            throw new IllegalStateException("could not rotate a refresh token", e);
        }
    }

    /** Looks a token up without changing it (introspection, revocation). */
    public Optional<Found> find(String presented) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement("""
                     SELECT id, org_id, client_id, family_id, scope, created_at, expires_at, used_at, revoked_at
                     FROM refresh_tokens WHERE token_hash = ?""")) {
            query.setString(1, ClientSecrets.hash(presented));
            try (ResultSet result = query.executeQuery()) {
                if (!result.next()) {
                    return Optional.empty();
                }
                Row row = Row.of(result);
                boolean usable = row.usedAt() == null && row.revokedAt() == null && row.expiresAt().isAfter(Instant.now());
                return Optional.of(new Found(row.familyId(), row.orgId(), row.clientId(), row.scope(),
                        result.getTimestamp("created_at").toInstant(), row.expiresAt(), usable));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read a refresh token", e);
        }
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public void revokeFamily(UUID familyId, String orgId, String clientPublicId, String reason) {
        try (Connection connection = dataSource.getConnection()) {
            revokeFamily(connection, familyId, orgId, clientPublicId, reason);
        } catch (SQLException e) {
            throw new IllegalStateException("could not revoke a refresh token family", e);
        }
    }

    private void revokeFamily(Connection connection, UUID familyId, String orgId, String clientPublicId, String reason) throws SQLException {
        int revoked;
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = ? AND revoked_at IS NULL")) {
            update.setObject(1, familyId);
            revoked = update.executeUpdate();
        }
        if (revoked == 0) {
            return;
        }
        String familyPublicId = TypeId.format(FAMILY_PREFIX, familyId);
        outbox.publish(DomainEvent.of(Topics.AUTH, "credential.revoked", clientPublicId,
                new FamilyRevoked(familyPublicId, RevocationListener.REFRESH_TOKEN_FAMILY, clientPublicId, reason)));
        revocations.afterCommit(RevocationListener.REFRESH_TOKEN_FAMILY, familyPublicId, null, reason);
        Log.infof("event=refresh_family_revoked org_id=%s client_id=%s family=%s reason=%s", orgId, clientPublicId, familyPublicId, reason);
    }

    /** The credential.revoked data for a refresh-token family: identifiers only. */
    public record FamilyRevoked(String credentialId, String credentialType, String clientId, String reason) {
    }

    private String insert(Connection connection, String orgId, UUID clientId, UUID familyId, String scope) throws SQLException {
        String token = ClientSecrets.generate(PREFIX);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO refresh_tokens (id, org_id, client_id, family_id, token_hash, scope, created_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)""")) {
            insert.setObject(1, TypeId.uuidV7());
            insert.setString(2, orgId);
            insert.setObject(3, clientId);
            insert.setObject(4, familyId);
            insert.setString(5, ClientSecrets.hash(token));
            insert.setString(6, scope);
            insert.setTimestamp(7, Timestamp.from(now));
            insert.setTimestamp(8, Timestamp.from(now.plus(config.refreshTokenLifetime())));
            insert.executeUpdate();
        }
        return token;
    }

    private record Row(UUID id, String orgId, UUID clientId, UUID familyId, String scope, Instant expiresAt, Instant usedAt,
                       Instant revokedAt) {
        static Row of(ResultSet result) throws SQLException {
            return new Row(result.getObject("id", UUID.class), result.getString("org_id"), result.getObject("client_id", UUID.class),
                    result.getObject("family_id", UUID.class), result.getString("scope"), result.getTimestamp("expires_at").toInstant(),
                    instant(result.getTimestamp("used_at")), instant(result.getTimestamp("revoked_at")));
        }

        private static Instant instant(Timestamp timestamp) {
            return timestamp == null ? null : timestamp.toInstant();
        }
    }

}
