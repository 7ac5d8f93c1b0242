package dev.weft.messaging.document;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * S3Proxy (S3's REST API, SigV4 presigned URLs included, over jclouds' in-memory "transient" blob store), started in the
 * test JVM for the S3 document store's tests: no Docker, no AWS account. It runs from its single jar (copied by the
 * pom) in a class loader of its own, because its Guice 7 cannot share a class path with the Guice 5 of Quarkus'
 * test bootstrap; hence the reflection.
 */
public class S3ProxyResource implements QuarkusTestResourceLifecycleManager {
    static final String BUCKET = "weft-documents";
    static final String ACCESS_KEY = "weft-test-access";
    static final String SECRET_KEY = "weft-test-secret";
    static volatile URI endpoint;
    private static volatile Object blobStore;
    private static volatile Class<?> blobStoreType;
    private static volatile ClassLoader loader;
    private Object proxy;
    private Object context;

    @Override
    public Map<String, String> start() {
        Path jar = Path.of(System.getProperty("weft.test.s3proxy.jar", "target/s3proxy/s3proxy.jar"));
        if (!Files.exists(jar)) {
            throw new IllegalStateException("S3Proxy's jar is missing at " + jar + " (the pom copies it at generate-test-resources)");
        }
        try {
            loader = new URLClassLoader(new URL[]{jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
            inLoader(() -> {
                Class<?> contextBuilder = loader.loadClass("org.jclouds.ContextBuilder");
                Class<?> contextType = loader.loadClass("org.jclouds.blobstore.BlobStoreContext");
                blobStoreType = loader.loadClass("org.jclouds.blobstore.BlobStore");
                Object builder = contextBuilder.getMethod("newBuilder", String.class).invoke(null, "transient");
                builder = contextBuilder.getMethod("credentials", String.class, String.class).invoke(builder, "identity", "credential");
                context = contextBuilder.getMethod("build", Class.class).invoke(builder, contextType);
                blobStore = contextType.getMethod("getBlobStore").invoke(context);
                blobStoreType.getMethod("createContainerInLocation", loader.loadClass("org.jclouds.domain.Location"), String.class)
                        .invoke(blobStore, null, BUCKET);

                Class<?> s3Proxy = loader.loadClass("org.gaul.s3proxy.S3Proxy");
                Class<?> authenticationType = loader.loadClass("org.gaul.s3proxy.AuthenticationType");
                Object proxyBuilder = s3Proxy.getMethod("builder").invoke(null);
                Class<?> builderType = proxyBuilder.getClass();
                builderType.getMethod("blobStore", blobStoreType).invoke(proxyBuilder, blobStore);
                builderType.getMethod("endpoint", URI.class).invoke(proxyBuilder, URI.create("http://127.0.0.1:0"));
                @SuppressWarnings({"unchecked", "rawtypes"})
                Object v2OrV4 = Enum.valueOf((Class) authenticationType, "AWS_V2_OR_V4");
                builderType.getMethod("awsAuthentication", authenticationType, String.class, String.class).invoke(proxyBuilder, v2OrV4, ACCESS_KEY, SECRET_KEY);
                proxy = builderType.getMethod("build").invoke(proxyBuilder);
                s3Proxy.getMethod("start").invoke(proxy);
                Method state = s3Proxy.getMethod("getState");
                long deadline = System.currentTimeMillis() + 30_000;
                while (!"STARTED".equals(state.invoke(proxy)) && System.currentTimeMillis() < deadline) {
                    Thread.sleep(10);
                }
                endpoint = URI.create("http://127.0.0.1:" + s3Proxy.getMethod("getPort").invoke(proxy));
                return null;
            });
        } catch (Exception e) {
            throw new IllegalStateException("S3Proxy did not start", e);
        }
        return Map.of("weft.messaging.documents.store", "s3",
                "weft.messaging.documents.s3.bucket", BUCKET,
                "weft.messaging.documents.s3.region", "us-east-1",
                "weft.messaging.documents.s3.endpoint", endpoint.toString(),
                "weft.messaging.documents.s3.path-style", "true",
                "weft.messaging.documents.s3.access-key-id", ACCESS_KEY,
                "weft.messaging.documents.s3.secret-access-key", SECRET_KEY);
    }

    /** Whether S3Proxy holds an object under {@code key} in the bucket. */
    static boolean exists(String key) {
        try {
            return (Boolean) inLoader(() -> blobStoreType.getMethod("blobExists", String.class, String.class).invoke(blobStore, BUCKET, key));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        try {
            inLoader(() -> {
                if (proxy != null) {
                    proxy.getClass().getMethod("stop").invoke(proxy);
                }
                if (context != null) {
                    loader.loadClass("org.jclouds.blobstore.BlobStoreContext").getMethod("close").invoke(context);
                }
                return null;
            });
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** jclouds finds its providers through the thread's context class loader. */
    private static <T> T inLoader(Callable<T> work) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            return work.call();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
