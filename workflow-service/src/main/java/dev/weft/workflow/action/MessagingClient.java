package dev.weft.workflow.action;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.weft.platform.idempotency.IdempotencyFilter;
import dev.weft.platform.services.ServiceClient;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;

/**
 * messaging-service's internal send endpoint ({@code POST /internal/v1/email/send}, the twin of {@code /v1/email/send}),
 * called as the execution's org: mail goes out through the org's mail connection (IMAP/SMTP, Gmail, Graph), whose
 * credentials stay in connections-service and messaging-service. The step's idempotency key travels as
 * {@code Idempotency-Key}, which messaging-service's platform filter honours: a retried step gets the first answer
 * back instead of sending again. Failures become step failures ({@link StepFailure#calling}).
 */
@ApplicationScoped
public class MessagingClient {
    private final ServiceClient services;

    public MessagingClient(ServiceClient services) {
        this.services = services;
    }

    /** messaging-service's EmailDtos.SendRequest, without the reply fields (a notification starts its own thread). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SendEmail(List<String> to, List<String> cc, List<String> bcc, String subject, String body, String connection_id) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record SentEmail(String id, String thread_id, String message_id) {
    }

    public SentEmail sendEmail(SendEmail email, String idempotencyKey) {
        return StepFailure.calling(() -> services.post(ServiceClient.Service.MESSAGING, "/internal/v1/email/send", email, SentEmail.class,
                Map.of(IdempotencyFilter.HEADER, idempotencyKey)));
    }
}
