package dev.weft.messaging.document;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.messaging.entity.EntityRef;
import dev.weft.platform.tenancy.RequiresScope;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Documents (seed 002 "Documents"): presigned upload, confirm, list, per entity, download URL, delete, archive. */
@Path("/v1/documents")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "documents", description = "Documents stored with presigned upload and download URLs, linked to CRM entities")
@APIResponse(responseCode = "401", description = "UNAUTHORIZED: no valid credential")
public class DocumentResource {
    static final String SEED_EXAMPLE = "{\"fileName\":\"contract.pdf\",\"contentType\":\"application/pdf\",\"entityType\":\"account\",\"entityId\":1}";

    private final DocumentService documents;

    public DocumentResource(DocumentService documents) {
        this.documents = documents;
    }

    @GET
    @Path("/config")
    @RequiresScope("documents:read")
    @Operation(operationId = "getDocumentConfig", summary = "Document storage: the store, whether it is configured, the size limit, the accepted types, URL lifetimes")
    @APIResponse(responseCode = "200", description = "The configuration", content = @Content(schema = @Schema(implementation = DocumentDtos.ConfigView.class)))
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs documents:read")
    public DocumentDtos.ConfigView config() {
        return documents.config();
    }

    @POST
    @Path("/upload")
    @RequiresScope("documents:write")
    @Operation(operationId = "startDocumentUpload", summary = "Announce a document and get a presigned URL to upload it to",
            description = "The type must be accepted and a declared size_bytes within the limit, else nothing is created. PUT the file to upload_url "
                    + "with the given headers before expires_at, then POST /v1/documents/{id}/confirm. Fields in snake_case or camelCase.")
    @RequestBody(content = @Content(schema = @Schema(implementation = DocumentDtos.UploadRequest.class), examples = {
            @ExampleObject(name = "seed 002, as written", value = SEED_EXAMPLE),
            @ExampleObject(name = "size and checksum declared", value = "{\"file_name\":\"q3.csv\",\"content_type\":\"text/csv\",\"size_bytes\":5120,"
                    + "\"sha256\":\"9f2c4d1e0b7a6f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c\"}")}))
    @APIResponse(responseCode = "201", description = "The pending document and its upload URL", content = @Content(schema = @Schema(implementation = DocumentDtos.UploadView.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: a missing or malformed field (details.field names it)")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs documents:write")
    @APIResponse(responseCode = "413", description = "PAYLOAD_TOO_LARGE: the declared size_bytes is over the limit (details.max_size_bytes)")
    @APIResponse(responseCode = "415", description = "UNSUPPORTED_MEDIA_TYPE: content_type is not accepted (details.allowed_content_types)")
    @APIResponse(responseCode = "503", description = "SERVICE_UNAVAILABLE: the S3 store is selected but has no bucket")
    public Response upload(@NotNull JsonNode body, @Context UriInfo uri) {
        return Response.status(201).entity(documents.upload(body, uri.getBaseUri())).build();
    }

    @POST
    @Path("/{id}/confirm")
    @RequiresScope("documents:write")
    @Operation(operationId = "confirmDocumentUpload", summary = "Confirm a document's upload: the stored file is checked (size, SHA-256), then document.uploaded is published",
            description = "Confirming an uploaded document again answers it unchanged and publishes nothing. A size or checksum mismatch removes the stored file.")
    @APIResponse(responseCode = "200", description = "The uploaded document", content = @Content(schema = @Schema(implementation = DocumentDtos.DocumentView.class)))
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs documents:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    @APIResponse(responseCode = "409", description = "CONFLICT: nothing uploaded yet, or the file is not the declared size or checksum (details.reason)")
    @APIResponse(responseCode = "413", description = "PAYLOAD_TOO_LARGE: the stored file is over the limit (it was removed)")
    public DocumentDtos.DocumentView confirm(@PathParam("id") String id) {
        return documents.confirm(id);
    }

    @GET
    @RequiresScope("documents:read")
    @Operation(operationId = "listDocuments", summary = "List documents, newest first, by entity, status, type and archived (cursor or page/limit)")
    @APIResponse(responseCode = "200", description = "A page of documents", content = @Content(schema = @Schema(implementation = DocumentDtos.DocumentPage.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: a bad filter, page, limit or cursor")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs documents:read")
    public DocumentDtos.DocumentPage list(@Parameter(description = "with entity_id: documents of this CRM entity") @QueryParam("entity_type") String entityType,
                                          @QueryParam("entity_id") String entityId,
                                          @Parameter(description = "pending or uploaded") @QueryParam("status") String status,
                                          @QueryParam("content_type") String contentType,
                                          @Parameter(description = "true: archived only; false (default): not archived; all") @QueryParam("archived") String archived,
                                          @Parameter(description = "1-based page number (the seed's paging); else cursor paging") @QueryParam("page") String page,
                                          @QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        return documents.list(entityType, entityId, status, contentType, archived, page, limit, cursor);
    }

    @GET
    @Path("/entity/{entity_type}/{entity_id}")
    @RequiresScope("documents:read")
    @Operation(operationId = "listEntityDocuments", summary = "Documents linked to one CRM entity, newest first")
    @APIResponse(responseCode = "200", description = "A page of documents", content = @Content(schema = @Schema(implementation = DocumentDtos.DocumentPage.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: a malformed entity type or id, or a bad filter")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs documents:read")
    public DocumentDtos.DocumentPage byEntity(@PathParam("entity_type") String entityType, @PathParam("entity_id") String entityId,
                                              @QueryParam("status") String status, @QueryParam("content_type") String contentType,
                                              @QueryParam("archived") String archived, @QueryParam("page") String page,
                                              @QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        EntityRef ref = EntityRef.of(entityType, entityId);
        return documents.list(ref.type(), ref.id(), status, contentType, archived, page, limit, cursor);
    }

    @GET
    @Path("/{id}")
    @RequiresScope("documents:read")
    @Operation(operationId = "getDocument", summary = "Get a document")
    @APIResponse(responseCode = "200", description = "The document", content = @Content(schema = @Schema(implementation = DocumentDtos.DocumentView.class)))
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs documents:read")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public DocumentDtos.DocumentView get(@PathParam("id") String id) {
        return documents.get(id);
    }

    @GET
    @Path("/{id}/download")
    @RequiresScope("documents:read")
    @Operation(operationId = "getDocumentDownloadUrl", summary = "A short-lived URL to download an uploaded document from")
    @APIResponse(responseCode = "200", description = "The URL and when it expires", content = @Content(schema = @Schema(implementation = DocumentDtos.DownloadView.class)))
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs documents:read")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    @APIResponse(responseCode = "409", description = "CONFLICT: the upload is not confirmed yet")
    public DocumentDtos.DownloadView download(@PathParam("id") String id, @Context UriInfo uri) {
        return documents.download(id, uri.getBaseUri());
    }

    @DELETE
    @Path("/{id}")
    @RequiresScope("documents:write")
    @Operation(operationId = "deleteDocument", summary = "Delete a document and its stored file")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs documents:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public Response delete(@PathParam("id") String id) {
        documents.delete(id);
        return Response.noContent().build();
    }

    @POST
    @Path("/{id}/archive")
    @RequiresScope("documents:write")
    @Operation(operationId = "archiveDocument", summary = "Archive or unarchive a document: {\"archived\": true|false} sets it, no body toggles")
    @RequestBody(required = false, content = @Content(schema = @Schema(implementation = DocumentDtos.ArchiveRequest.class), examples =
            @ExampleObject(name = "archive", value = "{\"archived\":true}")))
    @APIResponse(responseCode = "200", description = "The document", content = @Content(schema = @Schema(implementation = DocumentDtos.DocumentView.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: archived is not a boolean, or an unknown field")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs documents:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public DocumentDtos.DocumentView archive(@PathParam("id") String id, JsonNode body) {
        return documents.archive(id, body);
    }
}
