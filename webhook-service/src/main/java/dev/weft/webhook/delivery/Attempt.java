package dev.weft.webhook.delivery;

import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.OrgScopedEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** One HTTP attempt of a delivery, as recorded by the dispatcher. */
@Entity
@Table(name = "attempts")
public class Attempt extends OrgScopedEntity {
    public static final String ID_PREFIX = "att";

    @Column(name = "delivery_id")
    public UUID deliveryId;
    @Column(name = "endpoint_id")
    public UUID endpointId;
    @Column(name = "attempted_at")
    public Instant attemptedAt;
    @Column(name = "status_code")
    public Integer statusCode;
    @Column(name = "latency_ms")
    public int latencyMs;
    public boolean succeeded;
    @Column(name = "response_excerpt")
    public String responseExcerpt;
    public String error;
    @Column(name = "next_attempt_at")
    public Instant nextAttemptAt;

    public String attemptId() {
        return TypeId.format(ID_PREFIX, id);
    }
}
