package dev.weft.messaging.document;

import dev.weft.messaging.MessagingConfig;
import dev.weft.platform.config.PlatformConfig;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Locale;

/**
 * The configured store new uploads go to ({@code weft.messaging.documents.store}), and the store each existing document
 * names: a document keeps living where it was uploaded if the configuration changes later.
 */
@ApplicationScoped
public class DocumentStores {
    private final FilesystemStore filesystem;
    private final S3Store s3;
    private final DocumentStore current;
    private static final long MARGIN = 1_048_576;

    public DocumentStores(MessagingConfig config, PlatformConfig platform, BlobSigner signer) {
        MessagingConfig.Documents documents = config.documents();
        long uploadLimit = platform.http().bodyLimit(FilesystemStore.BLOB_PATH);
        if (uploadLimit < documents.maxSizeBytes() + MARGIN) {
            // Past the platform's limit the platform refuses the body first, saying less than the upload's own check would.
            Log.warnf("event=documents_body_limit weft.platform.http.max-upload-size=%d should be at least 1 MiB above weft.messaging.documents.max-size-bytes=%d",
                    uploadLimit, documents.maxSizeBytes());
        }
        this.filesystem = new FilesystemStore(documents, signer);
        this.s3 = new S3Store(documents.s3());
        this.current = switch (documents.store().trim().toLowerCase(Locale.ROOT)) {
            case "filesystem" -> filesystem;
            case "s3" -> s3;
            default -> throw new IllegalArgumentException("weft.messaging.documents.store must be filesystem or s3, not " + documents.store());
        };
    }

    public DocumentStore current() {
        return current;
    }

    public DocumentStore of(Document document) {
        return "s3".equals(document.store) ? s3 : filesystem;
    }

    public FilesystemStore filesystem() {
        return filesystem;
    }
}
