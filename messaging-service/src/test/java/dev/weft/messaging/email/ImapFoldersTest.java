package dev.weft.messaging.email;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Which IMAP folders are the Sent and archive folders: the SPECIAL-USE attribute (RFC 6154) first, else a common name. */
class ImapFoldersTest {

    private static ImapMailbox.Listed folder(String name, char separator, String... attributes) {
        return new ImapMailbox.Listed(name, separator, List.of(attributes));
    }

    @Test
    void the_special_use_attribute_wins_over_a_common_name() {
        ImapMailbox.Folders found = ImapMailbox.folders(List.of(
                folder("INBOX", '/'), folder("Sent", '/'), folder("Archive", '/'),
                folder("[Gmail]", '/', "\\Noselect", "\\HasChildren"),
                folder("[Gmail]/Gesendet", '/', "\\HasNoChildren", "\\Sent"),
                folder("[Gmail]/All Mail", '/', "\\All"),
                folder("Ablage", '/', "\\archive")));
        assertEquals("[Gmail]/Gesendet", found.sent());
        assertEquals("Ablage", found.archive());
        assertEquals("INBOX", found.path("inbox"));
    }

    @Test
    void without_the_attribute_common_names_are_tried_in_order_case_ignored() {
        assertEquals("Sent Items", ImapMailbox.folders(List.of(folder("INBOX", '.'), folder("Sent Messages", '.'), folder("Sent Items", '.'))).sent());
        assertEquals("SENT", ImapMailbox.folders(List.of(folder("INBOX", '.'), folder("SENT", '.'))).sent());
        // A server keeping every folder under INBOX, with either separator.
        assertEquals("INBOX.Sent", ImapMailbox.folders(List.of(folder("INBOX", '.'), folder("INBOX.Sent", '.'))).sent());
        assertEquals("INBOX/Sent", ImapMailbox.folders(List.of(folder("INBOX", '/'), folder("INBOX/Sent", '/'))).sent());
        assertEquals("INBOX.Archive", ImapMailbox.folders(List.of(folder("INBOX", '.'), folder("INBOX.Archive", '.'))).archive());
        assertEquals("Archives", ImapMailbox.folders(List.of(folder("Archives", '/'))).archive());
    }

    @Test
    void a_mailbox_without_them_has_none_and_unselectable_folders_do_not_count() {
        ImapMailbox.Folders found = ImapMailbox.folders(List.of(folder("INBOX", '/'), folder("Drafts", '/', "\\Drafts"),
                folder("Sent", '/', "\\Noselect"), folder("Archive", '/', "\\NonExistent", "\\Archive"), folder("Sent Mail Old", '/')));
        assertNull(found.sent());
        assertNull(found.archive());
        assertNull(found.path("sent"));
    }
}
