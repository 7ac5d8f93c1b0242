package dev.weft.webhook.delivery;

import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.OrgScopedEntity;
import dev.weft.webhook.dispatch.DeliveryStatus;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** One message to one endpoint; written by the fan-out and the dispatcher, read here for the API. */
@Entity
@Table(name = "deliveries")
public class Delivery extends OrgScopedEntity {
    public static final String ID_PREFIX = "dlv";

    @Column(name = "endpoint_id")
    public UUID endpointId;
    @Column(name = "message_id")
    public UUID messageId;
    @Column(name = "event_type")
    public String eventType;
    @Column(name = "aggregate_id")
    public String aggregateId;
    @Convert(converter = DeliveryStatus.Converter.class)
    public DeliveryStatus status;
    public int attempts;
    @Column(name = "next_attempt_at")
    public Instant nextAttemptAt;
    @Column(name = "last_status_code")
    public Integer lastStatusCode;
    @Column(name = "last_error")
    public String lastError;
    @Column(name = "succeeded_at")
    public Instant succeededAt;

    public String deliveryId() {
        return TypeId.format(ID_PREFIX, id);
    }
}
