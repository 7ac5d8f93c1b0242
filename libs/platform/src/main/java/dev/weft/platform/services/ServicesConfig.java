package dev.weft.platform.services;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Where the other Weft services answer service-to-service calls ({@link ServiceClient}); every key is in docs/configuration.md. */
@ConfigMapping(prefix = "weft.services")
public interface ServicesConfig {

    Endpoint connections();

    /** messaging-service: a workflow's email notification is sent through its internal send endpoint. */
    MessagingEndpoint messaging();

    /** Longest wait for a connection to another service. */
    @WithDefault("5s")
    Duration connectTimeout();

    interface Endpoint {
        /** Base URL of the service (no trailing path): locally its port on 127.0.0.1, on Kubernetes its Service. */
        @WithDefault("http://127.0.0.1:8082")
        String url();

        /** Longest wait for one call's answer (a batch read or write of thousands of records included). */
        @WithDefault("120s")
        Duration timeout();
    }

    /** An {@link Endpoint} whose default is messaging-service's local port. */
    interface MessagingEndpoint extends Endpoint {
        @Override
        @WithDefault("http://127.0.0.1:8084")
        String url();
    }
}
