package dev.weft.platform.events;

/** The Kafka topics of DESIGN.md; one per owning service (records have their own, for volume). */
public final class Topics {
    public static final String AUTH = "weft.auth.events";
    public static final String CONNECTIONS = "weft.connections.events";
    public static final String SYNCS = "weft.syncs.events";
    public static final String RECORDS = "weft.records.events";
    public static final String MESSAGING = "weft.messaging.events";
    public static final String WORKFLOWS = "weft.workflows.events";
    /** webhook-service's own events (endpoint.disabled), delivered to subscribers like any other. */
    public static final String WEBHOOKS = "weft.webhooks.events";

    /** Every domain topic, for consumers of them all that want them to exist before the first event. */
    public static final java.util.List<String> ALL = java.util.List.of(AUTH, CONNECTIONS, SYNCS, RECORDS, MESSAGING, WORKFLOWS, WEBHOOKS);

    private Topics() {
    }
}
