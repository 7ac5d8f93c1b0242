package dev.weft.connections.connector.channel;

import dev.weft.connections.connector.CheckResult;
import dev.weft.connections.connector.Connector;
import dev.weft.connections.connector.ConnectorContext;
import dev.weft.connections.connector.ConnectorException;
import dev.weft.connections.connector.ObjectSchema;
import dev.weft.connections.connector.QuerySpec;
import dev.weft.connections.connector.ReadSpec;
import dev.weft.connections.connector.RecordPage;
import dev.weft.connections.connector.WriteResult;
import dev.weft.connections.connector.WriteSpec;

import java.util.List;

/**
 * A messaging channel's connection (WhatsApp, Messenger, Instagram, Telegram): it only holds the channel's
 * credentials, which messaging-service reads through {@code ChannelCredentialsResource} and uses in its own adapters.
 * It has no data objects; the health check does not call the provider (messaging-service's sends report failures
 * on the messages themselves).
 */
public abstract class ChannelConnector implements Connector {

    @Override
    public CheckResult check(ConnectorContext context) {
        return new CheckResult(CheckResult.Outcome.OK, "credentials stored; not probed (messaging-service uses them when it sends)", 0);
    }

    @Override
    public List<ObjectSchema> describe(ConnectorContext context) {
        return List.of();
    }

    @Override
    public RecordPage query(ConnectorContext context, QuerySpec query) {
        throw noData();
    }

    @Override
    public RecordPage read(ConnectorContext context, ReadSpec read) {
        throw noData();
    }

    @Override
    public WriteResult write(ConnectorContext context, WriteSpec write) {
        throw noData();
    }

    private ConnectorException noData() {
        return ConnectorException.invalid("object", "known_object", provider() + " connections carry messages through messaging-service, not records");
    }
}
