package dev.weft.platform.openapi;

import dev.weft.platform.tenancy.AllowsClientAuthentication;
import dev.weft.platform.tenancy.PublicEndpoint;
import dev.weft.platform.tenancy.RequiresScope;
import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.AnnotationTarget;
import org.jboss.jandex.ClassInfo;
import org.jboss.jandex.DotName;
import org.jboss.jandex.IndexView;
import org.jboss.jandex.MethodInfo;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the platform's request filters will demand of each JAX-RS resource method, keyed by
 * {@code "GET /v1/things/{id}"} as the OpenAPI document spells the operation. Read from the
 * Jandex index at build time with the same precedence {@code AuthenticationFilter} applies at
 * run time (the method's annotation, else its class's), so the document cannot drift from what
 * the filter enforces.
 */
final class ResourceMethods {
    /**
     * @param allowsClientAuthentication also reachable with OAuth client authentication (HTTP Basic, or the
     *                                   client's id and secret in the body), which the resource checks itself
     */
    record Access(boolean isPublic, boolean allowsClientAuthentication, Optional<String> requiredScope) {
    }

    private static final DotName PATH = DotName.createSimple("jakarta.ws.rs.Path");
    private static final DotName PUBLIC = DotName.createSimple(PublicEndpoint.class.getName());
    private static final DotName CLIENT_AUTHENTICATION = DotName.createSimple(AllowsClientAuthentication.class.getName());
    private static final DotName REQUIRES_SCOPE = DotName.createSimple(RequiresScope.class.getName());
    private static final List<String> HTTP_METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS");

    private final Map<String, Access> byOperation;

    private ResourceMethods(Map<String, Access> byOperation) {
        this.byOperation = byOperation;
    }

    static ResourceMethods scan(IndexView index) {
        Map<String, Access> found = new HashMap<>();
        for (AnnotationInstance classPath : index.getAnnotations(PATH)) {
            if (classPath.target().kind() != AnnotationTarget.Kind.CLASS) {
                continue;
            }
            ClassInfo resource = classPath.target().asClass();
            for (MethodInfo method : resource.methods()) {
                String httpMethod = httpMethod(method);
                if (httpMethod == null) {
                    continue;
                }
                AnnotationInstance methodPath = method.declaredAnnotation(PATH);
                String path = normalize(classPath.value().asString() + "/" + (methodPath == null ? "" : methodPath.value().asString()));
                AnnotationInstance scope = method.hasDeclaredAnnotation(REQUIRES_SCOPE)
                        ? method.declaredAnnotation(REQUIRES_SCOPE) : resource.declaredAnnotation(REQUIRES_SCOPE);
                boolean isPublic = method.hasDeclaredAnnotation(PUBLIC) || resource.hasDeclaredAnnotation(PUBLIC);
                boolean clientAuthentication = method.hasDeclaredAnnotation(CLIENT_AUTHENTICATION)
                        || resource.hasDeclaredAnnotation(CLIENT_AUTHENTICATION);
                found.put(httpMethod + " " + path,
                        new Access(isPublic, clientAuthentication, Optional.ofNullable(scope).map(s -> s.value().asString())));
            }
        }
        return new ResourceMethods(found);
    }

    /** An operation no resource method explains is treated as authenticated: the filter's default. */
    Access access(String httpMethod, String path) {
        return byOperation.getOrDefault(httpMethod.toUpperCase(Locale.ROOT) + " " + normalize(path),
                new Access(false, false, Optional.empty()));
    }

    private static String httpMethod(MethodInfo method) {
        for (String name : HTTP_METHODS) {
            if (method.hasDeclaredAnnotation(DotName.createSimple("jakarta.ws.rs." + name))) {
                return name;
            }
        }
        return null;
    }

    /** One slash between segments, none at the end, and {@code {id: regex}} reduced to {@code {id}} as OpenAPI writes it. */
    static String normalize(String path) {
        String withoutRegex = path.replaceAll("\\{\\s*([^}:\\s]+)\\s*:[^}]*}", "{$1}");
        String collapsed = ("/" + withoutRegex).replaceAll("/{2,}", "/");
        return collapsed.length() > 1 && collapsed.endsWith("/") ? collapsed.substring(0, collapsed.length() - 1) : collapsed;
    }
}
