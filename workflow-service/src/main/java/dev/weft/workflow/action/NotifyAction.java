package dev.weft.workflow.action;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.platform.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code notify}: {@code message} (a template) to a {@code channel}:
 * <ul>
 *   <li>{@code slack}: posted through a Slack connection ({@code connection_id}, to {@code slack_channel}) as a write
 *       of {@code messages}, which connections-service sends as {@code chat.postMessage};</li>
 *   <li>{@code webhook}: POSTed as {@code {"text": ...}} to {@code url}, signed like an http action;</li>
 *   <li>{@code email}: sent through messaging-service ({@link MessagingClient}) from the mail connection
 *       {@code connection_id} (IMAP/SMTP, Gmail, Microsoft 365) to {@code to} (and {@code cc}, {@code bcc}: at most
 *       {@value #MAX_RECIPIENTS} addresses in all), with {@code subject} (a template) and {@code message} as the body;
 *       the step's idempotency key makes a retried step send once. Output: {@code email_id}, {@code thread_id}.</li>
 * </ul>
 * Seed 000's {@code {"channel":"slack","message":...}} names no connection: it is accepted, and a run fails with a step
 * error saying which field is missing until one is set. Email's fields are checked at creation; a run still fails its
 * step naming a missing one rather than sending half a mail (a definition stored some other way).
 */
@ApplicationScoped
public class NotifyAction implements Action {
    static final int MAX_RECIPIENTS = 50;
    /** A plain address (no spaces, one @, a dot in the domain); messaging-service parses it again, fully, when it sends. */
    private static final Pattern ADDRESS = Pattern.compile("[^@\\s<>(),;:\"\\[\\]]+@[^@\\s<>(),;:\"\\[\\]]+\\.[^@\\s<>(),;:\"\\[\\]]+");
    /** {@code Name <address>}, as messaging-service accepts it. */
    private static final Pattern NAMED = Pattern.compile("[^<>]*<([^<>]+)>");

    private final ConnectionsClient connections;
    private final MessagingClient messaging;
    private final Sender sender;
    private final ObjectMapper json;

    public NotifyAction(ConnectionsClient connections, MessagingClient messaging, Sender sender, ObjectMapper json) {
        this.connections = connections;
        this.messaging = messaging;
        this.sender = sender;
        this.json = json;
    }

    @Override
    public boolean signs() {
        return true;
    }

    @Override
    public String type() {
        return "notify";
    }

    @Override
    public void check(ObjectNode config, String at) {
        String channel = Actions.text(config, "channel", at, true);
        String message = Actions.text(config, "message", at, true);
        Templates.check(message, at + ".message");
        switch (channel) {
            case "slack" -> {
                Actions.text(config, "connection_id", at, false);
                Actions.text(config, "slack_channel", at, false);
            }
            case "webhook" -> {
                String url = Actions.text(config, "url", at, true);
                if (!url.startsWith("https://") && !url.startsWith("http://")) {
                    throw ApiException.invalid(at + ".url", "format", at + ".url must be an absolute http or https URL");
                }
                sender.checkUrl(url, at + ".url");
            }
            case "email" -> {
                Actions.text(config, "connection_id", at, true);
                int recipients = addresses(config, "to", at, true).size() + addresses(config, "cc", at, false).size()
                        + addresses(config, "bcc", at, false).size();
                if (recipients > MAX_RECIPIENTS) {
                    throw ApiException.invalid(at + ".to", "max_items", at + ".to, cc and bcc hold at most " + MAX_RECIPIENTS + " addresses in all");
                }
                Templates.check(Actions.text(config, "subject", at, true), at + ".subject");
            }
            default -> throw ApiException.invalid(at + ".channel", "one_of", at + ".channel must be slack, webhook or email");
        }
    }

    /** An address list of an email notification: an array of addresses ({@code a@b.com} or {@code Name <a@b.com>}). */
    private static List<String> addresses(ObjectNode config, String field, String at, boolean required) {
        JsonNode value = config.get(field);
        String name = at + "." + field;
        if (value == null || value.isNull()) {
            if (required) {
                throw ApiException.invalid(name, "required", name + " is required: a list of email addresses");
            }
            return List.of();
        }
        if (!value.isArray() || required && value.isEmpty()) {
            throw ApiException.invalid(name, "type", name + " must be a " + (required ? "non-empty " : "") + "list of email addresses");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            if (!item.isTextual() || !isAddress(item.asText())) {
                throw ApiException.invalid(name, "format", name + "[" + i + "] is not an email address");
            }
            out.add(item.asText().strip());
        }
        return out;
    }

    private static boolean isAddress(String text) {
        String value = text.strip();
        if (value.length() > 320) {
            return false;
        }
        var named = NAMED.matcher(value);
        return ADDRESS.matcher(named.matches() ? named.group(1).strip() : value).matches();
    }

    @Override
    public StepResult run(StepInput input) {
        ObjectNode config = input.config();
        Templates.Rendered message = Templates.render(config.get("message").asText(), input.context());
        String channel = config.get("channel").asText();
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("channel", channel);
        output.put("message", message.text());
        if (channel.equals("slack")) {
            if (!config.hasNonNull("connection_id") || !config.hasNonNull("slack_channel")) {
                throw StepFailure.permanent("INVALID_REQUEST", "a slack notification needs connection_id (a Slack connection) and slack_channel");
            }
            Map<String, Object> post = new LinkedHashMap<>();
            post.put("channel", config.get("slack_channel").asText());
            post.put("text", message.text());
            ConnectionsClient.WriteResponse response = connections.write(config.get("connection_id").asText(),
                    new ConnectionsClient.WriteRequest("messages", List.of(post), "insert", null));
            if (response != null && response.results() != null && !response.results().isEmpty()) {
                output.put("ts", response.results().getFirst().id());
            }
        } else if (channel.equals("email")) {
            Map<String, String> required = Map.of("connection_id", "a mail connection", "to", "a list of addresses", "subject", "a template");
            for (String field : List.of("connection_id", "to", "subject")) {
                if (!config.hasNonNull(field)) {
                    throw StepFailure.permanent("INVALID_REQUEST", "an email notification needs " + field + " (" + required.get(field) + ")");
                }
            }
            Templates.Rendered subject = Templates.render(config.get("subject").asText(), input.context());
            MessagingClient.SentEmail sent = messaging.sendEmail(new MessagingClient.SendEmail(list(config, "to"), list(config, "cc"),
                    list(config, "bcc"), subject.text(), message.text(), config.get("connection_id").asText()), input.idempotencyKey());
            output.put("subject", subject.text());
            output.put("email_id", sent == null ? null : sent.id());
            output.put("thread_id", sent == null ? null : sent.thread_id());
            List<String> missing = new ArrayList<>(subject.missing());
            missing.addAll(message.missing());
            return StepResult.of(output).withWarnings(Notes.missing(missing));
        } else {
            String body;
            try {
                body = json.writeValueAsString(Map.of("text", message.text()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            output.put("response", sender.send("POST", config.get("url").asText(), Map.of(), body, input.signingSecret(), input.idempotencyKey()));
        }
        return StepResult.of(output).withWarnings(Notes.missing(message.missing()));
    }

    private static List<String> list(ObjectNode config, String field) {
        JsonNode value = config.get(field);
        if (value == null || !value.isArray()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        value.forEach(v -> out.add(v.asText()));
        return out;
    }
}
