package dev.weft.platform.tenancy;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an endpoint that accepts OAuth 2.0 client authentication (RFC 6749 §2.3: HTTP Basic, or
 * {@code client_id} and {@code client_secret} in the body) beside the platform's credentials, and
 * checks it itself. A request with no credential, or with exactly one {@code Authorization: Basic}
 * header, reaches the resource without a principal ({@link CurrentPrincipal#get()} is null) and the
 * resource must authenticate it or refuse; every other credential is verified as on any endpoint,
 * so a bad bearer token is still a 401 and scopes still apply.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface AllowsClientAuthentication {
}
