package dev.weft.connections.capture.poll;

import dev.weft.connections.capture.CaptureContext;
import dev.weft.connections.capture.ChangeSource;
import dev.weft.connections.capture.ChangeSources;
import dev.weft.connections.capture.Stream;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Change capture of SaaS objects by polling their modification time: one {@link Poller} per provider, one shared loop. */
@ApplicationScoped
public class PollingCapture implements ChangeSources {
    private final Map<String, Poller> pollers = new TreeMap<>();

    public PollingCapture(Instance<Poller> pollers) {
        pollers.forEach(p -> this.pollers.put(p.provider(), p));
    }

    @Override
    public boolean supports(String provider) {
        return pollers.containsKey(provider);
    }

    @Override
    public String kind() {
        return Stream.POLL;
    }

    @Override
    public ChangeSource open(CaptureContext context) {
        Poller poller = poller(context.connector().provider()).orElseThrow();
        poller.check(context);
        return new PollingSource(context, poller);
    }

    Optional<Poller> poller(String provider) {
        return Optional.ofNullable(pollers.get(provider));
    }
}
