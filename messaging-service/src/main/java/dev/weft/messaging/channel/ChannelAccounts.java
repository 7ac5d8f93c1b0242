package dev.weft.messaging.channel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.services.ServiceCallException;
import dev.weft.platform.services.ServiceClient;
import dev.weft.platform.tenancy.SystemPrincipal;
import dev.weft.platform.tenancy.TenantContext;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A channel's account (a WhatsApp number, a Page, a bot): its connection in connections-service, read through the
 * internal channel-connections endpoint as this service's system principal in the org. Held for a short while, so a
 * burst of sends or webhooks asks once; a changed secret is seen within {@link #TTL_MILLIS}.
 */
@ApplicationScoped
public class ChannelAccounts {
    private static final String BASE = "/internal/v1/channel-connections";
    private static final long TTL_MILLIS = 30_000;

    /** The connection: its id (conn_...), provider, config and decrypted credentials. */
    public record Account(String connectionId, String provider, String name, JsonNode config, JsonNode credentials) {
        public String config(String field) {
            JsonNode value = config == null ? null : config.get(field);
            return value == null || value.isNull() ? null : value.asText();
        }

        public String credential(String field) {
            JsonNode value = credentials == null ? null : credentials.get(field);
            return value == null || value.isNull() ? null : value.asText();
        }
    }

    public record AccountList(List<Account> data) {
    }

    private record Cached(Optional<Account> account, long at) {
    }

    private final ServiceClient services;
    private final SystemPrincipal system;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public ChannelAccounts(ServiceClient services, SystemPrincipal system) {
        this.services = services;
        this.system = system;
    }

    /**
     * The account a send in the current org goes out on: the connection named {@code connectionId}, or the org's
     * oldest connection of the channel. None: a 400 saying to connect one.
     */
    public Account forSend(String channel, String connectionId) {
        String org = TenantContext.requireOrgId();
        Optional<Account> account = cached(org + "|" + channel + "|" + (connectionId == null ? "*" : connectionId), () -> {
            if (connectionId != null) {
                return byId(connectionId).filter(a -> a.provider().equals(channel));
            }
            AccountList list;
            try {
                list = services.get(ServiceClient.Service.CONNECTIONS, BASE + "?provider=" + channel, AccountList.class);
            } catch (ServiceCallException e) {
                throw new ApiException(ErrorCode.SERVICE_UNAVAILABLE, "channel credentials are unavailable: connections-service answered " + e.status());
            }
            return list == null || list.data() == null || list.data().isEmpty() ? Optional.empty() : Optional.of(list.data().getFirst());
        });
        return account.orElseThrow(() -> ApiException.invalid(connectionId == null ? "platform" : "metadata.connection_id", "connected",
                connectionId == null ? "the org has no " + channel + " connection: create one (POST /v1/connections, provider " + channel + ")"
                        : "no " + channel + " connection " + connectionId));
    }

    /** The account an inbound webhook names: the org's connection of that channel, or empty. */
    public Optional<Account> forInbound(String orgId, String channel, String connectionId) {
        try {
            return system.callAs(orgId, () -> cached(orgId + "|" + channel + "|" + connectionId,
                    () -> byId(connectionId).filter(a -> a.provider().equals(channel))));
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A connection of the current org by id, whatever its provider; empty when connections-service gives no such one out. */
    public Optional<Account> byConnection(String connectionId) {
        String org = TenantContext.requireOrgId();
        return cached(org + "|*|" + connectionId, () -> byId(connectionId));
    }

    /** The current org's connection {@code connectionId} if it is of one of {@code providers} (mail, calendar), or empty. */
    public Optional<Account> connection(String connectionId, java.util.Set<String> providers) {
        return byConnection(connectionId).filter(a -> providers.contains(a.provider()));
    }

    /** The current org's connections of {@code provider}, oldest first (not cached: a list is asked for rarely). */
    public List<Account> all(String provider) {
        try {
            AccountList list = services.get(ServiceClient.Service.CONNECTIONS, BASE + "?provider=" + provider, AccountList.class);
            return list == null || list.data() == null ? List.of() : list.data();
        } catch (ServiceCallException e) {
            throw new ApiException(ErrorCode.SERVICE_UNAVAILABLE, "connections are unavailable: connections-service answered " + e.status());
        }
    }

    private Optional<Account> byId(String connectionId) {
        try {
            return Optional.ofNullable(services.get(ServiceClient.Service.CONNECTIONS, BASE + "/" + connectionId, Account.class));
        } catch (ServiceCallException e) {
            if (e.status() == 404 || e.status() == 400) {
                return Optional.empty();
            }
            throw new ApiException(ErrorCode.SERVICE_UNAVAILABLE, "channel credentials are unavailable: connections-service answered " + e.status());
        }
    }

    private Optional<Account> cached(String key, java.util.function.Supplier<Optional<Account>> load) {
        long now = System.currentTimeMillis();
        Cached hit = cache.get(key);
        if (hit != null && now - hit.at() < TTL_MILLIS) {
            return hit.account();
        }
        Optional<Account> loaded = load.get();
        if (loaded.isEmpty()) {
            // Not held: a connection created a moment later is used at once.
            cache.remove(key);
            return loaded;
        }
        if (cache.size() > 10_000) {
            cache.clear();
        }
        cache.put(key, new Cached(loaded, now));
        return loaded;
    }
}
