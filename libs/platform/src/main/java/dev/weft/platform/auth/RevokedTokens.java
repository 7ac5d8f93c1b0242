package dev.weft.platform.auth;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This replica's deny-list of access tokens that verify but must not work any more: one token
 * ({@code jti}), every token of a refresh-token family ({@code sid}), or every token a client was
 * issued up to its deletion. Each entry lives until the tokens it denies would have expired
 * anyway. {@link RevocationListener} fills it from {@code credential.revoked} events, rebuilding
 * it at start from the topic's recent past, so every service refuses a revoked token within the
 * event's travel time rather than at the token's expiry.
 */
@ApplicationScoped
public class RevokedTokens {
    private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
    private final Map<String, Instant> families = new ConcurrentHashMap<>();
    private final Map<String, Client> clients = new ConcurrentHashMap<>();

    private record Client(Instant revokedAt, Instant until) {
    }

    /** One access token, until its expiry. */
    public void token(String jti, Instant until) {
        if (jti != null && until != null) {
            tokens.merge(jti, until, RevokedTokens::later);
        }
    }

    /** Every access token carrying {@code sid}, until {@code until}. */
    public void family(String sid, Instant until) {
        if (sid != null && until != null) {
            families.merge(sid, until, RevokedTokens::later);
        }
    }

    /** Every access token issued to the client at or before {@code revokedAt}, until {@code until}. */
    public void client(String clientId, Instant revokedAt, Instant until) {
        if (clientId != null && revokedAt != null && until != null) {
            clients.merge(clientId, new Client(revokedAt, until),
                    (a, b) -> new Client(later(a.revokedAt(), b.revokedAt()), later(a.until(), b.until())));
        }
    }

    /** Whether a verified token with these claims was revoked ({@code sid}, {@code sub} and {@code iat} may be absent). */
    public boolean isRevoked(String jti, String sid, String clientId, Instant issuedAt) {
        if (jti != null && tokens.containsKey(jti)) {
            return true;
        }
        if (sid != null && families.containsKey(sid)) {
            return true;
        }
        Client client = clientId == null ? null : clients.get(clientId);
        return client != null && (issuedAt == null || !issuedAt.isAfter(client.revokedAt()));
    }

    public int size() {
        return tokens.size() + families.size() + clients.size();
    }

    @Scheduled(every = "60s", delayed = "60s")
    void forgetExpired() {
        Instant now = Instant.now();
        tokens.values().removeIf(until -> until.isBefore(now));
        families.values().removeIf(until -> until.isBefore(now));
        clients.values().removeIf(client -> client.until().isBefore(now));
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
