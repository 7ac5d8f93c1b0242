package dev.weft.connections.connection;

import dev.weft.platform.crypto.EnvelopeCipher;
import dev.weft.platform.crypto.SecretCipher;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/**
 * Finishes a keyring rotation in the background: once a new key is active, each connection's data
 * key (and each extension's signing secret) still sealed under an older key is re-sealed under the
 * active one. Reads never wait for this: every listed key still opens what it sealed, so the old
 * key can be removed from the keyring once this has run. Rows are updated only if unchanged since
 * read, so a concurrent credential update wins.
 */
@ApplicationScoped
public class CredentialRewrapper {
    private static final int BATCH = 500;

    private final EnvelopeCipher envelopes;
    private final SecretCipher secrets;
    private final DataSource dataSource;

    public CredentialRewrapper(EnvelopeCipher envelopes, SecretCipher secrets, DataSource dataSource) {
        this.envelopes = envelopes;
        this.secrets = secrets;
        this.dataSource = dataSource;
    }

    @Scheduled(every = "${weft.connections.rewrap-interval:10m}", delayed = "30s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void rewrapAll() {
        if (!secrets.isConfigured()) {
            return;
        }
        int rewrapped = rewrapConnections() + reencryptExtensionSecrets();
        if (rewrapped > 0) {
            Log.infof("event=keyring_rotation_progress rewrapped=%d", rewrapped);
        }
    }

    /** Re-wraps connection data keys sealed under a retired key; returns how many. */
    public int rewrapConnections() {
        int done = 0;
        try (java.sql.Connection db = dataSource.getConnection();
             PreparedStatement select = db.prepareStatement("SELECT id, credentials_key, credentials FROM connections");
             PreparedStatement update = db.prepareStatement("UPDATE connections SET credentials_key = ? WHERE id = ? AND credentials_key = ?")) {
            // Streamed (a cursor needs a transaction), so every row is visited however many there are.
            db.setAutoCommit(false);
            select.setFetchSize(BATCH);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    UUID id = rows.getObject(1, UUID.class);
                    EnvelopeCipher.Envelope envelope = new EnvelopeCipher.Envelope(rows.getString(2), rows.getString(3));
                    if (envelopes.needsRewrap(envelope)) {
                        update.setString(1, envelopes.rewrap(envelope, "connection:" + id).wrappedKey());
                        update.setObject(2, id);
                        update.setString(3, envelope.wrappedKey());
                        done += update.executeUpdate();
                    }
                }
            }
            db.commit();
        } catch (SQLException | IllegalStateException e) {
            Log.warnf("event=connection_rewrap_failed message=\"%s\"", e.getMessage());
        }
        return done;
    }

    private int reencryptExtensionSecrets() {
        int done = 0;
        try (java.sql.Connection db = dataSource.getConnection();
             PreparedStatement select = db.prepareStatement("SELECT id, secret FROM extensions");
             PreparedStatement update = db.prepareStatement("UPDATE extensions SET secret = ? WHERE id = ? AND secret = ?")) {
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    UUID id = rows.getObject(1, UUID.class);
                    String sealed = rows.getString(2);
                    if (secrets.needsRotation(sealed)) {
                        String associatedData = "extension:" + id;
                        update.setString(1, secrets.encrypt(secrets.decrypt(sealed, associatedData), associatedData));
                        update.setObject(2, id);
                        update.setString(3, sealed);
                        done += update.executeUpdate();
                    }
                }
            }
        } catch (SQLException | IllegalStateException e) {
            Log.warnf("event=extension_secret_rewrap_failed message=\"%s\"", e.getMessage());
        }
        return done;
    }
}
