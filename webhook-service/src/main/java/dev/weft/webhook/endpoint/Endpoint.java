package dev.weft.webhook.endpoint;

import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.OrgScopedEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/** A customer's webhook endpoint. Secrets are held encrypted. */
@Entity
@Table(name = "endpoints")
public class Endpoint extends OrgScopedEntity {
    public static final String ID_PREFIX = "whk";

    public String url;
    public String description;
    public String events;
    public String status;
    @Column(name = "disabled_reason")
    public String disabledReason;
    @Column(name = "rate_limit")
    public Integer rateLimit;
    public String headers;
    public boolean ordered;
    public String secret;
    @Column(name = "previous_secret")
    public String previousSecret;
    @Column(name = "previous_secret_expires_at")
    public Instant previousSecretExpiresAt;
    @Column(name = "failing_since")
    public Instant failingSince;

    public String endpointId() {
        return TypeId.format(ID_PREFIX, id);
    }

    public List<String> eventList() {
        return events == null || events.isEmpty() ? List.of() : Arrays.asList(events.split(","));
    }

    public static String secretAad(java.util.UUID id) {
        return "webhook_endpoint:" + id;
    }
}
