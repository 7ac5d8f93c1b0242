package dev.weft.messaging.document;

import java.io.InputStream;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Where documents' bytes live. Clients never send bytes through the JSON API: they PUT to the URL
 * {@link #uploadUrl} gives and GET from {@link #downloadUrl}; the service only checks the stored object at confirm.
 */
public interface DocumentStore {
    /** {@code filesystem} or {@code s3}. */
    String kind();

    /** Whether the store can be used (an S3 store needs a bucket). */
    boolean configured();

    /** A URL the client PUTs the document's bytes to once, before {@code expiresAt}, with {@code headers}. */
    PresignedUrl uploadUrl(Document document, Instant expiresAt, URI requestBase);

    /** A URL the client GETs the bytes from before {@code expiresAt}. */
    PresignedUrl downloadUrl(Document document, Instant expiresAt, URI requestBase);

    /** The stored object's size, or empty when nothing is stored under the document's key. */
    Optional<Long> size(Document document);

    /** The stored bytes (the caller closes the stream); only called when {@link #size} found the object. */
    InputStream open(Document document);

    /** Removes the object; nothing stored is not an error. */
    void delete(Document document);

    record PresignedUrl(String url, String method, Map<String, String> headers, Instant expiresAt) {
    }
}
