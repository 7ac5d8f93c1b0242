package dev.weft.messaging.contact;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.platform.pagination.Page;
import dev.weft.messaging.entity.EntityLinks;
import dev.weft.platform.tenancy.RequiresScope;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Contacts (seed 001 "Contacts API"): create-or-update with deduplication, read with activity, patch, delete, list, merge. */
@Path("/v1/contacts")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "contacts", description = "Contacts, deduplicated by external_id, email and phone")
@APIResponse(responseCode = "401", description = "UNAUTHORIZED: no valid credential")
public class ContactResource {
    static final String SEED_EXAMPLE = """
            {"firstName":"Sara","lastName":"Hussein","phone":"+971500000000","email":"sara@example.com","tags":["lead","expo"],\
            "channel":"instagram","properties":{"source":"Expo booth","language":"en","externalId":"crm_8740"}}""";

    private final ContactService contacts;
    private final ContactMerge merges;

    public ContactResource(ContactService contacts, ContactMerge merges) {
        this.contacts = contacts;
        this.merges = merges;
    }

    @POST
    @RequiresScope("contacts:write")
    @Operation(operationId = "upsertContact", summary = "Create a contact, or update the one its external_id, email or phone finds (in that order)",
            description = "Fields in snake_case or camelCase; properties.externalId is the external id. Email compares case-insensitively, "
                    + "phone in E.164 (Brazil's mobile ninth digit is optional). Given fields replace, properties merge key by key (null removes).")
    @RequestBody(content = @Content(schema = @Schema(implementation = ContactDtos.ContactRequest.class), examples = {
            @ExampleObject(name = "seed 001, as written", value = SEED_EXAMPLE),
            @ExampleObject(name = "snake_case", value = "{\"first_name\":\"Sara\",\"email\":\"Sara@Example.com\",\"external_id\":\"crm_8740\"}")}))
    @APIResponse(responseCode = "201", description = "Created", content = @Content(schema = @Schema(implementation = ContactDtos.ContactView.class)))
    @APIResponse(responseCode = "200", description = "An existing contact matched and was updated", content = @Content(schema = @Schema(implementation = ContactDtos.ContactView.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: no key, an unparseable phone or email, a wrong type or unknown field (details.field names it)")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs contacts:write")
    @APIResponse(responseCode = "409", description = "DUPLICATE: the keys match two different contacts (details.contact_ids names both)")
    public Response upsert(@NotNull JsonNode body) {
        ContactService.Upserted result = contacts.upsert(body);
        return Response.status(result.created() ? 201 : 200).entity(result.contact()).build();
    }

    @GET
    @RequiresScope("contacts:read")
    @Operation(operationId = "listContacts", summary = "List contacts, newest first, by tag, channel and a search text (cursor pagination)")
    @APIResponse(responseCode = "200", description = "A page of contacts")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: bad limit, cursor or channel")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs contacts:read")
    public Page<ContactDtos.ContactView> list(@Parameter(description = "contacts with this tag") @QueryParam("tag") String tag,
                                              @Parameter(description = "contacts seen on this channel") @QueryParam("channel") String channel,
                                              @Parameter(description = "text in a name, the email, the phone or the external id") @QueryParam("q") String q,
                                              @Parameter(description = "contacts linked to this CRM entity type (with entity_id)") @QueryParam("entity_type") String entityType,
                                              @Parameter(description = "contacts linked to this CRM entity id (with entity_type)") @QueryParam("entity_id") String entityId,
                                              @QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        return contacts.list(tag, channel, q, EntityLinks.filter(entityType, entityId), limit, cursor);
    }

    @GET
    @Path("/{id}")
    @RequiresScope("contacts:read")
    @Operation(operationId = "getContact", summary = "Get a contact with its activity: last inbound and outbound message, open conversations")
    @APIResponse(responseCode = "200", description = "The contact", content = @Content(schema = @Schema(implementation = ContactDtos.ContactView.class)))
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs contacts:read")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public ContactDtos.ContactView get(@PathParam("id") String id) {
        return contacts.get(id);
    }

    @PATCH
    @Path("/{id}")
    @Consumes({MediaType.APPLICATION_JSON, "application/merge-patch+json"})
    @RequiresScope("contacts:write")
    @Operation(operationId = "updateContact", summary = "Change a contact (any subset of the fields; null removes; properties merge key by key)")
    @RequestBody(content = @Content(schema = @Schema(implementation = ContactDtos.ContactRequest.class), examples = {
            @ExampleObject(name = "retag", value = "{\"tags\":[\"customer\"]}"),
            @ExampleObject(name = "camelCase", value = "{\"lastName\":\"Hussein-Khan\",\"properties\":{\"language\":\"ar\"}}")}))
    @APIResponse(responseCode = "200", description = "The updated contact", content = @Content(schema = @Schema(implementation = ContactDtos.ContactView.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: as for create")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs contacts:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    @APIResponse(responseCode = "409", description = "DUPLICATE: another contact has that external_id, email or phone (details.contact_ids names both)")
    public ContactDtos.ContactView update(@PathParam("id") String id, @NotNull JsonNode body) {
        return contacts.update(id, body);
    }

    @DELETE
    @Path("/{id}")
    @RequiresScope("contacts:write")
    @Operation(operationId = "deleteContact", summary = "Delete a contact with its conversations and messages")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs contacts:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public Response delete(@PathParam("id") String id) {
        contacts.delete(id);
        return Response.noContent().build();
    }

    @POST
    @Path("/{id}/merge")
    @RequiresScope("contacts:write")
    @Operation(operationId = "mergeContacts", summary = "Merge another contact into this one (irreversible)",
            description = "The other contact's conversations, messages, channel identities, tags and properties move here (this contact's "
                    + "values win); its keys fill the ones this contact lacks; then it is deleted. Publishes contact.merged.")
    @RequestBody(content = @Content(schema = @Schema(implementation = ContactDtos.MergeRequest.class), examples =
            @ExampleObject(name = "merge", value = "{\"contact_id\":\"contact_01jdc6e9f2g5h8j1k4m7n0p3q7\"}")))
    @APIResponse(responseCode = "200", description = "The merged contact", content = @Content(schema = @Schema(implementation = ContactDtos.ContactView.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: no contact_id, an unknown one, or this contact itself")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs contacts:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public ContactDtos.ContactView merge(@PathParam("id") String id, @NotNull JsonNode body) {
        return merges.merge(id, body);
    }
}
