package dev.weft.platform.http.outbound;

import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** Resolves a host name to all of its addresses, without blocking the caller. */
@FunctionalInterface
public interface AddressLookup {

    /** Completes with every address of the host, or fails (e.g. with UnknownHostException). */
    CompletionStage<List<InetAddress>> lookup(String host);

    /**
     * The system resolver (hosts file, then DNS, with the JVM's address cache) on Vert.x worker threads, since
     * {@link InetAddress#getAllByName} blocks.
     */
    static AddressLookup system(Vertx vertx) {
        return host -> vertx.executeBlocking(() -> List.of(InetAddress.getAllByName(host)), false).toCompletionStage();
    }
}
