package dev.weft.messaging.document;

import dev.weft.platform.tenancy.OrgScopedLookup;
import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.messaging.Json;
import dev.weft.messaging.MessagingConfig;
import dev.weft.messaging.MessagingEvents;
import dev.weft.messaging.entity.EntityRef;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.id.Ids;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.pagination.CursorCodec;
import dev.weft.platform.pagination.Keyset;
import dev.weft.platform.pagination.Page;
import dev.weft.platform.pagination.PageRequest;
import dev.weft.platform.tenancy.TenantContext;
import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.persistence.TypedQuery;
import jakarta.transaction.Transactional;

import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Documents of the current org: an upload is announced (name, type, optional size and checksum, optional CRM entity),
 * the client PUTs the bytes to a presigned URL, then confirms; confirm checks the stored object against what was
 * declared and only then is the document {@code uploaded} and {@code document.uploaded} published, once.
 */
@ApplicationScoped
public class DocumentService {
    static final Set<String> UPLOAD_FIELDS = Set.of("file_name", "content_type", "entity_type", "entity_id", "size_bytes", "sha256");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern MEDIA_TYPE = Pattern.compile("[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}");
    private static final List<String> STATUSES = List.of(Document.PENDING, Document.UPLOADED);

    private final MessagingConfig.Documents config;
    private final DocumentStores stores;
    private final MessagingEvents events;
    private final CursorCodec cursors;

    public DocumentService(MessagingConfig config, DocumentStores stores, MessagingEvents events, CursorCodec cursors) {
        this.config = config.documents();
        this.stores = stores;
        this.events = events;
        this.cursors = cursors;
    }

    public DocumentDtos.ConfigView config() {
        DocumentStore store = stores.current();
        return new DocumentDtos.ConfigView(store.kind(), store.configured(), config.maxSizeBytes(), allowedTypes(),
                config.uploadUrlLifetime().toSeconds(), config.downloadUrlLifetime().toSeconds());
    }

    /** POST /v1/documents/upload: checks the announcement (type allowed, declared size within the limit) before any byte is sent. */
    @Transactional
    public DocumentDtos.UploadView upload(JsonNode body, URI requestBase) {
        Map<String, JsonNode> fields = Json.fields(body, UPLOAD_FIELDS);
        String fileName = fileName(Json.text(fields, "file_name", 255));
        String contentType = contentType(Json.text(fields, "content_type", 255));
        Long size = declaredSize(fields.get("size_bytes"));
        String sha256 = Json.text(fields, "sha256", 64);
        if (sha256 != null) {
            sha256 = sha256.toLowerCase(Locale.ROOT);
            if (!SHA256.matcher(sha256).matches()) {
                throw ApiException.invalid("sha256", "pattern", "sha256 must be the hex SHA-256 of the file (64 hex digits)");
            }
        }
        EntityRef entity = EntityRef.optional(fields);
        DocumentStore store = stores.current();
        if (!store.configured()) {
            throw new ApiException(ErrorCode.SERVICE_UNAVAILABLE, "document storage is not configured (weft.messaging.documents.s3.bucket is unset)");
        }
        Document document = new Document();
        document.id = TypeId.uuidV7();
        document.orgId = TenantContext.requireOrgId();
        document.fileName = fileName;
        document.contentType = contentType;
        document.declaredSize = size;
        document.declaredSha256 = sha256;
        if (entity != null) {
            document.entityType = entity.type();
            document.entityId = entity.id();
        }
        document.store = store.kind();
        document.objectKey = document.orgId + "/" + document.documentId();
        document.createdBy = TenantContext.require().credentialId();
        document.persist();
        Document.flush();
        Instant expiresAt = Instant.now().plus(config.uploadUrlLifetime()).truncatedTo(ChronoUnit.SECONDS);
        DocumentStore.PresignedUrl url = store.uploadUrl(document, expiresAt, requestBase);
        Log.infof("event=document_upload_started org_id=%s document_id=%s store=%s content_type=%s declared_size=%s", document.orgId,
                document.documentId(), store.kind(), contentType, size);
        return new DocumentDtos.UploadView(view(document), url.url(), url.method(), url.headers(), url.expiresAt());
    }

    /**
     * POST /v1/documents/{id}/confirm: the stored object must exist, be within the limit and match the declared size
     * and checksum; then the document is {@code uploaded} and {@code document.uploaded} goes out. Confirming again
     * answers the document and publishes nothing. A mismatch removes the object, so the upload can be made again.
     */
    @Transactional(dontRollbackOn = ApiException.class) // a refused confirm still records that the upload may be made again
    public DocumentDtos.DocumentView confirm(String id) {
        // Locked: two confirms at once publish one event.
        Document document = Document.findById(Ids.require(Document.ID_PREFIX, id, "document"), LockModeType.PESSIMISTIC_WRITE);
        if (document == null) {
            throw ApiException.notFound("document");
        }
        if (Document.UPLOADED.equals(document.status)) {
            return view(document);
        }
        DocumentStore store = stores.of(document);
        Long size = store.size(document).orElseThrow(() -> new ApiException(ErrorCode.CONFLICT,
                "nothing was uploaded for this document yet: PUT the file to its upload_url first", Map.of("status", document.status)));
        if (size > config.maxSizeBytes()) {
            discard(store, document);
            throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "the uploaded file has " + size + " bytes, more than the " + config.maxSizeBytes() + " allowed",
                    Map.of("size_bytes", size, "max_size_bytes", config.maxSizeBytes()));
        }
        if (document.declaredSize != null && !document.declaredSize.equals(size)) {
            discard(store, document);
            throw new ApiException(ErrorCode.CONFLICT, "the uploaded file has " + size + " bytes, not the " + document.declaredSize + " declared; it was removed, upload it again",
                    Map.of("reason", "size_mismatch", "size_bytes", size, "declared_size_bytes", document.declaredSize));
        }
        String sha256;
        try (InputStream in = store.open(document)) {
            sha256 = FilesystemStore.sha256(in);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (document.declaredSha256 != null && !document.declaredSha256.equals(sha256)) {
            discard(store, document);
            throw new ApiException(ErrorCode.CONFLICT, "the uploaded file's SHA-256 is not the one declared; it was removed, upload it again",
                    Map.of("reason", "checksum_mismatch", "sha256", sha256, "declared_sha256", document.declaredSha256));
        }
        document.status = Document.UPLOADED;
        document.sizeBytes = size;
        document.sha256 = sha256;
        document.uploadedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Document.flush();
        DocumentDtos.DocumentView view = view(document);
        Map<String, Object> extra = new LinkedHashMap<>();
        // The event's entity_id is always a string (event-types.json), whatever the API answers.
        extra.put("entity_id", document.entityId);
        events.publish("document.uploaded", document.documentId(), view, extra);
        Log.infof("event=document_uploaded org_id=%s document_id=%s size_bytes=%d", document.orgId, document.documentId(), size);
        return view;
    }

    /** A refused upload's object is removed and the document can take a new upload (its URL, if still valid, or a new one). */
    private static void discard(DocumentStore store, Document document) {
        store.delete(document);
        document.uploadStartedAt = null;
    }

    public DocumentDtos.DocumentView get(String id) {
        return view(require(id));
    }

    /** GET /v1/documents/{id}/download: a URL valid for weft.messaging.documents.download-url-lifetime. */
    public DocumentDtos.DownloadView download(String id, URI requestBase) {
        Document document = require(id);
        if (!Document.UPLOADED.equals(document.status)) {
            throw new ApiException(ErrorCode.CONFLICT, "the document's upload is not confirmed yet", Map.of("status", document.status));
        }
        Instant expiresAt = Instant.now().plus(config.downloadUrlLifetime()).truncatedTo(ChronoUnit.SECONDS);
        DocumentStore.PresignedUrl url = stores.of(document).downloadUrl(document, expiresAt, requestBase);
        return new DocumentDtos.DownloadView(document.documentId(), url.url(), url.method(), url.expiresAt(), document.fileName,
                document.contentType, document.sizeBytes);
    }

    /** DELETE /v1/documents/{id}: the stored object goes first; if that fails the document stays, so nothing is left unreferenced. */
    @Transactional
    public void delete(String id) {
        Document document = require(id);
        stores.of(document).delete(document);
        document.delete();
        Log.infof("event=document_deleted org_id=%s document_id=%s", document.orgId, document.documentId());
    }

    /** POST /v1/documents/{id}/archive: {@code {"archived": true|false}} sets it; no body (or no field) toggles. */
    @Transactional
    public DocumentDtos.DocumentView archive(String id, JsonNode body) {
        Document document = require(id);
        Boolean wanted = null;
        if (body != null && !body.isNull() && !body.isMissingNode()) {
            wanted = Json.bool(Json.fields(body, Set.of("archived")), "archived");
        }
        boolean archived = wanted == null ? !document.archived : wanted;
        if (archived != document.archived) {
            document.archived = archived;
            document.archivedAt = archived ? Instant.now().truncatedTo(ChronoUnit.MICROS) : null;
            Document.flush();
        }
        return view(document);
    }

    /**
     * Documents newest first. Filters: entity, status, content type, archived ({@code true}: only archived; {@code false}
     * or absent: only not archived; {@code all}). Cursor pagination, or the seed's {@code page} (1-based) with {@code limit}.
     */
    public DocumentDtos.DocumentPage list(String entityType, String entityId, String status, String contentType, String archived,
                                          String page, String limit, String cursor) {
        List<Condition> conditions = new java.util.ArrayList<>();
        if (entityType != null && !entityType.isBlank() || entityId != null && !entityId.isBlank()) {
            EntityRef ref = EntityRef.of(entityType, entityId);
            conditions.add(new Condition("entityType = :entityType", "entityType", ref.type()));
            conditions.add(new Condition("entityId = :entityId", "entityId", ref.id()));
        }
        if (status != null && !status.isBlank()) {
            String wanted = status.strip().toLowerCase(Locale.ROOT);
            if (!STATUSES.contains(wanted)) {
                throw ApiException.invalid("status", "one_of", "status must be one of " + STATUSES);
            }
            conditions.add(new Condition("status = :status", "status", wanted));
        }
        if (contentType != null && !contentType.isBlank()) {
            conditions.add(new Condition("contentType = :contentType", "contentType", contentType.strip().toLowerCase(Locale.ROOT)));
        }
        String archivedFilter = archived == null || archived.isBlank() ? "false" : archived.strip().toLowerCase(Locale.ROOT);
        switch (archivedFilter) {
            case "true", "false" -> conditions.add(new Condition("archived = :archived", "archived", Boolean.valueOf(archivedFilter)));
            case "all" -> {
            }
            default -> throw ApiException.invalid("archived", "one_of", "archived must be true, false or all");
        }
        if (page != null && !page.isBlank()) {
            if (cursor != null && !cursor.isBlank()) {
                throw ApiException.invalid("page", "one_of", "give page or cursor, not both");
            }
            return numberedPage(conditions, page, limit);
        }
        PageRequest request = PageRequest.of(limit, cursor, cursors);
        Keyset<Document> keyset = Keyset.of(Document.class);
        conditions.forEach(c -> keyset.where(c.jpql(), c.parameter(), c.value()));
        Page<DocumentDtos.DocumentView> shown = keyset.page(request, DocumentService::view, cursors);
        return new DocumentDtos.DocumentPage(shown.data(), new DocumentDtos.Pagination(shown.pagination().next_cursor(),
                shown.pagination().has_more(), null, request.limit(), null));
    }

    private record Condition(String jpql, String parameter, Object value) {
    }

    /** The seed's numbered pages (offset paging, newest first), with the total; next_cursor continues with cursor paging. */
    private DocumentDtos.DocumentPage numberedPage(List<Condition> conditions, String page, String limit) {
        int number;
        try {
            number = Integer.parseInt(page.strip());
        } catch (NumberFormatException e) {
            throw ApiException.invalid("page", "integer", "page must be an integer from 1");
        }
        if (number < 1 || number > 100_000) {
            throw ApiException.invalid("page", "range", "page must be between 1 and 100000");
        }
        PageRequest request = PageRequest.of(limit, null, cursors);
        StringBuilder where = new StringBuilder(" where 1 = 1");
        conditions.forEach(c -> where.append(" and (").append(c.jpql()).append(')'));
        var em = Panache.getEntityManager(Document.class);
        TypedQuery<Document> query = em.createQuery("from Document" + where + " order by createdAt desc, id desc", Document.class);
        TypedQuery<Long> count = em.createQuery("select count(*) from Document" + where, Long.class);
        conditions.forEach(c -> {
            query.setParameter(c.parameter(), c.value());
            count.setParameter(c.parameter(), c.value());
        });
        List<Document> rows = query.setFirstResult((number - 1) * request.limit()).setMaxResults(request.limit() + 1).getResultList();
        Page<DocumentDtos.DocumentView> shown = Page.of(rows, request, Document::position, DocumentService::view, cursors);
        return new DocumentDtos.DocumentPage(shown.data(), new DocumentDtos.Pagination(shown.pagination().next_cursor(),
                shown.pagination().has_more(), number, request.limit(), count.getSingleResult()));
    }

    public Document require(String id) {
        Document document = OrgScopedLookup.findById(Document.class, Ids.require(Document.ID_PREFIX, id, "document"));
        if (document == null) {
            throw ApiException.notFound("document");
        }
        return document;
    }

    static DocumentDtos.DocumentView view(Document d) {
        Object entityId = d.entityId == null ? null : new EntityRef(d.entityType, d.entityId).idForJson();
        return new DocumentDtos.DocumentView(d.documentId(), d.orgId, d.fileName, d.contentType, d.status, d.sizeBytes, d.sha256,
                d.declaredSize, d.declaredSha256, d.entityType, entityId, d.archived, d.archivedAt, d.store, d.uploadedAt, d.createdBy,
                d.createdAt, d.updatedAt);
    }

    private List<String> allowedTypes() {
        return config.allowedContentTypes().stream().map(t -> t.strip().toLowerCase(Locale.ROOT)).filter(t -> !t.isEmpty()).toList();
    }

    private static String fileName(String name) {
        if (name == null) {
            throw ApiException.invalid("file_name", "required", "file_name is required");
        }
        if (name.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == '/' || c == '\\') || name.equals(".") || name.equals("..")) {
            throw ApiException.invalid("file_name", "pattern", "file_name is a name without a path: no / or \\ or control characters");
        }
        return name;
    }

    /** The media type without parameters, lower-cased; it must be one of weft.messaging.documents.allowed-content-types. */
    private String contentType(String given) {
        if (given == null) {
            throw ApiException.invalid("content_type", "required", "content_type is required");
        }
        String type = mediaType(given);
        if (type == null) {
            throw ApiException.invalid("content_type", "pattern", "content_type must be a media type such as application/pdf");
        }
        List<String> allowed = allowedTypes();
        if (!allowed.contains(type)) {
            throw new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "documents of type " + type + " are not accepted",
                    Map.of("field", "content_type", "allowed_content_types", allowed));
        }
        return type;
    }

    /** {@code text/plain; charset=utf-8} → {@code text/plain}; null when it is not a media type. */
    static String mediaType(String header) {
        if (header == null) {
            return null;
        }
        int semicolon = header.indexOf(';');
        String type = (semicolon < 0 ? header : header.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
        return MEDIA_TYPE.matcher(type).matches() ? type : null;
    }

    /** size_bytes: a non-negative integer; above the limit it is a 413 before any byte is sent (a 2 GB file is refused here). */
    private Long declaredSize(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber()) {
            throw ApiException.invalid("size_bytes", "type", "size_bytes must be an integer (the file's size in bytes)");
        }
        if (node.bigIntegerValue().signum() < 0) {
            throw ApiException.invalid("size_bytes", "minimum", "size_bytes cannot be negative");
        }
        if (!node.canConvertToLong() || node.longValue() > config.maxSizeBytes()) {
            throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "the file is larger than the " + config.maxSizeBytes() + " bytes a document may have",
                    Map.of("field", "size_bytes", "max_size_bytes", config.maxSizeBytes()));
        }
        return node.longValue();
    }

    /** RFC 6266 attachment with the UTF-8 name (and an ASCII fallback). */
    static String contentDisposition(String fileName) {
        String ascii = fileName.replaceAll("[^\\x20-\\x7e]", "_").replace("\"", "_");
        return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + URLEncoder.encode(fileName, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
