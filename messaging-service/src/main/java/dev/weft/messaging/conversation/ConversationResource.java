package dev.weft.messaging.conversation;

import dev.weft.messaging.entity.EntityLinks;
import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.messaging.message.MessageDtos;
import dev.weft.messaging.message.MessageService;
import dev.weft.platform.pagination.Page;
import dev.weft.platform.tenancy.RequiresScope;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Conversations (seed 003): list with filters, read with an ETag, change status and assignee, replies and history (seed 001). */
@Path("/v1/conversations")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "conversations", description = "Conversations with contacts, their status, assignee and messages")
@APIResponse(responseCode = "401", description = "UNAUTHORIZED: no valid credential")
public class ConversationResource {
    private final ConversationService conversations;
    private final MessageService messages;

    public ConversationResource(ConversationService conversations, MessageService messages) {
        this.conversations = conversations;
        this.messages = messages;
    }

    @GET
    @RequiresScope("conversations:read")
    @Operation(operationId = "listConversations", summary = "List conversations, newest first, by status, assignee, channel, contact and inbox (cursor pagination)")
    @APIResponse(responseCode = "200", description = "A page of conversations")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: an unknown status or channel, a bad limit or cursor")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs conversations:read")
    public Page<ConversationDtos.ConversationView> list(
            @Parameter(description = "open, pending, snoozed, resolved or closed") @QueryParam("status") String status,
            @Parameter(description = "the agent the conversations are assigned to") @QueryParam("assignee_id") String assigneeId,
            @QueryParam("channel") String channel, @QueryParam("contact_id") String contactId, @QueryParam("inbox") String inbox,
            @Parameter(description = "conversations linked to this CRM entity type (with entity_id)") @QueryParam("entity_type") String entityType,
            @Parameter(description = "conversations linked to this CRM entity id (with entity_type)") @QueryParam("entity_id") String entityId,
            @QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        return conversations.list(status, assigneeId, channel, contactId, inbox, EntityLinks.filter(entityType, entityId), limit, cursor);
    }

    @POST
    @RequiresScope("conversations:write")
    @Operation(operationId = "createConversation", summary = "Start a conversation with a contact on a channel (assigned round-robin in its inbox when no assignee_id is given)")
    @RequestBody(content = @Content(schema = @Schema(implementation = ConversationDtos.CreateRequest.class), examples =
            @ExampleObject(name = "start", value = "{\"contact_id\":\"contact_01jdc6e9f2g5h8j1k4m7n0p3q6\",\"channel\":\"whatsapp\",\"inbox\":\"support\",\"subject\":\"Unable to update billing address\"}")))
    @APIResponse(responseCode = "201", description = "Created", headers = @Header(name = "ETag", description = "the conversation's version", schema = @Schema(type = SchemaType.STRING)),
            content = @Content(schema = @Schema(implementation = ConversationDtos.ConversationView.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: unknown contact, bad channel, inbox or assignee_id")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs conversations:write")
    public Response create(@NotNull JsonNode body) {
        ConversationService.Tagged created = conversations.create(body);
        return Response.status(201).header("ETag", created.etag()).entity(created.view()).build();
    }

    @GET
    @Path("/{id}")
    @RequiresScope("conversations:read")
    @Operation(operationId = "getConversation", summary = "Get a conversation; its ETag goes in If-Match on PATCH")
    @APIResponse(responseCode = "200", description = "The conversation", headers = @Header(name = "ETag", description = "the conversation's version", schema = @Schema(type = SchemaType.STRING)),
            content = @Content(schema = @Schema(implementation = ConversationDtos.ConversationView.class)))
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs conversations:read")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public Response get(@PathParam("id") String id) {
        ConversationService.Tagged found = conversations.get(id);
        return Response.ok(found.view()).header("ETag", found.etag()).build();
    }

    @PATCH
    @Path("/{id}")
    @Consumes({MediaType.APPLICATION_JSON, "application/merge-patch+json"})
    @RequiresScope("conversations:write")
    @Operation(operationId = "updateConversation", summary = "Change a conversation's status (by the transition table), snoozed_until, assignee_id or subject",
            description = "open -> pending | snoozed | resolved | closed; pending -> open | snoozed | resolved | closed; snoozed -> open | pending | "
                    + "resolved | closed; resolved -> open | closed; closed is final. With If-Match, a conversation changed since that ETag is a 409 CONFLICT.")
    @RequestBody(content = @Content(schema = @Schema(implementation = ConversationDtos.UpdateRequest.class), examples = {
            @ExampleObject(name = "move to pending and assign (seed 003)", value = "{\"status\":\"pending\",\"assignee_id\":\"usr_01HXYZ7A6B5C4D3E2F1G0H9J8K\"}"),
            @ExampleObject(name = "snooze until a time", value = "{\"status\":\"snoozed\",\"snoozed_until\":\"2025-01-16T09:00:00Z\"}")}))
    @APIResponse(responseCode = "200", description = "The updated conversation", headers = @Header(name = "ETag", description = "its new version", schema = @Schema(type = SchemaType.STRING)),
            content = @Content(schema = @Schema(implementation = ConversationDtos.ConversationView.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: unknown status, snoozed_until without snoozed or in the past, bad assignee_id")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs conversations:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    @APIResponse(responseCode = "409", description = "INVALID_STATUS_TRANSITION (details.from, details.to), or CONFLICT: If-Match is stale (details.etag is the current one)")
    public Response update(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch, @NotNull JsonNode body) {
        ConversationService.Tagged updated = conversations.update(id, body, ifMatch);
        return Response.ok(updated.view()).header("ETag", updated.etag()).build();
    }

    @POST
    @Path("/{id}/messages")
    @RequiresScope("messages:write")
    @Operation(operationId = "replyToConversation", summary = "Post an agent's reply (sent on the conversation's channel) or an internal note (internal: true, never sent)",
            description = "The reply is stored as queued, sent through the channel's adapter, and answered with its outcome: sent with the "
                    + "channel's message id, or failed with error.code and error.message (e.g. channel_unavailable).")
    @RequestBody(content = @Content(schema = @Schema(implementation = MessageDtos.ReplyRequest.class), examples = {
            @ExampleObject(name = "agent reply (seed 003)", value = "{\"author_type\":\"agent\",\"agent_id\":\"usr_01HXYZ7A6B5C4D3E2F1G0H9J8K\","
                    + "\"body\":\"Hi Jane, I updated your billing address. Please refresh your account page to confirm.\",\"internal\":false}"),
            @ExampleObject(name = "internal note", value = "{\"agent_id\":\"usr_01HXYZ7A6B5C4D3E2F1G0H9J8K\",\"content\":\"Customer is on the enterprise plan\",\"internal\":true}")}))
    @APIResponse(responseCode = "201", description = "Stored (and sent, or failed with the reason)", content = @Content(schema = @Schema(implementation = MessageDtos.MessageView.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: no content, unknown type, a template without a name")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs messages:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    @APIResponse(responseCode = "409", description = "CONFLICT: the conversation is closed (internal notes are still allowed)")
    public Response reply(@PathParam("id") String id, @NotNull JsonNode body) {
        return Response.status(201).entity(messages.reply(id, body)).build();
    }

    @GET
    @Path("/{id}/messages")
    @RequiresScope("messages:read")
    @Operation(operationId = "listConversationMessages", summary = "A conversation's messages, newest first; next_before continues without gaps or repeats")
    @APIResponse(responseCode = "200", description = "A page of messages", content = @Content(schema = @Schema(implementation = MessageDtos.MessagePage.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: a bad limit or before")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs messages:read")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public MessageDtos.MessagePage history(@PathParam("id") String id,
                                           @Parameter(description = "1 to 100, default 25") @QueryParam("limit") String limit,
                                           @Parameter(description = "a next_before from the previous page, or an RFC 3339 time (messages strictly older)")
                                           @QueryParam("before") String before,
                                           @Parameter(description = "the same as before (pagination.next_cursor)") @QueryParam("cursor") String cursor) {
        return messages.history(id, limit, before, cursor);
    }
}
