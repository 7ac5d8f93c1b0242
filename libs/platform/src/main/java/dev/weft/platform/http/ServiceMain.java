package dev.weft.platform.http;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Every service's entry point. It only turns off Quarkus' own check of the request target before Quarkus starts, so
 * that {@link HttpGuards} makes it instead and answers in the error shape: Quarkus reads the setting once, when its HTTP
 * recorder class loads, and otherwise answers a target such as {@code ?cursor=%%%} with a bare 400 and no body.
 */
@QuarkusMain
public final class ServiceMain {
    static final String URI_VALIDATION_OFF = "vertx.disableURIValidation";

    public static void main(String... args) {
        System.setProperty(URI_VALIDATION_OFF, "true");
        Quarkus.run(args);
    }
}
