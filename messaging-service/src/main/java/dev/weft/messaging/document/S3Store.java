package dev.weft.messaging.document;

import dev.weft.messaging.MessagingConfig;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.GetObjectPresignRequest;
import software.amazon.awssdk.services.s3.presigner.model.PutObjectPresignRequest;

import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Documents in an S3 bucket (or an S3-compatible server), under the key {@code <org_id>/<doc_id>}. Uploads and downloads
 * go straight between the client and S3 through SigV4 presigned URLs; the upload URL signs the content type and, when
 * the client declared one, the exact length, so S3 itself refuses another type or size. It also signs
 * {@code If-None-Match: *}, so a second PUT on the URL finds the object there and is refused (412): one upload per document.
 */
public class S3Store implements DocumentStore {
    private final String bucket;
    private final S3Presigner presigner;
    private final S3Client client;

    public S3Store(MessagingConfig.Documents.S3 config) {
        this.bucket = config.bucket().orElse(null);
        if (bucket == null) {
            this.presigner = null;
            this.client = null;
            return;
        }
        AwsCredentialsProvider credentials = config.accessKeyId().isPresent() && config.secretAccessKey().isPresent()
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(config.accessKeyId().get(), config.secretAccessKey().get()))
                : DefaultCredentialsProvider.builder().build();
        S3Presigner.Builder presign = S3Presigner.builder().region(Region.of(config.region())).credentialsProvider(credentials)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(config.pathStyle()).build());
        var sync = S3Client.builder().region(Region.of(config.region())).credentialsProvider(credentials)
                .forcePathStyle(config.pathStyle()).httpClient(UrlConnectionHttpClient.create())
                // Checksums only where S3 requires them: S3-compatible servers (MinIO, S3Proxy, ...) refuse the
                // x-amz-checksum-* headers the SDK otherwise adds; confirm hashes the object itself anyway.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        config.endpoint().ifPresent(endpoint -> {
            presign.endpointOverride(endpoint);
            sync.endpointOverride(endpoint);
        });
        this.presigner = presign.build();
        this.client = sync.build();
    }

    @Override
    public String kind() {
        return "s3";
    }

    @Override
    public boolean configured() {
        return bucket != null;
    }

    @Override
    public PresignedUrl uploadUrl(Document document, Instant expiresAt, URI requestBase) {
        // If-None-Match: * (S3 conditional write) makes the URL single-use: once an object exists, another PUT gets 412.
        PutObjectRequest.Builder put = PutObjectRequest.builder().bucket(bucket).key(document.objectKey).contentType(document.contentType)
                .ifNoneMatch("*");
        if (document.declaredSize != null) {
            put.contentLength(document.declaredSize);
        }
        var presigned = presigner.presignPutObject(PutObjectPresignRequest.builder().signatureDuration(lifetime(expiresAt))
                .putObjectRequest(put.build()).build());
        return new PresignedUrl(presigned.url().toString(), "PUT", headers(presigned.signedHeaders()), expiresAt);
    }

    @Override
    public PresignedUrl downloadUrl(Document document, Instant expiresAt, URI requestBase) {
        GetObjectRequest get = GetObjectRequest.builder().bucket(bucket).key(document.objectKey).responseContentType(document.contentType)
                .responseContentDisposition(DocumentService.contentDisposition(document.fileName)).build();
        var presigned = presigner.presignGetObject(GetObjectPresignRequest.builder().signatureDuration(lifetime(expiresAt)).getObjectRequest(get).build());
        return new PresignedUrl(presigned.url().toString(), "GET", headers(presigned.signedHeaders()), expiresAt);
    }

    @Override
    public Optional<Long> size(Document document) {
        try {
            return Optional.of(client.headObject(HeadObjectRequest.builder().bucket(bucket).key(document.objectKey).build()).contentLength());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public InputStream open(Document document) {
        return client.getObject(GetObjectRequest.builder().bucket(bucket).key(document.objectKey).build());
    }

    @Override
    public void delete(Document document) {
        client.deleteObject(DeleteObjectRequest.builder().bucket(bucket).key(document.objectKey).build());
    }

    private static Duration lifetime(Instant expiresAt) {
        Duration lifetime = Duration.between(Instant.now(), expiresAt);
        return lifetime.isNegative() || lifetime.isZero() ? Duration.ofSeconds(1) : lifetime;
    }

    /** The headers the client must send as signed ({@code host} is the URL's own). */
    private static Map<String, String> headers(Map<String, List<String>> signed) {
        Map<String, String> headers = new LinkedHashMap<>();
        signed.forEach((name, values) -> {
            if (!name.equalsIgnoreCase("host")) {
                headers.put(canonical(name), String.join(",", values));
            }
        });
        return headers;
    }

    private static String canonical(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "content-type" -> "Content-Type";
            case "content-length" -> "Content-Length";
            case "if-none-match" -> "If-None-Match";
            default -> name;
        };
    }
}
