package dev.weft.messaging.document;

import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.id.Ids;
import dev.weft.platform.id.TypeId;
import dev.weft.platform.tenancy.SystemPrincipal;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

/**
 * The filesystem store's presigned URLs, served: {@code PUT} receives a document's one upload, {@code GET} serves a
 * confirmed document. The signature is checked before anything else (no credential is needed: the URL is the
 * credential), then the expiry; the org in the URL, covered by the signature, is the tenant the document is read in.
 */
@ApplicationScoped
public class BlobService {
    private final DocumentStores stores;
    private final BlobSigner signer;
    private final SystemPrincipal system;

    public BlobService(DocumentStores stores, BlobSigner signer, SystemPrincipal system) {
        this.stores = stores;
        this.signer = signer;
        this.system = system;
    }

    /** Where a verified GET URL points: the file and how to serve it. */
    public record Blob(Path path, String fileName, String contentType, long size) {
    }

    /**
     * Streams the body to the document's file. Refused: a bad signature (401), an expired URL (403), a content type other
     * than the declared one (415), a body over the signed limit (413, also while streaming), a document already uploaded
     * or whose upload is under way or done (409: one upload per document).
     */
    public DocumentDtos.Received receive(String documentId, String org, String expires, String max, String signature, String contentType,
                                         String contentLength, InputStream body) {
        long limit = number(max);
        Document document = verified("PUT", documentId, org, expires, limit, signature);
        if (!document.contentType.equals(DocumentService.mediaType(contentType))) {
            throw new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "this upload URL takes Content-Type " + document.contentType,
                    Map.of("field", "Content-Type", "expected", document.contentType));
        }
        if (contentLength != null && number(contentLength.strip(), "Content-Length") > limit) {
            throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "the body is larger than the " + limit + " bytes this upload allows",
                    Map.of("max_size_bytes", limit));
        }
        claim(document);
        long written;
        try {
            written = stores.filesystem().write(document, body, limit);
        } catch (RuntimeException e) {
            // Nothing was kept: the upload may be tried again with the same URL while it is valid.
            release(document);
            throw e;
        }
        Log.infof("event=document_received org_id=%s document_id=%s bytes=%d", document.orgId, document.documentId(), written);
        return new DocumentDtos.Received(document.documentId(), written);
    }

    public Blob serve(String documentId, String org, String expires, String signature) {
        Document document = verified("GET", documentId, org, expires, 0, signature);
        if (!Document.UPLOADED.equals(document.status)) {
            throw ApiException.notFound("document");
        }
        FilesystemStore store = stores.filesystem();
        long size = store.size(document).orElseThrow(() -> ApiException.notFound("document"));
        return new Blob(store.path(document), document.fileName, document.contentType, size);
    }

    /** The document the URL names, once its signature and expiry are checked. */
    private Document verified(String method, String documentId, String org, String expires, long max, String signature) {
        UUID id = TypeId.parse(Document.ID_PREFIX, documentId).orElse(null);
        if (id == null || org == null || TypeId.parse("org", org).isEmpty() || expires == null || signature == null) {
            throw invalidSignature();
        }
        long expiresAt = number(expires);
        Document unsaved = new Document();
        unsaved.id = id;
        unsaved.orgId = org;
        unsaved.objectKey = org + "/" + documentId;
        if (!signer.verify(method, unsaved, expiresAt, max, signature)) {
            throw invalidSignature();
        }
        if (Instant.now().getEpochSecond() > expiresAt) {
            throw new ApiException(ErrorCode.FORBIDDEN, "this URL expired at " + Instant.ofEpochSecond(expiresAt) + "; ask for a new one",
                    Map.of("expired_at", Instant.ofEpochSecond(expiresAt).toString()));
        }
        Document document = inOrg(org, () -> Document.<Document>findById(Ids.require(Document.ID_PREFIX, documentId, "document")));
        if (document == null || !"filesystem".equals(document.store) || !document.objectKey.equals(unsaved.objectKey)) {
            throw ApiException.notFound("document");
        }
        return document;
    }

    /** Marks the upload as begun, atomically: a second PUT (the URL reused, or two at once) finds it taken. */
    private void claim(Document document) {
        int claimed = inOrg(document.orgId, () -> QuarkusTransaction.requiringNew().call(() -> Document.update(
                "uploadStartedAt = ?1 where id = ?2 and uploadStartedAt is null and status = ?3",
                Instant.now().truncatedTo(ChronoUnit.MICROS), document.id, Document.PENDING)));
        if (claimed != 1) {
            throw new ApiException(ErrorCode.CONFLICT, "this document's upload URL was already used: a document takes one upload",
                    Map.of("reason", "upload_url_used"));
        }
    }

    private void release(Document document) {
        inOrg(document.orgId, () -> QuarkusTransaction.requiringNew().call(() -> Document.update(
                "uploadStartedAt = null where id = ?1 and status = ?2", document.id, Document.PENDING)));
    }

    private <T> T inOrg(String org, java.util.concurrent.Callable<T> work) {
        try {
            return system.callAs(org, work);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static ApiException invalidSignature() {
        return new ApiException(ErrorCode.INVALID_SIGNATURE, "the URL's signature does not match it: use the URL exactly as it was given");
    }

    private static long number(String value) {
        if (value == null) {
            throw invalidSignature();
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw invalidSignature();
        }
    }

    private static long number(String value, String header) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw ApiException.invalid(header, "integer", header + " must be an integer");
        }
    }
}
