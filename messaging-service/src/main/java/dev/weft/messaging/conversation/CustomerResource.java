package dev.weft.messaging.conversation;

import dev.weft.platform.pagination.Page;
import dev.weft.platform.tenancy.RequiresScope;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Seed 003's "a customer's conversations": the customer is a contact (the same contact_... id). */
@Path("/v1/customers/{id}/conversations")
@Produces(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "conversations")
@APIResponse(responseCode = "401", description = "UNAUTHORIZED: no valid credential")
public class CustomerResource {
    private final ConversationService conversations;

    public CustomerResource(ConversationService conversations) {
        this.conversations = conversations;
    }

    @GET
    @RequiresScope("conversations:read")
    @Operation(operationId = "listCustomerConversations", summary = "A customer's (contact's) conversations, newest first (cursor pagination)")
    @APIResponse(responseCode = "200", description = "A page of conversations")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: an unknown status, a bad limit or cursor")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs conversations:read")
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no such customer")
    public Page<ConversationDtos.ConversationView> list(@PathParam("id") String id, @QueryParam("status") String status,
                                                        @QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        return conversations.listForContact(id, status, limit, cursor);
    }
}
