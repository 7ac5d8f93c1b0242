package dev.weft.messaging.channel;

import dev.weft.platform.tenancy.PublicEndpoint;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Provider webhooks, called by Meta and Telegram (no Weft credential: the provider's signature or secret is the
 * proof). {@code account} is {@code <org_id>.<connection_id>} of the channel's connection.
 */
@Path("/v1/channels/{channel}/inbound/{account}")
@RunOnVirtualThread
@Tag(name = "messaging", description = "Send WhatsApp, Instagram, Facebook and Telegram messages; receive them through channel webhooks")
public class InboundResource {
    private final InboundService inbound;

    public InboundResource(InboundService inbound) {
        this.inbound = inbound;
    }

    @GET
    @PublicEndpoint
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(operationId = "verifyChannelWebhook", summary = "Meta's webhook verification: echoes hub.challenge when hub.verify_token is the connection's")
    @APIResponse(responseCode = "200", description = "hub.challenge, as text")
    @APIResponse(responseCode = "403", description = "FORBIDDEN: wrong hub.mode or hub.verify_token")
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no such channel or account")
    public String verify(@PathParam("channel") String channel,
                         @Parameter(description = "<org_id>.<connection_id>") @PathParam("account") String account,
                         @QueryParam("hub.mode") String mode, @QueryParam("hub.verify_token") String token,
                         @QueryParam("hub.challenge") String challenge) {
        return inbound.verify(channel, account, mode, token, challenge);
    }

    @POST
    @PublicEndpoint
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "receiveChannelWebhook", summary = "A provider's webhook delivery: messages and status updates, stored once per provider message id",
            description = "Meta: X-Hub-Signature-256 (HMAC-SHA256 of the raw body with the app secret). Telegram: X-Telegram-Bot-Api-Secret-Token. "
                    + "The 200 comes after the delivery is committed; a redelivery stores nothing twice.")
    @APIResponse(responseCode = "200", description = "{stored, duplicates, statuses, edited}; for a Telegram button press also method "
            + "answerCallbackQuery and its callback_query_id, which Telegram runs")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: the body is not a JSON object")
    @APIResponse(responseCode = "401", description = "INVALID_SIGNATURE: nothing was stored")
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no such channel or account")
    public InboundService.Received receive(@PathParam("channel") String channel, @PathParam("account") String account, @Context HttpHeaders headers,
                                           byte[] body) {
        return inbound.receive(channel, account, headers::getHeaderString, body);
    }
}
