package dev.weft.messaging.email;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.platform.tenancy.RequiresScope;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Email (seed 002): the synced inbox, flags written back to the mailbox, sends, threads, CRM entity matches, syncs. */
@Path("/v1/email")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RunOnVirtualThread
@Tag(name = "email", description = "Mail from IMAP, Gmail and Microsoft 365 connections: inbox, threads, sends and CRM entity matches")
@APIResponse(responseCode = "401", description = "UNAUTHORIZED: no valid credential")
public class EmailResource {
    private final EmailService emails;

    public EmailResource(EmailService emails) {
        this.emails = emails;
    }

    @GET
    @Path("/inbox")
    @RequiresScope("email:read")
    @Operation(operationId = "listEmails", summary = "A folder's mail, newest first: full-text search (q), unread only, page/limit or cursor pagination")
    @APIResponse(responseCode = "200", description = "A page of emails", content = @Content(schema = @Schema(implementation = EmailDtos.InboxPage.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: an unknown folder, a bad unread, page, limit or cursor")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs email:read")
    public EmailDtos.InboxPage inbox(@Parameter(description = "inbox (default), sent or archive") @QueryParam("folder") String folder,
                                     @Parameter(description = "search words (PostgreSQL websearch syntax: \"quoted phrase\", -excluded, or)") @QueryParam("q") String q,
                                     @Parameter(description = "true: unread mail only") @QueryParam("unread") String unread,
                                     @Parameter(description = "page number from 1 (seed 002); or use cursor") @QueryParam("page") String page,
                                     @QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        return emails.inbox(folder, q, unread, page, limit, cursor);
    }

    @GET
    @Path("/folders/counts")
    @RequiresScope("email:read")
    @Operation(operationId = "countEmailFolders", summary = "Total and unread mail per folder (inbox, sent, archive)")
    @APIResponse(responseCode = "200", description = "The counts", content = @Content(schema = @Schema(implementation = EmailDtos.FolderCounts.class)))
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs email:read")
    public EmailDtos.FolderCounts counts() {
        return emails.counts();
    }

    @GET
    @Path("/{id}")
    @RequiresScope("email:read")
    @Operation(operationId = "getEmail", summary = "One email, with its attachments' metadata")
    @APIResponse(responseCode = "200", description = "The email", content = @Content(schema = @Schema(implementation = EmailDtos.EmailView.class)))
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs email:read")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public EmailDtos.EmailView get(@PathParam("id") String id) {
        return emails.get(id);
    }

    @GET
    @Path("/{id}/attachments/{attachment_id}")
    @Produces(MediaType.WILDCARD)
    @RequiresScope("email:read")
    @Operation(operationId = "downloadEmailAttachment", summary = "An attachment's content, streamed from the mailbox (IMAP, Gmail or Graph)",
            description = "Served with the attachment's content type and Content-Disposition: attachment (filename and RFC 5987 filename*). "
                    + "Larger than weft.messaging.email.attachment-max-size (25 MB): 413.")
    @APIResponse(responseCode = "200", description = "The content", content = @Content(mediaType = "application/octet-stream",
            schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.STRING, format = "binary")))
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs email:read")
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no such email or attachment")
    @APIResponse(responseCode = "413", description = "PAYLOAD_TOO_LARGE: the attachment is larger than served")
    @APIResponse(responseCode = "502", description = "UPSTREAM_ERROR: the mailbox did not give it")
    public Response attachment(@PathParam("id") String id, @PathParam("attachment_id") String attachmentId) {
        EmailService.Download download = emails.attachment(id, attachmentId);
        StreamingOutput body = out -> {
            try (Mailbox.Content content = download.content()) {
                byte[] buffer = new byte[64 * 1024];
                long total = 0;
                int n;
                while ((n = content.stream().read(buffer)) > 0) {
                    total += n;
                    if (total > download.maxBytes()) {
                        // The provider's stated size was wrong: the response is cut short rather than exceed the cap.
                        throw new java.io.IOException("the attachment is larger than " + download.maxBytes() + " bytes");
                    }
                    out.write(buffer, 0, n);
                }
            } catch (java.io.IOException e) {
                throw e;
            } catch (Exception e) {
                throw new java.io.IOException(e);
            }
        };
        return Response.ok(body, download.contentType()).header("Content-Disposition", disposition(download.filename()))
                .header("X-Content-Type-Options", "nosniff").header("Cache-Control", "private, no-store").build();
    }

    /** {@code attachment} with an ASCII {@code filename} (others replaced by _) and the exact name as RFC 5987 {@code filename*}. */
    static String disposition(String filename) {
        String name = filename == null || filename.isBlank() ? "attachment" : filename;
        String ascii = name.replaceAll("[^\\x20-\\x7e]", "_").replace('"', '_').replace('\\', '_');
        String encoded = java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A");
        return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
    }

    private static final String FLAG_BODY = "Optional {\"value\": true|false} sets the flag instead of toggling it. The change is written to the "
            + "mailbox first (IMAP flags and folders, Gmail labels, Graph isRead/flag/move); a refusal there is a 502 and nothing changes.";

    @POST
    @Path("/{id}/read")
    @RequiresScope("email:write")
    @Operation(operationId = "toggleEmailRead", summary = "Toggle (or set) an email's read status, written back to the mailbox", description = FLAG_BODY)
    @RequestBody(required = false, content = @Content(schema = @Schema(implementation = EmailDtos.FlagRequest.class),
            examples = @ExampleObject(name = "set read", value = "{\"value\":true}")))
    @APIResponse(responseCode = "200", description = "The email", content = @Content(schema = @Schema(implementation = EmailDtos.EmailView.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: value is not a boolean")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs email:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    @APIResponse(responseCode = "502", description = "UPSTREAM_ERROR: the mailbox refused the change")
    public EmailDtos.EmailView read(@PathParam("id") String id, JsonNode body) {
        return emails.flag(id, Mailbox.Flag.READ, body);
    }

    @POST
    @Path("/{id}/star")
    @RequiresScope("email:write")
    @Operation(operationId = "toggleEmailStar", summary = "Toggle (or set) an email's star, written back to the mailbox", description = FLAG_BODY)
    @RequestBody(required = false, content = @Content(schema = @Schema(implementation = EmailDtos.FlagRequest.class)))
    @APIResponse(responseCode = "200", description = "The email", content = @Content(schema = @Schema(implementation = EmailDtos.EmailView.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: value is not a boolean")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs email:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    @APIResponse(responseCode = "502", description = "UPSTREAM_ERROR: the mailbox refused the change")
    public EmailDtos.EmailView star(@PathParam("id") String id, JsonNode body) {
        return emails.flag(id, Mailbox.Flag.STARRED, body);
    }

    @POST
    @Path("/{id}/archive")
    @RequiresScope("email:write")
    @Operation(operationId = "toggleEmailArchive", summary = "Toggle (or set) whether an email is archived (moved out of the inbox at the provider)", description = FLAG_BODY)
    @RequestBody(required = false, content = @Content(schema = @Schema(implementation = EmailDtos.FlagRequest.class)))
    @APIResponse(responseCode = "200", description = "The email", content = @Content(schema = @Schema(implementation = EmailDtos.EmailView.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: value is not a boolean, or sent mail")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs email:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    @APIResponse(responseCode = "502", description = "UPSTREAM_ERROR: the mailbox refused the change")
    public EmailDtos.EmailView archive(@PathParam("id") String id, JsonNode body) {
        return emails.flag(id, Mailbox.Flag.ARCHIVED, body);
    }

    @POST
    @Path("/send")
    @RequiresScope("email:write")
    @Operation(operationId = "sendEmail", summary = "Send an email through a mail connection (SMTP, Gmail or Graph); stored in sent",
            description = "connection_id may be left out when the org has exactly one mailbox. A reply names reply_to_email_id (or thread_id: the "
                    + "thread's latest mail) and goes out through that mail's connection with In-Reply-To and References (Gmail threadId, Graph reply).")
    @RequestBody(content = @Content(schema = @Schema(implementation = EmailDtos.SendRequest.class), examples = {
            @ExampleObject(name = "seed 002", value = "{\"to\":[\"recipient@company.com\"],\"subject\":\"Follow up\",\"body\":\"...\",\"cc\":[],\"bcc\":[]}"),
            @ExampleObject(name = "reply", value = "{\"to\":[\"contact@company.com\"],\"body\":\"Thursday works.\",\"reply_to_email_id\":\"eml_01jdc9j2k5m8n1p4q7r0s3t6v9\"}")}))
    @APIResponse(responseCode = "201", description = "Sent and stored", content = @Content(schema = @Schema(implementation = EmailDtos.EmailView.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: a bad address, no recipient, unknown field, no or several mailboxes without connection_id")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs email:write")
    @APIResponse(responseCode = "502", description = "UPSTREAM_ERROR: the mail server or API refused it")
    public Response send(@NotNull JsonNode body) {
        return Response.status(201).entity(emails.send(body)).build();
    }

    @GET
    @Path("/thread/{thread_id}")
    @RequiresScope("email:read")
    @Operation(operationId = "getEmailThread", summary = "A thread's emails, oldest first, and the CRM entities its addresses are matched to")
    @APIResponse(responseCode = "200", description = "The thread", content = @Content(schema = @Schema(implementation = EmailDtos.ThreadView.class)))
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs email:read")
    @APIResponse(responseCode = "404", description = "NOT_FOUND")
    public EmailDtos.ThreadView thread(@PathParam("thread_id") String threadId) {
        return emails.thread(threadId);
    }

    @GET
    @Path("/threads/{entity_type}/{entity_id}")
    @RequiresScope("email:read")
    @Operation(operationId = "listEntityEmailThreads", summary = "The threads with mail from or to the addresses matched to a CRM entity, latest first")
    @APIResponse(responseCode = "200", description = "{data: threads}", content = @Content(schema = @Schema(implementation = EmailDtos.ThreadList.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: a malformed entity type or id")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs email:read")
    public EmailDtos.ThreadList threads(@PathParam("entity_type") String entityType, @PathParam("entity_id") String entityId) {
        return emails.threadsOf(entityType, entityId);
    }

    @POST
    @Path("/match")
    @RequiresScope("email:write")
    @Operation(operationId = "matchEmailAddress", summary = "Match an email address to a CRM entity: its mail, past and future, links to the entity")
    @RequestBody(content = @Content(schema = @Schema(implementation = EmailDtos.MatchRequest.class), examples =
            @ExampleObject(name = "seed 002", value = "{\"emailAddress\":\"contact@company.com\",\"entityType\":\"contact\",\"entityId\":42}")))
    @APIResponse(responseCode = "200", description = "The match (the same answer when it existed)", content = @Content(schema = @Schema(implementation = EmailDtos.MatchView.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: a bad address, entity type or id")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs email:write")
    public EmailDtos.MatchView match(@NotNull JsonNode body) {
        return emails.match(body);
    }

    @POST
    @Path("/sync")
    @RequiresScope("email:write")
    @Operation(operationId = "syncEmail", summary = "Sync the org's mailboxes (or one, connection_id) now and answer their sync state",
            description = "Incremental from each mailbox's position (IMAP UIDVALIDITY/UID, Gmail historyId, Graph delta link); a stale position "
                    + "falls back to a full resync, recorded in last_full_resync_at and last_full_resync_reason. A mailbox another replica is "
                    + "syncing at that moment is answered as it stands.")
    @RequestBody(required = false, content = @Content(schema = @Schema(implementation = EmailDtos.SyncRequest.class)))
    @APIResponse(responseCode = "200", description = "{data: mailboxes}", content = @Content(schema = @Schema(implementation = EmailDtos.AccountList.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST: a bad body")
    @APIResponse(responseCode = "403", description = "INSUFFICIENT_SCOPE: needs email:write")
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no such mail connection")
    public EmailDtos.AccountList sync(JsonNode body) {
        return emails.sync(body);
    }
}
