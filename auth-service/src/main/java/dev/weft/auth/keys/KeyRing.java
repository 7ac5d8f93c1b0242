package dev.weft.auth.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.weft.auth.AuthConfig;
import dev.weft.platform.config.PlatformConfig;
import dev.weft.platform.crypto.SecretCipher;
import dev.weft.platform.id.TypeId;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The JWT signing keys: RSA 2048, one active, the private half sealed by {@link SecretCipher}
 * with the row id as associated data. The active key is replaced once it is older than
 * {@code weft.auth.signing-key-rotation}; the check runs on use, under a PostgreSQL advisory lock,
 * so however many replicas notice at once exactly one rotates. A retired key stays published
 * until the last token it can have signed has expired.
 */
@ApplicationScoped
public class KeyRing {
    /** Arbitrary constant naming the rotation lock (pg_advisory_xact_lock takes a bigint). */
    private static final long ROTATION_LOCK = 0x5745_4654_4B45_5953L;
    private static final Duration MIN_RELOAD_GAP = Duration.ofSeconds(1);

    private final DataSource dataSource;
    private final SecretCipher cipher;
    private final AuthConfig config;
    private final Duration retiredKeyPublication;

    /** {@code publishedJson} is rendered once per load: verification compares it on every request. */
    private record Snapshot(RSAKey active, Instant activeCreatedAt, JWKSet published, String publishedJson, Instant loadedAt) {
    }

    private volatile Snapshot snapshot;

    public KeyRing(DataSource dataSource, SecretCipher cipher, AuthConfig config, PlatformConfig platform) {
        this.dataSource = dataSource;
        this.cipher = cipher;
        this.config = config;
        // A retired key's last token was signed just before retirement and is accepted up to clock skew past its exp.
        this.retiredKeyPublication = config.accessTokenLifetime().plus(platform.auth().jwt().clockSkew());
    }

    void onStart(@Observes StartupEvent start) {
        try {
            signingKey();
        } catch (RuntimeException e) {
            // Not fatal at start (e.g. the keyring is missing): token issuance reports it, everything else works.
            Log.errorf("event=signing_key_unavailable reason=\"%s\"", e.getMessage());
        }
    }

    /** The active private key, rotating first when it is due. */
    public RSAKey signingKey() {
        Snapshot current = current();
        if (current.active() == null || isDue(current.activeCreatedAt())) {
            rotate(false);
            current = reload();
        }
        return current.active();
    }

    /** The public keys to publish and verify with: the active one and every retired one still in use. */
    public JWKSet publishedKeys() {
        signingKey();
        return current().published();
    }

    /** {@link #publishedKeys()} as a JWKS document. */
    public String publishedJwks() {
        signingKey();
        return current().publishedJson();
    }

    /** Re-reads the keys unless that happened a moment ago; for a kid this replica has not seen yet. */
    public String reloadPublishedJwks() {
        Snapshot current = snapshot;
        if (current == null || current.loadedAt().isBefore(Instant.now().minus(MIN_RELOAD_GAP))) {
            return reload().publishedJson();
        }
        return current.publishedJson();
    }

    /** Replaces the active key now (on-demand rotation, e.g. after a suspected compromise). */
    public void rotateNow() {
        rotate(true);
        reload();
    }

    private boolean isDue(Instant createdAt) {
        return createdAt.plus(config.signingKeyRotation()).isBefore(Instant.now());
    }

    private Snapshot current() {
        Snapshot current = snapshot;
        if (current == null || current.loadedAt().plus(config.signingKeyCacheTtl()).isBefore(Instant.now())) {
            current = reload();
        }
        return current;
    }

    // Concurrent reloads are harmless (each publishes a complete snapshot), so no lock.
    private Snapshot reload() {
        String query = """
                SELECT id, public_jwk, private_jwk_enc, status, created_at FROM signing_keys
                WHERE status = 'active' OR publish_until > now() ORDER BY created_at DESC""";
        RSAKey active = null;
        Instant activeCreatedAt = null;
        List<JWK> published = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(query);
             ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                published.add(JWK.parse(rows.getString("public_jwk")));
                if ("active".equals(rows.getString("status"))) {
                    UUID id = rows.getObject("id", UUID.class);
                    active = RSAKey.parse(cipher.decrypt(rows.getString("private_jwk_enc"), associatedData(id)));
                    activeCreatedAt = rows.getTimestamp("created_at").toInstant();
                }
            }
        } catch (SQLException | ParseException e) {
            throw new IllegalStateException("could not load signing keys", e);
        }
        JWKSet keys = new JWKSet(published);
        Snapshot loaded = new Snapshot(active, activeCreatedAt, keys, keys.toString(), Instant.now());
        snapshot = loaded;
        return loaded;
    }

    private void rotate(boolean force) {
        QuarkusTransaction.requiringNew().run(() -> {
            try (Connection connection = dataSource.getConnection()) {
                try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                    lock.setLong(1, ROTATION_LOCK);
                    lock.execute();
                }
                UUID retiring = null;
                try (PreparedStatement active = connection.prepareStatement(
                        "SELECT id, created_at FROM signing_keys WHERE status = 'active' FOR UPDATE");
                     ResultSet row = active.executeQuery()) {
                    if (row.next()) {
                        // Another replica may have rotated while this one waited for the lock.
                        if (!force && !isDue(row.getTimestamp("created_at").toInstant())) {
                            return;
                        }
                        retiring = row.getObject("id", UUID.class);
                    }
                }
                Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
                if (retiring != null) {
                    try (PreparedStatement retire = connection.prepareStatement(
                            "UPDATE signing_keys SET status = 'retired', retired_at = ?, publish_until = ? WHERE id = ?")) {
                        retire.setTimestamp(1, Timestamp.from(now));
                        retire.setTimestamp(2, Timestamp.from(now.plus(retiredKeyPublication)));
                        retire.setObject(3, retiring);
                        retire.executeUpdate();
                    }
                }
                insertActive(connection, now);
            } catch (SQLException e) {
                throw new IllegalStateException("could not rotate the signing key", e);
            }
        });
    }

    private void insertActive(Connection connection, Instant now) throws SQLException {
        UUID id = TypeId.uuidV7();
        RSAKey key;
        try {
            key = new RSAKeyGenerator(2048).keyID(TypeId.format("kid", id)).keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.RS256).issueTime(java.util.Date.from(now)).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO signing_keys (id, kid, algorithm, public_jwk, private_jwk_enc, status, created_at)
                VALUES (?, ?, 'RS256', ?, ?, 'active', ?)""")) {
            insert.setObject(1, id);
            insert.setString(2, key.getKeyID());
            insert.setString(3, key.toPublicJWK().toJSONString());
            insert.setString(4, cipher.encrypt(key.toJSONString(), associatedData(id)));
            insert.setTimestamp(5, Timestamp.from(now));
            insert.executeUpdate();
        }
        Log.infof("event=signing_key_activated kid=%s", key.getKeyID());
    }

    private static String associatedData(UUID id) {
        return "signing_key:" + id;
    }
}
