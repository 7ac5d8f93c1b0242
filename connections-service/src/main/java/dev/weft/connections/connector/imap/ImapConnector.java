package dev.weft.connections.connector.imap;

import dev.weft.connections.connector.CheckResult;
import dev.weft.connections.connector.ConnectorContext;
import dev.weft.connections.connector.ConnectorException;
import dev.weft.connections.connector.channel.ChannelConnector;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;

import java.util.Properties;

/**
 * The {@code imap} mailbox (providers/imap.json): messaging-service syncs and sends its mail; this connector only holds
 * the credentials and checks them by logging in to IMAP (a wrong password is FAILED, an unreachable server too).
 */
@ApplicationScoped
public class ImapConnector extends ChannelConnector {
    private static final int TIMEOUT_MILLIS = 10_000;

    @Override
    public String provider() {
        return "imap";
    }

    @Override
    public CheckResult check(ConnectorContext context) {
        return CheckResult.probe(() -> login(context));
    }

    private static void login(ConnectorContext context) {
        String host = context.configString("imap_host").orElseThrow(() -> ConnectorException.invalid("config.imap_host", "required", "imap_host is required"));
        String tls = context.configString("imap_tls").orElse("ssl");
        int port = context.configString("imap_port").map(Integer::parseInt).orElse("ssl".equals(tls) ? 993 : 143);
        String protocol = "ssl".equals(tls) ? "imaps" : "imap";
        Properties properties = new Properties();
        properties.put("mail." + protocol + ".connectiontimeout", String.valueOf(TIMEOUT_MILLIS));
        properties.put("mail." + protocol + ".timeout", String.valueOf(TIMEOUT_MILLIS));
        if ("starttls".equals(tls)) {
            properties.put("mail.imap.starttls.enable", "true");
            properties.put("mail.imap.starttls.required", "true");
        }
        try (Store store = Session.getInstance(properties).getStore(protocol)) {
            store.connect(host, port, context.credentials().require("username"), context.credentials().require("password"));
        } catch (AuthenticationFailedException e) {
            throw ConnectorException.auth("the IMAP server refused the login: " + e.getMessage());
        } catch (MessagingException e) {
            throw ConnectorException.unreachable("the IMAP server could not be reached: " + e.getMessage(), e);
        }
    }
}
