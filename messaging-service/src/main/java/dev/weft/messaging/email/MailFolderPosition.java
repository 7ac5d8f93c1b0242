package dev.weft.messaging.email;

import dev.weft.platform.tenancy.OrgScopedEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import java.util.UUID;

/** Where an IMAP mailbox's sync of one folder stands (V7__imap_folder_positions.sql); one row per account and folder. */
@Entity
@Table(name = "mail_folder_positions")
public class MailFolderPosition extends OrgScopedEntity {
    @Column(name = "account_id")
    public UUID accountId;
    /** inbox, sent or archive. */
    public String folder;
    /** The server's name for the folder. */
    public String path;
    @Column(name = "uid_validity")
    public long uidValidity;
    @Column(name = "last_uid")
    public long lastUid;
    @Column(name = "highest_modseq")
    public Long highestModseq;

    Mailbox.ImapFolderPosition folderPosition() {
        return new Mailbox.ImapFolderPosition(path, uidValidity, lastUid, highestModseq);
    }
}
