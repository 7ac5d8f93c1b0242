package dev.weft.messaging.document;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Bodies of /v1/documents (seed 002 "Documents"). */
public final class DocumentDtos {
    private DocumentDtos() {
    }

    /** For the OpenAPI document only: what POST /v1/documents/upload accepts (each field also in camelCase; entity_id a string or an integer). */
    public record UploadRequest(String fileName, String contentType, String entityType, Object entityId, Long sizeBytes, String sha256) {
    }

    /** {@code size_bytes} and {@code sha256} are the stored object's, once confirmed; {@code declared_*} what the client announced. */
    public record DocumentView(String id, String orgId, String fileName, String contentType, String status, Long sizeBytes, String sha256,
                               Long declaredSizeBytes, String declaredSha256, String entityType, Object entityId, boolean archived,
                               Instant archivedAt, String store, Instant uploadedAt, String createdBy, Instant createdAt, Instant updatedAt) {
    }

    /** The answer to POST /v1/documents/upload: the pending document and where to PUT its bytes. */
    public record UploadView(DocumentView document, String uploadUrl, String method, Map<String, String> headers, Instant expiresAt) {
    }

    public record DownloadView(String id, String downloadUrl, String method, Instant expiresAt, String fileName, String contentType, Long sizeBytes) {
    }

    public record ConfigView(String store, boolean configured, long maxSizeBytes, List<String> allowedContentTypes,
                             long uploadUrlLifetimeSeconds, long downloadUrlLifetimeSeconds) {
    }

    /** The answer to a PUT on a filesystem upload URL. */
    public record Received(String id, long receivedBytes) {
    }

    /** A page of documents: cursor pagination as every list, plus the seed's page number when {@code page} was asked for. */
    public record DocumentPage(List<DocumentView> data, Pagination pagination) {
    }

    public record Pagination(@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.ALWAYS) String nextCursor,
                             boolean hasMore, Integer page, Integer limit, Long total) {
    }

    public record ArchiveRequest(Boolean archived) {
    }
}
