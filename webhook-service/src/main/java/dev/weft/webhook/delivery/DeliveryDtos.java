package dev.weft.webhook.delivery;

import jakarta.validation.constraints.NotNull;

import java.time.Instant;
import java.util.List;

/** Bodies of deliveries, attempts, replay and stats. */
public final class DeliveryDtos {
    private DeliveryDtos() {
    }

    public record DeliveryView(String id, String webhookId, String eventId, String eventType, String status, int attempts,
                               Instant nextAttemptAt, Integer lastStatusCode, String lastError, Instant succeededAt, Instant createdAt) {
    }

    public record AttemptView(String id, String deliveryId, Instant attemptedAt, Integer statusCode, int latencyMs, boolean succeeded,
                              String responseExcerpt, String error, Instant nextAttemptAt) {
    }

    public record AttemptList(List<AttemptView> data) {
    }

    public record Replay(@NotNull Instant since, Instant until, List<String> eventTypes) {
    }

    public record Replayed(int replayed) {
    }

    public record Latency(Long p50, Long p95) {
    }

    public record Stats(String window, long deliveries, long succeeded, long failed, Double successRate, Latency latencyMs) {
    }
}
