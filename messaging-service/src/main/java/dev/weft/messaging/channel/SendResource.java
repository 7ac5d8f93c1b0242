package dev.weft.messaging.channel;

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
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** POST /v1/messaging/send (seed 001's Messaging API). */
@Path("/v1/messaging")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "messaging", description = "Send WhatsApp, Instagram, Facebook and Telegram messages; receive them through channel webhooks")
@APIResponse(responseCode = "401", description = "UNAUTHORIZED: no valid credential")
public class SendResource {
    private final SendService sends;

    public SendResource(SendService sends) {
        this.sends = sends;
    }

    /** For the OpenAPI document: the body seed 001 sends (camelCase accepted too). */
    public record SendRequest(String platform, String to, String messageType, String content, JsonNode metadata, JsonNode template, String inbox) {
    }

    @POST
    @Path("/send")
    @RequiresScope("messages:write")
    @Operation(operationId = "sendMessage", summary = "Send a message to a contact on a channel (finds or creates the contact and its conversation)",
            description = "Stored as queued, sent through the channel's adapter with the org's connection of that provider (metadata.connection_id picks one), "
                    + "and answered with the outcome: 201 sent with the provider's message id, or 202 queued when the provider is unavailable "
                    + "(retried with backoff; GET the conversation's messages for the status). WhatsApp free-form messages need the contact to have "
                    + "written within 24 hours (templates are always allowed); Facebook and Instagram 24 hours, 7 days with metadata.tag HUMAN_AGENT.")
    @RequestBody(content = @Content(schema = @Schema(implementation = SendRequest.class), examples = {
            @ExampleObject(name = "text (seed 001)", value = "{\"platform\":\"whatsapp\",\"to\":\"+971500000000\",\"messageType\":\"text\","
                    + "\"content\":\"Welcome to OnSync. Reply STOP to unsubscribe.\",\"metadata\":{\"source\":\"api\",\"campaign\":\"expo-follow-up\"}}"),
            @ExampleObject(name = "template (seed 001)", value = "{\"platform\":\"whatsapp\",\"to\":\"+971500000000\",\"messageType\":\"template\","
                    + "\"metadata\":{\"template\":{\"name\":\"order_follow_up\",\"language\":\"en\",\"components\":[{\"type\":\"body\","
                    + "\"parameters\":[{\"type\":\"text\",\"text\":\"Sara\"}]}]}}}")}))
    @APIResponse(responseCode = "201", description = "Sent: the stored message with the provider's message id",
            content = @Content(schema = @Schema(implementation = SendService.SendResult.class)))
    @APIResponse(responseCode = "202", description = "Accepted and queued: the provider is unavailable; retried with backoff",
            content = @Content(schema = @Schema(implementation = SendService.SendResult.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: a bad field, or no connection of the platform")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs messages:write")
    @APIResponse(responseCode = "422", description = "WINDOW_CLOSED: outside the customer-service window; details.template_window_status says since when")
    @APIResponse(responseCode = "502", description = "UPSTREAM_ERROR: the provider refused the message (details.provider_code); it is stored as failed")
    public Response send(@NotNull JsonNode body) {
        SendService.SendResult result = sends.send(body);
        return Response.status(result.status().equals("queued") ? 202 : 201).entity(result).build();
    }
}
