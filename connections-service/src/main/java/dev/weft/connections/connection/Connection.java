package dev.weft.connections.connection;

import dev.weft.platform.crypto.EnvelopeCipher;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.OrgScopedEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import org.hibernate.annotations.DynamicUpdate;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * A connection to an external system. Credentials are only ever held sealed here. Updates write only the columns they
 * changed: a health check and a token refresh of the same connection run in separate transactions, and writing every
 * column would let the one that commits last put back what the other had just changed (a refreshed token's expiry).
 */
@Entity
@Table(name = "connections")
@DynamicUpdate
public class Connection extends OrgScopedEntity {
    public static final String ID_PREFIX = "conn";

    public String provider;
    public String name;
    /** The provider config as JSON text (validated against the provider's schema). */
    public String config;
    @Column(name = "auth_type")
    public String authType;
    @Column(name = "credential_fields")
    public String credentialFields;
    @Column(name = "credentials_key")
    public String credentialsKey;
    public String credentials;
    @Column(name = "token_expires_at")
    public Instant tokenExpiresAt;
    @Column(name = "oauth_subject")
    public String oauthSubject;
    public String status;
    @Column(name = "status_message")
    public String statusMessage;
    @Column(name = "last_checked_at")
    public Instant lastCheckedAt;
    @Column(name = "next_check_at")
    public Instant nextCheckAt;
    @Column(name = "consecutive_failures")
    public int consecutiveFailures;
    @Column(name = "created_by")
    public String createdBy;

    public String connectionId() {
        return TypeId.format(ID_PREFIX, id);
    }

    public EnvelopeCipher.Envelope sealedCredentials() {
        return new EnvelopeCipher.Envelope(credentialsKey, credentials);
    }

    public void seal(EnvelopeCipher.Envelope envelope) {
        credentialsKey = envelope.wrappedKey();
        credentials = envelope.ciphertext();
    }

    /** What binds the sealed credentials to this row. */
    public String associatedData() {
        return "connection:" + id;
    }

    public List<String> credentialFieldList() {
        return credentialFields == null || credentialFields.isEmpty() ? List.of() : Arrays.asList(credentialFields.split(","));
    }
}
