package dev.weft.auth.token;

import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * The record of revoked access tokens, by jti, each kept until the token would have expired: what
 * introspection answers from. Requests are refused through the platform's deny-list
 * ({@code RevokedTokens}), which the credential.revoked event fills on every replica.
 */
@ApplicationScoped
public class RevokedAccessTokens {
    private final DataSource dataSource;

    public RevokedAccessTokens(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** @return whether this call revoked it (false: it already was) */
    public boolean revoke(String jti, String orgId, Instant expiresAt) {
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO revoked_access_tokens (jti, org_id, expires_at) VALUES (?, ?, ?) ON CONFLICT (jti) DO NOTHING")) {
                insert.setString(1, jti);
                insert.setString(2, orgId);
                insert.setTimestamp(3, Timestamp.from(expiresAt));
                if (insert.executeUpdate() == 0) {
                    return false;
                }
            }
            // Housekeeping on the (rare) revocation path keeps the table as small as the set of live revoked tokens.
            try (PreparedStatement purge = connection.prepareStatement("DELETE FROM revoked_access_tokens WHERE expires_at < now()")) {
                purge.executeUpdate();
            }
            return true;
        } catch (SQLException e) {
            throw new IllegalStateException("could not revoke access token", e);
        }
    }

    public boolean isRevoked(String jti) {
        if (jti == null) {
            return false;
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement("SELECT 1 FROM revoked_access_tokens WHERE jti = ?")) {
            query.setString(1, jti);
            try (ResultSet row = query.executeQuery()) {
                return row.next();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the access token denylist", e);
        }
    }
}
