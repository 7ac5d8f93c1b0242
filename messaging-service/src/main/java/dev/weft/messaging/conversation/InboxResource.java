package dev.weft.messaging.conversation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.platform.tenancy.RequiresScope;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** An inbox's agents: the ids that take its new, unassigned conversations in turn (user management is not Weft's). */
@Path("/v1/inboxes/{name}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "conversations")
@APIResponse(responseCode = "401", description = "UNAUTHORIZED: no valid credential")
public class InboxResource {
    private final ConversationService conversations;

    public InboxResource(ConversationService conversations) {
        this.conversations = conversations;
    }

    @PUT
    @RequiresScope("conversations:write")
    @Operation(operationId = "putInbox", summary = "Set an inbox's agents (round-robin order); creates the inbox when new")
    @RequestBody(content = @Content(schema = @Schema(implementation = ConversationDtos.InboxRequest.class), examples =
            @ExampleObject(name = "two agents", value = "{\"agent_ids\":[\"usr_01HXYZ7A6B5C4D3E2F1G0H9J8K\",\"usr_01HXYZ1L2M3N4P5Q6R7S8T9V0W\"]}")))
    @APIResponse(responseCode = "200", description = "The inbox", content = @Content(schema = @Schema(implementation = ConversationDtos.InboxView.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: a bad inbox name or agent id")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs conversations:write")
    public ConversationDtos.InboxView put(@PathParam("name") String name, @NotNull JsonNode body) {
        return conversations.putInbox(name, body);
    }

    @GET
    @RequiresScope("conversations:read")
    @Operation(operationId = "getInbox", summary = "An inbox and its agents")
    @APIResponse(responseCode = "200", description = "The inbox", content = @Content(schema = @Schema(implementation = ConversationDtos.InboxView.class)))
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs conversations:read")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public ConversationDtos.InboxView get(@PathParam("name") String name) {
        return conversations.getInbox(name);
    }
}
