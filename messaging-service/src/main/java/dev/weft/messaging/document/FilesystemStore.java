package dev.weft.messaging.document;

import dev.weft.messaging.MessagingConfig;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * Documents as files under one directory ({@code <org_id>/<doc_id>}), uploaded and downloaded through URLs this
 * service signs ({@link BlobSigner}) and serves itself ({@link BlobResource}). Bodies are streamed to a temporary file
 * beside the target, counted and hashed on the way, and moved into place only when complete: a reader never sees half a file.
 */
public class FilesystemStore implements DocumentStore {
    static final String BLOB_PATH = "/v1/documents/blobs/";
    private static final int BUFFER = 64 * 1024;

    private final Path root;
    private final BlobSigner signer;
    private final Optional<URI> publicUrl;
    private final long maxSize;

    public FilesystemStore(MessagingConfig.Documents config, BlobSigner signer) {
        this.root = Path.of(config.directory()).toAbsolutePath().normalize();
        this.signer = signer;
        this.publicUrl = config.publicUrl();
        this.maxSize = config.maxSizeBytes();
    }

    @Override
    public String kind() {
        return "filesystem";
    }

    @Override
    public boolean configured() {
        return true;
    }

    @Override
    public PresignedUrl uploadUrl(Document document, Instant expiresAt, URI requestBase) {
        long max = uploadLimit(document);
        String signature = signer.sign("PUT", document, expiresAt.getEpochSecond(), max);
        String url = base(requestBase) + BLOB_PATH + document.documentId() + "?org=" + enc(document.orgId) + "&expires=" + expiresAt.getEpochSecond()
                + "&max=" + max + "&signature=" + signature;
        Map<String, String> headers = document.declaredSize == null ? Map.of("Content-Type", document.contentType)
                : Map.of("Content-Type", document.contentType, "Content-Length", Long.toString(document.declaredSize));
        return new PresignedUrl(url, "PUT", headers, expiresAt);
    }

    /** The largest body an upload URL accepts: the declared size when one was declared (never above the maximum), else the maximum. */
    long uploadLimit(Document document) {
        return document.declaredSize != null ? document.declaredSize : maxSize;
    }

    @Override
    public PresignedUrl downloadUrl(Document document, Instant expiresAt, URI requestBase) {
        String signature = signer.sign("GET", document, expiresAt.getEpochSecond(), 0);
        String url = base(requestBase) + BLOB_PATH + document.documentId() + "?org=" + enc(document.orgId) + "&expires=" + expiresAt.getEpochSecond()
                + "&signature=" + signature;
        return new PresignedUrl(url, "GET", Map.of(), expiresAt);
    }

    @Override
    public Optional<Long> size(Document document) {
        try {
            return Optional.of(Files.size(path(document)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public InputStream open(Document document) {
        try {
            return Files.newInputStream(path(document));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void delete(Document document) {
        try {
            Files.deleteIfExists(path(document));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file's path; a document of this store has a key {@code <org_id>/<doc_id>}, both generated here, so it stays under the root. */
    Path path(Document document) {
        Path path = root.resolve(document.objectKey).normalize();
        if (!path.startsWith(root)) {
            throw new IllegalStateException("object key outside the store: " + document.objectKey);
        }
        return path;
    }

    /**
     * Streams {@code body} to the document's file, refusing it (413, nothing kept) once more than {@code limit} bytes
     * arrived; returns the size written. Never holds more than one buffer of the body in memory.
     */
    long write(Document document, InputStream body, long limit) {
        Path target = path(document);
        Path partial = target.resolveSibling(target.getFileName() + ".part");
        try {
            Files.createDirectories(target.getParent());
            long written = 0;
            try (OutputStream out = Files.newOutputStream(partial)) {
                byte[] buffer = new byte[BUFFER];
                int read;
                while ((read = body.read(buffer)) != -1) {
                    written += read;
                    if (written > limit) {
                        throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "the body is larger than the " + limit + " bytes this upload allows",
                                Map.of("max_size_bytes", limit));
                    }
                    out.write(buffer, 0, read);
                }
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return written;
        } catch (IOException e) {
            deleteQuietly(partial);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            deleteQuietly(partial);
            throw e;
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // A leftover .part file is never served: only the moved file is.
        }
    }

    private String base(URI requestBase) {
        String base = publicUrl.orElse(requestBase).toString();
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** Hex SHA-256 of a stream, read in buffers. */
    static String sha256(InputStream in) {
        try (in) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[BUFFER];
            int read;
            while ((read = in.read(buffer)) != -1) {
                digest.update(buffer, 0, read);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
