package dev.weft.messaging.email;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.platform.tenancy.RequiresScope;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The internal twin of {@code POST /v1/email/send}, for another Weft service acting for an org with no user present (a
 * workflow's email notification): the platform's internal credential is accepted on {@code /internal/} paths only, and
 * the router does not expose them. Same body, answer and scope as the public send; a caller passes an
 * {@code Idempotency-Key} (the platform's filter) so a retried call sends once.
 */
@Path("/internal/v1/email")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "internal", description = "Service-to-service calls; not for API clients")
@APIResponse(responseCode = "401", description = "UNAUTHORIZED: no valid credential")
public class EmailInternalResource {
    private final EmailService emails;

    public EmailInternalResource(EmailService emails) {
        this.emails = emails;
    }

    @POST
    @Path("/send")
    @RequiresScope("email:write")
    @Operation(operationId = "sendEmailInternal", summary = "Send an email (as POST /v1/email/send), for a service acting for the org")
    @RequestBody(content = @Content(schema = @Schema(implementation = EmailDtos.SendRequest.class)))
    @APIResponse(responseCode = "201", description = "Sent and stored", content = @Content(schema = @Schema(implementation = EmailDtos.EmailView.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: a bad address, no recipient, unknown field, no such mail connection")
    @APIResponse(responseCode = "409", description = "CONFLICT: the Idempotency-Key is in use by a request still running, or by another body")
    @APIResponse(responseCode = "502", description = "UPSTREAM_ERROR: the mail server or API refused it")
    public Response send(@NotNull JsonNode body) {
        return Response.status(201).entity(emails.send(body)).build();
    }
}
