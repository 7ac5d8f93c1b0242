package dev.weft.messaging.document;

import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorResponses;
import dev.weft.platform.tenancy.PublicEndpoint;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.io.InputStream;

/**
 * The filesystem store's presigned URLs (as POST /v1/documents/upload and GET /v1/documents/{id}/download give them):
 * no credential, the signature in the URL is the proof. Bodies stream to disk and from it, never whole in memory.
 */
@Path("/v1/documents/blobs/{document_id}")
@RunOnVirtualThread
@Tag(name = "documents", description = "Documents stored with presigned upload and download URLs, linked to CRM entities")
public class BlobResource {
    private final BlobService blobs;

    public BlobResource(BlobService blobs) {
        this.blobs = blobs;
    }

    @PUT
    @PublicEndpoint
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "uploadDocumentContent", summary = "Upload a document's bytes to its presigned URL (filesystem store; one upload per document)",
            description = "Use the upload_url, method and headers of POST /v1/documents/upload as given. Then POST /v1/documents/{id}/confirm.")
    @APIResponse(responseCode = "200", description = "Stored; confirm next", content = @Content(schema = @Schema(implementation = DocumentDtos.Received.class)))
    @APIResponse(responseCode = "401", description = "INVALID_SIGNATURE: the URL was changed (path, query, another document) or is not one this service signed")
    @APIResponse(responseCode = "403", description = "FORBIDDEN: the URL expired")
    @APIResponse(responseCode = "404", description = "NOT_FOUND: the document was deleted")
    @APIResponse(responseCode = "409", description = "CONFLICT: the URL was already used (a document takes one upload) or the document is uploaded")
    @APIResponse(responseCode = "413", description = "PAYLOAD_TOO_LARGE: the body is larger than declared or than the limit")
    @APIResponse(responseCode = "415", description = "UNSUPPORTED_MEDIA_TYPE: Content-Type is not the document's declared type")
    public Response upload(@PathParam("document_id") String documentId, @QueryParam("org") String org, @QueryParam("expires") String expires,
                           @Parameter(description = "largest body in bytes, signed") @QueryParam("max") String max,
                           @QueryParam("signature") String signature, @Context HttpHeaders headers, InputStream body) {
        try {
            return Response.ok(blobs.receive(documentId, org, expires, max, signature, headers.getHeaderString(HttpHeaders.CONTENT_TYPE),
                    headers.getHeaderString(HttpHeaders.CONTENT_LENGTH), body)).build();
        } catch (ApiException e) {
            // The rest of a refused body is not read: the connection closes instead of parsing it as the next request.
            Response refused = ErrorResponses.build(headers, e.code(), e.getMessage(), e.details());
            return Response.fromResponse(refused).header("Connection", "close").build();
        }
    }

    @GET
    @PublicEndpoint
    @Produces(MediaType.WILDCARD)
    @Operation(operationId = "downloadDocumentContent", summary = "Download a document's bytes from its presigned URL (filesystem store)",
            description = "The download_url of GET /v1/documents/{id}/download; served with the document's Content-Type and file name.")
    @APIResponse(responseCode = "200", description = "The file")
    @APIResponse(responseCode = "401", description = "INVALID_SIGNATURE: the URL was changed or is not one this service signed")
    @APIResponse(responseCode = "403", description = "FORBIDDEN: the URL expired")
    @APIResponse(responseCode = "404", description = "NOT_FOUND: the document was deleted")
    public Response download(@PathParam("document_id") String documentId, @QueryParam("org") String org, @QueryParam("expires") String expires,
                             @QueryParam("signature") String signature) {
        BlobService.Blob blob = blobs.serve(documentId, org, expires, signature);
        return Response.ok(blob.path().toFile(), blob.contentType())
                .header("Content-Disposition", DocumentService.contentDisposition(blob.fileName()))
                .header("Cache-Control", "private, no-store")
                .header("X-Content-Type-Options", "nosniff")
                .build();
    }
}
