package dev.weft.auth.credential;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.weft.auth.apikey.ApiKey;
import dev.weft.auth.client.ClientSecrets;
import dev.weft.auth.client.Scopes;
import dev.weft.auth.org.Organization;
import dev.weft.auth.signingkey.RequestSigningKey;
import dev.weft.platform.auth.CredentialGrant;
import dev.weft.platform.auth.CredentialIntrospector;
import dev.weft.platform.crypto.SecretCipher;
import dev.weft.platform.id.TypeId;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * auth-service answers introspection from its own tables instead of over HTTP (it replaces the
 * platform's HTTP introspector), both for its own requests and for POST /v1/auth/introspect.
 * There is no principal yet, so this reads with plain JDBC by key, like ClientAuthenticator.
 * A lookup counts as a use: {@code last_used_at} is written at most once a minute per key and
 * replica (and the UPDATE skips rows touched within the minute by another replica); since
 * services cache answers for {@code weft.platform.auth.credential-cache-ttl}, it is accurate to
 * about a minute.
 */
@ApplicationScoped
public class LocalCredentialIntrospector implements CredentialIntrospector {
    private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);

    private final DataSource dataSource;
    private final SecretCipher cipher;
    private final Cache<String, Boolean> recentlyTouched = Caffeine.newBuilder().expireAfterWrite(TOUCH_EVERY).maximumSize(100_000).build();

    public LocalCredentialIntrospector(DataSource dataSource, SecretCipher cipher) {
        this.dataSource = dataSource;
        this.cipher = cipher;
    }

    @Override
    public Optional<CredentialGrant> apiKey(String presentedKey) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT id, org_id, scopes, mode, expires_at FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL")) {
            select.setString(1, ClientSecrets.hash(presentedKey));
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                UUID id = row.getObject(1, UUID.class);
                String orgId = row.getString(2);
                Timestamp expires = row.getTimestamp(5);
                Instant expiresAt = expires == null ? null : expires.toInstant();
                if (expiresAt != null && !Instant.now().isBefore(expiresAt)) {
                    return Optional.empty();
                }
                String keyId = TypeId.format(ApiKey.ID_PREFIX, id);
                touch(connection, "api_keys", id, keyId);
                return Optional.of(new CredentialGrant(keyId, orgId, Scopes.parse(row.getString(3)), plan(connection, orgId),
                        row.getString(4), expiresAt, null));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read api key", e);
        }
    }

    @Override
    public Optional<CredentialGrant> signingKey(String keyId) {
        Optional<UUID> id = TypeId.parse(RequestSigningKey.ID_PREFIX, keyId);
        if (id.isEmpty()) {
            return Optional.empty();
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT org_id, scopes, secret_enc FROM request_signing_keys WHERE id = ? AND revoked_at IS NULL")) {
            select.setObject(1, id.get());
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                String orgId = row.getString(1);
                String secret = cipher.decrypt(row.getString(3), RequestSigningKey.associatedData(id.get(), orgId));
                touch(connection, "request_signing_keys", id.get(), keyId);
                return Optional.of(new CredentialGrant(keyId, orgId, Scopes.parse(row.getString(2)), plan(connection, orgId),
                        null, null, secret));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read signing key", e);
        }
    }

    private void touch(Connection connection, String table, UUID id, String keyId) {
        if (recentlyTouched.asMap().putIfAbsent(keyId, Boolean.TRUE) != null) {
            return;
        }
        try (PreparedStatement update = connection.prepareStatement("UPDATE " + table
                + " SET last_used_at = now() WHERE id = ? AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')")) {
            update.setObject(1, id);
            update.executeUpdate();
        } catch (SQLException e) {
            // Bookkeeping only: a failed touch must not fail the request.
            Log.warnf("event=last_used_update_failed key_id=%s error=\"%s\"", keyId, e.getClass().getSimpleName());
        }
    }

    private static String plan(Connection connection, String orgId) throws SQLException {
        Optional<UUID> org = TypeId.parse(Organization.ID_PREFIX, orgId);
        if (org.isEmpty()) {
            return null;
        }
        try (PreparedStatement select = connection.prepareStatement("SELECT plan FROM organizations WHERE id = ?")) {
            select.setObject(1, org.get());
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? row.getString(1) : null;
            }
        }
    }
}
