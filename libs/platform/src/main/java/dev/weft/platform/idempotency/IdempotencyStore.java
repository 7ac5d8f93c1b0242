package dev.weft.platform.idempotency;

import dev.weft.platform.config.PlatformConfig;
import dev.weft.platform.crypto.SecretCipher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

/** Rows of {@code idempotency_keys}: one per (org, key), claimed before the work, completed after. */
@ApplicationScoped
public class IdempotencyStore {
    private final DataSource dataSource;
    private final PlatformConfig config;
    private final SecretCipher cipher;

    public record Stored(String requestHash, Integer status, String body, String contentType) {
        public boolean completed() {
            return status != null;
        }
    }

    public IdempotencyStore(DataSource dataSource, PlatformConfig config, SecretCipher cipher) {
        this.dataSource = dataSource;
        this.config = config;
        this.cipher = cipher;
    }

    /** Stored responses may hold secrets shown once (client secrets, tokens), so they are kept encrypted. */
    public boolean canStore() {
        return cipher.isConfigured();
    }

    private static String associatedData(String orgId, String key) {
        return "idempotency:" + orgId + ":" + key;
    }

    /** Claims the key; empty when this request is the first, else what the earlier one left. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Optional<Stored> claim(String orgId, String key, String requestHash) {
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement expire = connection.prepareStatement(
                    "DELETE FROM idempotency_keys WHERE org_id = ? AND idem_key = ? AND created_at < ?")) {
                expire.setString(1, orgId);
                expire.setString(2, key);
                expire.setTimestamp(3, Timestamp.from(Instant.now().minus(config.idempotency().retention())));
                expire.executeUpdate();
            }
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO idempotency_keys (org_id, idem_key, request_hash) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
                insert.setString(1, orgId);
                insert.setString(2, key);
                insert.setString(3, requestHash);
                if (insert.executeUpdate() == 1) {
                    return Optional.empty();
                }
            }
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT request_hash, status_code, response_body, content_type FROM idempotency_keys WHERE org_id = ? AND idem_key = ?")) {
                select.setString(1, orgId);
                select.setString(2, key);
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next()) {
                        // Deleted between our insert attempt and now: the earlier request failed; treat as in flight.
                        return Optional.of(new Stored(requestHash, null, null, null));
                    }
                    int status = row.getInt(2);
                    Integer completedStatus = row.wasNull() ? null : status;
                    String body = row.getString(3) == null ? null : cipher.decrypt(row.getString(3), associatedData(orgId, key));
                    return Optional.of(new Stored(row.getString(1), completedStatus, body, row.getString(4)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("idempotency store unavailable", e);
        }
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void complete(String orgId, String key, int status, String body, String contentType) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement(
                     "UPDATE idempotency_keys SET status_code = ?, response_body = ?, content_type = ?, completed_at = now() WHERE org_id = ? AND idem_key = ?")) {
            update.setInt(1, status);
            update.setString(2, body == null ? null : cipher.encrypt(body, associatedData(orgId, key)));
            update.setString(3, contentType);
            update.setString(4, orgId);
            update.setString(5, key);
            update.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("idempotency store unavailable", e);
        }
    }

    /** Forgets a claim whose request failed on our side, so the client's retry runs again. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void release(String orgId, String key) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement("DELETE FROM idempotency_keys WHERE org_id = ? AND idem_key = ? AND status_code IS NULL")) {
            delete.setString(1, orgId);
            delete.setString(2, key);
            delete.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("idempotency store unavailable", e);
        }
    }
}
